// Package jobs runs the app's periodic background work, scheduled nudges,
// photo retention and the hourly sweep of orphan photos, under a database
// lease, so that when several instances share one database exactly one of
// them does it at a time.
package jobs

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync/atomic"
	"time"

	"retreat/models"
	"retreat/models/media"
	"retreat/models/nudge"
)

// LeaseName is the lease the runner holds while it works.
const LeaseName = "background-jobs"

// Runner does one round of background work at a time.
type Runner struct {
	store  *models.Store
	nudges *nudge.Sender
	photos media.Store
	log    *slog.Logger
	// Holder names this instance in the lease table.
	Holder string
	// LeaseTTL is how long a taken lease lasts: an instance that dies
	// holding it stops blocking the others after that long.
	LeaseTTL time.Duration

	started atomic.Bool
	done    chan struct{}
}

// New returns a runner with a holder name unique to this process.
func New(store *models.Store, nudges *nudge.Sender, photos media.Store, log *slog.Logger) *Runner {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	host, _ := os.Hostname()
	var b [4]byte
	_, _ = rand.Read(b[:])
	holder := fmt.Sprintf("%s/%d/%s", host, os.Getpid(), hex.EncodeToString(b[:]))
	return &Runner{store: store, nudges: nudges, photos: photos, log: log, Holder: holder, LeaseTTL: 5 * time.Minute,
		done: make(chan struct{})}
}

// RunOnce takes (or renews) the lease and, if this runner has it, sends the
// scheduled nudges that are due, deletes photos past their retention and,
// once every OrphanSweepEvery, sweeps orphan photos.
// ran is false when another instance holds the lease.
func (r *Runner) RunOnce(ctx context.Context) (ran bool, err error) {
	ok, err := r.store.TakeLease(ctx, LeaseName, r.Holder, r.LeaseTTL)
	if err != nil || !ok {
		return false, err
	}
	var errs []error
	if _, err := r.nudges.SendDue(ctx); err != nil {
		errs = append(errs, fmt.Errorf("scheduled nudges: %w", err))
	}
	if _, err := r.store.PurgeExpiredPhotos(ctx, r.photos); err != nil {
		errs = append(errs, fmt.Errorf("retention: %w", err))
	}
	if err := r.sweepOrphansIfDue(ctx); err != nil {
		errs = append(errs, err)
	}
	return true, errors.Join(errs...)
}

// Run calls RunOnce every interval until ctx ends, then gives the lease up
// so another instance can carry on at once.
func (r *Runner) Run(ctx context.Context, interval time.Duration) {
	if !r.started.CompareAndSwap(false, true) {
		return // already running
	}
	defer close(r.done)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if _, err := r.RunOnce(ctx); err != nil && ctx.Err() == nil {
			r.log.Error("background jobs", "err", err)
		}
		select {
		case <-ctx.Done():
			rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			if err := r.store.ReleaseLease(rctx, LeaseName, r.Holder); err != nil {
				r.log.Warn("release background lease", "err", err)
			}
			cancel()
			return
		case <-t.C:
		}
	}
}

// Wait blocks until a started Run has returned (it gives the lease up on
// its way out, so the database must stay open until then), or timeout.
func (r *Runner) Wait(timeout time.Duration) {
	if !r.started.Load() {
		return
	}
	select {
	case <-r.done:
	case <-time.After(timeout):
	}
}
