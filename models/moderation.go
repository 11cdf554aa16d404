package models

import (
	"context"
	"fmt"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
)

// Moderation of answers: hide, star, bonus points, delete, and the review
// queue. Every action also marks the answer reviewed. None of them touches
// UpdatedAt, which stays the time the participant last sent the answer, so
// "not yet reviewed" can mean: never reviewed, or replaced since.

// MaxBonusReason bounds the reason shown to the submitter with a bonus.
const MaxBonusReason = 200

// moderate applies changes to a submission of the event, marks it reviewed
// and returns it as stored. A submission of another event is ErrNotFound.
func (s *Store) moderate(ctx context.Context, eventID, submissionID uint, what string, changes map[string]any) (*Submission, error) {
	changes["reviewed_at"] = s.now().UTC()
	var sub Submission
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&Submission{}).Where("id = ? AND event_id = ?", submissionID, eventID).UpdateColumns(changes)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return gorm.ErrRecordNotFound
		}
		return tx.First(&sub, submissionID).Error
	})
	if err != nil {
		return nil, notFound(err, fmt.Sprintf("%s submission %d of event %d", what, submissionID, eventID))
	}
	return &sub, nil
}

// SetHidden hides an answer from every participant view and the reveal, or
// shows it again.
func (s *Store) SetHidden(ctx context.Context, eventID, submissionID uint, hidden bool) (*Submission, error) {
	return s.moderate(ctx, eventID, submissionID, "hide", map[string]any{"hidden": hidden})
}

// SetStarred stars an answer (a favourite for the reveal) or unstars it.
func (s *Store) SetStarred(ctx context.Context, eventID, submissionID uint, starred bool) (*Submission, error) {
	return s.moderate(ctx, eventID, submissionID, "star", map[string]any{"starred": starred})
}

// MarkReviewed records that an organizer looked at an answer and left it.
func (s *Store) MarkReviewed(ctx context.Context, eventID, submissionID uint) (*Submission, error) {
	return s.moderate(ctx, eventID, submissionID, "review", map[string]any{})
}

// Bonus is an award typed by an organizer.
type Bonus struct {
	Points int
	Reason string
}

// Validate normalises the award and reports what is wrong with it.
func (b *Bonus) Validate() error {
	var v ValidationError
	reason, ok := cleanName(b.Reason)
	b.Reason = reason
	if b.Points < -MaxBonus || b.Points > MaxBonus {
		v.Add("points", fmt.Sprintf("Bonus points must be between %d and %d.", -MaxBonus, MaxBonus))
	}
	switch {
	case !ok:
		v.Add("reason", "The reason has characters we can't show.")
	case utf8.RuneCountInString(reason) > MaxBonusReason:
		v.Add("reason", fmt.Sprintf("Keep the reason under %d characters.", MaxBonusReason))
	}
	return v.Err()
}

// AwardBonus sets an answer's bonus points and the reason its sender sees;
// it replaces any earlier bonus (pressing "3" twice gives 3, not 6), and 0
// removes it.
func (s *Store) AwardBonus(ctx context.Context, eventID, submissionID uint, b Bonus) (*Submission, error) {
	if err := b.Validate(); err != nil {
		return nil, err
	}
	changes := map[string]any{"bonus_points": b.Points, "bonus_reason": b.Reason, "awarded_at": s.now().UTC()}
	if b.Points == 0 {
		changes["bonus_reason"] = ""
		changes["awarded_at"] = nil
	}
	return s.moderate(ctx, eventID, submissionID, "award bonus to", changes)
}

// DeleteSubmission removes an answer of the event and returns its photo
// folder, which the caller removes once the row is gone.
func (s *Store) DeleteSubmission(ctx context.Context, eventID, submissionID uint) (photoKey string, err error) {
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var sub Submission
		// Locked, so a replacement committing meanwhile is the photo we return.
		if err := forUpdate(tx).Where("event_id = ?", eventID).First(&sub, submissionID).Error; err != nil {
			return err
		}
		photoKey = sub.PhotoKey
		return tx.Delete(&sub).Error
	})
	if err != nil {
		return "", notFound(err, fmt.Sprintf("delete submission %d of event %d", submissionID, eventID))
	}
	return photoKey, nil
}

