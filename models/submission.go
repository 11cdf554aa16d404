package models

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Submission is a participant's answer to a prompt: a photo with a caption,
// or a text. There is at most one per participant and prompt; sending again
// replaces it while the prompt is open.
type Submission struct {
	ID       uint `gorm:"primaryKey"`
	EventID  uint `gorm:"not null;index"`
	PromptID uint `gorm:"not null;uniqueIndex:idx_submission_owner"`
	// OwnerKey is who the answer belongs to: "p<participant id>", or
	// "t<team id>" for a team prompt, so a team has one answer however many
	// of its members send one.
	OwnerKey string `gorm:"not null;size:24;uniqueIndex:idx_submission_owner"`
	// ParticipantID is who sent it (the last sender, for a team answer).
	ParticipantID uint   `gorm:"not null;index"`
	TeamID        *uint  `gorm:"index"`
	Caption       string `gorm:"size:500"`
	Text          string `gorm:"size:4000"`
	// PhotoKey is the media-store folder holding the original and renditions
	// ("events/7/3f9c…"); empty for text answers.
	PhotoKey    string `gorm:"size:120;index"`
	PhotoFormat string `gorm:"size:10"`
	PhotoWidth  int
	PhotoHeight int
	PhotoBytes  int64
	TakenAt     *time.Time
	// Late answers came in the grace window and earn the prompt's LatePercent.
	Late bool `gorm:"not null;default:false"`
	// NotForLive is the participant's wish to keep it out of the reveal.
	NotForLive bool `gorm:"not null;default:false"`
	// Moderation.
	Hidden  bool `gorm:"not null;default:false"`
	Starred bool `gorm:"not null;default:false"`
	// OutOfShow is the organizer's choice to keep the answer out of the
	// reveal: unlike Hidden, its points and its place in the gallery stay.
	OutOfShow   bool   `gorm:"not null;default:false"`
	BonusPoints int    `gorm:"not null;default:0"`
	BonusReason string `gorm:"size:200"`
	// AwardedAt is when the bonus was last set: a frozen leaderboard counts
	// a bonus only if it was awarded before the freeze (see score.go).
	AwardedAt *time.Time
	// ReviewedAt is the last moderation action; an answer replaced after it
	// is back in the "not yet reviewed" queue (see moderation.go).
	ReviewedAt *time.Time `gorm:"index"`
	CreatedAt  time.Time
	UpdatedAt  time.Time

	Event       Event       `gorm:"constraint:OnDelete:CASCADE"`
	Prompt      Prompt      `gorm:"constraint:OnDelete:CASCADE"`
	Participant Participant `gorm:"constraint:OnDelete:CASCADE"`
	Team        *Team       `gorm:"constraint:OnDelete:CASCADE"`
}

// ownerKey names whose answer to p a participant's submission is.
func ownerKey(p *Prompt, pa *Participant) (string, error) {
	if p.TeamPrompt {
		if pa.TeamID == nil {
			return "", &ValidationError{Fields: map[string]string{"team": "This is a team prompt: join a team first."}}
		}
		return fmt.Sprintf("t%d", *pa.TeamID), nil
	}
	return fmt.Sprintf("p%d", pa.ID), nil
}

// HasPhoto reports whether the answer is a photo.
func (s *Submission) HasPhoto() bool { return s.PhotoKey != "" }

// MaxCaptionLength and MaxTextLength bound what participants type.
const (
	MaxCaptionLength = 300
	MaxTextLength    = 2000
)

func validateCaption(caption string) (string, error) {
	caption = strings.TrimSpace(caption)
	if problem := TextProblem("The caption", caption, false); problem != "" {
		return "", &ValidationError{Fields: map[string]string{"caption": problem}}
	}
	if utf8.RuneCountInString(caption) > MaxCaptionLength {
		return "", &ValidationError{Fields: map[string]string{"caption": fmt.Sprintf("Keep the caption under %d characters.", MaxCaptionLength)}}
	}
	return caption, nil
}

// CheckAnswerable tells, before any upload work, whether the participant may
// answer the prompt now: right kind, open (or in its grace window), and on a
// team if it is a team prompt.
func (s *Store) CheckAnswerable(ev *Event, pr *Prompt, pa *Participant, kind PromptKind) error {
	if pr.Kind != kind {
		return &ValidationError{Fields: map[string]string{"kind": fmt.Sprintf("This prompt takes a %s answer.", pr.Kind)}}
	}
	if _, err := ownerKey(pr, pa); err != nil {
		return err
	}
	return pr.checkOpen(ev, pa.Location(), s.now())
}

