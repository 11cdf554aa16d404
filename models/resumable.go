package models

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// Resumable uploads (tus) reserve space when they are created: the phone
// says how large the photo is (Upload-Length) and then sends it over as
// many requests as its connection needs. Without a bound, anyone joined
// could open a hundred 30 MB uploads in a second and keep them for a day.
// Each unfinished upload is a PendingUpload row, checked against
// UploadLimits when it is created, so that the limits hold across
// instances (the rows are in the shared database) and whether the parts
// are spooled on this machine's disk or kept in the bucket.

// UploadLimits bound unfinished resumable uploads.
type UploadLimits struct {
	// PerParticipant is how many unfinished uploads one participant may
	// have at once. A phone sends one photo at a time; a retry after a
	// lost connection carries on the same upload, so a few allow for a
	// second tab or a photo picked again.
	PerParticipant int
	// TotalBytes bounds the space all unfinished uploads together may
	// claim (the sum of their announced sizes).
	TotalBytes int64
	// StaleAfter is how long an unfinished upload may go without progress
	// before it stops counting, can no longer be continued, and is swept.
	StaleAfter time.Duration
}

// DefaultUploadLimits: 3 per participant, 4 GiB in all (about 136 uploads
// of the 30 MB cap at once, far beyond a company's phones sending at the
// same moment, and small next to the disk a server keeps photos on), and
// an hour without progress.
func DefaultUploadLimits() UploadLimits {
	return UploadLimits{PerParticipant: 3, TotalBytes: 4 << 30, StaleAfter: time.Hour}
}

func (l UploadLimits) withDefaults() UploadLimits {
	d := DefaultUploadLimits()
	if l.PerParticipant <= 0 {
		l.PerParticipant = d.PerParticipant
	}
	if l.TotalBytes <= 0 {
		l.TotalBytes = d.TotalBytes
	}
	if l.StaleAfter <= 0 {
		l.StaleAfter = d.StaleAfter
	}
	return l
}

// Sentinels of ReserveUpload.
var (
	// ErrTooManyUploads: the participant has PerParticipant unfinished
	// uploads already.
	ErrTooManyUploads = errors.New("too many unfinished uploads")
	// ErrUploadSpaceFull: the upload would take unfinished uploads past
	// TotalBytes.
	ErrUploadSpaceFull = errors.New("no room for more unfinished uploads")
)

// PendingUpload is a resumable upload created and not yet finished,
// terminated or swept.
type PendingUpload struct {
	// ID is the tus upload id.
	ID            string `gorm:"primaryKey;size:64"`
	ParticipantID uint   `gorm:"not null;index"`
	// Size is the announced Upload-Length.
	Size      int64 `gorm:"not null"`
	CreatedAt time.Time
	// ActiveAt is the last time the phone sent bytes (or created it).
	ActiveAt time.Time `gorm:"not null;index"`
}

// UploadLimits returns the limits ReserveUpload enforces.
func (s *Store) UploadLimits() UploadLimits { return s.uploads }

// staleBefore is the instant before which an upload without progress no
// longer counts.
func (s *Store) staleBefore() time.Time { return s.now().UTC().Add(-s.uploads.StaleAfter) }

// ReserveUpload records a new unfinished upload of size bytes for the
// participant, unless it would pass a limit (ErrTooManyUploads,
// ErrUploadSpaceFull). Uploads without progress for StaleAfter do not
// count.
func (s *Store) ReserveUpload(ctx context.Context, id string, participantID uint, size int64) error {
	now := s.now().UTC()
	stale := s.staleBefore()
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		// Count, then insert: one creation at a time across instances.
		if err := lockFor(tx, "pending-uploads"); err != nil {
			return err
		}
		var mine int64
		if err := tx.Model(&PendingUpload{}).Where("participant_id = ? AND active_at > ?", participantID, stale).
			Count(&mine).Error; err != nil {
			return err
		}
		if mine >= int64(s.uploads.PerParticipant) {
			return ErrTooManyUploads
		}
		var total int64
		if err := tx.Model(&PendingUpload{}).Where("active_at > ?", stale).
			Select("COALESCE(SUM(size), 0)").Scan(&total).Error; err != nil {
			return err
		}
		if total+size > s.uploads.TotalBytes {
			return ErrUploadSpaceFull
		}
		return tx.Create(&PendingUpload{ID: id, ParticipantID: participantID, Size: size, CreatedAt: now, ActiveAt: now}).Error
	})
	if err != nil {
		return fmt.Errorf("reserve upload for participant %d: %w", participantID, err)
	}
	return nil
}

// ActiveUpload returns the unfinished upload id, or ErrNotFound when it
// was never reserved, is finished, or went stale (it may not be continued:
// it no longer counts against the limits).
func (s *Store) ActiveUpload(ctx context.Context, id string) (*PendingUpload, error) {
	var up PendingUpload
	err := s.db.WithContext(ctx).Where("id = ? AND active_at > ?", id, s.staleBefore()).Take(&up).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("load upload %s: %w", id, err)
	}
	return &up, nil
}

// TouchUpload records progress on an unfinished upload.
func (s *Store) TouchUpload(ctx context.Context, id string) error {
	err := s.db.WithContext(ctx).Model(&PendingUpload{}).Where("id = ?", id).Update("active_at", s.now().UTC()).Error
	if err != nil {
		return fmt.Errorf("touch upload %s: %w", id, err)
	}
	return nil
}

// ReleaseUpload forgets an upload that finished or was terminated, so it
// stops counting.
func (s *Store) ReleaseUpload(ctx context.Context, id string) error {
	if err := s.db.WithContext(ctx).Where("id = ?", id).Delete(&PendingUpload{}).Error; err != nil {
		return fmt.Errorf("release upload %s: %w", id, err)
	}
	return nil
}

// StaleUploads lists unfinished uploads without progress for StaleAfter,
// for the sweep to remove.
func (s *Store) StaleUploads(ctx context.Context) ([]string, error) {
	var ids []string
	if err := s.db.WithContext(ctx).Model(&PendingUpload{}).Where("active_at <= ?", s.staleBefore()).
		Order("id").Pluck("id", &ids).Error; err != nil {
		return nil, fmt.Errorf("list stale uploads: %w", err)
	}
	return ids, nil
}

// PendingUploadsCreatedBefore lists unfinished uploads created before t,
// stale or not (the sweep of a local spool checks their files still exist).
func (s *Store) PendingUploadsCreatedBefore(ctx context.Context, t time.Time) ([]string, error) {
	var ids []string
	if err := s.db.WithContext(ctx).Model(&PendingUpload{}).Where("created_at < ?", t.UTC()).
		Order("id").Pluck("id", &ids).Error; err != nil {
		return nil, fmt.Errorf("list unfinished uploads: %w", err)
	}
	return ids, nil
}
