package models

import (
	"context"
	"fmt"

	"gorm.io/gorm"
)

// The show plan is what the organizer decides about the reveal's deck: how
// long the show should be (Event.ShowMinutes), and per prompt whether it is
// in the show, how many answers get a slide of their own and how many a
// mosaic screen holds (Prompt.ShowOut, ShowSpotlights, ShowTiles); per
// answer, whether it is kept out of the show (Submission.OutOfShow). How a
// deck is made from it is models/live's business (plan.go there).

// Limits of the show plan's settings.
const (
	DefaultShowMinutes = 20
	MinShowMinutes     = 3
	MaxShowMinutes     = 180
	// MaxSpotlights bounds a prompt's spotlights: a show of more single
	// slides than that per prompt is the one the plan is there to avoid.
	MaxSpotlights = 100
	// MinShowTiles and MaxShowTiles bound a mosaic screen: fewer is a
	// slideshow again, more is dots on a shared screen.
	MinShowTiles = 4
	MaxShowTiles = 400
)

// ShowLength is the event's planned reveal length in minutes.
func (e *Event) ShowLength() int {
	if e.ShowMinutes <= 0 {
		return DefaultShowMinutes
	}
	return e.ShowMinutes
}

// PromptShow is one prompt's part of the show plan.
type PromptShow struct {
	Out bool
	// Spotlights nil lets the plan pick.
	Spotlights *int
	// Tiles 0 lets the plan pick.
	Tiles int
}

// Validate reports what is wrong with the prompt's plan.
func (p *PromptShow) Validate() error {
	var v ValidationError
	if p.Spotlights != nil && (*p.Spotlights < 0 || *p.Spotlights > MaxSpotlights) {
		v.Add("spotlights", fmt.Sprintf("Spotlights are between 0 and %d (or leave it to the plan).", MaxSpotlights))
	}
	if p.Tiles != 0 && (p.Tiles < MinShowTiles || p.Tiles > MaxShowTiles) {
		v.Add("tiles", fmt.Sprintf("A mosaic screen holds between %d and %d answers (or leave it to the plan).", MinShowTiles, MaxShowTiles))
	}
	return v.Err()
}

// SaveShowPlan records the show's length and every listed prompt's part of
// the plan at once: all of it, or nothing when any of it is wrong (a prompt
// of another event is ErrNotFound).
func (s *Store) SaveShowPlan(ctx context.Context, eventID uint, minutes int, prompts map[uint]PromptShow) error {
	var v ValidationError
	if minutes < MinShowMinutes || minutes > MaxShowMinutes {
		v.Add("minutes", fmt.Sprintf("A show lasts between %d and %d minutes.", MinShowMinutes, MaxShowMinutes))
	}
	for id, p := range prompts {
		if err := p.Validate(); err != nil {
			for field, msg := range err.(*ValidationError).Fields {
				v.Add(fmt.Sprintf("%s_%d", field, id), msg)
			}
		}
	}
	if err := v.Err(); err != nil {
		return err
	}
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&Event{}).Where("id = ?", eventID).UpdateColumn("show_minutes", minutes)
		if res.Error != nil {
			return fmt.Errorf("save show plan of event %d: %w", eventID, res.Error)
		}
		if res.RowsAffected == 0 {
			return fmt.Errorf("save show plan of event %d: %w", eventID, ErrNotFound)
		}
		for id, p := range prompts {
			res := tx.Model(&Prompt{}).Where("id = ? AND event_id = ?", id, eventID).
				UpdateColumns(map[string]any{"show_out": p.Out, "show_spotlights": p.Spotlights, "show_tiles": p.Tiles})
			if res.Error != nil {
				return fmt.Errorf("plan prompt %d in the show: %w", id, res.Error)
			}
			if res.RowsAffected == 0 {
				return fmt.Errorf("plan prompt %d in the show: %w", id, ErrNotFound)
			}
		}
		return nil
	})
}

// SetOutOfShow keeps an answer out of the reveal (or puts it back) without
// hiding it: its points and its place in the gallery stay.
func (s *Store) SetOutOfShow(ctx context.Context, eventID, submissionID uint, out bool) (*Submission, error) {
	return s.moderate(ctx, eventID, submissionID, "keep out of the show", map[string]any{"out_of_show": out})
}

// migrateShowPlan adds the show plan's columns. A new install has them from
// the initial migration; the local types pin their definitions to this
// migration's day.
func migrateShowPlan(tx *gorm.DB) error {
	type event struct {
		ShowMinutes int `gorm:"not null;default:0"`
	}
	type prompt struct {
		ShowOut        bool `gorm:"not null;default:false"`
		ShowSpotlights *int
		ShowTiles      int `gorm:"not null;default:0"`
	}
	type submission struct {
		OutOfShow bool `gorm:"not null;default:false"`
	}
	for _, c := range []struct {
		model any
		field string
	}{{&event{}, "ShowMinutes"}, {&prompt{}, "ShowOut"}, {&prompt{}, "ShowSpotlights"}, {&prompt{}, "ShowTiles"}, {&submission{}, "OutOfShow"}} {
		if tx.Migrator().HasColumn(c.model, c.field) {
			continue
		}
		if err := tx.Migrator().AddColumn(c.model, c.field); err != nil {
			return fmt.Errorf("add show plan column %s: %w", c.field, err)
		}
	}
	return nil
}