// upsertAnswer writes sub as the participant's answer inside tx, re-checking
// the prompt is open at commit time, and returns the photo folder the answer
// replaced ("" if none).
func (s *Store) upsertAnswer(tx *gorm.DB, ev *Event, pr *Prompt, pa *Participant, sub *Submission) (oldPhotoKey string, err error) {
	now := s.now()
	if err := pr.checkOpen(ev, pa.Location(), now); err != nil {
		return "", err
	}
	sub.Late = pr.StateAt(ev, pa.Location(), now) == StateLate
	if sub.OwnerKey, err = ownerKey(pr, pa); err != nil {
		return "", err
	}
	sub.TeamID = pa.TeamID
	// Two saves for one owner at once (teammates, two instances) take
	// turns, so each sees the other's photo as the one it replaces and no
	// folder is left unreferenced.
	if err := lockFor(tx, fmt.Sprintf("answer:%d:%s", sub.PromptID, sub.OwnerKey)); err != nil {
		return "", err
	}
	var old Submission
	err = tx.Where("prompt_id = ? AND owner_key = ?", sub.PromptID, sub.OwnerKey).Take(&old).Error
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound):
	case err != nil:
		return "", err
	default:
		oldPhotoKey = old.PhotoKey
	}
	// The unique index on (prompt, owner) makes this an update when another
	// request raced us to the insert. Moderation state stays as it was.
	err = tx.Clauses(clause.OnConflict{
		Columns: []clause.Column{{Name: "prompt_id"}, {Name: "owner_key"}},
		DoUpdates: clause.AssignmentColumns([]string{
			"participant_id", "team_id", "caption", "text", "photo_key", "photo_format", "photo_width", "photo_height",
			"photo_bytes", "taken_at", "late", "not_for_live", "updated_at",
		}),
	}).Create(sub).Error
	if err != nil {
		return "", err
	}
	if err := tx.Where("prompt_id = ? AND owner_key = ?", sub.PromptID, sub.OwnerKey).Take(sub).Error; err != nil {
		return "", err
	}
	return oldPhotoKey, nil
}

// AnswerOptions are choices a participant sends with an answer. Sending
// again replaces them with the new ones (the form shows the current ones).
type AnswerOptions struct {
	// NotForLive keeps the answer out of the live reveal (see reveal.go).
	NotForLive bool
}

// answerOptions merges optional trailing options (none: the zero value).
func answerOptions(opts []AnswerOptions) AnswerOptions {
	var o AnswerOptions
	for _, x := range opts {
		o.NotForLive = o.NotForLive || x.NotForLive
	}
	return o
}

// SaveTextAnswer stores or replaces a text answer.
func (s *Store) SaveTextAnswer(ctx context.Context, ev *Event, pr *Prompt, pa *Participant, text string, opts ...AnswerOptions) (sub *Submission, oldPhotoKey string, err error) {
	if err := s.CheckAnswerable(ev, pr, pa, KindText); err != nil {
		return nil, "", err
	}
	text = strings.TrimSpace(text)
	problem := TextProblem("The answer", text, true)
	switch {
	case text == "":
		return nil, "", &ValidationError{Fields: map[string]string{"text": "Type your answer first."}}
	case problem != "":
		return nil, "", &ValidationError{Fields: map[string]string{"text": problem}}
	case utf8.RuneCountInString(text) > MaxTextLength:
		return nil, "", &ValidationError{Fields: map[string]string{"text": fmt.Sprintf("Keep the answer under %d characters.", MaxTextLength)}}
	}
	sub = &Submission{EventID: ev.ID, PromptID: pr.ID, ParticipantID: pa.ID, Text: text, NotForLive: answerOptions(opts).NotForLive}
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		oldPhotoKey, err = s.upsertAnswer(tx, ev, pr, pa, sub)
		return err
	})
	if err != nil {
		return nil, "", fmt.Errorf("save text answer to prompt %d: %w", pr.ID, err)
	}
	return sub, oldPhotoKey, nil
}

// PhotoMeta describes a photo already written to the media store.
type PhotoMeta struct {
	Key           string
	Format        string
	Width, Height int
	Bytes         int64
	TakenAt       time.Time
	// TakenAtLocal: TakenAt is the camera's wall clock without a zone
	// (see media.Result); it is read in the participant's time zone.
	TakenAtLocal bool
	// Receipt, when the upload carried an idempotency key, is recorded in
	// the answer's transaction (see idempotency.go).
	Receipt *Receipt
	// NotForLive keeps the photo out of the live reveal.
	NotForLive bool
}

// NewPhotoKey names a fresh media folder for a photo of the event. Photos
// are never overwritten in place: a replacement gets a new folder and the old
// one is deleted after the database points at the new one.
func NewPhotoKey(eventID uint) string {
	return fmt.Sprintf("events/%d/%s", eventID, newPhotoID())
}

