package models

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestKnownDevicesBelongToOneAccountAndCanBeRevoked(t *testing.T) {
	now := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	s := pinnedStore(t, &now)
	ctx := context.Background()
	ana, err := s.CreateOrganizer(ctx, NewOrganizer{Email: "ana@example.com", Name: "Ana", Password: "correct horse battery"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateOrganizer(ctx, NewOrganizer{Email: "bo@example.com", Name: "Bo", Password: "correct horse battery"}); err != nil {
		t.Fatal(err)
	}
	token, err := s.RememberDevice(ctx, ana.ID)
	if err != nil {
		t.Fatal(err)
	}
	d, err := s.KnownDeviceFor(ctx, token, " Ana@Example.com")
	if err != nil {
		t.Fatalf("Ana's device for Ana: %v", err)
	}
	if d.OrganizerID != ana.ID || d.TokenHash == token || strings.Contains(d.TokenHash, token) {
		t.Errorf("device = %+v: want Ana's, storing a hash of the token, not the token", d)
	}
	forged := strings.Repeat("A", len(token))
	for name, tc := range map[string]struct{ token, email string }{
		"another account": {token, "bo@example.com"},
		"unknown email":   {token, "nobody@example.com"},
		"forged token":    {forged, "ana@example.com"},
		"malformed token": {token + "x", "ana@example.com"},
		"the stored hash": {d.TokenHash, "ana@example.com"},
		"empty":           {"", "ana@example.com"},
	} {
		if _, err := s.KnownDeviceFor(ctx, tc.token, tc.email); !errors.Is(err, ErrNotFound) {
			t.Errorf("%s: %v, want ErrNotFound", name, err)
		}
	}

	// Used within a year it stays known; a year unused, it is forgotten.
	now = now.Add(DeviceLifetime - time.Hour)
	if err := s.TouchDevice(ctx, d.ID); err != nil {
		t.Fatal(err)
	}
	now = now.Add(DeviceLifetime - time.Hour)
	if _, err := s.KnownDeviceFor(ctx, token, "ana@example.com"); err != nil {
		t.Errorf("device used 11 months ago: %v", err)
	}
	now = now.Add(2 * time.Hour)
	if _, err := s.KnownDeviceFor(ctx, token, "ana@example.com"); !errors.Is(err, ErrNotFound) {
		t.Errorf("device unused for a year: %v, want ErrNotFound", err)
	}
	if _, err := s.RememberDevice(ctx, ana.ID); err != nil {
		t.Fatal(err)
	}
	if ds, err := s.KnownDevices(ctx, ana.ID); err != nil || len(ds) != 1 {
		t.Errorf("devices after a new one = %d (%v), want the expired one swept", len(ds), err)
	}

	if err := s.ForgetDevices(ctx, ana.ID); err != nil {
		t.Fatal(err)
	}
	if ds, err := s.KnownDevices(ctx, ana.ID); err != nil || len(ds) != 0 {
		t.Errorf("devices after ForgetDevices = %d (%v), want 0", len(ds), err)
	}
}