// Reviewed reports whether an organizer acted on the answer since it was
// last sent.
func (sub *Submission) Reviewed() bool {
	return sub.ReviewedAt != nil && !sub.ReviewedAt.Before(sub.UpdatedAt)
}

// Review queue filters.
const (
	ReviewAll     = "all"
	ReviewPending = "todo"
	ReviewStarred = "starred"
	ReviewHidden  = "hidden"
)

// ReviewFilter picks the answers of the review queue.
type ReviewFilter struct {
	// State is one of the Review* constants ("" is all).
	State string
	// PromptID limits the queue to one prompt (0: every prompt).
	PromptID uint
	Limit    int
	Offset   int
}

// ReviewItem is an answer in the review queue with the names it needs.
type ReviewItem struct {
	Submission
	ParticipantName string
	TeamName        string
	PromptTitle     string
	PromptPoints    int
	PromptLate      int
	TeamPrompt      bool
}

// ScoringPrompt returns the part of the answer's prompt scoring needs.
func (it *ReviewItem) ScoringPrompt() *Prompt {
	return &Prompt{ID: it.PromptID, Title: it.PromptTitle, Points: it.PromptPoints, LatePercent: it.PromptLate, TeamPrompt: it.TeamPrompt}
}

// ReviewCounts are the sizes of the queue's filters.
type ReviewCounts struct {
	Total, Pending, Starred, Hidden int
}

func (s *Store) reviewQuery(ctx context.Context, eventID uint, f ReviewFilter) *gorm.DB {
	q := s.db.WithContext(ctx).Table("submissions s").
		Joins("JOIN participants pa ON pa.id = s.participant_id").
		Joins("JOIN prompts p ON p.id = s.prompt_id").
		Joins("LEFT JOIN teams t ON t.id = s.team_id").
		Where("s.event_id = ?", eventID)
	if f.PromptID != 0 {
		q = q.Where("s.prompt_id = ?", f.PromptID)
	}
	return q
}

// pendingSQL is the SQL form of !Reviewed().
const pendingSQL = "(s.reviewed_at IS NULL OR s.reviewed_at < s.updated_at)"

// ReviewQueue lists the event's answers for moderation, newest first.
func (s *Store) ReviewQueue(ctx context.Context, eventID uint, f ReviewFilter) ([]ReviewItem, error) {
	q := s.reviewQuery(ctx, eventID, f).
		Select("s.*, pa.name AS participant_name, COALESCE(t.name, '') AS team_name, p.title AS prompt_title, " +
			"p.points AS prompt_points, p.late_percent AS prompt_late, p.team_prompt AS team_prompt")
	switch f.State {
	case ReviewPending:
		q = q.Where(pendingSQL)
	case ReviewStarred:
		q = q.Where("s.starred")
	case ReviewHidden:
		q = q.Where("s.hidden")
	}
	if f.Limit > 0 {
		q = q.Limit(f.Limit).Offset(f.Offset)
	}
	var list []ReviewItem
	if err := q.Order("s.updated_at DESC, s.id DESC").Scan(&list).Error; err != nil {
		return nil, fmt.Errorf("review queue of event %d: %w", eventID, err)
	}
	return list, nil
}

// ReviewCounts counts the answers in each filter of the queue, for the
// prompt in f (or every prompt).
func (s *Store) ReviewCounts(ctx context.Context, eventID uint, f ReviewFilter) (ReviewCounts, error) {
	var c ReviewCounts
	err := s.reviewQuery(ctx, eventID, f).
		Select("COUNT(*) AS total, " +
			"COALESCE(SUM(CASE WHEN " + pendingSQL + " THEN 1 ELSE 0 END), 0) AS pending, " +
			"COALESCE(SUM(CASE WHEN s.starred THEN 1 ELSE 0 END), 0) AS starred, " +
			"COALESCE(SUM(CASE WHEN s.hidden THEN 1 ELSE 0 END), 0) AS hidden").
		Scan(&c).Error
	if err != nil {
		return c, fmt.Errorf("count review queue of event %d: %w", eventID, err)
	}
	return c, nil
}

