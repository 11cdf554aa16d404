package models

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"retreat/models/media"
)

// PhotoSweepReport says what SweepOrphanPhotos removed.
type PhotoSweepReport struct {
	// Folders is how many unreferenced photo folders were removed, Files
	// how many files they held; Temp counts leftovers of interrupted writes.
	Folders, Files, Temp int
}

// modTimer is implemented by stores that can tell a file's age (DiskStore).
type modTimer interface {
	ModTime(ctx context.Context, key string) (time.Time, error)
}

// tempSweeper is implemented by stores that leave temp files behind when a
// process dies mid-write (DiskStore).
type tempSweeper interface {
	SweepTemp(ctx context.Context, cutoff time.Time) (int, error)
}

// SweepOrphanPhotos removes photo folders ("events/<event>/<photo>/") that no
// answer points at and whose newest file is older than minAge. Photos are
// saved files first, row last (StorePhotoAnswer), so a process killed in
// between leaves a folder nobody references: invisible, but using disk.
// minAge keeps the sweep away from a photo another instance is saving right
// now. Stores that cannot tell a file's age are left alone. Ages are taken
// against the store's clock.
//
// It runs at start, before the server takes requests, and then on the
// background jobs' schedule (models/jobs), so a crash followed by a quick
// restart leaves nothing behind for long.
func (s *Store) SweepOrphanPhotos(ctx context.Context, photos media.Store, minAge time.Duration) (PhotoSweepReport, error) {
	var rep PhotoSweepReport
	cutoff := s.now().Add(-minAge)
	if err := s.sweepOrphanFolders(ctx, photos, cutoff, &rep); err != nil {
		return rep, err
	}
	// Then what interrupted writes left: temp files, and the folders
	// emptied above or by DeletePhotoFolder.
	if ts, ok := photos.(tempSweeper); ok {
		n, err := ts.SweepTemp(ctx, cutoff)
		rep.Temp = n
		if err != nil {
			return rep, err
		}
	}
	return rep, nil
}

func (s *Store) sweepOrphanFolders(ctx context.Context, photos media.Store, cutoff time.Time, rep *PhotoSweepReport) error {
	ager, ok := photos.(modTimer)
	if !ok {
		return nil
	}
	// List first, then ask the database: a folder saved after the list
	// is not in it, and one listed but committed since is young.
	folders := map[string][]string{}
	var order []string
	err := photos.List(ctx, "events/", func(key string) error {
		parts := strings.SplitN(key, "/", 4)
		if len(parts) < 4 {
			return nil // not inside a photo folder
		}
		folder := strings.Join(parts[:3], "/")
		if _, seen := folders[folder]; !seen {
			order = append(order, folder)
		}
		folders[folder] = append(folders[folder], key)
		return nil
	})
	if err != nil {
		return fmt.Errorf("list photo folders: %w", err)
	}
	if len(folders) == 0 {
		return nil
	}
	var used []string
	if err := s.db.WithContext(ctx).Model(&Submission{}).Where("photo_key <> ''").Distinct().Pluck("photo_key", &used).Error; err != nil {
		return fmt.Errorf("list referenced photos: %w", err)
	}
	referenced := make(map[string]bool, len(used))
	for _, k := range used {
		referenced[k] = true
	}
	var errs []error
	for _, folder := range order {
		if referenced[folder] {
			continue
		}
		young := false
		for _, key := range folders[folder] {
			t, err := ager.ModTime(ctx, key)
			if err != nil || !t.Before(cutoff) {
				young = true
				break
			}
		}
		if young {
			continue
		}
		for _, key := range folders[folder] {
			if err := photos.Delete(ctx, key); err != nil {
				errs = append(errs, err)
				continue
			}
			rep.Files++
		}
		// The folder itself, now empty (a no-op for stores without folders).
		_ = photos.Delete(ctx, folder)
		rep.Folders++
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("remove orphan photos: %w", err)
	}
	return nil
}
