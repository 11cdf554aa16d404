package models

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"

	"retreat/models/media"
)

// PhotoFile is the media key of one rendition inside a photo folder.
func PhotoFile(folder string, size media.Size) string {
	return folder + "/" + string(size) + ".jpg"
}

// OriginalFile is the media key of the original as uploaded.
func OriginalFile(folder, format string) string {
	return folder + "/original" + media.Ext(format)
}

// DeletePhotoFolder removes every file of a stored photo. It is used after
// the database no longer points at the folder, so a failure leaves only an
// orphan for the start-up sweep, never a broken submission.
func DeletePhotoFolder(ctx context.Context, photos media.Store, folder string) error {
	if folder == "" {
		return nil
	}
	var keys []string
	err := photos.List(ctx, folder+"/", func(key string) error {
		keys = append(keys, key)
		return nil
	})
	if err != nil {
		return fmt.Errorf("list photo folder %s: %w", folder, err)
	}
	var errs []error
	for _, k := range keys {
		if err := photos.Delete(ctx, k); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("delete photo folder %s: %w", folder, err)
	}
	// The folder itself, now empty (stores without folders: a no-op).
	_ = photos.Delete(ctx, folder)
	return nil
}

// StorePhotoAnswer writes a processed photo (its renditions and the original
// file at originalPath) to the media store under a new folder, then records
// it as the participant's answer. Files go first and the row last: if any
// step fails, the new files are removed and the earlier answer stays as it
// was. On success the replaced photo's files are removed.
func (s *Store) StorePhotoAnswer(ctx context.Context, photos media.Store, ev *Event, pr *Prompt, pa *Participant,
	caption, originalPath string, res *media.Result, opts ...AnswerOptions) (*Submission, error) {
	return s.storePhotoAnswer(ctx, photos, ev, pr, pa, caption, originalPath, res, nil, opts...)
}

// storePhotoAnswer is StorePhotoAnswer with the upload's receipt, if it
// carried an idempotency key (see idempotency.go).
func (s *Store) storePhotoAnswer(ctx context.Context, photos media.Store, ev *Event, pr *Prompt, pa *Participant,
	caption, originalPath string, res *media.Result, receipt *Receipt, opts ...AnswerOptions) (*Submission, error) {
	// Once we start writing, finish (or clean up) even if the phone hangs up.
	ctx = context.WithoutCancel(ctx)
	folder := NewPhotoKey(ev.ID)
	cleanup := func() {
		if err := DeletePhotoFolder(ctx, photos, folder); err != nil {
			s.logf("clean up after failed photo save: %v", err)
		}
	}
	for _, r := range res.Renditions {
		if err := photos.Put(ctx, PhotoFile(folder, r.Size), bytes.NewReader(r.Data)); err != nil {
			cleanup()
			return nil, fmt.Errorf("store %s rendition: %w", r.Size, err)
		}
	}
	f, err := os.Open(originalPath)
	if err != nil {
		cleanup()
		return nil, fmt.Errorf("open uploaded original: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		cleanup()
		return nil, fmt.Errorf("stat uploaded original: %w", err)
	}
	if err := photos.Put(ctx, OriginalFile(folder, res.Format), f); err != nil {
		cleanup()
		return nil, fmt.Errorf("store original: %w", err)
	}
	sub, old, err := s.SavePhotoAnswer(ctx, ev, pr, pa, caption, PhotoMeta{
		Key: folder, Format: res.Format, Width: res.Width, Height: res.Height,
		Bytes: st.Size(), TakenAt: res.TakenAt, TakenAtLocal: res.TakenAtLocal, Receipt: receipt,
		NotForLive: answerOptions(opts).NotForLive,
	})
	if err != nil {
		cleanup()
		return nil, err
	}
	if err := DeletePhotoFolder(ctx, photos, old); err != nil {
		s.logf("remove replaced photo: %v", err)
	}
	return sub, nil
}
