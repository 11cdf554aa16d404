package models

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
)

// PromptKind says what a prompt asks for.
type PromptKind string

// Prompt kinds.
const (
	KindPhoto PromptKind = "photo"
	KindText  PromptKind = "text"
)

// Prompt is one thing participants are asked to do: "a picture of you on a swing".
type Prompt struct {
	ID          uint       `gorm:"primaryKey"`
	EventID     uint       `gorm:"not null;index"`
	Kind        PromptKind `gorm:"not null;size:10"`
	Title       string     `gorm:"not null;size:200"`
	Description string     `gorm:"size:2000"`
	Points      int        `gorm:"not null;default:0"`
	Position    int        `gorm:"not null;default:0"`
	// OpensAt and ClosesAt are UTC instants; nil means the event's start or end.
	OpensAt   *time.Time
	ClosesAt  *time.Time
	CreatedAt time.Time
	UpdatedAt time.Time

	Event Event `gorm:"constraint:OnDelete:CASCADE"`
}

// PromptState is where a prompt stands at a given instant.
type PromptState string

// Prompt states.
const (
	StateUpcoming PromptState = "upcoming"
	StateOpen     PromptState = "open"
	StateClosed   PromptState = "closed"
)

// Window returns when the prompt opens and closes, blanks standing for the
// event's own start and end.
func (p *Prompt) Window(ev *Event) (opens, closes time.Time) {
	opens, closes = ev.StartsAt, ev.EndsAt
	if p.OpensAt != nil {
		opens = *p.OpensAt
	}
	if p.ClosesAt != nil {
		closes = *p.ClosesAt
	}
	return opens, closes
}

// StateAt says whether the prompt is upcoming, open or closed at now.
// A prompt is open from its opening instant up to, not including, its close.
func (p *Prompt) StateAt(ev *Event, now time.Time) PromptState {
	opens, closes := p.Window(ev)
	switch {
	case now.Before(opens):
		return StateUpcoming
	case now.Before(closes):
		return StateOpen
	default:
		return StateClosed
	}
}

// checkOpen returns nil when answers are accepted at now, or the sentinel
// saying why not.
func (p *Prompt) checkOpen(ev *Event, now time.Time) error {
	switch p.StateAt(ev, now) {
	case StateUpcoming:
		return ErrNotOpenYet
	case StateClosed:
		return ErrPromptClosed
	}
	return nil
}

// PromptInput holds the editable fields of a prompt.
type PromptInput struct {
	Kind        PromptKind
	Title       string
	Description string
	Points      int
	OpensAt     *time.Time
	ClosesAt    *time.Time
}

// MaxPoints bounds the points a prompt may give, so totals cannot overflow.
const MaxPoints = 10000

// Validate normalises the input and reports what is wrong with it, checking
// the window against the event's.
func (in *PromptInput) Validate(ev *Event) error {
	var v ValidationError
	in.Title = strings.TrimSpace(in.Title)
	in.Description = strings.TrimSpace(in.Description)
	if in.Kind != KindPhoto && in.Kind != KindText {
		v.Add("kind", "Choose photo or text.")
	}
	if in.Title == "" || utf8.RuneCountInString(in.Title) > 200 {
		v.Add("title", "Give the prompt a title (up to 200 characters).")
	}
	if utf8.RuneCountInString(in.Description) > 2000 {
		v.Add("description", "Keep the description under 2000 characters.")
	}
	if in.Points < 0 || in.Points > MaxPoints {
		v.Add("points", fmt.Sprintf("Points must be between 0 and %d.", MaxPoints))
	}
	p := Prompt{OpensAt: in.OpensAt, ClosesAt: in.ClosesAt}
	opens, closes := p.Window(ev)
	if !closes.After(opens) {
		v.Add("closes_at", "The prompt must close after it opens.")
	}
	return v.Err()
}

func (in *PromptInput) apply(p *Prompt) {
	p.Kind = in.Kind
	p.Title = in.Title
	p.Description = in.Description
	p.Points = in.Points
	p.OpensAt = utcPtr(in.OpensAt)
	p.ClosesAt = utcPtr(in.ClosesAt)
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// CreatePrompt adds a prompt at the end of the event's list.
func (s *Store) CreatePrompt(ctx context.Context, ev *Event, in PromptInput) (*Prompt, error) {
	if err := in.Validate(ev); err != nil {
		return nil, err
	}
	p := &Prompt{EventID: ev.ID}
	in.apply(p)
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var maxPos *int
		if err := tx.Model(&Prompt{}).Where("event_id = ?", ev.ID).Select("MAX(position)").Scan(&maxPos).Error; err != nil {
			return err
		}
		if maxPos != nil {
			p.Position = *maxPos + 1
		}
		return tx.Create(p).Error
	})
	if err != nil {
		return nil, fmt.Errorf("create prompt in event %d: %w", ev.ID, err)
	}
	return p, nil
}

// UpdatePrompt saves edited fields of a prompt.
func (s *Store) UpdatePrompt(ctx context.Context, ev *Event, p *Prompt, in PromptInput) error {
	if err := in.Validate(ev); err != nil {
		return err
	}
	in.apply(p)
	err := s.db.WithContext(ctx).Model(p).
		Select("Kind", "Title", "Description", "Points", "OpensAt", "ClosesAt").Updates(p).Error
	if err != nil {
		return fmt.Errorf("update prompt %d: %w", p.ID, err)
	}
	return nil
}

// DeletePrompt removes a prompt and, through the foreign keys, its
// submissions. The caller removes the photo files of the returned keys.
func (s *Store) DeletePrompt(ctx context.Context, p *Prompt) (photoKeys []string, err error) {
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Model(&Submission{}).Where("prompt_id = ? AND photo_key <> ''", p.ID).Pluck("photo_key", &photoKeys).Error; err != nil {
			return err
		}
		return tx.Delete(p).Error
	})
	if err != nil {
		return nil, fmt.Errorf("delete prompt %d: %w", p.ID, err)
	}
	return photoKeys, nil
}

// EventPrompt loads a prompt that belongs to the event; a prompt of another
// event is ErrNotFound.
func (s *Store) EventPrompt(ctx context.Context, eventID, promptID uint) (*Prompt, error) {
	var p Prompt
	if err := s.db.WithContext(ctx).Where("event_id = ?", eventID).First(&p, promptID).Error; err != nil {
		return nil, notFound(err, fmt.Sprintf("load prompt %d of event %d", promptID, eventID))
	}
	return &p, nil
}

// Prompts lists an event's prompts in their order.
func (s *Store) Prompts(ctx context.Context, eventID uint) ([]Prompt, error) {
	var list []Prompt
	if err := s.db.WithContext(ctx).Where("event_id = ?", eventID).Order("position, id").Find(&list).Error; err != nil {
		return nil, fmt.Errorf("list prompts of event %d: %w", eventID, err)
	}
	return list, nil
}
