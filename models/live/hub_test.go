package live

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"
)

func state(seq int64) Message {
	return Message{Type: TypeSlide, Seq: seq, Data: []byte(fmt.Sprintf(`{"seq":%d}`, seq))}
}

func TestSlowSubscriberNeverBlocksThePublisherAndGetsTheNewestState(t *testing.T) {
	h := NewMemoryHub(4)
	ctx := context.Background()
	slow, cancelSlow := h.Subscribe(1)
	defer cancelSlow()
	fast, cancelFast := h.Subscribe(1)
	defer cancelFast()
	other, cancelOther := h.Subscribe(2)
	defer cancelOther()

	got := make(chan int64, 1000)
	go func() {
		for m := range fast {
			got <- m.Seq
		}
		close(got)
	}()
	start := time.Now()
	for seq := int64(1); seq <= 1000; seq++ {
		if err := h.Publish(ctx, 1, state(seq)); err != nil {
			t.Fatal(err)
		}
		// Reactions in between: droppable.
		if err := h.Publish(ctx, 1, Message{Type: "reaction", Data: []byte(`{}`)}); err != nil {
			t.Fatal(err)
		}
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("2000 publishes with a stuck subscriber took %v", d)
	}
	// The slow one never read; its queue holds the newest state (last or
	// followed only by reactions), never an older one after a newer one.
	var last int64
	for len(slow) > 0 {
		m := <-slow
		if m.IsState() {
			if m.Seq < last {
				t.Fatalf("state %d after %d", m.Seq, last)
			}
			last = m.Seq
		}
	}
	if last != 1000 {
		t.Errorf("slow subscriber's newest state: %d, want 1000", last)
	}
	if h.Dropped() == 0 {
		t.Error("nothing counted as dropped")
	}
	if len(other) != 0 {
		t.Error("another event's subscriber got messages")
	}
	cancelFast()
	var n, prev int64
	for seq := range got {
		if seq != 0 && seq <= prev {
			t.Fatalf("fast subscriber: %d after %d", seq, prev)
		}
		if seq != 0 {
			prev = seq
		}
		n++
	}
	if prev != 1000 {
		t.Errorf("fast subscriber's last state: %d", prev)
	}
}

func TestCancelAndCloseEndSubscriptions(t *testing.T) {
	h := NewMemoryHub(0)
	a, cancelA := h.Subscribe(7)
	b, cancelB := h.Subscribe(7)
	defer cancelB()
	cancelA()
	cancelA() // twice is fine
	if _, ok := <-a; ok {
		t.Error("cancelled channel still open")
	}
	if n := h.Subscribers(7); n != 1 {
		t.Errorf("subscribers after cancel: %d", n)
	}
	h.Close()
	if _, ok := <-b; ok {
		t.Error("channel open after Close")
	}
	if err := h.Publish(context.Background(), 7, state(1)); !errors.Is(err, ErrHubClosed) {
		t.Errorf("publish after close: %v", err)
	}
	c, cancelC := h.Subscribe(7)
	defer cancelC()
	if _, ok := <-c; ok {
		t.Error("subscribing after Close gave an open channel")
	}
}

func TestHubUnderConcurrentUse(t *testing.T) {
	h := NewMemoryHub(2)
	ctx := context.Background()
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 200; j++ {
				ch, cancel := h.Subscribe(1)
				select {
				case <-ch:
				default:
				}
				cancel()
			}
		}()
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			for j := 0; j < 500; j++ {
				_ = h.Publish(ctx, 1, state(int64(i*1000+j)))
			}
		}(i)
	}
	wg.Wait()
	h.Close()
}