// FeedItem is a new answer for the dashboard's live activity feed.
type FeedItem struct {
	ID              uint
	PromptID        uint
	ParticipantName string
	PromptTitle     string
	PhotoKey        string
	Caption         string
	Text            string
	Hidden          bool
	// Late and LatePercent: sent in the prompt's late window, earning that
	// share of the points.
	Late        bool
	LatePercent int
	CreatedAt   time.Time
}

// HasPhoto reports whether the answer is a photo.
func (it *FeedItem) HasPhoto() bool { return it.PhotoKey != "" }

// MaxFeedItems bounds one page of the activity feed.
const MaxFeedItems = 50

// FeedAfter lists the event's answers with an id above afterID (newer
// ones: ids only grow), newest first, at most limit (capped at
// MaxFeedItems). A replaced answer keeps its id, so the feed shows new
// answers, not replacements.
func (s *Store) FeedAfter(ctx context.Context, eventID, afterID uint, limit int) ([]FeedItem, error) {
	if limit <= 0 || limit > MaxFeedItems {
		limit = MaxFeedItems
	}
	var list []FeedItem
	err := s.db.WithContext(ctx).Table("submissions s").
		Select("s.id, s.prompt_id, pa.name AS participant_name, p.title AS prompt_title, s.photo_key, s.caption, s.text, s.hidden, s.late, p.late_percent, s.created_at").
		Joins("JOIN participants pa ON pa.id = s.participant_id").
		Joins("JOIN prompts p ON p.id = s.prompt_id").
		Where("s.event_id = ? AND s.id > ?", eventID, afterID).
		Order("s.id DESC").Limit(limit).
		Scan(&list).Error
	if err != nil {
		return nil, fmt.Errorf("activity feed of event %d: %w", eventID, err)
	}
	return list, nil
}

// GalleryFilter picks a page of the participants' gallery.
type GalleryFilter struct {
	PromptID uint // 0: every prompt
	BeforeID uint // 0: the newest
	Limit    int
}

// GalleryItem is a photo shown in the participants' gallery.
type GalleryItem struct {
	Submission
	ParticipantName string
	TeamName        string
	PromptTitle     string
}

// GalleryPhotos lists the event's photos that are not hidden, newest first,
// with an id below f.BeforeID when set. Callers still ask each item's
// MayParticipantSee, the one rule about who sees what.
func (s *Store) GalleryPhotos(ctx context.Context, eventID uint, f GalleryFilter) ([]GalleryItem, error) {
	q := s.db.WithContext(ctx).Table("submissions s").
		Select("s.*, pa.name AS participant_name, COALESCE(t.name, '') AS team_name, p.title AS prompt_title").
		Joins("JOIN participants pa ON pa.id = s.participant_id").
		Joins("JOIN prompts p ON p.id = s.prompt_id").
		Joins("LEFT JOIN teams t ON t.id = s.team_id").
		Where("s.event_id = ? AND NOT s.hidden AND s.photo_key <> ''", eventID)
	if f.PromptID != 0 {
		q = q.Where("s.prompt_id = ?", f.PromptID)
	}
	if f.BeforeID != 0 {
		q = q.Where("s.id < ?", f.BeforeID)
	}
	if f.Limit > 0 {
		q = q.Limit(f.Limit)
	}
	var list []GalleryItem
	if err := q.Order("s.id DESC").Scan(&list).Error; err != nil {
		return nil, fmt.Errorf("gallery of event %d: %w", eventID, err)
	}
	return list, nil
}
