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

// Team is a group of participants within an event, scored together.
type Team struct {
	ID        uint   `gorm:"primaryKey"`
	EventID   uint   `gorm:"not null;uniqueIndex:idx_team_name"`
	Name      string `gorm:"not null;size:60"`
	NameKey   string `gorm:"not null;size:60;uniqueIndex:idx_team_name"`
	CreatedAt time.Time

	Event Event `gorm:"constraint:OnDelete:CASCADE"`
}

func validTeamName(name string) (string, error) {
	name, ok := cleanName(name)
	if name == "" || !ok || utf8.RuneCountInString(name) > 60 {
		return name, &ValidationError{Fields: map[string]string{"team_name": "Give the team a name of up to 60 letters, digits and spaces."}}
	}
	return name, nil
}

// CreateTeam adds a team to an event.
func (s *Store) CreateTeam(ctx context.Context, ev *Event, name string) (*Team, error) {
	name, err := validTeamName(name)
	if err != nil {
		return nil, err
	}
	t := &Team{EventID: ev.ID, Name: name, NameKey: strings.ToLower(name)}
	if err := s.db.WithContext(ctx).Create(t).Error; err != nil {
		if errors.Is(err, gorm.ErrDuplicatedKey) {
			return nil, &ValidationError{Fields: map[string]string{"team_name": fmt.Sprintf("There is already a team called %q.", name)}}
		}
		return nil, fmt.Errorf("create team in event %d: %w", ev.ID, err)
	}
	return t, nil
}

// Teams lists an event's teams by name.
func (s *Store) Teams(ctx context.Context, eventID uint) ([]Team, error) {
	var list []Team
	if err := s.db.WithContext(ctx).Where("event_id = ?", eventID).Order("name_key").Find(&list).Error; err != nil {
		return nil, fmt.Errorf("list teams of event %d: %w", eventID, err)
	}
	return list, nil
}

// EventTeam loads a team of the event; one of another event is ErrNotFound.
func (s *Store) EventTeam(ctx context.Context, eventID, teamID uint) (*Team, error) {
	var t Team
	if err := s.db.WithContext(ctx).Where("event_id = ?", eventID).First(&t, teamID).Error; err != nil {
		return nil, notFound(err, fmt.Sprintf("load team %d of event %d", teamID, eventID))
	}
	return &t, nil
}
