package models

import (
	"context"
	"fmt"
	"time"
)

// AuditEntry records something done to an event's data that people may
// later ask about: what the app deleted on its own (retention), and when.
type AuditEntry struct {
	ID      uint `gorm:"primaryKey"`
	EventID uint `gorm:"not null;index"`
	// Actor is "system" for the background jobs, "organizer:<id>" otherwise.
	Actor string `gorm:"not null;size:40"`
	// Action is a stable dotted name ("retention.photos_deleted").
	Action string `gorm:"not null;size:60"`
	// Detail says what happened in words, for people.
	Detail    string `gorm:"size:1000"`
	CreatedAt time.Time

	Event Event `gorm:"constraint:OnDelete:CASCADE"`
}

// ActorSystem is the actor of entries written by background jobs.
const ActorSystem = "system"

// AddAudit stores an audit entry stamped with the store's clock.
func (s *Store) AddAudit(ctx context.Context, a *AuditEntry) error {
	a.CreatedAt = s.now().UTC()
	if err := s.db.WithContext(ctx).Create(a).Error; err != nil {
		return fmt.Errorf("record %s for event %d: %w", a.Action, a.EventID, err)
	}
	return nil
}

// AuditEntries lists an event's audit entries, newest first.
func (s *Store) AuditEntries(ctx context.Context, eventID uint) ([]AuditEntry, error) {
	var list []AuditEntry
	if err := s.db.WithContext(ctx).Where("event_id = ?", eventID).Order("created_at DESC, id DESC").Find(&list).Error; err != nil {
		return nil, fmt.Errorf("list audit entries of event %d: %w", eventID, err)
	}
	return list, nil
}
