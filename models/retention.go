package models

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"retreat/models/media"
)

// PhotosExpireAt is when the event's photos are deleted under its retention
// setting: RetentionDays whole days after it ends. ok is false when the
// event keeps its photos.
func (e *Event) PhotosExpireAt() (at time.Time, ok bool) {
	if e.RetentionDays <= 0 {
		return time.Time{}, false
	}
	return e.EndsAt.Add(time.Duration(e.RetentionDays) * 24 * time.Hour), true
}

// RetentionReport says what one retention pass deleted for one event.
type RetentionReport struct {
	EventID uint
	// Answers is how many photo answers (rows) were deleted; Files how
	// many stored files (originals and renditions) went with them.
	Answers int
	Files   int
}

// PurgeExpiredPhotos deletes the photos of every event whose retention
// period has passed: the photo answers' rows first, then their files (the
// order photo deletion always follows, so a failure leaves an orphan file
// (logged), never an answer without its photo). Text answers stay. Each deletion is
// logged at info and recorded as an audit entry; a second pass finds
// nothing left to do and records nothing.
func (s *Store) PurgeExpiredPhotos(ctx context.Context, photos media.Store) ([]RetentionReport, error) {
	now := s.now().UTC()
	var candidates []Event
	err := s.db.WithContext(ctx).Model(&Event{}).
		Where("retention_days > 0 AND ends_at <= ?", now).
		Where("EXISTS (SELECT 1 FROM submissions WHERE submissions.event_id = events.id AND submissions.photo_key <> '')").
		Order("id").Find(&candidates).Error
	if err != nil {
		return nil, fmt.Errorf("list events past retention: %w", err)
	}
	var reports []RetentionReport
	var errs []error
	for i := range candidates {
		ev := &candidates[i]
		if at, ok := ev.PhotosExpireAt(); !ok || now.Before(at) {
			continue
		}
		r, err := s.purgeEventPhotos(ctx, photos, ev)
		if err != nil {
			errs = append(errs, err)
		}
		if r.Answers > 0 {
			reports = append(reports, r)
		}
	}
	return reports, errors.Join(errs...)
}

// purgeBatch bounds how many photo answers one transaction deletes, so a
// large event neither holds the write lock long nor sends a huge IN list.
const purgeBatch = 500

func (s *Store) purgeEventPhotos(ctx context.Context, photos media.Store, ev *Event) (RetentionReport, error) {
	r := RetentionReport{EventID: ev.ID}
	var errs []error
	for {
		var folders []string
		deleted := 0
		err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			err := tx.Model(&Submission{}).Where("event_id = ? AND photo_key <> ''", ev.ID).
				Order("id").Limit(purgeBatch).Pluck("photo_key", &folders).Error
			if err != nil || len(folders) == 0 {
				return err
			}
			res := tx.Where("event_id = ? AND photo_key IN ?", ev.ID, folders).Delete(&Submission{})
			deleted = int(res.RowsAffected)
			return res.Error
		})
		if err != nil {
			errs = append(errs, fmt.Errorf("delete photo answers of event %d: %w", ev.ID, err))
			break
		}
		if deleted == 0 {
			break
		}
		r.Answers += deleted
		for _, folder := range folders {
			n, err := deleteFolderCounting(ctx, photos, folder)
			r.Files += n
			if err != nil {
				errs = append(errs, err)
			}
		}
		if err := ctx.Err(); err != nil {
			errs = append(errs, err)
			break
		}
	}
	if r.Answers == 0 {
		return r, errors.Join(errs...)
	}
	detail := fmt.Sprintf("Deleted %d photo %s (%d files) %d %s after the event ended, as its retention setting asks.",
		r.Answers, retentionNoun(r.Answers, "answer", "answers"), r.Files, ev.RetentionDays, retentionNoun(ev.RetentionDays, "day", "days"))
	if len(errs) > 0 {
		detail += fmt.Sprintf(" %d %s, see the server log.", len(errs), retentionNoun(len(errs), "error", "errors"))
	}
	s.log.Info("retention: deleted photos", "event", ev.ID, "answers", r.Answers, "files", r.Files,
		"retention_days", ev.RetentionDays, "errors", len(errs))
	if err := s.AddAudit(ctx, &AuditEntry{EventID: ev.ID, Actor: ActorSystem, Action: "retention.photos_deleted", Detail: detail}); err != nil {
		errs = append(errs, err)
	}
	return r, errors.Join(errs...)
}

func retentionNoun(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// deleteFolderCounting removes a photo folder's files and says how many
// were removed.
func deleteFolderCounting(ctx context.Context, photos media.Store, folder string) (int, error) {
	var keys []string
	if err := photos.List(ctx, folder+"/", func(key string) error {
		keys = append(keys, key)
		return nil
	}); err != nil {
		return 0, fmt.Errorf("list photo folder %s: %w", folder, err)
	}
	n := 0
	var errs []error
	for _, k := range keys {
		if err := photos.Delete(ctx, k); err != nil {
			errs = append(errs, err)
			continue
		}
		n++
	}
	if err := errors.Join(errs...); err != nil {
		return n, fmt.Errorf("delete photo folder %s: %w", folder, err)
	}
	return n, nil
}
