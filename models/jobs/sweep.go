package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"retreat/models"
	"retreat/models/media"
)

// OrphanSweepLease is held by the instance that swept the photo store
// last. It is not released: it also spaces sweeps OrphanSweepEvery apart,
// whichever instance (or start) sweeps.
const OrphanSweepLease = "orphan-photo-sweep"

// OrphanSweepEvery is how often the photo store is swept for what crashes
// left half-stored. A sweep lists the whole store (a bucket's listing of
// every photo), so not every minute; an hour keeps an orphan's disk use
// short-lived after a crash and a quick restart.
const OrphanSweepEvery = time.Hour

// OrphanMinAge is how old an unreferenced photo folder must be before a
// sweep removes it: younger ones may be another instance's save in
// progress (files first, row last).
const OrphanMinAge = 10 * time.Minute

// receiptsKeptFor is how long upload receipts are kept: they only need to
// outlive a phone's retries.
const receiptsKeptFor = 7 * 24 * time.Hour

// sweepOrphansIfDue sweeps the photo store when no sweep ran for
// OrphanSweepEvery, on any instance.
func (r *Runner) sweepOrphansIfDue(ctx context.Context) error {
	// A holder of its own for each attempt: TakeLease renews a lease for
	// its holder, and this one must run out before the next sweep.
	holder := r.Holder + "/" + strconv.FormatInt(r.store.Now().UnixNano(), 36)
	ok, err := r.store.TakeLease(ctx, OrphanSweepLease, holder, OrphanSweepEvery)
	if err != nil || !ok {
		return err
	}
	return SweepOrphans(ctx, r.store, r.photos, r.log)
}

// SweepOrphans removes what crashes left in the photo store: folders
// written but never committed to the database, and temp files of
// interrupted writes; then upload receipts past their use. Orphans only
// use space, so the caller logs a failure and carries on.
func SweepOrphans(ctx context.Context, store *models.Store, photos media.Store, log *slog.Logger) error {
	rep, err := store.SweepOrphanPhotos(ctx, photos, OrphanMinAge)
	if rep.Folders > 0 || rep.Temp > 0 {
		log.Info("removed what an earlier run left half-stored", "photo_folders", rep.Folders, "files", rep.Files, "temp", rep.Temp)
	}
	if err != nil {
		return fmt.Errorf("sweep orphan photos: %w", err)
	}
	if _, err := store.PurgeUploadReceipts(ctx, store.Now().Add(-receiptsKeptFor)); err != nil {
		return err
	}
	return nil
}
