package live

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"time"

	"retreat/models"
)

// State is an event's reveal, decoded.
type State struct {
	EventID     uint
	Seq         int64
	Status      models.RevealStatus
	Index       int
	DeckVersion int
	Deck        Deck
	// Shown holds the keys of slides that have been on screen, Named those
	// whose author has been revealed.
	Shown     map[string]bool
	Named     map[string]bool
	StartedAt *time.Time
	// Msg is the message published for this state (set by changes).
	Msg Message
}

// Current is the slide on screen, nil if none.
func (st *State) Current() *Slide {
	if st.Index < 0 || st.Index >= len(st.Deck.Slides) {
		return nil
	}
	return &st.Deck.Slides[st.Index]
}

// Live reports whether the presenter is presenting.
func (st *State) Live() bool { return st.Status == models.RevealLive }

// ErrNotLive refuses moving a reveal that is not running.
var ErrNotLive = fmt.Errorf("the reveal has not started: %w", models.ErrNotAllowed)

// Service changes an event's reveal and tells everyone: each change is
// read, applied and written back under the row's sequence number (so two
// presenter tabs never lose a move, and a second instance sees the same
// state), then published once through the Hub.
type Service struct {
	store *models.Store
	hub   Hub
	log   *slog.Logger
	// Builder makes decks (DefaultSections unless changed before use).
	Builder Builder

	mu sync.Mutex
	// shown caches each event's shown keys: they only grow, so a key found
	// here was shown; a key not found is checked against the database.
	shown map[uint]map[string]bool
}

// NewService returns a Service over store that publishes through hub.
func NewService(store *models.Store, hub Hub, log *slog.Logger) *Service {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{store: store, hub: hub, log: log, Builder: Builder{Sections: DefaultSections()},
		shown: map[uint]map[string]bool{}}
}

// Hub is the service's hub, for streams to subscribe to.
func (s *Service) Hub() Hub { return s.hub }

// Load reads the event's reveal; one that never started is an idle State.
func (s *Service) Load(ctx context.Context, eventID uint) (*State, error) {
	row, err := s.store.RevealState(ctx, eventID)
	if errors.Is(err, models.ErrNotFound) {
		return &State{EventID: eventID, Deck: Deck{EventID: eventID}, Shown: map[string]bool{}, Named: map[string]bool{}}, nil
	}
	if err != nil {
		return nil, err
	}
	st := &State{EventID: eventID, Seq: row.Seq, Status: row.Status, Index: row.Current, DeckVersion: row.DeckVersion,
		StartedAt: row.StartedAt}
	if err := decodeJSON(row.Deck, &st.Deck); err != nil {
		return nil, fmt.Errorf("decode deck of event %d: %w", eventID, err)
	}
	st.Deck.EventID = eventID
	if st.Shown, err = decodeSet(row.Shown); err != nil {
		return nil, fmt.Errorf("decode shown slides of event %d: %w", eventID, err)
	}
	if st.Named, err = decodeSet(row.Named); err != nil {
		return nil, fmt.Errorf("decode named slides of event %d: %w", eventID, err)
	}
	return st, nil
}

func decodeJSON(s string, v any) error {
	if s == "" {
		return nil
	}
	return json.Unmarshal([]byte(s), v)
}

func decodeSet(s string) (map[string]bool, error) {
	var keys []string
	if err := decodeJSON(s, &keys); err != nil {
		return nil, err
	}
	m := make(map[string]bool, len(keys))
	for _, k := range keys {
		m[k] = true
	}
	return m, nil
}

func encodeSet(m map[string]bool) string {
	keys := make([]string, 0, len(m))
	for k, ok := range m {
		if ok {
			keys = append(keys, k)
		}
	}
	b, _ := json.Marshal(keys) // strings always encode
	return string(b)
}

// maxAttempts bounds how often a change is retried against writers that
// keep getting there first.
const maxAttempts = 20

