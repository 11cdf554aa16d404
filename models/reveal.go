package models

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// The reveal's rows and queries. What a deck is and how it moves is
// models/live's business; this file stores its state (one row per event, so
// a restart or a second instance picks up where the presenter is) and reads
// the answers that may be shown.

// RevealStatus is where an event's live reveal stands.
type RevealStatus string

// Reveal statuses. An event without a row has not started its reveal.
const (
	RevealIdle  RevealStatus = ""
	RevealLive  RevealStatus = "live"
	RevealEnded RevealStatus = "ended"
)

// RevealState is the live reveal of one event. Deck, Shown and Named are
// JSON owned by models/live; Follower is the message phones get for the
// current position, built once per change so a phone that (re)connects is
// caught up with one small read.
type RevealState struct {
	EventID uint `gorm:"primaryKey;autoIncrement:false"`
	// Seq increases with every change; writers update only the row they
	// read (WHERE seq = the old one), so two presenter tabs never lose a move.
	Seq    int64        `gorm:"not null;default:0"`
	Status RevealStatus `gorm:"not null;size:10"`
	// Current is the index of the slide on screen.
	Current int `gorm:"not null;default:0"`
	// DeckVersion changes whenever Deck is rebuilt or trimmed.
	DeckVersion int    `gorm:"not null;default:0"`
	Deck        string `gorm:"type:text;not null"`
	// Shown lists the keys of every slide that has been on screen, Named
	// those whose author has been revealed: phones may see only those.
	Shown     string `gorm:"type:text;not null"`
	Named     string `gorm:"type:text;not null"`
	Follower  string `gorm:"type:text;not null"`
	StartedAt *time.Time
	UpdatedAt time.Time

	Event Event `gorm:"constraint:OnDelete:CASCADE"`
}

// ErrStale reports that the reveal changed since it was read; read it again
// and retry.
var ErrStale = errors.New("reveal changed meanwhile")

// RevealState loads the reveal of the event, ErrNotFound if it never started.
func (s *Store) RevealState(ctx context.Context, eventID uint) (*RevealState, error) {
	var st RevealState
	if err := s.db.WithContext(ctx).Where("event_id = ?", eventID).Take(&st).Error; err != nil {
		return nil, notFound(err, fmt.Sprintf("load reveal of event %d", eventID))
	}
	return &st, nil
}

// RevealFollower reads only what a (re)connecting phone needs: the sequence
// number and the follower message for it. Seq 0 and "" when never started.
func (s *Store) RevealFollower(ctx context.Context, eventID uint) (seq int64, status RevealStatus, follower string, err error) {
	var st RevealState
	err = s.db.WithContext(ctx).Select("seq", "status", "follower").Where("event_id = ?", eventID).Take(&st).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return 0, RevealIdle, "", nil
	}
	if err != nil {
		return 0, RevealIdle, "", fmt.Errorf("load reveal follower state of event %d: %w", eventID, err)
	}
	return st.Seq, st.Status, st.Follower, nil
}

// RevealShown reads the keys of the slides shown so far (JSON, "" for none).
func (s *Store) RevealShown(ctx context.Context, eventID uint) (string, error) {
	st, err := s.revealColumns(ctx, eventID, "shown")
	return st.Shown, err
}

// RevealProgress reads the deck's version and the keys of the slides shown
// so far (JSON, "" for none): enough to tell whether something new came on
// screen, without reading the deck.
func (s *Store) RevealProgress(ctx context.Context, eventID uint) (deckVersion int, shown string, err error) {
	st, err := s.revealColumns(ctx, eventID, "deck_version", "shown")
	return st.DeckVersion, st.Shown, err
}

// RevealNamed reads the reveal's status and the keys of the slides whose
// authors were revealed (JSON, "" for none): one small read for a phone's
// guess.
func (s *Store) RevealNamed(ctx context.Context, eventID uint) (RevealStatus, string, error) {
	st, err := s.revealColumns(ctx, eventID, "status", "named")
	return st.Status, st.Named, err
}

// revealColumns reads a few columns of the event's reveal row; a reveal
// never started reads as idle and empty.
func (s *Store) revealColumns(ctx context.Context, eventID uint, columns ...string) (RevealState, error) {
	st := RevealState{Status: RevealIdle}
	err := s.db.WithContext(ctx).Select(columns).Where("event_id = ?", eventID).Take(&st).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return RevealState{Status: RevealIdle}, nil
	}
	if err != nil {
		return RevealState{Status: RevealIdle}, fmt.Errorf("load reveal %v of event %d: %w", columns, eventID, err)
	}
	return st, nil
}

// RevealStatusOf says whether the event's reveal is live (for the banner
// on the participants' prompt list).
func (s *Store) RevealStatusOf(ctx context.Context, eventID uint) (RevealStatus, error) {
	_, status, _, err := s.RevealFollower(ctx, eventID)
	return status, err
}

