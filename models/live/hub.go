package live

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
)

// Message is one thing pushed to everyone watching an event's reveal.
//
// The stream writes it as one Server-Sent Event: Type is the SSE "event"
// field, Data the "data" line (JSON, already encoded: a change is encoded
// once and the same bytes go to every phone), and Seq, when not zero, the
// "id" a reconnecting phone sends back as Last-Event-ID.
//
// Types so far: "slide" (TypeSlide: the whole follower state, see
// FollowerState). Later kinds (reactions, votes, guesses, tallies) add a
// type of their own with Seq 0; they may be dropped for a slow phone,
// while a newer "slide" always replaces an older one (see MemoryHub).
type Message struct {
	Type string
	Seq  int64
	Data []byte
}

// TypeSlide carries the reveal's state: where the presenter is, what the
// current slide shows phones. It is a full snapshot, never a delta.
const TypeSlide = "slide"

// IsState reports whether m replaces every earlier state message (so a
// slow reader needs only the newest).
func (m Message) IsState() bool { return m.Type == TypeSlide }

// Hub fans messages out to everyone following an event's reveal, on this
// instance and (for a shared implementation) on the others.
//
// Publish must never block on a slow subscriber: the presenter's key press
// waits for it. Subscribe returns a channel of messages for the event and a
// cancel func that releases it; the channel is closed by cancel or when
// the hub closes (server shutdown), and readers treat that as the end.
//
// MemoryHub is the in-process implementation. PostgresHub (pghub.go,
// LISTEN/NOTIFY across instances) keeps the same contract: Publish
// delivers locally and sends NOTIFY (a message over the ~8000-byte payload
// limit goes in parts within one transaction), and one LISTEN connection
// per instance feeds a MemoryHub that does the local fan-out.
type Hub interface {
	Publish(ctx context.Context, eventID uint, m Message) error
	Subscribe(eventID uint) (<-chan Message, func())
}

// ErrHubClosed is returned by Publish after Close.
var ErrHubClosed = errors.New("live hub closed")

// MemoryHub is a Hub within one process.
type MemoryHub struct {
	mu     sync.RWMutex
	subs   map[uint]map[*subscriber]struct{}
	closed bool
	buffer int
	// dropped counts messages a slow subscriber lost (state messages that
	// were replaced by a newer one, or other messages refused when full).
	dropped atomic.Int64
}

type subscriber struct {
	mu sync.Mutex // orders offers to one subscriber
	ch chan Message
}

// DefaultBuffer is how many messages wait for one subscriber.
const DefaultBuffer = 16

// NewMemoryHub returns an in-process hub; buffer is each subscriber's
// queue length (0: DefaultBuffer).
func NewMemoryHub(buffer int) *MemoryHub {
	if buffer <= 0 {
		buffer = DefaultBuffer
	}
	return &MemoryHub{subs: map[uint]map[*subscriber]struct{}{}, buffer: buffer}
}

// Publish offers m to every subscriber of the event without waiting.
func (h *MemoryHub) Publish(_ context.Context, eventID uint, m Message) error {
	h.mu.RLock()
	defer h.mu.RUnlock()
	if h.closed {
		return ErrHubClosed
	}
	for s := range h.subs[eventID] {
		if !s.offer(m) {
			h.dropped.Add(1)
		}
	}
	return nil
}

// offer queues m, reporting false when something was dropped. A full
// queue means a slow phone: a state message then replaces everything
// queued (it supersedes older states, and losing a reaction is fine);
// other messages are dropped. Either way the publisher never waits.
func (s *subscriber) offer(m Message) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	select {
	case s.ch <- m:
		return true
	default:
	}
	if !m.IsState() {
		return false
	}
	for {
		select {
		case <-s.ch:
			continue
		default:
		}
		break
	}
	select {
	case s.ch <- m:
	default: // cannot happen: offers are serialised and the queue is empty
	}
	return false
}

// Subscribe registers a reader for the event's messages.
func (h *MemoryHub) Subscribe(eventID uint) (<-chan Message, func()) {
	s := &subscriber{ch: make(chan Message, h.buffer)}
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		close(s.ch)
		return s.ch, func() {}
	}
	set := h.subs[eventID]
	if set == nil {
		set = map[*subscriber]struct{}{}
		h.subs[eventID] = set
	}
	set[s] = struct{}{}
	h.mu.Unlock()
	var once sync.Once
	return s.ch, func() {
		once.Do(func() {
			h.mu.Lock()
			defer h.mu.Unlock()
			if set, ok := h.subs[eventID]; ok {
				if _, ok := set[s]; ok {
					delete(set, s)
					close(s.ch)
				}
				if len(set) == 0 {
					delete(h.subs, eventID)
				}
			}
		})
	}
}

// Subscribers counts the event's subscribers on this instance.
func (h *MemoryHub) Subscribers(eventID uint) int {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return len(h.subs[eventID])
}

// Dropped counts messages slow subscribers lost so far.
func (h *MemoryHub) Dropped() int64 { return h.dropped.Load() }

// Close ends every subscription (their channels close, so streams end)
// and refuses new ones: the server is shutting down.
func (h *MemoryHub) Close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return
	}
	h.closed = true
	for _, set := range h.subs {
		for s := range set {
			close(s.ch)
		}
	}
	h.subs = map[uint]map[*subscriber]struct{}{}
}
