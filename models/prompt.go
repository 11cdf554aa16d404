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
	// Schedule picks how the window is worked out (see Window).
	Schedule ScheduleKind `gorm:"not null;size:10;default:event"`
	// OpensAt and ClosesAt are UTC instants of a fixed window; nil means the
	// event's start or end.
	OpensAt  *time.Time
	ClosesAt *time.Time
	// DailyDay (1 = the event's first day), DailyMinute (minutes after
	// midnight in each participant's zone) and DailyDays (how long it stays
	// open) describe a daily prompt.
	DailyDay    int `gorm:"not null;default:0"`
	DailyMinute int `gorm:"not null;default:0"`
	DailyDays   int `gorm:"not null;default:0"`
	// GraceMinutes after the close still take answers, marked late and worth
	// LatePercent of the points.
	GraceMinutes int `gorm:"not null;default:0"`
	LatePercent  int `gorm:"not null;default:50"`
	// TeamPrompt takes one answer per team instead of one per person.
	TeamPrompt bool `gorm:"not null;default:false"`
	// RemindMinutes before the close, whoever has not answered is nudged
	// (0: no scheduled nudge).
	RemindMinutes int `gorm:"not null;default:0"`
	// ShowOut leaves the prompt out of the reveal altogether; ShowSpotlights
	// is how many of its answers get a slide of their own (nil: the plan
	// picks), ShowTiles how many answers a mosaic screen holds (0: the plan
	// picks). See showplan.go.
	ShowOut        bool `gorm:"not null;default:false"`
	ShowSpotlights *int
	ShowTiles      int `gorm:"not null;default:0"`
	CreatedAt      time.Time
	UpdatedAt      time.Time

	Event Event `gorm:"constraint:OnDelete:CASCADE"`
}

// PromptState is where a prompt stands at a given instant.
type PromptState string

// Prompt states.
const (
	StateUpcoming PromptState = "upcoming"
	StateOpen     PromptState = "open"
	// StateLate is the grace window after the close: answers count for less.
	StateLate   PromptState = "late"
	StateClosed PromptState = "closed"
)

// PromptInput holds the editable fields of a prompt.
type PromptInput struct {
	Kind          PromptKind
	Title         string
	Description   string
	Points        int
	Schedule      ScheduleKind // "" picks window when a time is set, else event
	OpensAt       *time.Time
	ClosesAt      *time.Time
	DailyDay      int
	DailyMinute   int
	DailyDays     int
	GraceMinutes  int
	LatePercent   int
	TeamPrompt    bool
	RemindMinutes int
}

// Bounds of what a prompt may say.
const (
	MaxPoints       = 10000 // so totals cannot overflow
	MaxGraceMinutes = 7 * 24 * 60
	MaxDailyDays    = 31
)

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
	} else if problem := TextProblem("The title", in.Title, false); problem != "" {
		v.Add("title", problem)
	}
	if utf8.RuneCountInString(in.Description) > 2000 {
		v.Add("description", "Keep the description under 2000 characters.")
	} else if problem := TextProblem("The description", in.Description, true); problem != "" {
		v.Add("description", problem)
	}
	if in.Points < 0 || in.Points > MaxPoints {
		v.Add("points", fmt.Sprintf("Points must be between 0 and %d.", MaxPoints))
	}
	if in.Schedule == "" {
		in.Schedule = ScheduleEvent
		if in.OpensAt != nil || in.ClosesAt != nil {
			in.Schedule = ScheduleWindow
		}
	}
	switch in.Schedule {
	case ScheduleEvent:
		in.OpensAt, in.ClosesAt = nil, nil
	case ScheduleWindow:
		p := Prompt{Schedule: ScheduleWindow, OpensAt: in.OpensAt, ClosesAt: in.ClosesAt}
		opens, closes := p.Window(ev, nil)
		if !closes.After(opens) {
			v.Add("closes_at", "The prompt must close after it opens.")
		}
	case ScheduleDaily:
		in.OpensAt, in.ClosesAt = nil, nil
		if days := ev.EventDays(); in.DailyDay < 1 || in.DailyDay > days {
			v.Add("daily_day", fmt.Sprintf("Pick a day of the event, from 1 to %d.", days))
		}
		if in.DailyMinute < 0 || in.DailyMinute >= 24*60 {
			v.Add("daily_time", "Enter a time of day between 00:00 and 23:59.")
		}
		if in.DailyDays < 1 || in.DailyDays > MaxDailyDays {
			v.Add("daily_days", fmt.Sprintf("A daily prompt stays open from 1 to %d days.", MaxDailyDays))
		}
	default:
		v.Add("schedule", "Choose when the prompt is open.")
	}
	if in.GraceMinutes < 0 || in.GraceMinutes > MaxGraceMinutes {
		v.Add("grace_minutes", "The late window can be up to a week (10080 minutes).")
	}
	if in.LatePercent < 0 || in.LatePercent > 100 {
		v.Add("late_percent", "Late answers keep between 0 and 100 % of the points.")
	}
	if in.RemindMinutes < 0 || in.RemindMinutes > MaxGraceMinutes {
		v.Add("remind_minutes", "Remind at most a week (10080 minutes) before the close.")
	}
	if in.TeamPrompt && !ev.TeamsEnabled {
		v.Add("team_prompt", "Turn teams on for the event before making a team prompt.")
	}
	return v.Err()
}

func (in *PromptInput) apply(p *Prompt) {
	p.Kind = in.Kind
	p.Title = in.Title
	p.Description = in.Description
	p.Points = in.Points
	p.Schedule = in.Schedule
	p.OpensAt = utcPtr(in.OpensAt)
	p.ClosesAt = utcPtr(in.ClosesAt)
	p.DailyDay, p.DailyMinute, p.DailyDays = 0, 0, 0
	if in.Schedule == ScheduleDaily {
		p.DailyDay, p.DailyMinute, p.DailyDays = in.DailyDay, in.DailyMinute, in.DailyDays
	}
	p.GraceMinutes = in.GraceMinutes
	p.LatePercent = in.LatePercent
	p.TeamPrompt = in.TeamPrompt
	p.RemindMinutes = in.RemindMinutes
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
		Select("Kind", "Title", "Description", "Points", "Schedule", "OpensAt", "ClosesAt", "DailyDay", "DailyMinute",
			"DailyDays", "GraceMinutes", "LatePercent", "TeamPrompt", "RemindMinutes").Updates(p).Error
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