// SavePhotoAnswer records a stored photo as the participant's answer,
// replacing any earlier one, and returns the folder it replaced.
func (s *Store) SavePhotoAnswer(ctx context.Context, ev *Event, pr *Prompt, pa *Participant, caption string, photo PhotoMeta) (sub *Submission, oldPhotoKey string, err error) {
	if err := s.CheckAnswerable(ev, pr, pa, KindPhoto); err != nil {
		return nil, "", err
	}
	caption, err = validateCaption(caption)
	if err != nil {
		return nil, "", err
	}
	sub = &Submission{
		EventID: ev.ID, PromptID: pr.ID, ParticipantID: pa.ID, Caption: caption,
		PhotoKey: photo.Key, PhotoFormat: photo.Format,
		PhotoWidth: photo.Width, PhotoHeight: photo.Height, PhotoBytes: photo.Bytes,
		NotForLive: photo.NotForLive,
	}
	if !photo.TakenAt.IsZero() {
		t := photo.TakenAt.UTC()
		if photo.TakenAtLocal {
			// The phone's clock was in its owner's zone, the one their
			// browser reported (and they can correct on their page).
			t = time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), 0, pa.Location()).UTC()
		}
		sub.TakenAt = &t
	}
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		if oldPhotoKey, err = s.upsertAnswer(tx, ev, pr, pa, sub); err != nil {
			return err
		}
		return recordReceipt(tx, sub, caption, photo.Receipt)
	})
	if err != nil {
		return nil, "", fmt.Errorf("save photo answer to prompt %d: %w", pr.ID, err)
	}
	return sub, oldPhotoKey, nil
}

// ValidateCaption is exported so handlers can refuse a bad caption before
// spending time on the photo.
func ValidateCaption(caption string) error {
	_, err := validateCaption(caption)
	return err
}

// ParticipantSubmissions returns the answers that count for the participant,
// keyed by prompt id: their own, and their current team's answers to team
// prompts (whichever teammate sent them).
func (s *Store) ParticipantSubmissions(ctx context.Context, participantID uint) (map[uint]Submission, error) {
	var list []Submission
	err := s.db.WithContext(ctx).
		Where("owner_key = ? OR owner_key = (SELECT 't' || team_id FROM participants WHERE id = ? AND team_id IS NOT NULL)",
			fmt.Sprintf("p%d", participantID), participantID).
		Find(&list).Error
	if err != nil {
		return nil, fmt.Errorf("list submissions of participant %d: %w", participantID, err)
	}
	m := make(map[uint]Submission, len(list))
	for _, sub := range list {
		m[sub.PromptID] = sub
	}
	return m, nil
}

// SubmissionWithName is a submission with its author's display name.
type SubmissionWithName struct {
	Submission
	ParticipantName string
}

// EventSubmissions lists every submission of an event with author names,
// grouped by prompt order, newest first within a prompt.
func (s *Store) EventSubmissions(ctx context.Context, eventID uint) ([]SubmissionWithName, error) {
	var list []SubmissionWithName
	err := s.db.WithContext(ctx).Model(&Submission{}).
		Select("submissions.*, participants.name AS participant_name").
		Joins("JOIN participants ON participants.id = submissions.participant_id").
		Joins("JOIN prompts ON prompts.id = submissions.prompt_id").
		Where("submissions.event_id = ?", eventID).
		Order("prompts.position, prompts.id, submissions.updated_at DESC").
		Find(&list).Error
	if err != nil {
		return nil, fmt.Errorf("list submissions of event %d: %w", eventID, err)
	}
	return list, nil
}

// EventSubmission loads a submission of the event; one of another event is
// ErrNotFound.
func (s *Store) EventSubmission(ctx context.Context, eventID, submissionID uint) (*Submission, error) {
	var sub Submission
	if err := s.db.WithContext(ctx).Where("event_id = ?", eventID).First(&sub, submissionID).Error; err != nil {
		return nil, notFound(err, fmt.Sprintf("load submission %d of event %d", submissionID, eventID))
	}
	return &sub, nil
}

// MayParticipantSee says whether a participant may see a submission: their
// own always; others' only when the organizer opened the gallery (or the
// recap, for answers the reveal could show) and the submission is not
// hidden. It is the one rule every participant view
// (photo URLs, the gallery) asks.
//
// A hidden answer stays visible to its sender, marked "hidden by the
// organizer" and scoring nothing: if it vanished for them too, they would
// think the upload failed and send it again, or be left wondering.
func (sub *Submission) MayParticipantSee(ev *Event, viewer *Participant) bool {
	if sub.EventID != ev.ID || viewer.EventID != ev.ID {
		return false
	}
	if sub.ParticipantID == viewer.ID {
		return true
	}
	// A team answer is the whole team's, whoever sent it last.
	if viewer.TeamID != nil && sub.OwnerKey == fmt.Sprintf("t%d", *viewer.TeamID) {
		return true
	}
	if sub.Hidden {
		return false
	}
	// The recap shows what the reveal could show: not what its sender kept
	// out of the live call (unless the gallery shows everything anyway).
	return ev.GalleryOpen || ev.RecapOpen && !sub.NotForLive
}
