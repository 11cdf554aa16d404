package models

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
)

// Event is one retreat activity: a hunt or a series of prompts over some days.
type Event struct {
	ID          uint      `gorm:"primaryKey"`
	Name        string    `gorm:"not null;size:200"`
	Description string    `gorm:"size:4000"`
	StartsAt    time.Time `gorm:"not null"` // UTC
	EndsAt      time.Time `gorm:"not null"` // UTC
	TimeZone    string    `gorm:"not null;size:64"`
	JoinToken   string    `gorm:"uniqueIndex;not null;size:64"`
	// GalleryOpen lets participants see each other's photos before the reveal.
	GalleryOpen bool `gorm:"not null;default:false"`
	// TeamsEnabled lets participants pick a team and prompts be team prompts.
	TeamsEnabled bool `gorm:"not null;default:false"`
	// ShowMinutes is how long the organizer wants the reveal to last (0:
	// DefaultShowMinutes); the deck is planned to fit (showplan.go).
	ShowMinutes int `gorm:"not null;default:0"`
	// FreezeAt stops scores moving for participants, so the reveal surprises.
	FreezeAt *time.Time
	// RevealAt is when the live reveal is planned (shown to participants).
	RevealAt *time.Time
	// RetentionDays deletes the event's photos that many days after it ends
	// (0: keep them until an organizer deletes them).
	RetentionDays int `gorm:"not null;default:0"`
	// RecapOpen shows participants the recap (winners, every answer the
	// reveal could show) once the organizer opens it after the reveal.
	RecapOpen bool `gorm:"not null;default:false"`
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Role is what an organizer may do within one event.
type Role string

// Roles, from most to least powerful.
const (
	RoleOwner     Role = "owner"
	RoleOrganizer Role = "organizer"
	RoleModerator Role = "moderator"
)

// EventOrganizer links an organizer account to an event it may manage.
type EventOrganizer struct {
	EventID     uint `gorm:"primaryKey"`
	OrganizerID uint `gorm:"primaryKey;index"`
	Role        Role `gorm:"not null;size:20"`
	CreatedAt   time.Time

	Event     Event     `gorm:"constraint:OnDelete:CASCADE"`
	Organizer Organizer `gorm:"constraint:OnDelete:CASCADE"`
}

// Location is the event's home time zone (UTC if the stored name is unknown,
// which validation prevents).
func (e *Event) Location() *time.Location {
	loc, err := LoadZone(e.TimeZone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// EventInput holds the editable fields of an event.
type EventInput struct {
	Name        string
	Description string
	StartsAt    time.Time
	EndsAt      time.Time
	TimeZone    string
	GalleryOpen bool
	// TeamsEnabled, FreezeAt (nil: never), RevealAt (nil: not planned) and
	// RetentionDays (0: keep) are the event's settings.
	TeamsEnabled  bool
	FreezeAt      *time.Time
	RevealAt      *time.Time
	RetentionDays int
}

// MaxRetentionDays bounds how long after the end photos may be kept (ten years).
const MaxRetentionDays = 3650

// Validate normalises the input and reports what is wrong with it.
func (in *EventInput) Validate() error {
	var v ValidationError
	in.Name = strings.TrimSpace(in.Name)
	in.Description = strings.TrimSpace(in.Description)
	if in.Name == "" || utf8.RuneCountInString(in.Name) > 200 {
		v.Add("name", "Give the event a name (up to 200 characters).")
	}
	if utf8.RuneCountInString(in.Description) > 4000 {
		v.Add("description", "Keep the description under 4000 characters.")
	}
	if _, err := LoadZone(in.TimeZone); err != nil {
		v.Add("time_zone", "Pick a time zone from the list.")
	}
	if in.StartsAt.IsZero() {
		v.Add("starts_at", "Enter when the event starts.")
	}
	if in.EndsAt.IsZero() {
		v.Add("ends_at", "Enter when the event ends.")
	}
	if !in.StartsAt.IsZero() && !in.EndsAt.IsZero() {
		switch {
		case !in.EndsAt.After(in.StartsAt):
			v.Add("ends_at", "The event must end after it starts.")
		case in.EndsAt.Sub(in.StartsAt) > 366*24*time.Hour:
			v.Add("ends_at", "An event can last a year at most.")
		}
	}
	if in.FreezeAt != nil && in.RevealAt != nil && in.FreezeAt.After(*in.RevealAt) {
		v.Add("freeze_at", "Freeze the leaderboard before the reveal, or scores would move after everyone has seen them.")
	}
	if in.RetentionDays < 0 || in.RetentionDays > MaxRetentionDays {
		v.Add("retention_days", fmt.Sprintf("Keep photos from 0 (until deleted) to %d days after the end.", MaxRetentionDays))
	}
	return v.Err()
}

func (in *EventInput) apply(e *Event) {
	e.Name = in.Name
	e.Description = in.Description
	e.StartsAt = in.StartsAt.UTC()
	e.EndsAt = in.EndsAt.UTC()
	e.TimeZone = in.TimeZone
	e.GalleryOpen = in.GalleryOpen
	e.TeamsEnabled = in.TeamsEnabled
	e.FreezeAt = utcPtr(in.FreezeAt)
	e.RevealAt = utcPtr(in.RevealAt)
	e.RetentionDays = in.RetentionDays
}

// CreateEvent stores a new event owned by organizerID.
func (s *Store) CreateEvent(ctx context.Context, organizerID uint, in EventInput) (*Event, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	e := &Event{JoinToken: newToken()}
	in.apply(e)
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(e).Error; err != nil {
			return err
		}
		return tx.Create(&EventOrganizer{EventID: e.ID, OrganizerID: organizerID, Role: RoleOwner}).Error
	})
	if err != nil {
		return nil, fmt.Errorf("create event: %w", err)
	}
	return e, nil
}

// UpdateEvent saves edited fields of an event.
func (s *Store) UpdateEvent(ctx context.Context, e *Event, in EventInput) error {
	if err := in.Validate(); err != nil {
		return err
	}
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if e.TeamsEnabled && !in.TeamsEnabled {
			// A team prompt without teams could not be answered by anyone.
			var n int64
			if err := tx.Model(&Prompt{}).Where("event_id = ? AND team_prompt", e.ID).Count(&n).Error; err != nil {
				return err
			}
			if n > 0 {
				return &ValidationError{Fields: map[string]string{"teams_enabled": fmt.Sprintf(
					"%d %s team %s: make %s individual before turning teams off.", n, plural(n, "prompt is a", "prompts are"),
					plural(n, "prompt", "prompts"), plural(n, "it", "them"))}}
			}
		}
		next := *e
		in.apply(&next)
		if err := tx.Model(&next).Select("Name", "Description", "StartsAt", "EndsAt", "TimeZone", "GalleryOpen",
			"TeamsEnabled", "FreezeAt", "RevealAt", "RetentionDays").Updates(&next).Error; err != nil {
			return err
		}
		*e = next
		return nil
	})
	var ve *ValidationError
	if errors.As(err, &ve) {
		return ve
	}
	if err != nil {
		return fmt.Errorf("update event %d: %w", e.ID, err)
	}
	return nil
}

