package models

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// copyName is "Copy of <name>", cut to fit the 200-character limit.
func copyName(name string) string {
	r := []rune("Copy of " + name)
	if len(r) > 200 {
		r = r[:200]
	}
	return string(r)
}

// DuplicateEvent copies an event and its prompts into a new event owned by
// organizerID: "Copy of X", same dates, zone and settings, a new join link,
// and nobody in it (no participants, teams or answers). It re-uses last
// year's hunt; the organizer then moves the dates.
func (s *Store) DuplicateEvent(ctx context.Context, organizerID uint, src *Event) (*Event, error) {
	cp := &Event{
		Name: copyName(src.Name), Description: src.Description,
		StartsAt: src.StartsAt.UTC(), EndsAt: src.EndsAt.UTC(), TimeZone: src.TimeZone,
		JoinToken: newToken(), GalleryOpen: src.GalleryOpen, TeamsEnabled: src.TeamsEnabled,
		FreezeAt: utcPtr(src.FreezeAt), RevealAt: utcPtr(src.RevealAt), RetentionDays: src.RetentionDays,
	}
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var prompts []Prompt
		if err := tx.Where("event_id = ?", src.ID).Order("position, id").Find(&prompts).Error; err != nil {
			return err
		}
		if err := tx.Create(cp).Error; err != nil {
			return err
		}
		if err := tx.Create(&EventOrganizer{EventID: cp.ID, OrganizerID: organizerID, Role: RoleOwner}).Error; err != nil {
			return err
		}
		if len(prompts) == 0 {
			return nil
		}
		for i := range prompts {
			p := &prompts[i]
			p.ID, p.EventID, p.Position = 0, cp.ID, i
			p.CreatedAt, p.UpdatedAt = time.Time{}, time.Time{}
		}
		return tx.Omit("Event").Create(&prompts).Error
	})
	if err != nil {
		return nil, fmt.Errorf("duplicate event %d: %w", src.ID, err)
	}
	return cp, nil
}
