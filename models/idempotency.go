package models

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"retreat/models/media"
)

// UploadReceipt remembers that an upload was stored, under the idempotency
// key its client sent with it. A phone that retries after a timeout sends
// the same key and the same bytes again; finding the receipt, the server
// answers as it did the first time instead of processing the photo again.
//
// The receipt is written in the same transaction as the answer it produced,
// so an answer the client was told about always has its receipt, and a
// receipt never points at an answer that was not saved.
type UploadReceipt struct {
	ID            uint   `gorm:"primaryKey"`
	ParticipantID uint   `gorm:"not null;uniqueIndex:idx_upload_receipt"`
	UploadKey     string `gorm:"not null;size:64;uniqueIndex:idx_upload_receipt"`
	PromptID      uint   `gorm:"not null"`
	SubmissionID  uint   `gorm:"not null"`
	// SHA256 (hex) of the original and the caption sent with it: the same
	// key with other bytes or another caption is a new answer, not a retry
	// (a page without scripts reuses its key if the participant picks
	// another photo after a failed attempt).
	SHA256    string `gorm:"not null;size:64"`
	Caption   string `gorm:"size:500"`
	CreatedAt time.Time

	Participant Participant `gorm:"constraint:OnDelete:CASCADE"`
}

// Receipt is what a client's upload says about itself: its idempotency key
// and the SHA-256 of the file it sent.
type Receipt struct {
	Key    string
	SHA256 string
}

// Upload keys are 16 to 64 characters of [A-Za-z0-9_-]: a UUID, a base64url
// random string. Anything else is ignored, never stored.
const (
	minUploadKey = 16
	maxUploadKey = 64
)

// ValidUploadKey reports whether s can be used as an idempotency key.
func ValidUploadKey(s string) bool {
	if len(s) < minUploadKey || len(s) > maxUploadKey {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// NewUploadKey returns a fresh key for an upload form (pages without
// scripts carry it in a hidden field).
func NewUploadKey() string { return newToken() }

// RepeatedUpload returns the answer an earlier upload with the same key,
// bytes and caption produced, or ErrNotFound when this upload is new. The
// answer returned is the current one for that prompt: if it has been
// replaced since, the retry of the older upload still must not undo that.
func (s *Store) RepeatedUpload(ctx context.Context, pa *Participant, caption string, r Receipt) (*Submission, error) {
	if !ValidUploadKey(r.Key) {
		return nil, fmt.Errorf("upload key: %w", ErrNotFound)
	}
	caption, err := validateCaption(caption)
	if err != nil {
		return nil, err
	}
	var rc UploadReceipt
	err = s.db.WithContext(ctx).Where("participant_id = ? AND upload_key = ?", pa.ID, r.Key).Take(&rc).Error
	if err != nil {
		return nil, notFound(err, "load upload receipt")
	}
	if rc.SHA256 != r.SHA256 || rc.Caption != caption {
		return nil, fmt.Errorf("upload key reused for other content: %w", ErrNotFound)
	}
	var sub Submission
	err = s.db.WithContext(ctx).Where("event_id = ?", pa.EventID).First(&sub, rc.SubmissionID).Error
	if err != nil {
		return nil, notFound(err, fmt.Sprintf("load submission %d of upload receipt", rc.SubmissionID))
	}
	return &sub, nil
}

// recordReceipt writes (or, for a key reused with other content, replaces)
// the receipt of sub inside the answer's transaction.
func recordReceipt(tx *gorm.DB, sub *Submission, caption string, r *Receipt) error {
	if r == nil || !ValidUploadKey(r.Key) {
		return nil
	}
	rc := UploadReceipt{ParticipantID: sub.ParticipantID, UploadKey: r.Key, PromptID: sub.PromptID,
		SubmissionID: sub.ID, SHA256: r.SHA256, Caption: caption}
	err := tx.Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "participant_id"}, {Name: "upload_key"}},
		DoUpdates: clause.AssignmentColumns([]string{"prompt_id", "submission_id", "sha256", "caption", "created_at"}),
	}).Create(&rc).Error
	if err != nil {
		return fmt.Errorf("record upload receipt: %w", err)
	}
	return nil
}

// StoreReceiptedPhotoAnswer is StorePhotoAnswer for an upload that carried
// an idempotency key: the receipt is committed with the answer.
func (s *Store) StoreReceiptedPhotoAnswer(ctx context.Context, photos media.Store, ev *Event, pr *Prompt, pa *Participant,
	caption, originalPath string, res *media.Result, r Receipt, opts ...AnswerOptions) (*Submission, error) {
	return s.storePhotoAnswer(ctx, photos, ev, pr, pa, caption, originalPath, res, &r, opts...)
}

// PurgeUploadReceipts removes receipts older than cutoff: a phone retries
// within minutes, not weeks.
func (s *Store) PurgeUploadReceipts(ctx context.Context, cutoff time.Time) (int64, error) {
	res := s.db.WithContext(ctx).Where("created_at < ?", cutoff).Delete(&UploadReceipt{})
	if res.Error != nil && !errors.Is(res.Error, gorm.ErrRecordNotFound) {
		return 0, fmt.Errorf("purge upload receipts: %w", res.Error)
	}
	return res.RowsAffected, nil
}
