package models

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Reactions during the live reveal. Phones send emoji many times a second,
// so nothing here is per reaction: the reveal batches them in memory and
// adds each batch's counts to one row per (event, answer, emoji), which is
// what the "most reactions" award reads.

// ReactionCount is how many times an emoji was sent while a slide was on
// screen. SubmissionID is the answer on that slide, 0 for the other slides
// (cover, prompt titles, scores): those still count towards the event's
// total but belong to no answer.
type ReactionCount struct {
	ID           uint   `gorm:"primaryKey"`
	EventID      uint   `gorm:"not null;uniqueIndex:idx_reaction_count_key"`
	SubmissionID uint   `gorm:"not null;default:0;uniqueIndex:idx_reaction_count_key"`
	Emoji        string `gorm:"not null;size:16;uniqueIndex:idx_reaction_count_key"`
	Count        int64  `gorm:"not null;default:0"`

	Event Event `gorm:"constraint:OnDelete:CASCADE"`
}

// ReactionKey names one ReactionCount row.
type ReactionKey struct {
	EventID      uint
	SubmissionID uint
	Emoji        string
}

// AddReactions adds counts to the stored totals in one transaction: one
// flush of the reveal's batches, whatever the number of reactions in it.
// Rows are written in key order so two instances flushing at once take
// their row locks in the same order (no deadlock on PostgreSQL).
func (s *Store) AddReactions(ctx context.Context, counts map[ReactionKey]int64) error {
	if len(counts) == 0 {
		return nil
	}
	rows := make([]ReactionCount, 0, len(counts))
	for k, n := range counts {
		if n > 0 {
			rows = append(rows, ReactionCount{EventID: k.EventID, SubmissionID: k.SubmissionID, Emoji: k.Emoji, Count: n})
		}
	}
	slices.SortFunc(rows, func(a, b ReactionCount) int {
		return cmp.Or(cmp.Compare(a.EventID, b.EventID), cmp.Compare(a.SubmissionID, b.SubmissionID), cmp.Compare(a.Emoji, b.Emoji))
	})
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		for i := range rows {
			err := tx.Omit(clause.Associations).Clauses(clause.OnConflict{
				Columns:   []clause.Column{{Name: "event_id"}, {Name: "submission_id"}, {Name: "emoji"}},
				DoUpdates: clause.Assignments(map[string]any{"count": gorm.Expr("reaction_counts.count + excluded.count")}),
			}).Create(&rows[i]).Error
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("save %d reaction counts: %w", len(rows), err)
	}
	return nil
}

// ReactionTotals is how many reactions each answer of the event got while
// it was on screen (submission id → total over every emoji). Answers
// without any are absent; reactions to other slides are not included.
func (s *Store) ReactionTotals(ctx context.Context, eventID uint) (map[uint]int, error) {
	var rows []struct {
		SubmissionID uint
		Total        int64
	}
	err := s.db.WithContext(ctx).Model(&ReactionCount{}).
		Select("submission_id, SUM(count) AS total").
		Where("event_id = ? AND submission_id <> 0", eventID).
		Group("submission_id").Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("total reactions of event %d: %w", eventID, err)
	}
	totals := make(map[uint]int, len(rows))
	for _, r := range rows {
		totals[r.SubmissionID] = int(r.Total)
	}
	return totals, nil
}

// ReactionCounts lists the event's stored counts, per answer and emoji.
func (s *Store) ReactionCounts(ctx context.Context, eventID uint) ([]ReactionCount, error) {
	var rows []ReactionCount
	err := s.db.WithContext(ctx).Where("event_id = ?", eventID).Order("submission_id, emoji").Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("list reaction counts of event %d: %w", eventID, err)
	}
	return rows, nil
}
