package live

import (
	"context"
	"fmt"
	"strings"
	"sync"
)

// ShownAnswers tells which answers have been on screen in an event's
// reveal: those whose own slide was shown (Service.WasShown), and the tiles
// of every mosaic that was. A phone may load an answer's photo only then.
//
// A mosaic names its answers only inside the deck, which is large; reading
// it for each of the thousands of photo requests a mosaic sets off would
// be ruinous. So the answers of shown mosaics are kept here: like shown
// keys, they only grow (a tile that was on screen stays seen, even if a
// rebuilt deck moves it to a later page). A request this does not know
// reads the deck's version and the shown keys; the deck itself only when
// a mosaic came on screen since the last read (or the deck was rebuilt),
// once, while other requests for the same event wait for it.
type ShownAnswers struct {
	svc *Service

	mu     sync.Mutex
	events map[uint]*shownTiles
}

// shownTiles is what one event's shown mosaics hold.
type shownTiles struct {
	// read serializes deck reads, so a burst of requests reads it once.
	read sync.Mutex

	mu   sync.Mutex
	subs map[uint]bool
	// seen names the mosaics already taken in, as "<deck version>/<key>".
	seen map[string]bool
}

// NewShownAnswers returns a ShownAnswers over the service's reveals.
func NewShownAnswers(svc *Service) *ShownAnswers {
	return &ShownAnswers{svc: svc, events: map[uint]*shownTiles{}}
}

// Shown reports whether the answer has been on screen in the event's
// reveal, on its own slide or on a mosaic. Whether it may still be shown
// (not hidden or withdrawn since) is for the caller to check.
func (a *ShownAnswers) Shown(ctx context.Context, eventID, submissionID uint) (bool, error) {
	t := a.tiles(eventID)
	if t.has(submissionID) {
		return true, nil
	}
	ok, err := a.svc.WasShown(ctx, eventID, SubmissionKey(submissionID))
	if ok || err != nil {
		return ok, err
	}
	t.read.Lock()
	defer t.read.Unlock()
	if t.has(submissionID) {
		return true, nil // another request read the deck meanwhile
	}
	version, raw, err := a.svc.store.RevealProgress(ctx, eventID)
	if err != nil {
		return false, err
	}
	shown, err := decodeSet(raw)
	if err != nil {
		return false, fmt.Errorf("decode shown slides of event %d: %w", eventID, err)
	}
	if !t.unseen(version, shown) {
		return false, nil
	}
	st, err := a.svc.Load(ctx, eventID)
	if err != nil {
		return false, err
	}
	t.add(st)
	return t.has(submissionID), nil
}

func (a *ShownAnswers) tiles(eventID uint) *shownTiles {
	a.mu.Lock()
	defer a.mu.Unlock()
	t := a.events[eventID]
	if t == nil {
		t = &shownTiles{subs: map[uint]bool{}, seen: map[string]bool{}}
		a.events[eventID] = t
	}
	return t
}

func (t *shownTiles) has(submissionID uint) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.subs[submissionID]
}

// unseen reports whether a shown mosaic of this deck version was not taken
// in yet.
func (t *shownTiles) unseen(version int, shown map[string]bool) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	for key := range shown {
		if isMosaicKey(key) && !t.seen[seenKey(version, key)] {
			return true
		}
	}
	return false
}

// add takes in the tiles of every shown mosaic of st's deck.
func (t *shownTiles) add(st *State) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for i := range st.Deck.Slides {
		sl := &st.Deck.Slides[i]
		if sl.Kind != KindMosaic || !st.Shown[sl.Key] {
			continue
		}
		for _, tile := range sl.Tiles {
			t.subs[tile.SubmissionID] = true
		}
		t.seen[seenKey(st.DeckVersion, sl.Key)] = true
	}
	// A shown key with no mosaic in this deck (a page a rebuild dropped)
	// has nothing to add: mark it so it does not send every request back
	// to the deck.
	for key := range st.Shown {
		if isMosaicKey(key) {
			t.seen[seenKey(st.DeckVersion, key)] = true
		}
	}
}

func seenKey(version int, key string) string { return fmt.Sprintf("%d/%s", version, key) }

func isMosaicKey(key string) bool { return strings.HasPrefix(key, "mosaic-") }
