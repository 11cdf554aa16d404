package models

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"
)

// loginTry begins an attempt and, when let through, leaves it as a
// failure; it returns the refusal, if any.
func loginTry(t *testing.T, s *Store, req LoginRequest) *LoginRefused {
	t.Helper()
	_, err := s.BeginLogin(context.Background(), DefaultLoginLimits(), req)
	var refused *LoginRefused
	if errors.As(err, &refused) {
		return refused
	}
	if err != nil {
		t.Fatalf("begin login %+v: %v", req, err)
	}
	return nil
}

func TestLoginLimitsHoldPairsAndAddressesAndSlowTheAccount(t *testing.T) {
	now := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	s := pinnedStore(t, &now)
	lim := DefaultLoginLimits()

	// One address: 5 for the account, then locked for the window.
	for i := range lim.PerPair {
		if r := loginTry(t, s, LoginRequest{IP: "198.51.100.1", Email: "ana@example.com"}); r != nil {
			t.Fatalf("failure %d: %v", i+1, r)
		}
	}
	r := loginTry(t, s, LoginRequest{IP: "198.51.100.1", Email: "ANA@example.com"})
	if r == nil || r.Scope != LoginScopePair || r.Wait != lim.Window {
		t.Fatalf("6th from one address: %v, want the pair limit for %s", r, lim.Window)
	}
	// ...which alone slows nobody elsewhere.
	if r := loginTry(t, s, LoginRequest{IP: "198.51.100.2", Email: "ana@example.com"}); r != nil {
		t.Fatalf("another address: %v", r)
	}

	// More addresses: past 10 for the account, one try a minute.
	for i := range 4 {
		if r := loginTry(t, s, LoginRequest{IP: fmt.Sprintf("203.0.113.%d", i), Email: "ana@example.com"}); r != nil {
			t.Fatalf("address %d: %v", i, r)
		}
	}
	r = loginTry(t, s, LoginRequest{IP: "203.0.113.99", Email: "ana@example.com"})
	if r == nil || r.Scope != LoginScopeAccount || r.Wait != lim.AccountSlowEvery {
		t.Fatalf("11th for the account: %v, want the account slow-down for %s", r, lim.AccountSlowEvery)
	}
	now = now.Add(lim.AccountSlowEvery)
	if r := loginTry(t, s, LoginRequest{IP: "203.0.113.99", Email: "ana@example.com"}); r != nil {
		t.Fatalf("a minute later: %v", r)
	}
	if r := loginTry(t, s, LoginRequest{IP: "203.0.113.98", Email: "ana@example.com"}); r == nil || r.Scope != LoginScopeAccount {
		t.Fatalf("right after: %v, want the slow-down", r)
	}

	// A known device is held by its own count only.
	dev := &KnownDevice{ID: 1, TokenHash: deviceTokenHash("token")}
	for i := range lim.PerDevice {
		if r := loginTry(t, s, LoginRequest{IP: "198.51.100.1", Email: "ana@example.com", Device: dev}); r != nil {
			t.Fatalf("known device, failure %d: %v", i+1, r)
		}
	}
	if r := loginTry(t, s, LoginRequest{IP: "198.51.100.1", Email: "ana@example.com", Device: dev}); r == nil || r.Scope != LoginScopeDevice {
		t.Fatalf("known device after %d failures: %v, want the device limit", lim.PerDevice, r)
	}

	// An address: 20 over any accounts.
	now = now.Add(lim.Window)
	for i := range lim.PerIP {
		if r := loginTry(t, s, LoginRequest{IP: "192.0.2.7", Email: fmt.Sprintf("guess%d@example.com", i)}); r != nil {
			t.Fatalf("address failure %d: %v", i+1, r)
		}
	}
	if r := loginTry(t, s, LoginRequest{IP: "192.0.2.7", Email: "new@example.com"}); r == nil || r.Scope != LoginScopeIP {
		t.Fatalf("21st from one address: %v, want the address limit", r)
	}
}

// TestLoginFailuresFromBeforeKnownDevicesStillCount writes rows as the
// previous release did ("account" and "ip" only) and checks how they are
// read: the address keeps its count, the account's count slows unknown
// devices down, and nothing is locked for the window.
func TestLoginFailuresFromBeforeKnownDevicesStillCount(t *testing.T) {
	now := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	s := pinnedStore(t, &now)
	var rows []LoginFailure
	for i := range 20 {
		rows = append(rows,
			LoginFailure{Scope: LoginScopeIP, Subject: "198.51.100.1", At: now.Add(-time.Duration(i) * time.Second)},
			LoginFailure{Scope: LoginScopeAccount, Subject: "ana@example.com", At: now.Add(-time.Duration(i) * time.Second)})
	}
	if err := s.db.Create(&rows).Error; err != nil {
		t.Fatal(err)
	}
	if r := loginTry(t, s, LoginRequest{IP: "198.51.100.1", Email: "bo@example.com"}); r == nil || r.Scope != LoginScopeIP {
		t.Errorf("the address with 20 old failures: %v, want the address limit", r)
	}
	r := loginTry(t, s, LoginRequest{IP: "198.51.100.2", Email: "ana@example.com"})
	if r == nil || r.Scope != LoginScopeAccount || r.Wait > time.Minute {
		t.Errorf("the account with 20 old failures: %v, want a slow-down of at most a minute", r)
	}
}
