package models

import (
	"context"
	"fmt"

	"gorm.io/gorm"
)

// DeleteEvent removes an event and, through the foreign keys, everything
// in it: prompts, teams, participants, answers, votes, reactions, its
// reveal. It returns the photo folders its answers pointed at, which the
// caller removes once the rows are gone (as after DeletePrompt).
func (s *Store) DeleteEvent(ctx context.Context, eventID uint) (photoKeys []string, err error) {
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Model(&Submission{}).Where("event_id = ? AND photo_key <> ''", eventID).Pluck("photo_key", &photoKeys).Error; err != nil {
			return err
		}
		res := tx.Delete(&Event{}, eventID)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return gorm.ErrRecordNotFound
		}
		return nil
	})
	if err != nil {
		return nil, notFound(err, fmt.Sprintf("delete event %d", eventID))
	}
	return photoKeys, nil
}

// DeleteOrganizer removes an organizer account and its links to events
// (the events themselves stay, with their other organizers).
func (s *Store) DeleteOrganizer(ctx context.Context, organizerID uint) error {
	res := s.db.WithContext(ctx).Delete(&Organizer{}, organizerID)
	if res.Error != nil {
		return fmt.Errorf("delete organizer %d: %w", organizerID, res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("delete organizer %d: %w", organizerID, ErrNotFound)
	}
	return nil
}
