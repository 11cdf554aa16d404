package main

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"time"

	"retreat/models"
	"retreat/models/jobs"
	"retreat/models/live"
	"retreat/models/media"
)

// The back ends one instance runs on: embedded (SQLite in the data
// folder, photos on its disk, live events within the process), or scaled
// out (PostgreSQL, S3-compatible object storage, live events through
// PostgreSQL LISTEN/NOTIFY) so that several instances can share the work.

// openPhotoStore opens the bucket when S3 is configured, else the photo
// folder in the data folder.
func openPhotoStore(ctx context.Context, cfg *config) (media.Store, error) {
	if cfg.S3.Enabled() {
		s, err := media.NewS3Store(ctx, cfg.S3)
		if err != nil {
			return nil, fmt.Errorf("open photo storage: %w", err)
		}
		return s, nil
	}
	return media.NewDiskStore(filepath.Join(cfg.DataDir, "media"))
}

// openHub returns the hub live events go through: one shared by every
// instance on PostgreSQL, nil (the router's in-process hub) on SQLite.
// The returned func closes it.
func openHub(ctx context.Context, cfg *config, store *models.Store, log *slog.Logger) (live.Hub, func(), error) {
	if !store.IsPostgres() {
		return nil, func() {}, nil
	}
	h, err := live.NewPostgresHub(ctx, store, cfg.DatabaseURL, log)
	if err != nil {
		return nil, nil, err
	}
	return h, h.Close, nil
}

// sweepLease is held by the instance sweeping a shared photo store.
const sweepLease = jobs.OrphanSweepLease

// sweepPhotos removes what crashes left half-stored. A folder on this
// machine's disk is swept before serving, as it always was. A shared
// bucket is swept in the background by one instance at a time, so a
// large bucket's listing never delays a start. Either way the background
// jobs sweep again every hour (jobs.OrphanSweepEvery).
func sweepPhotos(ctx context.Context, store *models.Store, photos media.Store, log *slog.Logger) {
	if _, shared := photos.(*media.S3Store); !shared {
		if err := jobs.SweepOrphans(ctx, store, photos, log); err != nil {
			log.Warn("sweep orphan photos", "err", err)
		}
		return
	}
	go func() {
		holder := fmt.Sprintf("sweep-%p-%d", store, time.Now().UnixNano())
		ok, err := store.TakeLease(ctx, sweepLease, holder, jobs.OrphanSweepEvery)
		if err != nil || !ok {
			return // another instance swept within the hour, or is sweeping
		}
		// The lease is not released: it also spaces sweeps an hour apart.
		if err := jobs.SweepOrphans(ctx, store, photos, log); err != nil {
			log.Warn("sweep orphan photos", "err", err)
		}
	}()
}

// sharedUploads reports whether resumable uploads must be readable by
// every instance: several may run once the database is PostgreSQL, and
// the bucket is where they all can reach an upload's parts.
func sharedUploads(store *models.Store, photos media.Store) bool {
	_, bucket := photos.(*media.S3Store)
	return store.IsPostgres() && bucket
}
