package models

import (
	"context"
	"fmt"

	"gorm.io/gorm"
)

// Direction moves a prompt one place in the event's list.
type Direction int

// Directions: Up moves a prompt earlier in the list, Down later.
const (
	Up   Direction = -1
	Down Direction = 1
)

// MovePrompt moves a prompt of the event one place up or down. Moving the
// first prompt up or the last one down leaves the order as it is.
func (s *Store) MovePrompt(ctx context.Context, ev *Event, promptID uint, dir Direction) error {
	if dir != Up && dir != Down {
		return fmt.Errorf("move prompt %d: direction %d: %w", promptID, dir, ErrNotAllowed)
	}
	return s.reorderPrompts(ctx, ev, promptID, func(from, n int) int { return from + int(dir) })
}

// MovePromptTo moves a prompt of the event to index (0 is the first place),
// as a drag and drop does; an index past either end means that end.
func (s *Store) MovePromptTo(ctx context.Context, ev *Event, promptID uint, index int) error {
	return s.reorderPrompts(ctx, ev, promptID, func(from, n int) int { return index })
}

// reorderPrompts moves promptID to the index target returns and renumbers
// every prompt of the event 0..n-1, in one transaction so two organizers
// reordering at once cannot leave duplicate positions behind.
func (s *Store) reorderPrompts(ctx context.Context, ev *Event, promptID uint, target func(from, n int) int) error {
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var list []Prompt
		if err := tx.Select("id", "position").Where("event_id = ?", ev.ID).Order("position, id").Find(&list).Error; err != nil {
			return err
		}
		from := -1
		for i, p := range list {
			if p.ID == promptID {
				from = i
			}
		}
		if from < 0 {
			return ErrNotFound
		}
		to := min(max(target(from, len(list)), 0), len(list)-1)
		moved := list[from]
		list = append(list[:from], list[from+1:]...)
		list = append(list[:to], append([]Prompt{moved}, list[to:]...)...)
		for i, p := range list {
			if p.Position == i {
				continue
			}
			if err := tx.Model(&Prompt{}).Where("id = ?", p.ID).Update("position", i).Error; err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("move prompt %d of event %d: %w", promptID, ev.ID, err)
	}
	return nil
}
