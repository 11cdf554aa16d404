package models

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Votes: during the live reveal each participant may pick a favourite
// answer in every prompt. One vote per person per prompt; voting again in
// the same prompt moves the vote. The totals decide the "most votes"
// awards (models/live/awards.go), after which voting is closed.

// Vote is one participant's favourite answer to one prompt.
type Vote struct {
	ID            uint `gorm:"primaryKey"`
	EventID       uint `gorm:"not null;index"`
	PromptID      uint `gorm:"not null;uniqueIndex:idx_vote_voter"`
	ParticipantID uint `gorm:"not null;uniqueIndex:idx_vote_voter;index"`
	SubmissionID  uint `gorm:"not null;index"`
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// Reasons a vote or a guess is refused. Handlers map them to messages.
var (
	// ErrOwnAnswer: nobody votes for, or guesses the author of, their own
	// answer (or their team's).
	ErrOwnAnswer = fmt.Errorf("own answer: %w", ErrNotAllowed)
	// ErrVotingClosed: the awards have been decided (or the reveal ended).
	ErrVotingClosed = errors.New("voting has closed")
)

// IsOwnAnswer reports whether sub is pa's answer, or pa's team's answer to
// a team prompt: theirs to be proud of, not to vote for or guess.
func (sub *Submission) IsOwnAnswer(pa *Participant) bool {
	if sub.ParticipantID == pa.ID {
		return true
	}
	// A team owns only a team prompt's answer; a teammate's own answer to
	// an individual prompt is fair game.
	return pa.TeamID != nil && sub.OwnerKey == fmt.Sprintf("t%d", *pa.TeamID)
}

// SaveVote records pa's vote for sub in sub's prompt, replacing any vote
// pa had in that prompt. The caller has checked that sub may be voted for
// now (shown in the reveal, voting open); this checks whose it is.
func (s *Store) SaveVote(ctx context.Context, pa *Participant, sub *Submission) (*Vote, error) {
	if sub.EventID != pa.EventID {
		return nil, fmt.Errorf("vote for answer %d: %w", sub.ID, ErrNotFound)
	}
	if sub.IsOwnAnswer(pa) {
		return nil, fmt.Errorf("vote for answer %d: %w", sub.ID, ErrOwnAnswer)
	}
	now := s.now().UTC()
	v := &Vote{EventID: pa.EventID, PromptID: sub.PromptID, ParticipantID: pa.ID, SubmissionID: sub.ID, CreatedAt: now, UpdatedAt: now}
	// One statement, so two taps racing on two instances end with one row
	// (the unique index) holding the later choice.
	err := s.db.WithContext(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "prompt_id"}, {Name: "participant_id"}},
		DoUpdates: clause.AssignmentColumns([]string{"submission_id", "updated_at"}),
	}).Create(v).Error
	if err != nil {
		return nil, fmt.Errorf("save vote of participant %d for answer %d: %w", pa.ID, sub.ID, err)
	}
	return v, nil
}

// ParticipantVotes maps each prompt pa voted in to the answer they chose.
func (s *Store) ParticipantVotes(ctx context.Context, participantID uint) (map[uint]uint, error) {
	var list []Vote
	if err := s.db.WithContext(ctx).Where("participant_id = ?", participantID).Find(&list).Error; err != nil {
		return nil, fmt.Errorf("list votes of participant %d: %w", participantID, err)
	}
	out := make(map[uint]uint, len(list))
	for _, v := range list {
		out[v.PromptID] = v.SubmissionID
	}
	return out, nil
}

// VoteTotals maps each answer of the event that has votes to how many.
func (s *Store) VoteTotals(ctx context.Context, eventID uint) (map[uint]int, error) {
	var rows []struct {
		SubmissionID uint
		N            int
	}
	err := s.db.WithContext(ctx).Model(&Vote{}).Select("submission_id, COUNT(*) AS n").
		Where("event_id = ?", eventID).Group("submission_id").Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("count votes of event %d: %w", eventID, err)
	}
	out := make(map[uint]int, len(rows))
	for _, r := range rows {
		out[r.SubmissionID] = r.N
	}
	return out, nil
}

// The tables as the migration "202611260002_votes_guesses" created them:
// frozen copies, so a later change to Vote or Guess goes in a migration of
// its own instead of silently changing what this one does. The parents are
// references by id only, for the foreign keys (deleting an event, answer,
// person or team deletes their votes and guesses).
type (
	migEventRef       struct{ ID uint }
	migPromptRef      struct{ ID uint }
	migParticipantRef struct{ ID uint }
	migSubmissionRef  struct{ ID uint }
	migTeamRef        struct{ ID uint }

	voteV1 struct {
		ID            uint `gorm:"primaryKey"`
		EventID       uint `gorm:"not null;index:idx_votes_event_id"`
		PromptID      uint `gorm:"not null;uniqueIndex:idx_vote_voter"`
		ParticipantID uint `gorm:"not null;uniqueIndex:idx_vote_voter;index:idx_votes_participant_id"`
		SubmissionID  uint `gorm:"not null;index:idx_votes_submission_id"`
		CreatedAt     time.Time
		UpdatedAt     time.Time

		Event       migEventRef       `gorm:"foreignKey:EventID;constraint:OnDelete:CASCADE"`
		Prompt      migPromptRef      `gorm:"foreignKey:PromptID;constraint:OnDelete:CASCADE"`
		Participant migParticipantRef `gorm:"foreignKey:ParticipantID;constraint:OnDelete:CASCADE"`
		Submission  migSubmissionRef  `gorm:"foreignKey:SubmissionID;constraint:OnDelete:CASCADE"`
	}

	guessV1 struct {
		ID                   uint  `gorm:"primaryKey"`
		EventID              uint  `gorm:"not null;index:idx_guesses_event_id"`
		SubmissionID         uint  `gorm:"not null;uniqueIndex:idx_guess_guesser"`
		ParticipantID        uint  `gorm:"not null;uniqueIndex:idx_guess_guesser;index:idx_guesses_participant_id"`
		GuessedParticipantID *uint `gorm:"index:idx_guesses_guessed_participant_id"`
		GuessedTeamID        *uint `gorm:"index:idx_guesses_guessed_team_id"`
		CreatedAt            time.Time
		UpdatedAt            time.Time

		Event              migEventRef        `gorm:"foreignKey:EventID;constraint:OnDelete:CASCADE"`
		Submission         migSubmissionRef   `gorm:"foreignKey:SubmissionID;constraint:OnDelete:CASCADE"`
		Participant        migParticipantRef  `gorm:"foreignKey:ParticipantID;constraint:OnDelete:CASCADE"`
		GuessedParticipant *migParticipantRef `gorm:"foreignKey:GuessedParticipantID;constraint:OnDelete:CASCADE"`
		GuessedTeam        *migTeamRef        `gorm:"foreignKey:GuessedTeamID;constraint:OnDelete:CASCADE"`
	}
)

func (migEventRef) TableName() string       { return "events" }
func (migPromptRef) TableName() string      { return "prompts" }
func (migParticipantRef) TableName() string { return "participants" }
func (migSubmissionRef) TableName() string  { return "submissions" }
func (migTeamRef) TableName() string        { return "teams" }
func (voteV1) TableName() string            { return "votes" }
func (guessV1) TableName() string           { return "guesses" }

// migrateVotesGuesses creates the votes and guesses tables. CreateTable,
// not AutoMigrate: AutoMigrate would also migrate the parents it finds.
func migrateVotesGuesses(tx *gorm.DB) error {
	return tx.Migrator().CreateTable(&voteV1{}, &guessV1{})
}