// SaveRevealState writes st if the stored row is still at prevSeq (0: no
// row yet), else ErrStale. withDeck also writes Deck (it is large and
// changes rarely).
func (s *Store) SaveRevealState(ctx context.Context, st *RevealState, prevSeq int64, withDeck bool) error {
	st.UpdatedAt = s.now().UTC()
	db := s.db.WithContext(ctx)
	if prevSeq == 0 {
		// The first start: insert, and let a racing start lose cleanly.
		res := db.Omit(clause.Associations).Clauses(clause.OnConflict{DoNothing: true}).Create(st)
		if res.Error != nil {
			return fmt.Errorf("save reveal of event %d: %w", st.EventID, res.Error)
		}
		if res.RowsAffected == 0 {
			return fmt.Errorf("save reveal of event %d: %w", st.EventID, ErrStale)
		}
		return nil
	}
	cols := []string{"seq", "status", "current", "deck_version", "shown", "named", "follower", "started_at", "updated_at"}
	if withDeck {
		cols = append(cols, "deck")
	}
	res := db.Model(&RevealState{}).Where("event_id = ? AND seq = ?", st.EventID, prevSeq).Select(cols).Updates(st)
	if res.Error != nil {
		return fmt.Errorf("save reveal of event %d: %w", st.EventID, res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("save reveal of event %d: %w", st.EventID, ErrStale)
	}
	return nil
}

// RevealSubmission is an answer as a slide needs it.
type RevealSubmission struct {
	Submission
	ParticipantName string
	// TeamName is the answer's team (a team prompt's), else the sender's
	// current team; "" for none.
	TeamName string
	// ParticipantZone is the sender's time zone: the plan spreads its
	// spotlights across zones as across teams.
	ParticipantZone string
}

// RevealSubmissions lists the answers the reveal may show, in deck order:
// by prompt position, starred first, then in the order they came in.
// Hidden answers, those their sender kept out of the live call, those the
// organizer kept out of the show and the answers to prompts left out of it
// never appear.
func (s *Store) RevealSubmissions(ctx context.Context, eventID uint) ([]RevealSubmission, error) {
	var list []RevealSubmission
	err := s.db.WithContext(ctx).Table("submissions s").
		Select("s.*, pa.name AS participant_name, pa.time_zone AS participant_zone, COALESCE(t.name, '') AS team_name").
		Joins("JOIN participants pa ON pa.id = s.participant_id").
		Joins("JOIN prompts p ON p.id = s.prompt_id").
		Joins("LEFT JOIN teams t ON t.id = CASE WHEN p.team_prompt THEN s.team_id ELSE pa.team_id END").
		Where("s.event_id = ? AND NOT s.hidden AND NOT s.not_for_live AND NOT s.out_of_show AND NOT p.show_out", eventID).
		Order("p.position, p.id, s.starred DESC, s.created_at, s.id").
		Scan(&list).Error
	if err != nil {
		return nil, fmt.Errorf("list reveal answers of event %d: %w", eventID, err)
	}
	return list, nil
}

// RevealableAmong returns which of the event's answers ids may still be on
// a live slide (not hidden, withdrawn or kept out of the show since the
// deck was built): one read for a whole mosaic.
func (s *Store) RevealableAmong(ctx context.Context, eventID uint, ids []uint) (map[uint]bool, error) {
	var ok []uint
	err := s.db.WithContext(ctx).Model(&Submission{}).
		Where("event_id = ? AND id IN ? AND NOT hidden AND NOT not_for_live AND NOT out_of_show", eventID, ids).
		Pluck("id", &ok).Error
	if err != nil {
		return nil, fmt.Errorf("check %d answers of event %d for the reveal: %w", len(ids), eventID, err)
	}
	out := make(map[uint]bool, len(ok))
	for _, id := range ok {
		out[id] = true
	}
	return out, nil
}

// MayReveal reports whether the answer may be on a live slide now: it may
// have been hidden, or its sender may have withdrawn it, since the deck
// was built.
func (sub *Submission) MayReveal() bool { return !sub.Hidden && !sub.NotForLive && !sub.OutOfShow }

// SetNotForLive records the participant's wish to keep their answer to the
// prompt out of the live reveal (or their change of mind). Their own answer,
// or their team's to a team prompt; anything else is ErrNotFound. It can be
// changed at any time, the prompt closed or not: consent is theirs.
func (s *Store) SetNotForLive(ctx context.Context, pa *Participant, promptID uint, notForLive bool) (*Submission, error) {
	subs, err := s.ParticipantSubmissions(ctx, pa.ID)
	if err != nil {
		return nil, err
	}
	sub, ok := subs[promptID]
	if !ok || sub.EventID != pa.EventID {
		return nil, fmt.Errorf("keep answer to prompt %d out of the reveal: %w", promptID, ErrNotFound)
	}
	err = s.db.WithContext(ctx).Model(&Submission{}).Where("id = ?", sub.ID).UpdateColumn("not_for_live", notForLive).Error
	if err != nil {
		return nil, fmt.Errorf("keep answer %d out of the reveal: %w", sub.ID, err)
	}
	sub.NotForLive = notForLive
	return &sub, nil
}
