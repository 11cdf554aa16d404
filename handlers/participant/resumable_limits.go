package participant

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/labstack/echo/v4"
	tusd "github.com/tus/tusd/v2/pkg/handler"

	"retreat/handlers/web"
	"retreat/models"
)

// Unfinished resumable uploads are bounded (models.UploadLimits): a few per
// participant, a total of announced bytes, and an hour without progress
// before one stops counting and is swept. The upload's id is reserved
// before tusd creates it, so a refusal costs no file; tusd then creates
// the upload under that id (tusCreate).

// reserve checks the limits for a new upload authorised by
// authorizeNewUpload and reserves an id for it.
func (h *Handler) reserve(c echo.Context, owner uploadOwner) (string, error) {
	var b [16]byte
	_, _ = rand.Read(b[:])
	id := hex.EncodeToString(b[:]) // the shape validTusID accepts
	err := h.store.ReserveUpload(c.Request().Context(), id, owner.participantID, owner.size)
	lim := h.store.UploadLimits()
	switch {
	case errors.Is(err, models.ErrTooManyUploads):
		return "", web.NewError(http.StatusTooManyRequests, fmt.Sprintf(
			"You already have %d photos on their way. Wait for one to finish, then send this one (an upload that stopped is dropped after %s).",
			lim.PerParticipant, staleText(lim.StaleAfter)), err)
	case errors.Is(err, models.ErrUploadSpaceFull):
		// Not the participant's fault, and not a network problem either:
		// the phone shows the message instead of retrying (upload.js).
		c.Response().Header().Set("Retry-After", "300")
		return "", web.NewError(http.StatusInsufficientStorage,
			"The server has no room for more photos right now. Try again in a few minutes.", err)
	case err != nil:
		return "", err
	}
	return id, nil
}

func staleText(d time.Duration) string {
	if d%time.Hour == 0 {
		if d == time.Hour {
			return "an hour"
		}
		return fmt.Sprintf("%d hours", d/time.Hour)
	}
	return fmt.Sprintf("%d minutes", int(d.Minutes()))
}

// checkActive refuses requests about an upload that was never reserved, is
// finished, or went stale (it stopped counting against the limits, so it
// may not carry on), and records progress before a PATCH.
func (h *Handler) checkActive(c echo.Context, id string, owner uploadOwner) error {
	ctx := c.Request().Context()
	up, err := h.store.ActiveUpload(ctx, id)
	if errors.Is(err, models.ErrNotFound) || err == nil && up.ParticipantID != owner.participantID {
		return web.NewError(http.StatusNotFound, "This upload is gone. Send the photo again.", err)
	}
	if err != nil {
		return err
	}
	if c.Request().Method == http.MethodPatch {
		return h.store.TouchUpload(ctx, id)
	}
	return nil
}

// afterTus settles the reservation once tusd answered: a creation tusd
// refused gives its reservation back, a terminated upload stops counting,
// and a PATCH records its progress at the end too (a slow phone's PATCH
// can last many minutes).
func (h *Handler) afterTus(c echo.Context, id string) {
	if id == "" {
		return
	}
	ctx := context.WithoutCancel(c.Request().Context())
	status := c.Response().Status
	var err error
	switch c.Request().Method {
	case http.MethodPost:
		if status != http.StatusCreated {
			err = h.store.ReleaseUpload(ctx, id)
		}
	case http.MethodDelete:
		if status == http.StatusNoContent {
			err = h.store.ReleaseUpload(ctx, id)
		}
	case http.MethodPatch:
		err = h.store.TouchUpload(ctx, id)
	}
	if err != nil {
		h.log.Warn("settle resumable upload", "id", id, "err", err)
	}
}

// SweepAbandonedUploads removes unfinished uploads that made no progress
// for UploadLimits.StaleAfter, checking six times as often, until ctx ends.
func (h *Handler) SweepAbandonedUploads(ctx context.Context) {
	t := time.NewTicker(h.store.UploadLimits().StaleAfter / 6)
	defer t.Stop()
	for {
		if n, err := h.sweepUploads(ctx); err != nil {
			h.log.Warn("sweep abandoned uploads", "err", err)
		} else if n > 0 {
			h.log.Info("removed abandoned uploads", "uploads", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// leftoverAfter is how old a file of the upload folder must be to be swept
// by its age alone. Reservations decide when an upload is abandoned; this
// only catches what has none (an upload from before reservations, one
// whose removal failed). It is long because a file's age is not the
// upload's: the local store writes an upload's .info file only once.
const leftoverAfter = 24 * time.Hour

// sweepUploads removes stale uploads and their reservations, then
// leftover files, and returns how many uploads it removed.
func (h *Handler) sweepUploads(ctx context.Context) (int, error) {
	ids, err := h.store.StaleUploads(ctx)
	if err != nil {
		return 0, err
	}
	if h.shared == nil {
		// The local spool is this instance's alone and emptied at start:
		// a reservation whose upload is not in it is from before.
		gone, err := h.missingLocalUploads(ctx)
		if err != nil {
			return 0, err
		}
		ids = append(ids, gone...)
	}
	removed := 0
	var errs []error
	for _, id := range ids {
		up, err := h.tusStore.GetUpload(ctx, id)
		if err == nil {
			err = h.tusStore.AsTerminatableUpload(up).Terminate(ctx)
		}
		if err != nil && !errors.Is(err, tusd.ErrNotFound) {
			errs = append(errs, fmt.Errorf("remove upload %s: %w", id, err))
			continue
		}
		if err := h.store.ReleaseUpload(ctx, id); err != nil {
			errs = append(errs, err)
			continue
		}
		removed++
	}
	if _, err := h.sweepAbandoned(h.store.Now().Add(-leftoverAfter)); err != nil {
		errs = append(errs, err)
	}
	return removed, errors.Join(errs...)
}

// missingLocalUploads lists reservations older than a minute (younger ones
// may be waiting for tusd to create their files) whose upload is not in
// the local spool.
func (h *Handler) missingLocalUploads(ctx context.Context) ([]string, error) {
	ids, err := h.store.PendingUploadsCreatedBefore(ctx, h.store.Now().Add(-time.Minute))
	if err != nil {
		return nil, err
	}
	var gone []string
	for _, id := range ids {
		if _, err := os.Stat(filepath.Join(h.tusDir, id+".info")); errors.Is(err, fs.ErrNotExist) {
			gone = append(gone, id)
		}
	}
	return gone, nil
}

// sweepAbandoned removes files of the resumable upload folder last written
// before cutoff, returning how many it removed.
func (h *Handler) sweepAbandoned(cutoff time.Time) (int, error) {
	if h.shared != nil {
		return h.shared.sweep(context.Background(), cutoff)
	}
	entries, err := os.ReadDir(h.tusDir)
	if err != nil {
		return 0, fmt.Errorf("read upload folder: %w", err)
	}
	removed := 0
	var errs []error
	for _, e := range entries {
		info, err := e.Info()
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil || e.IsDir() || !info.ModTime().Before(cutoff) {
			continue
		}
		if err := os.Remove(filepath.Join(h.tusDir, e.Name())); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
			continue
		}
		removed++
	}
	return removed, errors.Join(errs...)
}
