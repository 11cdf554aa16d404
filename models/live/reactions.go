package live

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"retreat/models"
)

// Emoji reactions from phones during the reveal.
//
// Hundreds of phones may tap at once, so a reaction costs no database read
// or write and no message of its own: a Reactor on each instance counts
// them in memory per event and slide, and every FlushInterval publishes one
// "reactions" message per event (the counts since the last one) and adds
// the counts to the stored totals in one transaction. The slide a reaction
// belongs to is the one on screen when it arrives, known without a read:
// the Reactor follows each event's "slide" messages on the hub, as phones
// do (across instances too, through a PostgresHub). Like a phone, it learns
// of a slide change a moment after it happens, so a tap in that moment
// counts for the slide before, which the phone was still showing.

// Reaction is one emoji phones may send.
type Reaction struct {
	Emoji string
	// Label names it for screen readers.
	Label string
}

// Reactions is the fixed set phones choose from, in button order.
var Reactions = []Reaction{
	{"👏", "Applause"},
	{"😂", "Laughing"},
	{"😍", "Love it"},
	{"🔥", "Fire"},
	{"😮", "Wow"},
}

// IsReaction reports whether s is one of Reactions (exactly: no variants).
func IsReaction(s string) bool {
	for _, r := range Reactions {
		if r.Emoji == s {
			return true
		}
	}
	return false
}

// TypeReactions carries a ReactionBatch. It has Seq 0: a slow phone may
// miss one, which only means a few fewer emoji float by.
const TypeReactions = "reactions"

// ReactionBatch is what one "reactions" message says: how many of each
// emoji arrived for the slide with Key since the previous batch.
type ReactionBatch struct {
	Key    string         `json:"key"`
	Counts map[string]int `json:"counts"`
	Total  int            `json:"total"`
}

// FlushInterval is how often reactions are published and saved.
const FlushInterval = 250 * time.Millisecond

// reactionIdle is how long an event without reactions keeps its hub
// subscription here before it is released (the next reaction reads the
// reveal's state once again).
const reactionIdle = 2 * time.Minute

// Errors from Reactor.Add.
var (
	// ErrUnknownReaction refuses an emoji that is not in Reactions.
	ErrUnknownReaction = errors.New("not one of the reaction emoji")
	// ErrReactorClosed refuses reactions once the server is shutting down.
	ErrReactorClosed = errors.New("reactions are closed: the server is shutting down")
)

// Reactor counts reactions and flushes them (see the top of this file).
type Reactor struct {
	svc      *Service
	store    *models.Store
	log      *slog.Logger
	interval time.Duration

	// flushing orders flushes (the ticker's and a final one).
	flushing sync.Mutex

	mu     sync.Mutex
	events map[uint]*reactionEvent
	// saving holds the counts not stored yet.
	saving map[models.ReactionKey]int64
	closed bool

	stop chan struct{}
	done chan struct{}
}

// reactionEvent is one event's reveal as the Reactor knows it.
type reactionEvent struct {
	// ready closes once the state below is known (or err is set).
	ready  chan struct{}
	err    error
	cancel func() // releases the hub subscription

	// The rest is guarded by Reactor.mu.
	seq    int64
	status models.RevealStatus
	key    string // the slide on screen, "" for none
	// pending counts per slide key, then emoji, since the last flush.
	pending map[string]map[string]int
	used    time.Time
}

// NewReactor starts counting reactions for svc's reveals, flushing every
// interval (0: FlushInterval) until Close.
func NewReactor(svc *Service, store *models.Store, log *slog.Logger, interval time.Duration) *Reactor {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if interval <= 0 {
		interval = FlushInterval
	}
	r := &Reactor{svc: svc, store: store, log: log, interval: interval,
		events: map[uint]*reactionEvent{}, saving: map[models.ReactionKey]int64{},
		stop: make(chan struct{}), done: make(chan struct{})}
	go r.run()
	return r
}

func (r *Reactor) run() {
	defer close(r.done)
	t := time.NewTicker(r.interval)
	defer t.Stop()
	for {
		select {
		case <-r.stop:
			return
		case <-t.C:
			// Bounded, so a stuck database cannot pile flushes up.
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			if err := r.Flush(ctx); err != nil {
				r.log.Warn("flush reactions", "err", err)
			}
			cancel()
		}
	}
}

// Add counts one reaction to the event's current slide. It refuses an
// unknown emoji (ErrUnknownReaction) and a reveal that is not live
// (ErrNotLive). Only an event's first reaction (or the first after a quiet
// spell) reads the database.
func (r *Reactor) Add(ctx context.Context, eventID uint, emoji string) error {
	if !IsReaction(emoji) {
		return ErrUnknownReaction
	}
	ev, err := r.event(ctx, eventID)
	if err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return ErrReactorClosed
	}
	if ev.status != models.RevealLive || ev.key == "" {
		return ErrNotLive
	}
	byEmoji := ev.pending[ev.key]
	if byEmoji == nil {
		byEmoji = make(map[string]int, len(Reactions))
		ev.pending[ev.key] = byEmoji
	}
	byEmoji[emoji]++
	r.saving[models.ReactionKey{EventID: eventID, SubmissionID: answerOf(ev.key), Emoji: emoji}]++
	ev.used = time.Now()
	return nil
}

// answerOf is the answer a slide key shows, 0 for slides of other kinds.
func answerOf(key string) uint {
	rest, ok := strings.CutPrefix(key, "sub-")
	if !ok {
		return 0
	}
	n, err := strconv.ParseUint(rest, 10, 32)
	if err != nil {
		return 0
	}
	return uint(n)
}

