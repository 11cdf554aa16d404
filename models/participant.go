package models

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"gorm.io/gorm"
)

// Participant is a person taking part in one event from their phone. There
// is no account: a device session holds the id, and the personal return link
// (ReturnToken) brings them back on another device.
type Participant struct {
	ID      uint   `gorm:"primaryKey"`
	EventID uint   `gorm:"not null;uniqueIndex:idx_participant_name"`
	Name    string `gorm:"not null;size:60"`
	// NameKey is the case-folded name: two people cannot both be "Ana".
	NameKey     string `gorm:"not null;size:60;uniqueIndex:idx_participant_name"`
	TimeZone    string `gorm:"not null;size:64"`
	ReturnToken string `gorm:"uniqueIndex;not null;size:64"`
	// TeamID is the team picked on joining or assigned by an organizer.
	TeamID *uint `gorm:"index"`
	// Email is optional, left for nudges.
	Email      string `gorm:"size:254"`
	CreatedAt  time.Time
	LastSeenAt time.Time

	Event Event `gorm:"constraint:OnDelete:CASCADE"`
	Team  *Team `gorm:"constraint:OnDelete:SET NULL"`
}

// Location is the participant's own time zone.
func (p *Participant) Location() *time.Location {
	loc, err := LoadZone(p.TimeZone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// JoinInput is what a person types on the join page.
type JoinInput struct {
	Name     string
	TimeZone string // detected by the browser; the event's zone when blank
	// TeamID is the team picked on the join page (0: none); required when
	// the event uses teams and has some.
	TeamID uint
	// Email is optional, for nudges (see ValidEmail).
	Email string
}

// MaxNameLength bounds display names, which must fit on a slide.
const MaxNameLength = 40

// cleanName trims a display name and folds runs of white space, refusing
// control and format characters (which could hide text or reorder it).
func cleanName(s string) (string, bool) {
	s = strings.Join(strings.Fields(s), " ")
	for _, r := range s {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == utf8.RuneError {
			return s, false
		}
	}
	return s, true
}

// validParticipantName cleans a display name and says what is wrong with
// it ("" when nothing), for joining and for an organizer's rename alike.
func validParticipantName(s string) (name, problem string) {
	name, ok := cleanName(s)
	switch {
	case name == "":
		return name, "Type your name so the others know whose photos these are."
	case !ok:
		return name, "Your name has characters we can't show. Use letters, digits and spaces."
	case utf8.RuneCountInString(name) > MaxNameLength:
		return name, fmt.Sprintf("Keep your name under %d characters.", MaxNameLength)
	}
	return name, ""
}

// Validate normalises the input and reports what is wrong with it.
func (in *JoinInput) Validate(ev *Event) error {
	var v ValidationError
	var problem string
	if in.Name, problem = validParticipantName(in.Name); problem != "" {
		v.Add("name", problem)
	}
	if in.Email, problem = ValidEmail(in.Email); problem != "" {
		v.Add("email", problem)
	}
	in.TimeZone = strings.TrimSpace(in.TimeZone)
	if _, err := LoadZone(in.TimeZone); err != nil {
		in.TimeZone = ev.TimeZone // an odd browser should not block joining
	}
	return v.Err()
}

// Join adds a participant to an event.
func (s *Store) Join(ctx context.Context, ev *Event, in JoinInput) (*Participant, error) {
	err := in.Validate(ev)
	teamID, terr := s.teamForJoin(ctx, ev, in.TeamID)
	if err != nil || terr != nil {
		return nil, mergeValidation(err, terr)
	}
	now := s.now().UTC()
	p := &Participant{
		EventID:     ev.ID,
		Name:        in.Name,
		NameKey:     strings.ToLower(in.Name),
		TimeZone:    in.TimeZone,
		ReturnToken: newToken(),
		TeamID:      teamID,
		Email:       in.Email,
		LastSeenAt:  now,
	}
	if err := s.db.WithContext(ctx).Create(p).Error; err != nil {
		if errors.Is(err, gorm.ErrDuplicatedKey) {
			return nil, &ValidationError{Fields: map[string]string{
				"name": fmt.Sprintf("Someone already joined as %q. If that was you on another device, open your personal link; otherwise add an initial.", in.Name),
			}}
		}
		return nil, fmt.Errorf("join event %d: %w", ev.ID, err)
	}
	return p, nil
}

// EventParticipant loads a participant of the event; one of another event is
// ErrNotFound.
func (s *Store) EventParticipant(ctx context.Context, eventID, participantID uint) (*Participant, error) {
	var p Participant
	if err := s.db.WithContext(ctx).Where("event_id = ?", eventID).First(&p, participantID).Error; err != nil {
		return nil, notFound(err, fmt.Sprintf("load participant %d of event %d", participantID, eventID))
	}
	return &p, nil
}

// JoinedEvent is an event a device has joined, and who it is there.
type JoinedEvent struct {
	EventID         uint
	EventName       string
	ParticipantName string
	EndsAt          time.Time
}

// JoinedEvents loads the events a device's session names (event id to
// participant id), skipping any whose participant or event is gone, in one
// query; the most recently ending first.
func (s *Store) JoinedEvents(ctx context.Context, joined map[uint]uint) ([]JoinedEvent, error) {
	if len(joined) == 0 {
		return nil, nil
	}
	ids := make([]uint, 0, len(joined))
	for _, pid := range joined {
		ids = append(ids, pid)
	}
	var rows []struct {
		JoinedEvent
		ParticipantID uint
	}
	err := s.db.WithContext(ctx).Table("participants").
		Select("events.id AS event_id, events.name AS event_name, participants.name AS participant_name, events.ends_at, participants.id AS participant_id").
		Joins("JOIN events ON events.id = participants.event_id").
		Where("participants.id IN ?", ids).
		Order("events.ends_at DESC, events.id DESC").
		Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("load joined events: %w", err)
	}
	var out []JoinedEvent
	for _, r := range rows {
		// The session must name this participant for this very event.
		if joined[r.EventID] == r.ParticipantID {
			out = append(out, r.JoinedEvent)
		}
	}
	return out, nil
}

// ParticipantByReturnToken loads the participant a personal link names.
func (s *Store) ParticipantByReturnToken(ctx context.Context, token string) (*Participant, error) {
	if !ValidToken(token) {
		return nil, fmt.Errorf("load participant by return token: %w", ErrNotFound)
	}
	var p Participant
	if err := s.db.WithContext(ctx).Where("return_token = ?", token).First(&p).Error; err != nil {
		return nil, notFound(err, "load participant by return token")
	}
	return &p, nil
}

// SetParticipantTimeZone changes the zone times are shown in for a participant.
func (s *Store) SetParticipantTimeZone(ctx context.Context, p *Participant, zone string) error {
	if _, err := LoadZone(zone); err != nil {
		return &ValidationError{Fields: map[string]string{"time_zone": "Pick a time zone from the list."}}
	}
	if err := s.db.WithContext(ctx).Model(p).Update("time_zone", zone).Error; err != nil {
		return fmt.Errorf("set time zone of participant %d: %w", p.ID, err)
	}
	p.TimeZone = zone
	return nil
}

// TouchParticipant records activity, at most once a minute per participant so
// page views do not turn into a stream of writes.
func (s *Store) TouchParticipant(ctx context.Context, p *Participant) error {
	now := s.now().UTC()
	if now.Sub(p.LastSeenAt) < time.Minute {
		return nil
	}
	if err := s.db.WithContext(ctx).Model(p).Update("last_seen_at", now).Error; err != nil {
		return fmt.Errorf("touch participant %d: %w", p.ID, err)
	}
	p.LastSeenAt = now
	return nil
}

// Participants lists an event's participants by name.
func (s *Store) Participants(ctx context.Context, eventID uint) ([]Participant, error) {
	var list []Participant
	if err := s.db.WithContext(ctx).Where("event_id = ?", eventID).Order("name_key").Find(&list).Error; err != nil {
		return nil, fmt.Errorf("list participants of event %d: %w", eventID, err)
	}
	return list, nil
}
