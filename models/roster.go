package models

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"gorm.io/gorm"

	"retreat/models/media"
)

// The roster is what organizers do to an event's participants: list them
// with their numbers, rename, move between teams, remove.

// RosterEntry is a participant with their team's name and how many answers
// they sent (team answers they sent last included).
type RosterEntry struct {
	Participant
	TeamName string
	Answers  int
}

// Roster lists an event's participants by name.
func (s *Store) Roster(ctx context.Context, eventID uint) ([]RosterEntry, error) {
	var list []RosterEntry
	err := s.db.WithContext(ctx).Model(&Participant{}).
		Select(`participants.*, COALESCE(teams.name, '') AS team_name,
			(SELECT COUNT(*) FROM submissions WHERE submissions.participant_id = participants.id) AS answers`).
		Joins("LEFT JOIN teams ON teams.id = participants.team_id").
		Where("participants.event_id = ?", eventID).
		Order("participants.name_key, participants.id").
		Find(&list).Error
	if err != nil {
		return nil, fmt.Errorf("list roster of event %d: %w", eventID, err)
	}
	return list, nil
}

// mergeValidation combines the messages of two validation results; any
// other error wins as it is.
func mergeValidation(errs ...error) error {
	var merged ValidationError
	for _, err := range errs {
		if err == nil {
			continue
		}
		var ve *ValidationError
		if !errors.As(err, &ve) {
			return err
		}
		for k, m := range ve.Fields {
			merged.Add(k, m)
		}
	}
	return merged.Err()
}

// RenameParticipant changes a participant's display name under the rules of
// the join page, duplicates included.
func (s *Store) RenameParticipant(ctx context.Context, p *Participant, name string) error {
	name, problem := validParticipantName(name)
	if problem != "" {
		return &ValidationError{Fields: map[string]string{"name": problem}}
	}
	err := s.db.WithContext(ctx).Model(p).Updates(map[string]any{"name": name, "name_key": strings.ToLower(name)}).Error
	if err != nil {
		if errors.Is(err, gorm.ErrDuplicatedKey) {
			return &ValidationError{Fields: map[string]string{"name": fmt.Sprintf("Someone in this event is already called %q. Add an initial.", name)}}
		}
		return fmt.Errorf("rename participant %d: %w", p.ID, err)
	}
	p.Name, p.NameKey = name, strings.ToLower(name)
	return nil
}

// SetParticipantTeam moves a participant to one of the event's teams (0: no
// team). Their personal answers move with them, so they count for the team
// they are in; team answers they sent stay with the team they were sent for.
func (s *Store) SetParticipantTeam(ctx context.Context, ev *Event, p *Participant, teamID uint) error {
	if !ev.TeamsEnabled {
		return &ValidationError{Fields: map[string]string{"team": "Teams are off for this event. Turn them on in the event's settings first."}}
	}
	var team *uint
	if teamID != 0 {
		t, err := s.EventTeam(ctx, ev.ID, teamID)
		if err != nil {
			return err
		}
		team = &t.ID
	}
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Model(p).Update("team_id", team).Error; err != nil {
			return err
		}
		return tx.Model(&Submission{}).
			Where("participant_id = ? AND owner_key = ?", p.ID, fmt.Sprintf("p%d", p.ID)).
			Update("team_id", team).Error
	})
	if err != nil {
		return fmt.Errorf("move participant %d to team %d: %w", p.ID, teamID, err)
	}
	p.TeamID = team
	return nil
}

// ChooseTeam lets a participant who has no team yet pick one. Once in a
// team, only an organizer moves them, so nobody hops teams to share answers.
func (s *Store) ChooseTeam(ctx context.Context, ev *Event, p *Participant, teamID uint) error {
	if p.TeamID != nil {
		return &ValidationError{Fields: map[string]string{"team": "You are already in a team. Ask your organizer if you need to move."}}
	}
	if teamID == 0 {
		return &ValidationError{Fields: map[string]string{"team": "Pick your team."}}
	}
	err := s.SetParticipantTeam(ctx, ev, p, teamID)
	if errors.Is(err, ErrNotFound) {
		return &ValidationError{Fields: map[string]string{"team": "Pick a team from the list."}}
	}
	return err
}

// Removal says what removing a participant did.
type Removal struct {
	Name string
	// Deleted answers went with the participant (their photos too).
	Deleted int
	// KeptForTeam are team answers they sent that stay with their team,
	// now credited to a remaining teammate.
	KeptForTeam int
}

// RemoveParticipant deletes a participant and their answers in one
// transaction, then the photo files of those answers. A team answer they
// sent stays with the team: it is handed to the teammate who joined first,
// and goes only when nobody is left in that team.
func (s *Store) RemoveParticipant(ctx context.Context, photos media.Store, p *Participant) (*Removal, error) {
	r := &Removal{Name: p.Name}
	var folders []string
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var teamSubs []Submission
		if err := tx.Where("participant_id = ? AND owner_key LIKE 't%' AND team_id IS NOT NULL", p.ID).Find(&teamSubs).Error; err != nil {
			return err
		}
		for _, sub := range teamSubs {
			var heir Participant
			err := tx.Where("team_id = ? AND id <> ?", *sub.TeamID, p.ID).Order("created_at, id").Take(&heir).Error
			if errors.Is(err, gorm.ErrRecordNotFound) {
				continue // nobody left in the team: the answer goes too
			}
			if err != nil {
				return err
			}
			if err := tx.Model(&Submission{}).Where("id = ?", sub.ID).Update("participant_id", heir.ID).Error; err != nil {
				return err
			}
			r.KeptForTeam++
		}
		var gone []Submission
		if err := tx.Where("participant_id = ?", p.ID).Find(&gone).Error; err != nil {
			return err
		}
		for _, sub := range gone {
			if sub.PhotoKey != "" {
				folders = append(folders, sub.PhotoKey)
			}
		}
		r.Deleted = len(gone)
		if err := tx.Where("participant_id = ?", p.ID).Delete(&Submission{}).Error; err != nil {
			return err
		}
		res := tx.Delete(p)
		if res.Error == nil && res.RowsAffected == 0 {
			return gorm.ErrRecordNotFound
		}
		return res.Error
	})
	if err != nil {
		return nil, notFound(err, fmt.Sprintf("remove participant %d", p.ID))
	}
	// The rows are gone; files are removed after, so a failure here leaves
	// only orphans for the start-up sweep, never an answer without a photo.
	ctx = context.WithoutCancel(ctx)
	for _, f := range folders {
		if err := DeletePhotoFolder(ctx, photos, f); err != nil {
			s.logf("remove photos of removed participant %d: %v", p.ID, err)
		}
	}
	return r, nil
}
