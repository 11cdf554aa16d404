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

// SetShowMinutes records how long the reveal should last.
func (s *Store) SetShowMinutes(ctx context.Context, eventID uint, minutes int) error {
	if minutes < MinShowMinutes || minutes > MaxShowMinutes {
		var v ValidationError
		v.Add("minutes", fmt.Sprintf("A show lasts between %d and %d minutes.", MinShowMinutes, MaxShowMinutes))
		return v.Err()
	}
	res := s.db.WithContext(ctx).Model(&Event{}).Where("id = ?", eventID).UpdateColumn("show_minutes", minutes)
	if res.Error != nil {
		return fmt.Errorf("set show length of event %d: %w", eventID, res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("set show length of event %d: %w", eventID, ErrNotFound)
	}
	return nil
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

// SetPromptShow records a prompt's part of the show plan. A prompt of
// another event is ErrNotFound.
func (s *Store) SetPromptShow(ctx context.Context, eventID, promptID uint, plan PromptShow) error {
	if err := plan.Validate(); err != nil {
		return err
	}
	res := s.db.WithContext(ctx).Model(&Prompt{}).Where("id = ? AND event_id = ?", promptID, eventID).
		UpdateColumns(map[string]any{"show_out": plan.Out, "show_spotlights": plan.Spotlights, "show_tiles": plan.Tiles})
	if res.Error != nil {
		return fmt.Errorf("plan prompt %d in the show: %w", promptID, res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("plan prompt %d in the show: %w", promptID, ErrNotFound)
	}
	return nil
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