// change applies fn to the current state and saves and publishes the
// result, retrying when another writer got there first. fn reports
// whether it changed the deck (which is then rewritten).
func (s *Service) change(ctx context.Context, eventID uint, fn func(st *State) (deckChanged bool, err error)) (*State, error) {
	for attempt := 0; ; attempt++ {
		st, err := s.Load(ctx, eventID)
		if err != nil {
			return nil, err
		}
		prev := st.Seq
		deckChanged, err := fn(st)
		if err != nil {
			return nil, err
		}
		if deckChanged {
			st.DeckVersion++
		}
		st.Seq = prev + 1
		if st.Live() {
			if cur := st.Current(); cur != nil {
				st.Shown[cur.Key] = true
			}
		}
		msg, err := encodeFollower(st)
		if err != nil {
			return nil, err
		}
		row := &models.RevealState{EventID: eventID, Seq: st.Seq, Status: st.Status, Current: st.Index,
			DeckVersion: st.DeckVersion, Shown: encodeSet(st.Shown), Named: encodeSet(st.Named),
			Follower: string(msg.Data), StartedAt: st.StartedAt}
		if deckChanged || prev == 0 {
			b, err := json.Marshal(st.Deck)
			if err != nil {
				return nil, fmt.Errorf("encode deck of event %d: %w", eventID, err)
			}
			row.Deck = string(b)
		}
		err = s.store.SaveRevealState(ctx, row, prev, deckChanged || prev == 0)
		if errors.Is(err, models.ErrStale) && attempt < maxAttempts {
			// Another tab (or instance) moved first: read its state and
			// apply this change on top, after a short random pause so
			// racing writers spread out.
			time.Sleep(time.Duration(rand.IntN(2+attempt)) * time.Millisecond)
			continue
		}
		if err != nil {
			return nil, err
		}
		s.remember(eventID, st.Shown)
		st.Msg = msg
		// The state is saved: a publish failure only delays phones until
		// they reconnect and catch up, so it is logged, not returned.
		if err := s.hub.Publish(ctx, eventID, msg); err != nil {
			s.log.Warn("publish reveal change", "event", eventID, "err", err)
		}
		return st, nil
	}
}

// Start builds the deck from the event as it is now and puts the first
// slide on screen: phones following along see it at once. Starting again
// begins from the top with a fresh deck; what was shown stays shown.
func (s *Service) Start(ctx context.Context, eventID uint) (*State, error) {
	deck, err := s.Builder.Build(ctx, s.store, eventID)
	if err != nil {
		return nil, err
	}
	return s.change(ctx, eventID, func(st *State) (bool, error) {
		st.Deck, st.Index, st.Status = deck, 0, models.RevealLive
		now := s.store.Now().UTC()
		st.StartedAt = &now
		return true, nil
	})
}

// Refresh rebuilds the deck (new answers, moderation since the start)
// keeping the presenter on the same slide.
func (s *Service) Refresh(ctx context.Context, eventID uint) (*State, error) {
	deck, err := s.Builder.Build(ctx, s.store, eventID)
	if err != nil {
		return nil, err
	}
	return s.change(ctx, eventID, func(st *State) (bool, error) {
		if !st.Live() {
			return false, ErrNotLive
		}
		key := ""
		if cur := st.Current(); cur != nil {
			key = cur.Key
		}
		keepDecided(&st.Deck, &deck)
		st.Deck = deck
		if i := deck.Index(key); i >= 0 {
			st.Index = i
		}
		st.Index = clamp(st.Index, len(deck.Slides))
		return true, nil
	})
}

// Goto puts slide index on screen. An answer hidden or withdrawn since the
// deck was built is taken out on the way, and the next one (in the
// direction of travel) comes up instead.
func (s *Service) Goto(ctx context.Context, eventID uint, index int) (*State, error) {
	return s.move(ctx, eventID, func(*State) int { return index })
}

// Step moves delta slides from the current one (1: next, -1: previous).
func (s *Service) Step(ctx context.Context, eventID uint, delta int) (*State, error) {
	return s.move(ctx, eventID, func(st *State) int { return st.Index + delta })
}

func (s *Service) move(ctx context.Context, eventID uint, target func(*State) int) (*State, error) {
	return s.change(ctx, eventID, func(st *State) (bool, error) {
		if !st.Live() {
			return false, ErrNotLive
		}
		from := st.Index
		to := clamp(target(st), len(st.Deck.Slides))
		trimmed := false
		// drop takes slide to out of the deck and comes to the one after
		// it (or, moving back, the one before).
		drop := func() {
			st.Deck.Slides = append(st.Deck.Slides[:to], st.Deck.Slides[to+1:]...)
			trimmed = true
			if to < from {
				from--
			}
			if to <= from && to > 0 {
				to-- // moving back: the one before instead
			}
			to = clamp(to, len(st.Deck.Slides))
		}
		for to >= 0 && to < len(st.Deck.Slides) {
			sl := &st.Deck.Slides[to]
			ok, err := s.mayShow(ctx, eventID, sl)
			if err != nil {
				return false, err
			}
			if !ok {
				drop()
				continue
			}
			if sl.Kind == KindMosaic {
				// The same for each answer on a mosaic, in one read.
				n := len(sl.Tiles)
				if err := s.keepRevealable(ctx, eventID, sl); err != nil {
					return false, err
				}
				if len(sl.Tiles) != n {
					trimmed = true
				}
				if len(sl.Tiles) == 0 {
					drop()
					continue
				}
			}
			// An award is decided when it first comes on screen: the votes,
			// reactions and guesses until now count, and its prompt's
			// voting closes. One nobody won is not shown at all: a room
			// waiting on "no votes this time" is dead air.
			if sl.Kind == KindAward && !sl.Decided {
				if err := s.decideAward(ctx, st, sl); err != nil {
					return false, err
				}
				trimmed = true
				if len(sl.Rows) == 0 && len(st.Deck.Slides) > 1 {
					if sl.Award == AwardVotes {
						// Its prompt's voting stays closed: keep a marker.
						st.Deck.VotingClosed = append(st.Deck.VotingClosed, sl.PromptID)
					}
					drop()
					continue
				}
			}
			break
		}
		st.Index = to
		return trimmed, nil
	})
}