func plural(n int64, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// RotateJoinToken gives the event a new join link; the old one stops working.
func (s *Store) RotateJoinToken(ctx context.Context, e *Event) error {
	token := newToken()
	if err := s.db.WithContext(ctx).Model(e).Update("join_token", token).Error; err != nil {
		return fmt.Errorf("rotate join token of event %d: %w", e.ID, err)
	}
	e.JoinToken = token
	return nil
}

// Event loads an event by id. Callers that act for a person must use the
// scoped loaders (EventForOrganizer, the participant's session) instead.
func (s *Store) Event(ctx context.Context, id uint) (*Event, error) {
	var e Event
	if err := s.db.WithContext(ctx).First(&e, id).Error; err != nil {
		return nil, notFound(err, fmt.Sprintf("load event %d", id))
	}
	return &e, nil
}

// EventByJoinToken loads the event a join link points at.
func (s *Store) EventByJoinToken(ctx context.Context, token string) (*Event, error) {
	if !ValidToken(token) {
		return nil, fmt.Errorf("load event by join token: %w", ErrNotFound)
	}
	var e Event
	if err := s.db.WithContext(ctx).Where("join_token = ?", token).First(&e).Error; err != nil {
		return nil, notFound(err, "load event by join token")
	}
	return &e, nil
}

// OrganizerEvent is an event together with the viewer's role in it.
type OrganizerEvent struct {
	Event
	Role Role
}

// EventForOrganizer loads an event the organizer may manage; any other event
// is ErrNotFound, so ids in URLs reveal nothing.
func (s *Store) EventForOrganizer(ctx context.Context, organizerID, eventID uint) (*OrganizerEvent, error) {
	var oe OrganizerEvent
	err := s.db.WithContext(ctx).Model(&Event{}).
		Select("events.*, event_organizers.role AS role").
		Joins("JOIN event_organizers ON event_organizers.event_id = events.id").
		Where("events.id = ? AND event_organizers.organizer_id = ?", eventID, organizerID).
		Take(&oe).Error
	if err != nil {
		return nil, notFound(err, fmt.Sprintf("load event %d for organizer %d", eventID, organizerID))
	}
	return &oe, nil
}

// EventsForOrganizer lists the events an organizer may manage, newest first.
func (s *Store) EventsForOrganizer(ctx context.Context, organizerID uint) ([]OrganizerEvent, error) {
	var list []OrganizerEvent
	err := s.db.WithContext(ctx).Model(&Event{}).
		Select("events.*, event_organizers.role AS role").
		Joins("JOIN event_organizers ON event_organizers.event_id = events.id").
		Where("event_organizers.organizer_id = ?", organizerID).
		Order("events.starts_at DESC, events.id DESC").
		Find(&list).Error
	if err != nil {
		return nil, fmt.Errorf("list events of organizer %d: %w", organizerID, err)
	}
	return list, nil
}

// CanEdit reports whether the role may change the event and its prompts.
func (r Role) CanEdit() bool { return r == RoleOwner || r == RoleOrganizer }
