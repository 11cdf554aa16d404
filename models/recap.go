package models

import (
	"context"
	"fmt"
)

// SetRecapOpen opens the event's recap to its participants, or closes it
// again. Only this column is written: the settings form (UpdateEvent)
// never touches it, and this never touches the settings.
func (s *Store) SetRecapOpen(ctx context.Context, e *Event, open bool) error {
	if err := s.db.WithContext(ctx).Model(&Event{}).Where("id = ?", e.ID).Update("recap_open", open).Error; err != nil {
		return fmt.Errorf("set recap of event %d: %w", e.ID, err)
	}
	e.RecapOpen = open
	return nil
}