// mayShow checks an answer slide against the database: it may have been
// hidden or kept out of the live call since the deck was built.
func (s *Service) mayShow(ctx context.Context, eventID uint, sl *Slide) (bool, error) {
	if sl.SubmissionID == 0 {
		return true, nil
	}
	sub, err := s.store.EventSubmission(ctx, eventID, sl.SubmissionID)
	if errors.Is(err, models.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return sub.MayReveal(), nil
}

// keepRevealable takes off a mosaic the answers hidden, withdrawn or kept
// out of the show since the deck was built.
func (s *Service) keepRevealable(ctx context.Context, eventID uint, sl *Slide) error {
	ids := make([]uint, len(sl.Tiles))
	for i := range sl.Tiles {
		ids[i] = sl.Tiles[i].SubmissionID
	}
	ok, err := s.store.RevealableAmong(ctx, eventID, ids)
	if err != nil {
		return err
	}
	sl.Tiles = slices.DeleteFunc(sl.Tiles, func(t Tile) bool { return !ok[t.SubmissionID] })
	sl.Answers = len(sl.Tiles)
	return nil
}

// keepDecided carries over what the reveal settled into a rebuilt deck:
// decided awards stay as they were (their prompt's voting stays closed)
// and answers keep their guess counts. The organizer's picks follow the
// stars as they are now.
func keepDecided(old, rebuilt *Deck) {
	rebuilt.VotingClosed = old.VotingClosed
	rebuilt.Slides = slices.DeleteFunc(rebuilt.Slides, func(sl Slide) bool {
		return sl.Kind == KindAward && sl.Award == AwardVotes && slices.Contains(old.VotingClosed, sl.PromptID)
	})
	for i := range rebuilt.Slides {
		sl := &rebuilt.Slides[i]
		j := old.Index(sl.Key)
		if j < 0 {
			continue
		}
		prev := &old.Slides[j]
		switch {
		case sl.Kind == KindAward && prev.Kind == KindAward && prev.Decided && prev.Award != AwardPick:
			*sl = *prev
		case sl.SubmissionID != 0 && prev.Guesses > 0:
			sl.GuessRight, sl.Guesses = prev.GuessRight, prev.Guesses
		}
	}
}

func clamp(i, n int) int {
	if i >= n {
		i = n - 1
	}
	if i < 0 {
		i = 0
	}
	return i
}

// SetNamed reveals (or hides again) the author of the current slide.
func (s *Service) SetNamed(ctx context.Context, eventID uint, named bool) (*State, error) {
	return s.change(ctx, eventID, func(st *State) (bool, error) {
		if !st.Live() {
			return false, ErrNotLive
		}
		cur := st.Current()
		if cur == nil || !cur.HasAuthor() {
			return false, nil
		}
		if !named {
			delete(st.Named, cur.Key)
			return false, nil
		}
		st.Named[cur.Key] = true
		// The room sees how many guessed right: counted once, when the
		// name first comes out (guessing on it closes then).
		if cur.SubmissionID == 0 || cur.Guesses > 0 {
			return false, nil
		}
		right, total, err := s.store.GuessTally(ctx, eventID, cur.SubmissionID)
		if err != nil {
			return false, err
		}
		if total == 0 {
			return false, nil
		}
		cur.GuessRight, cur.Guesses = right, total
		return true, nil
	})
}

// End finishes the reveal: phones show that it is over.
func (s *Service) End(ctx context.Context, eventID uint) (*State, error) {
	return s.change(ctx, eventID, func(st *State) (bool, error) {
		if !st.Live() {
			return false, ErrNotLive
		}
		st.Status = models.RevealEnded
		return false, nil
	})
}

// Withdraw takes an answer out of a running deck at once (its sender kept
// it out of the live call, or it was deleted): its own slide, or its tile
// on a mosaic. If its slide is on screen, the slide before it comes back
// instead; a mosaic on screen loses the tile, or goes if it was the last.
// Nothing happens when the reveal is not running or the answer is not in
// the deck.
func (s *Service) Withdraw(ctx context.Context, eventID, submissionID uint) error {
	st, err := s.Load(ctx, eventID)
	if err != nil || !st.Live() || !st.Deck.holds(submissionID) {
		return err
	}
	_, err = s.change(ctx, eventID, func(st *State) (bool, error) {
		changed := false
		for i := 0; i < len(st.Deck.Slides); i++ {
			sl := &st.Deck.Slides[i]
			if sl.Kind == KindMosaic {
				n := len(sl.Tiles)
				sl.Tiles = slices.DeleteFunc(sl.Tiles, func(t Tile) bool { return t.SubmissionID == submissionID })
				sl.Answers = len(sl.Tiles)
				changed = changed || len(sl.Tiles) != n
				if len(sl.Tiles) > 0 || n == 0 {
					continue
				}
			} else if sl.Key != SubmissionKey(submissionID) {
				continue
			}
			st.Deck.Slides = append(st.Deck.Slides[:i], st.Deck.Slides[i+1:]...)
			if i <= st.Index && st.Index > 0 {
				st.Index--
			}
			i--
			changed = true
		}
		st.Index = clamp(st.Index, len(st.Deck.Slides))
		return changed, nil
	})
	return err
}

// holds reports whether the answer is in the deck: on its own slide or on
// a mosaic.
func (d *Deck) holds(submissionID uint) bool {
	if d.Index(SubmissionKey(submissionID)) >= 0 {
		return true
	}
	for i := range d.Slides {
		for _, t := range d.Slides[i].Tiles {
			if t.SubmissionID == submissionID {
				return true
			}
		}
	}
	return false
}

// Current is the message a (re)connecting phone is caught up with: one
// small read, no deck decoding.
func (s *Service) Current(ctx context.Context, eventID uint) (Message, error) {
	seq, status, follower, err := s.store.RevealFollower(ctx, eventID)
	if err != nil {
		return Message{}, err
	}
	if seq == 0 || follower == "" {
		return encodeFollower(&State{EventID: eventID, Status: status})
	}
	return Message{Type: TypeSlide, Seq: seq, Data: []byte(follower)}, nil
}

// WasShown reports whether the slide with key has been on screen.
func (s *Service) WasShown(ctx context.Context, eventID uint, key string) (bool, error) {
	s.mu.Lock()
	ok := s.shown[eventID][key]
	s.mu.Unlock()
	if ok {
		return true, nil
	}
	raw, err := s.store.RevealShown(ctx, eventID)
	if err != nil {
		return false, err
	}
	set, err := decodeSet(raw)
	if err != nil {
		return false, fmt.Errorf("decode shown slides of event %d: %w", eventID, err)
	}
	s.remember(eventID, set)
	return set[key], nil
}

func (s *Service) remember(eventID uint, shown map[string]bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.shown[eventID]
	if m == nil {
		m = make(map[string]bool, len(shown))
		s.shown[eventID] = m
	}
	for k, ok := range shown {
		if ok {
			m[k] = true
		}
	}
}

// SubmissionKey is the key of an answer's slide.
func SubmissionKey(submissionID uint) string { return fmt.Sprintf("sub-%d", submissionID) }

// FollowerSlide is slide index as a phone may see it, ErrNotFound unless it
// has been shown (and its answer may still be shown).
func (s *Service) FollowerSlide(ctx context.Context, eventID uint, index int) (*FollowerSlide, error) {
	st, err := s.Load(ctx, eventID)
	if err != nil {
		return nil, err
	}
	notFound := fmt.Errorf("slide %d of event %d: %w", index, eventID, models.ErrNotFound)
	if st.Status == models.RevealIdle || index < 0 || index >= len(st.Deck.Slides) {
		return nil, notFound
	}
	sl := &st.Deck.Slides[index]
	if !st.Shown[sl.Key] {
		return nil, notFound
	}
	ok, err := s.mayShow(ctx, eventID, sl)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, notFound
	}
	return st.Deck.ForFollower(index, st.Named[sl.Key]), nil
}

// IsAnswerKey reports whether key names an answer slide.
func IsAnswerKey(key string) bool { return strings.HasPrefix(key, "sub-") }