// event returns what the Reactor knows of the event's reveal, subscribing
// to its messages on first use. Concurrent first reactions wait for one
// read.
func (r *Reactor) event(ctx context.Context, eventID uint) (*reactionEvent, error) {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return nil, ErrReactorClosed
	}
	ev, ok := r.events[eventID]
	if !ok {
		ev = &reactionEvent{ready: make(chan struct{}), pending: map[string]map[string]int{}, used: time.Now()}
		r.events[eventID] = ev
	}
	r.mu.Unlock()
	if !ok {
		r.load(ctx, eventID, ev)
	}
	select {
	case <-ev.ready:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return ev, ev.err
}

// load subscribes to the event's messages, then reads the current state
// (in that order, as streams do, so no change falls between the two).
func (r *Reactor) load(ctx context.Context, eventID uint, ev *reactionEvent) {
	defer close(ev.ready)
	// Others may be waiting on this read: the first caller going away must
	// not fail it for them.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	msgs, unsubscribe := r.svc.Hub().Subscribe(eventID)
	cur, err := r.svc.Current(ctx, eventID)
	if err != nil {
		unsubscribe()
		ev.err = err
		r.mu.Lock()
		if r.events[eventID] == ev {
			delete(r.events, eventID) // the next reaction tries again
		}
		r.mu.Unlock()
		return
	}
	r.mu.Lock()
	if r.closed {
		// Close ran meanwhile and did not see this subscription.
		r.mu.Unlock()
		unsubscribe()
		ev.err = ErrReactorClosed
		return
	}
	ev.cancel = unsubscribe
	r.apply(ev, cur)
	r.mu.Unlock()
	go r.watch(eventID, ev, msgs)
}

// watch keeps ev's slide and status current from the hub's messages.
func (r *Reactor) watch(eventID uint, ev *reactionEvent, msgs <-chan Message) {
	for m := range msgs {
		if m.IsState() {
			r.mu.Lock()
			r.apply(ev, m)
			r.mu.Unlock()
		}
	}
	// Unsubscribed (idle, or closing: nothing to do), or the hub closed
	// under us: forget the event so that a later reaction subscribes
	// afresh. Its unpublished counts are still saved (saving holds them);
	// only their message is lost, which phones never notice.
	r.mu.Lock()
	if r.events[eventID] == ev && !r.closed {
		delete(r.events, eventID)
	}
	r.mu.Unlock()
}

// followerHead is the part of a "slide" message the Reactor needs.
type followerHead struct {
	Seq    int64               `json:"seq"`
	Status models.RevealStatus `json:"status"`
	Slide  *struct {
		Key string `json:"key"`
	} `json:"slide"`
}

// apply takes a state message unless ev already has a newer one. Called
// with r.mu held.
func (r *Reactor) apply(ev *reactionEvent, m Message) {
	var h followerHead
	if err := json.Unmarshal(m.Data, &h); err != nil {
		r.log.Warn("reactions: decode reveal state", "err", err)
		return
	}
	if h.Seq < ev.seq {
		return
	}
	ev.seq, ev.status, ev.key = h.Seq, h.Status, ""
	if h.Slide != nil {
		ev.key = h.Slide.Key
	}
}

// batch is one message to publish.
type batch struct {
	eventID uint
	msg     Message
}

// Flush publishes each event's reactions since the last flush as one
// message per slide (one, unless the slide changed meanwhile) and adds
// the counts to the stored totals in one transaction. Counts that could
// not be saved are kept for the next flush. It also releases events that
// have been quiet a while.
func (r *Reactor) Flush(ctx context.Context) error {
	r.flushing.Lock()
	defer r.flushing.Unlock()
	var out []batch
	var release []func()
	r.mu.Lock()
	now := time.Now()
	for id, ev := range r.events {
		if !isReady(ev) {
			continue
		}
		for key, counts := range ev.pending {
			b := ReactionBatch{Key: key, Counts: counts}
			for _, n := range counts {
				b.Total += n
			}
			data, err := json.Marshal(b)
			if err != nil {
				r.mu.Unlock()
				return fmt.Errorf("encode reactions: %w", err) // cannot happen: strings and ints
			}
			out = append(out, batch{eventID: id, msg: Message{Type: TypeReactions, Data: data}})
		}
		if len(ev.pending) > 0 {
			ev.pending = map[string]map[string]int{}
		} else if now.Sub(ev.used) > reactionIdle && ev.cancel != nil {
			delete(r.events, id)
			release = append(release, ev.cancel)
		}
	}
	saving := r.saving
	r.saving = map[models.ReactionKey]int64{}
	r.mu.Unlock()

	for _, cancel := range release {
		cancel()
	}
	for _, b := range out {
		if err := r.svc.Hub().Publish(ctx, b.eventID, b.msg); err != nil && !errors.Is(err, ErrHubClosed) {
			r.log.Warn("publish reactions", "event", b.eventID, "err", err)
		}
	}
	if err := r.store.AddReactions(ctx, saving); err != nil {
		r.mu.Lock()
		for k, n := range saving {
			r.saving[k] += n
		}
		r.mu.Unlock()
		return err
	}
	return nil
}

func isReady(ev *reactionEvent) bool {
	select {
	case <-ev.ready:
		return ev.err == nil
	default:
		return false
	}
}

// Close stops counting (Add then returns ErrReactorClosed), flushes what
// was counted and releases every subscription. Safe to call more than once.
func (r *Reactor) Close(ctx context.Context) error {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return nil
	}
	r.closed = true
	r.mu.Unlock()
	close(r.stop)
	<-r.done
	err := r.Flush(ctx)
	r.mu.Lock()
	events := r.events
	r.events = map[uint]*reactionEvent{}
	r.mu.Unlock()
	for _, ev := range events {
		if isReady(ev) && ev.cancel != nil {
			ev.cancel()
		}
	}
	return err
}
