package organizer

import (
	"archive/zip"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"retreat/handlers/web"
	"retreat/models"
	"retreat/models/media"
)

// registerExport adds the one-click download of everything.
func (h *Handler) registerExport(d *echo.Group) {
	d.GET("/events/:event/export.zip", h.exportZip)
}

// csvHeader names the columns of submissions.csv. taken_at (the photo's
// EXIF capture time) came last, so it is last: scripts reading the older
// columns by position keep working.
var csvHeader = []string{"submission_id", "prompt", "kind", "participant", "team", "caption", "text",
	"points", "bonus", "bonus_reason", "total", "late", "hidden", "starred", "submitted_at", "photo_file", "taken_at"}

// exportZip streams a zip of every original photo, named
// "prompt-title/participant-caption.ext", and submissions.csv with every
// answer and its points. It writes straight to the response and copies each
// photo from the store in small chunks, so memory stays flat whatever the
// size of the event; the CSV is spooled to a temporary file meanwhile and
// added last. Owners and organizers only: it holds everyone's originals.
func (h *Handler) exportZip(c echo.Context) error {
	ev, err := h.event(c)
	if err != nil {
		return err
	}
	if !ev.Role.CanEdit() {
		return forbidModerator("export the event")
	}
	spool, err := os.CreateTemp("", "retreat-export-*.csv")
	if err != nil {
		return fmt.Errorf("create export spool: %w", err)
	}
	defer func() {
		spool.Close()
		os.Remove(spool.Name())
	}()

	now := h.store.Now()
	resp := c.Response()
	resp.Header().Set(echo.HeaderContentType, "application/zip")
	resp.Header().Set(echo.HeaderContentDisposition, mime.FormatMediaType("attachment", map[string]string{"filename": exportFileName(&ev.Event, now)}))
	resp.Header().Set("Cache-Control", "no-store")
	resp.WriteHeader(http.StatusOK)

	if err := writeExport(c.Request().Context(), resp, spool, h.store, h.photos, ev.ID, now); err != nil {
		// The status is sent: the client sees a truncated zip, which no
		// unzip tool accepts, and the cause goes to the log.
		h.log.Error("export interrupted", "event", ev.ID, "err", err)
		return nil
	}
	return nil
}

// forbidModerator is the refusal for what only owners and organizers may do.
func forbidModerator(what string) error {
	return web.NewError(http.StatusForbidden, "Moderators can review answers, but only owners and organizers can "+what+".", nil)
}

// writeExport writes the export zip of the event to w, spooling the CSV
// through spool (an empty temporary file).
func writeExport(ctx context.Context, w io.Writer, spool io.ReadWriteSeeker, store *models.Store, photos media.Store, eventID uint, now time.Time) error {
	zw := zip.NewWriter(w)
	// Excel reads a CSV as UTF-8 only when it starts with a byte-order mark.
	if _, err := io.WriteString(spool, "\uFEFF"); err != nil {
		return err
	}
	cw := csv.NewWriter(spool)
	if err := cw.Write(csvHeader); err != nil {
		return err
	}
	names := newExportNames()
	err := store.ExportAnswers(ctx, eventID, func(p *models.Prompt, a *models.ExportAnswer) error {
		file := ""
		if a.HasPhoto() {
			name := names.photo(p, a)
			err := copyOriginal(ctx, zw, photos, a, name)
			switch {
			case errors.Is(err, media.ErrNotExist):
				file = "(missing)"
			case err != nil:
				return err
			default:
				file = name
			}
		}
		return cw.Write(csvRow(p, a, file))
	})
	if err != nil {
		return err
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write submissions.csv: %w", err)
	}
	if _, err := spool.Seek(0, io.SeekStart); err != nil {
		return err
	}
	f, err := zw.CreateHeader(&zip.FileHeader{Name: "submissions.csv", Method: zip.Deflate, Modified: now})
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, spool); err != nil {
		return fmt.Errorf("add submissions.csv: %w", err)
	}
	return zw.Close()
}

// copyOriginal adds one original photo to the zip, streamed from the store.
// Photos are already compressed, so they are stored as they are.
func copyOriginal(ctx context.Context, zw *zip.Writer, photos media.Store, a *models.ExportAnswer, name string) error {
	rc, err := photos.Open(ctx, models.OriginalFile(a.PhotoKey, a.PhotoFormat))
	if err != nil {
		return err
	}
	defer rc.Close()
	f, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Store, Modified: a.UpdatedAt})
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, rc); err != nil {
		return fmt.Errorf("add %s: %w", name, err)
	}
	return nil
}

func csvRow(p *models.Prompt, a *models.ExportAnswer, file string) []string {
	sc := models.ScoreOf(p, &a.Submission, nil)
	return []string{
		strconv.FormatUint(uint64(a.ID), 10),
		csvText(p.Title),
		string(p.Kind),
		csvText(a.ParticipantName),
		csvText(a.TeamName),
		csvText(a.Caption),
		csvText(a.Text),
		strconv.Itoa(sc.Base),
		strconv.Itoa(a.BonusPoints),
		csvText(a.BonusReason),
		strconv.Itoa(sc.Total),
		strconv.FormatBool(a.Late),
		strconv.FormatBool(a.Hidden),
		strconv.FormatBool(a.Starred),
		a.UpdatedAt.UTC().Format(time.RFC3339),
		file,
		takenAt(&a.Submission),
	}
}

// takenAt is a photo's capture time for the CSV, in UTC like submitted_at,
// or "" when its file recorded none.
func takenAt(s *models.Submission) string {
	if s.TakenAt == nil {
		return ""
	}
	return s.TakenAt.UTC().Format(time.RFC3339)
}

// csvText keeps a typed value from being read as a formula by a
// spreadsheet ("=HYPERLINK(…)" in a caption): such a cell gets a leading
// apostrophe, which spreadsheets show as text and do not display.
func csvText(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// exportFileName is "<event>-<date>.zip", safe for any file system.
func exportFileName(ev *models.Event, now time.Time) string {
	return safeName(ev.Name, 60, "event") + "-" + now.In(ev.Location()).Format("2006-01-02") + ".zip"
}
