package models

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm/clause"
)

// Guesses: while an answer's author is still hidden on the live reveal,
// phones may guess whose it is (a person, or a team for a team prompt's
// answer). A guess can be changed until the presenter reveals the name;
// the reveal then shows how many guessed right, and the best guessers get
// an award.

// Guess is one participant's guess at who sent an answer: exactly one of
// GuessedParticipantID and GuessedTeamID is set.
type Guess struct {
	ID                   uint  `gorm:"primaryKey"`
	EventID              uint  `gorm:"not null;index"`
	SubmissionID         uint  `gorm:"not null;uniqueIndex:idx_guess_guesser"`
	ParticipantID        uint  `gorm:"not null;uniqueIndex:idx_guess_guesser;index"`
	GuessedParticipantID *uint `gorm:"index"`
	GuessedTeamID        *uint `gorm:"index"`
	CreatedAt            time.Time
	UpdatedAt            time.Time
}

// ErrGuessClosed: the answer's author has been revealed.
var ErrGuessClosed = errors.New("guessing on this answer has closed")

// GuessesTeam reports whether guesses at sub's author name a team (a team
// prompt's answer) rather than a person.
func (sub *Submission) GuessesTeam(p *Prompt) bool { return p.TeamPrompt && sub.TeamID != nil }

// SaveGuess records pa's guess that sub was sent by the participant
// personID, or by the team teamID for a team answer, replacing pa's earlier
// guess on sub. The guessed person or team must be of the event. The caller
// has checked that guessing on sub is open.
func (s *Store) SaveGuess(ctx context.Context, pa *Participant, sub *Submission, personID, teamID uint) (*Guess, error) {
	if sub.EventID != pa.EventID {
		return nil, fmt.Errorf("guess on answer %d: %w", sub.ID, ErrNotFound)
	}
	if sub.IsOwnAnswer(pa) {
		return nil, fmt.Errorf("guess on answer %d: %w", sub.ID, ErrOwnAnswer)
	}
	p, err := s.EventPrompt(ctx, sub.EventID, sub.PromptID)
	if err != nil {
		return nil, err
	}
	now := s.now().UTC()
	g := &Guess{EventID: pa.EventID, SubmissionID: sub.ID, ParticipantID: pa.ID, CreatedAt: now, UpdatedAt: now}
	if sub.GuessesTeam(p) {
		if teamID == 0 {
			return nil, &ValidationError{Fields: map[string]string{"team": "Pick the team you think sent it."}}
		}
		if _, err := s.EventTeam(ctx, pa.EventID, teamID); err != nil {
			if errors.Is(err, ErrNotFound) {
				return nil, &ValidationError{Fields: map[string]string{"team": "Pick a team from the list."}}
			}
			return nil, err
		}
		g.GuessedTeamID = &teamID
	} else {
		if personID == 0 {
			return nil, &ValidationError{Fields: map[string]string{"person": "Pick the person you think sent it."}}
		}
		if _, err := s.EventParticipant(ctx, pa.EventID, personID); err != nil {
			if errors.Is(err, ErrNotFound) {
				return nil, &ValidationError{Fields: map[string]string{"person": "Pick someone from the list."}}
			}
			return nil, err
		}
		g.GuessedParticipantID = &personID
	}
	err = s.db.WithContext(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "submission_id"}, {Name: "participant_id"}},
		DoUpdates: clause.AssignmentColumns([]string{"guessed_participant_id", "guessed_team_id", "updated_at"}),
	}).Create(g).Error
	if err != nil {
		return nil, fmt.Errorf("save guess of participant %d on answer %d: %w", pa.ID, sub.ID, err)
	}
	return g, nil
}

// ParticipantGuesses lists pa's guesses, by answer.
func (s *Store) ParticipantGuesses(ctx context.Context, participantID uint) (map[uint]Guess, error) {
	var list []Guess
	if err := s.db.WithContext(ctx).Where("participant_id = ?", participantID).Find(&list).Error; err != nil {
		return nil, fmt.Errorf("list guesses of participant %d: %w", participantID, err)
	}
	out := make(map[uint]Guess, len(list))
	for _, g := range list {
		out[g.SubmissionID] = g
	}
	return out, nil
}

// guessRight is SQL true for a guess g that names the author of answer s:
// the team for a team guess, the sender otherwise.
const guessRight = `(g.guessed_team_id IS NOT NULL AND g.guessed_team_id = s.team_id) OR
	(g.guessed_team_id IS NULL AND g.guessed_participant_id = s.participant_id)`

// GuessTally counts the guesses on an answer and the right ones.
func (s *Store) GuessTally(ctx context.Context, eventID, submissionID uint) (right, total int, err error) {
	var row struct{ Correct, Total int }
	err = s.db.WithContext(ctx).Table("guesses g").Joins("JOIN submissions s ON s.id = g.submission_id").
		Select("COALESCE(SUM(CASE WHEN "+guessRight+" THEN 1 ELSE 0 END), 0) AS correct, COUNT(*) AS total").
		Where("g.event_id = ? AND g.submission_id = ?", eventID, submissionID).Scan(&row).Error
	if err != nil {
		return 0, 0, fmt.Errorf("count guesses on answer %d: %w", submissionID, err)
	}
	return row.Correct, row.Total, nil
}

// GuessResults says, for each of the answers listed that participantID
// guessed on, whether the guess named its author. Callers list only answers
// whose authors are out: the result tells who sent it.
func (s *Store) GuessResults(ctx context.Context, participantID uint, submissionIDs []uint) (map[uint]bool, error) {
	out := map[uint]bool{}
	if len(submissionIDs) == 0 {
		return out, nil
	}
	var rows []struct {
		SubmissionID uint
		Correct      bool
	}
	err := s.db.WithContext(ctx).Table("guesses g").Joins("JOIN submissions s ON s.id = g.submission_id").
		Select("g.submission_id, CASE WHEN "+guessRight+" THEN TRUE ELSE FALSE END AS correct").
		Where("g.participant_id = ? AND g.submission_id IN ?", participantID, submissionIDs).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("read guess results of participant %d: %w", participantID, err)
	}
	for _, r := range rows {
		out[r.SubmissionID] = r.Correct
	}
	return out, nil
}

// GuessScore is how many authors one participant guessed right.
type GuessScore struct {
	ParticipantID uint
	Name          string
	TeamName      string
	Right         int
}

// GuessScores counts, for each participant with at least one right guess
// among the answers listed, how many they got right; best first, then by
// name. Only answers whose authors were revealed should be listed.
func (s *Store) GuessScores(ctx context.Context, eventID uint, submissionIDs []uint) ([]GuessScore, error) {
	if len(submissionIDs) == 0 {
		return nil, nil
	}
	var list []GuessScore
	err := s.db.WithContext(ctx).Table("guesses g").
		Joins("JOIN submissions s ON s.id = g.submission_id").
		Joins("JOIN participants pa ON pa.id = g.participant_id").
		Joins("LEFT JOIN teams t ON t.id = pa.team_id").
		Select("g.participant_id, pa.name, COALESCE(t.name, '') AS team_name, COUNT(*) AS \"right\"").
		Where("g.event_id = ? AND g.submission_id IN ?", eventID, submissionIDs).
		Where(guessRight).
		Group("g.participant_id, pa.name, pa.name_key, t.name").
		Order("COUNT(*) DESC, pa.name_key").
		Scan(&list).Error
	if err != nil {
		return nil, fmt.Errorf("count right guesses in event %d: %w", eventID, err)
	}
	return list, nil
}
