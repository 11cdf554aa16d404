package models

import (
	"context"
	"fmt"
)

// ExportAnswer is one answer with the names an export prints beside it.
type ExportAnswer struct {
	Submission
	ParticipantName string
	TeamName        string
}

// exportPage is how many answers one query of ExportAnswers loads.
const exportPage = 200

// ExportAnswers calls fn with every answer of the event, prompt by prompt in
// the event's order and in the order they first came within a prompt. It
// reads a page of answers at a time, so an export of any size holds only
// one page in memory and no query stays open while fn streams files.
func (s *Store) ExportAnswers(ctx context.Context, eventID uint, fn func(p *Prompt, a *ExportAnswer) error) error {
	prompts, err := s.Prompts(ctx, eventID)
	if err != nil {
		return err
	}
	for i := range prompts {
		p := &prompts[i]
		var after uint
		for {
			var page []ExportAnswer
			err := s.db.WithContext(ctx).Model(&Submission{}).
				Select("submissions.*, participants.name AS participant_name, COALESCE(teams.name, '') AS team_name").
				Joins("JOIN participants ON participants.id = submissions.participant_id").
				Joins("LEFT JOIN teams ON teams.id = submissions.team_id").
				Where("submissions.event_id = ? AND submissions.prompt_id = ? AND submissions.id > ?", eventID, p.ID, after).
				Order("submissions.id").Limit(exportPage).Find(&page).Error
			if err != nil {
				return fmt.Errorf("list answers to prompt %d for export: %w", p.ID, err)
			}
			for j := range page {
				if err := fn(p, &page[j]); err != nil {
					return err
				}
			}
			if len(page) < exportPage {
				break
			}
			after = page[len(page)-1].ID
		}
	}
	return nil
}
