package models

import (
	"context"
	"fmt"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// migrations are applied in order and recorded in the "migrations" table.
// Never edit one that has shipped: add a new one. The first migration builds
// the schema from the current types; later ones alter it explicitly, so a new
// install and an upgraded one end up with the same tables.
func migrations() []*gormigrate.Migration {
	return []*gormigrate.Migration{
		{
			ID: "202611250001_initial",
			Migrate: func(tx *gorm.DB) error {
				return tx.AutoMigrate(&Organizer{}, &Event{}, &EventOrganizer{}, &Team{}, &Prompt{}, &Participant{}, &Submission{}, &Invite{}, &Nudge{}, &Lease{}, &AuditEntry{}, &UploadReceipt{}, &LoginFailure{}, &RevealState{})
			},
		},
		{
			// Live reveal reactions, counted per answer and emoji (reaction.go).
			ID: "202611260001_reactions",
			Migrate: func(tx *gorm.DB) error {
				return tx.AutoMigrate(&ReactionCount{})
			},
		},
		{
			// Votes for favourites and guesses at authors during the live
			// reveal (vote.go, guess.go).
			ID:      "202611260002_votes_guesses",
			Migrate: migrateVotesGuesses,
		},
		{
			// The recap's switch (Event.RecapOpen). A new install already has
			// the column from the initial migration; the local type pins the
			// column's definition to this migration's day.
			ID: "202611260003_recap",
			Migrate: func(tx *gorm.DB) error {
				type event struct {
					RecapOpen bool `gorm:"not null;default:false"`
				}
				if tx.Migrator().HasColumn(&event{}, "RecapOpen") {
					return nil
				}
				return tx.Migrator().AddColumn(&event{}, "RecapOpen")
			},
		},
		{
			// Devices organizers have signed in on, which the sign-in
			// limits let through (device.go, loginlimit.go).
			ID:      "202612070001_known_devices",
			Migrate: migrateKnownDevices,
		},
		{
			// Unfinished resumable uploads, counted against their limits
			// (resumable.go).
			ID: "202612070002_pending_uploads",
			Migrate: func(tx *gorm.DB) error {
				return tx.AutoMigrate(&PendingUpload{})
			},
		},
		{
			// The show plan: the reveal's length, each prompt's spotlights
			// and mosaic, answers kept out of the show (showplan.go).
			ID:      "202612080001_show_plan",
			Migrate: migrateShowPlan,
		},
	}
}

func (s *Store) migrate(ctx context.Context) error {
	if s.IsPostgres() {
		return s.migratePostgres(ctx)
	}
	m := gormigrate.New(s.db.WithContext(ctx), gormigrate.DefaultOptions, migrations())
	if err := m.Migrate(); err != nil {
		return fmt.Errorf("migrate database: %w", err)
	}
	return nil
}
