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

// RenameTeam gives a team a new name, unique within its event.
func (s *Store) RenameTeam(ctx context.Context, t *Team, name string) error {
	name, err := validTeamName(name)
	if err != nil {
		return err
	}
	err = s.db.WithContext(ctx).Model(t).Updates(map[string]any{"name": name, "name_key": strings.ToLower(name)}).Error
	if err != nil {
		if errors.Is(err, gorm.ErrDuplicatedKey) {
			return &ValidationError{Fields: map[string]string{"team_name": fmt.Sprintf("There is already a team called %q.", name)}}
		}
		return fmt.Errorf("rename team %d: %w", t.ID, err)
	}
	t.Name, t.NameKey = name, strings.ToLower(name)
	return nil
}

// TeamInUseError refuses deleting a team that owns team answers: they
// belong to nobody else, so deleting the team would lose them.
type TeamInUseError struct {
	Team    string
	Answers int64
}

func (e *TeamInUseError) Error() string {
	return fmt.Sprintf("team %q owns %d team answers", e.Team, e.Answers)
}

// Unwrap lets callers that only know the sentinels see a conflict.
func (e *TeamInUseError) Unwrap() error { return ErrConflict }

// Message is what the organizer is told.
func (e *TeamInUseError) Message() string {
	answers := "a team answer"
	if e.Answers != 1 {
		answers = fmt.Sprintf("%d team answers", e.Answers)
	}
	return fmt.Sprintf("%s can't be deleted: it has %s, which would be lost. Delete those answers (or their prompts) first, or rename the team instead.", e.Team, answers)
}

// teamAnswers selects the answers a team owns: those to team prompts.
// Personal answers of its members only remember the team they were sent
// from and belong to the member.
func teamAnswers(tx *gorm.DB, teamID uint) *gorm.DB {
	return tx.Model(&Submission{}).Where("team_id = ? AND owner_key = ?", teamID, fmt.Sprintf("t%d", teamID))
}

// DeleteTeam removes a team that owns no team answers. Its members are left
// without a team (they can pick another) and keep their personal answers.
func (s *Store) DeleteTeam(ctx context.Context, t *Team) error {
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var n int64
		if err := teamAnswers(tx, t.ID).Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			return &TeamInUseError{Team: t.Name, Answers: n}
		}
		// Submission.Team cascades, so personal answers are let go of the
		// team before it is deleted.
		if err := tx.Model(&Submission{}).Where("team_id = ?", t.ID).Update("team_id", nil).Error; err != nil {
			return err
		}
		if err := tx.Model(&Participant{}).Where("team_id = ?", t.ID).Update("team_id", nil).Error; err != nil {
			return err
		}
		return tx.Delete(t).Error
	})
	if err != nil {
		return fmt.Errorf("delete team %d: %w", t.ID, err)
	}
	return nil
}

// TeamSummary is a team with its head count and the team answers it owns.
type TeamSummary struct {
	Team
	Members int
	Answers int
}

// TeamSummaries lists an event's teams by name with their counts.
func (s *Store) TeamSummaries(ctx context.Context, eventID uint) ([]TeamSummary, error) {
	var list []TeamSummary
	err := s.db.WithContext(ctx).Model(&Team{}).
		Select(`teams.*,
			(SELECT COUNT(*) FROM participants WHERE participants.team_id = teams.id) AS members,
			(SELECT COUNT(*) FROM submissions WHERE submissions.team_id = teams.id AND submissions.owner_key = 't' || teams.id) AS answers`).
		Where("teams.event_id = ?", eventID).
		Order("teams.name_key").
		Find(&list).Error
	if err != nil {
		return nil, fmt.Errorf("list teams of event %d with counts: %w", eventID, err)
	}
	return list, nil
}

// teamForJoin checks the team someone picked: none when the event does not
// use teams, required when it does and has some, and always one of the
// event's own teams.
func (s *Store) teamForJoin(ctx context.Context, ev *Event, teamID uint) (*uint, error) {
	if !ev.TeamsEnabled {
		return nil, nil
	}
	if teamID == 0 {
		var n int64
		if err := s.db.WithContext(ctx).Model(&Team{}).Where("event_id = ?", ev.ID).Count(&n).Error; err != nil {
			return nil, fmt.Errorf("count teams of event %d: %w", ev.ID, err)
		}
		if n > 0 {
			return nil, &ValidationError{Fields: map[string]string{"team": "Pick your team."}}
		}
		return nil, nil
	}
	t, err := s.EventTeam(ctx, ev.ID, teamID)
	if errors.Is(err, ErrNotFound) {
		return nil, &ValidationError{Fields: map[string]string{"team": "Pick a team from the list."}}
	}
	if err != nil {
		return nil, err
	}
	return &t.ID, nil
}
