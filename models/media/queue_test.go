package media

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// waitFor polls cond until it holds, or fails the test after a while.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// TestFairQueueServesOwnersInTurn: with one slot, A holds it and queues 15
// more, then B queues one. B goes next, then A's in their order.
func TestFairQueueServesOwnersInTurn(t *testing.T) {
	q := newFairQueue(1)
	first, err := q.acquire(t.Context(), "A")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var order []string
	var wg sync.WaitGroup
	enqueue := func(owner string, n int) {
		wg.Go(func() {
			release, err := q.acquire(t.Context(), owner)
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			order = append(order, fmt.Sprintf("%s%d", owner, n))
			mu.Unlock()
			release()
		})
		// Each waiter is in line before the next comes.
		waitFor(t, fmt.Sprintf("%s%d waits", owner, n), func() bool { return q.waiting(owner) >= n })
	}
	for i := 1; i <= 15; i++ {
		enqueue("A", i)
	}
	enqueue("B", 1)
	first()
	wg.Wait()
	want := "[B1 A1 A2 A3 A4 A5 A6 A7 A8 A9 A10 A11 A12 A13 A14 A15]"
	if got := fmt.Sprint(order); got != want {
		t.Fatalf("served %s, want %s", got, want)
	}
	if n := q.running(); n != 0 || len(q.known) != 0 {
		t.Errorf("after all: %d running, %d owners remembered", n, len(q.known))
	}
}

// TestFairQueueAlternatesOwners: two owners with several waiting each
// take turns.
func TestFairQueueAlternatesOwners(t *testing.T) {
	q := newFairQueue(1)
	hold, err := q.acquire(t.Context(), "C")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var order []string
	var wg sync.WaitGroup
	for _, owner := range []string{"A", "A", "A", "B", "B"} {
		n := q.waiting(owner) + 1
		wg.Go(func() {
			release, err := q.acquire(t.Context(), owner)
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			order = append(order, owner)
			mu.Unlock()
			release()
		})
		waitFor(t, owner+" waits", func() bool { return q.waiting(owner) >= n })
	}
	hold()
	wg.Wait()
	if got := fmt.Sprint(order); got != "[A B A B A]" {
		t.Fatalf("served %s, want [A B A B A]", got)
	}
}

// TestFairQueueCancelledWaiterLeaves: a waiter whose context ends leaves
// the line, and the slot goes to the next one.
func TestFairQueueCancelledWaiterLeaves(t *testing.T) {
	q := newFairQueue(1)
	hold, err := q.acquire(t.Context(), "A")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	gaveUp := make(chan error, 1)
	go func() {
		_, err := q.acquire(ctx, "B")
		gaveUp <- err
	}()
	waitFor(t, "B waits", func() bool { return q.waiting("B") == 1 })
	got := make(chan func(), 1)
	go func() {
		release, err := q.acquire(t.Context(), "C")
		if err != nil {
			t.Error(err)
		}
		got <- release
	}()
	waitFor(t, "C waits", func() bool { return q.waiting("C") == 1 })
	cancel()
	if err := <-gaveUp; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled waiter: %v, want context.Canceled", err)
	}
	if n := q.waiting("B"); n != 0 {
		t.Fatalf("B still has %d waiting after cancelling", n)
	}
	hold()
	select {
	case release := <-got:
		release()
	case <-time.After(10 * time.Second):
		t.Fatal("the slot did not reach C after B left")
	}
	if n := q.running(); n != 0 || len(q.known) != 0 {
		t.Errorf("after all: %d running, %d owners remembered", n, len(q.known))
	}
}

// TestProcessForIsFairBetweenOwners processes real photos on one worker:
// A's photos queue first, B's one comes after them and is done right
// after the photo A has running.
func TestProcessForIsFairBetweenOwners(t *testing.T) {
	p := NewProcessor(1, DefaultLimits())
	hold, err := p.slots.acquire(t.Context(), "A") // A's photo that is running
	if err != nil {
		t.Fatal(err)
	}
	small := filepath.Join(photosDir(t), "orient-1.jpg")
	var mu sync.Mutex
	var order []string
	var wg sync.WaitGroup
	start := func(owner, name string) {
		wg.Go(func() {
			if _, err := p.ProcessFor(t.Context(), owner, small); err != nil {
				t.Error(err)
			}
			mu.Lock()
			order = append(order, name)
			mu.Unlock()
		})
	}
	for i := 1; i <= 3; i++ {
		start("A", fmt.Sprint("A", i))
		waitFor(t, "A's photos wait", func() bool { return p.slots.waiting("A") == i })
	}
	start("B", "B1")
	waitFor(t, "B's photo waits", func() bool { return p.slots.waiting("B") == 1 })
	hold()
	wg.Wait()
	if got := fmt.Sprint(order); got != "[B1 A1 A2 A3]" {
		t.Fatalf("done in order %s, want [B1 A1 A2 A3]", got)
	}
}
