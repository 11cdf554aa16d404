package models

import (
	"context"
	"sync"
	"testing"
	"time"

	"retreat/models/backendtest"
)

// pinnedStore opens a store on a temp SQLite file whose clock is *now.
func pinnedStore(t *testing.T, now *time.Time) *Store {
	t.Helper()
	var mu sync.Mutex
	clock := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		return *now
	}
	s, err := Open(context.Background(), backendtest.DatabaseURL(t), Options{Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestLeaseHasOneHolderUntilItExpiresOrIsReleased(t *testing.T) {
	now := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	s := pinnedStore(t, &now)
	ctx := context.Background()
	take := func(holder string) bool {
		t.Helper()
		ok, err := s.TakeLease(ctx, "jobs", holder, 5*time.Minute)
		if err != nil {
			t.Fatalf("take lease as %s: %v", holder, err)
		}
		return ok
	}
	if !take("a") {
		t.Fatal("a could not take a free lease")
	}
	if take("b") {
		t.Fatal("b took a lease a holds")
	}
	now = now.Add(4 * time.Minute)
	if !take("a") {
		t.Fatal("a could not renew its own lease")
	}
	now = now.Add(4 * time.Minute) // 8 min after the first take, 4 after the renewal
	if take("b") {
		t.Fatal("b took a renewed lease before it expired")
	}
	now = now.Add(2 * time.Minute)
	if !take("b") {
		t.Fatal("b could not take an expired lease")
	}
	if take("a") {
		t.Fatal("a took back a lease b now holds")
	}
	if err := s.ReleaseLease(ctx, "jobs", "a"); err != nil {
		t.Fatal(err)
	}
	if take("a") {
		t.Fatal("a's release of a lease it does not hold freed it")
	}
	if err := s.ReleaseLease(ctx, "jobs", "b"); err != nil {
		t.Fatal(err)
	}
	if !take("a") {
		t.Fatal("a could not take a released lease")
	}
	// Another lease name is independent.
	if ok, err := s.TakeLease(ctx, "other", "b", time.Minute); err != nil || !ok {
		t.Fatalf("take another lease: %v %v", ok, err)
	}
}

func TestLeaseRaceHasOneWinner(t *testing.T) {
	now := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	s := pinnedStore(t, &now)
	const n = 8
	var wg sync.WaitGroup
	wins := make(chan string, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			holder := string(rune('a' + i))
			ok, err := s.TakeLease(context.Background(), "jobs", holder, time.Minute)
			if err != nil {
				t.Errorf("take as %s: %v", holder, err)
			}
			if ok {
				wins <- holder
			}
		}()
	}
	wg.Wait()
	close(wins)
	var got []string
	for w := range wins {
		got = append(got, w)
	}
	if len(got) != 1 {
		t.Fatalf("winners of a race for a free lease: %v, want exactly one", got)
	}
}
