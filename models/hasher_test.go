package models

import (
	"context"
	"errors"
	"testing"
	"time"

	"retreat/models/backendtest"
)

// TestHasherWaitsForASlotThenRefuses runs a hasher of one slot: a second
// hash waits while the first holds the slot, is refused with ErrBusy when
// the wait runs out (or its context ends), and gets the slot when the
// first gives it back.
func TestHasherWaitsForASlotThenRefuses(t *testing.T) {
	h := newHasher(1, 200*time.Millisecond, nil)
	ctx := context.Background()
	release, err := h.acquire(ctx)
	if err != nil {
		t.Fatalf("first slot: %v", err)
	}
	if _, err := h.hash(ctx, "correct horse battery"); !errors.Is(err, ErrBusy) {
		t.Fatalf("hash while the only slot is held: %v, want ErrBusy", err)
	}
	if _, err := h.compare(ctx, "x", ""); !errors.Is(err, ErrBusy) {
		t.Fatalf("compare while the only slot is held: %v, want ErrBusy", err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	long := newHasher(1, time.Hour, nil)
	hold, _ := long.acquire(ctx)
	if _, err := long.hash(cancelled, "correct horse battery"); !errors.Is(err, ErrBusy) || !errors.Is(err, context.Canceled) {
		t.Fatalf("hash whose request has ended: %v, want ErrBusy (context canceled)", err)
	}
	hold()

	// A waiting hash gets the slot as soon as it is given back.
	h.wait = time.Hour
	done := make(chan error, 1)
	go func() {
		_, err := h.hash(ctx, "correct horse battery")
		done <- err
	}()
	select {
	case err := <-done:
		t.Fatalf("hash returned while the slot was held: %v", err)
	default:
	}
	release()
	if err := <-done; err != nil {
		t.Fatalf("hash after the slot was given back: %v", err)
	}
	if got := len(h.slots); got != 0 {
		t.Errorf("%d slots still taken after every hash ended", got)
	}
}

// TestPasswordWorkGoesThroughTheSlots holds every slot of a store and
// checks that each kind of password work waits for one: sign-in (known and
// unknown emails alike), creating an organizer, and the setup's first one.
func TestPasswordWorkGoesThroughTheSlots(t *testing.T) {
	s, err := Open(context.Background(), backendtest.DatabaseURL(t), Options{HashSlots: 1, HashWait: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	ctx := context.Background()
	if _, err := s.CreateOrganizer(ctx, NewOrganizer{Email: "ana@example.com", Name: "Ana", Password: "correct horse battery"}); err != nil {
		t.Fatal(err)
	}
	if got := s.HashSlots(); got != 1 {
		t.Fatalf("HashSlots = %d, want 1", got)
	}
	release, err := s.HoldHashSlot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for name, f := range map[string]func() error{
		"known email":   func() error { _, err := s.Authenticate(ctx, "ana@example.com", "correct horse battery"); return err },
		"unknown email": func() error { _, err := s.Authenticate(ctx, "nobody@example.com", "x"); return err },
		"create": func() error {
			_, err := s.CreateOrganizer(ctx, NewOrganizer{Email: "bo@example.com", Name: "Bo", Password: "correct horse battery"})
			return err
		},
		"setup": func() error {
			_, err := s.CreateFirstOrganizer(ctx, NewOrganizer{Email: "cy@example.com", Name: "Cy", Password: "correct horse battery"})
			return err
		},
	} {
		if err := f(); !errors.Is(err, ErrBusy) {
			t.Errorf("%s with every slot held: %v, want ErrBusy", name, err)
		}
	}
	release()
	if _, err := s.Authenticate(ctx, "ana@example.com", "correct horse battery"); err != nil {
		t.Errorf("sign-in after the slot was given back: %v", err)
	}
	if _, err := s.Authenticate(ctx, "nobody@example.com", "correct horse battery"); !errors.Is(err, ErrBadCredentials) {
		t.Errorf("unknown email: %v, want ErrBadCredentials", err)
	}
}
