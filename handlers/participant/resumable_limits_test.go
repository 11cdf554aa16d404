package participant_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"retreat/handlers/handlertest"
	"retreat/models"
)

// uploadPath is the path of the upload a creation answered with.
func uploadPath(t *testing.T, rec *httptest.ResponseRecorder) string {
	t.Helper()
	if rec.Code != http.StatusCreated {
		t.Fatalf("create: got %d %s", rec.Code, rec.Body.String())
	}
	loc := rec.Header().Get("Location")
	return loc[strings.Index(loc, "/tus/"):]
}

// refusedWith checks a refused creation: the status, and the message the
// phone shows (upload.js shows the JSON "error").
func refusedWith(t *testing.T, what string, rec *httptest.ResponseRecorder, status int, msg string) {
	t.Helper()
	if rec.Code != status {
		t.Fatalf("%s: got %d %s, want %d", what, rec.Code, rec.Body.String(), status)
	}
	if got, _ := handlertest.JSON(t, rec)["error"].(string); !strings.Contains(got, msg) {
		t.Errorf("%s: message %q, want it to say %q", what, got, msg)
	}
}

// pendingUploads lists the ids of resumable uploads with files, on this
// machine's spool or in the bucket.
func pendingUploads(app *handlertest.App) []string {
	var ids []string
	for _, f := range append(app.UploadFiles(), app.MediaFiles()...) {
		if rest, ok := strings.CutPrefix(f, "resumable/"); ok && len(rest) >= 32 && !slices.Contains(ids, rest[:32]) {
			ids = append(ids, rest[:32])
		}
	}
	return ids
}

func TestUnfinishedUploadsPerParticipantAreBounded(t *testing.T) {
	app, ev, photo, _ := hunt(t)
	bea := app.Client()
	bea.Join(ev, "Bea")
	data, err := os.ReadFile(handlertest.PhotoPath(t, "progressive.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	var open []string
	for range 3 {
		open = append(open, uploadPath(t, createUpload(t, bea, ev, photo, len(data), "")))
	}
	refusedWith(t, "Bea's 4th unfinished upload", createUpload(t, bea, ev, photo, len(data), ""),
		http.StatusTooManyRequests, "You already have 3 photos on their way")

	// Another participant is not held back by Bea's.
	cy := app.Client()
	cy.Join(ev, "Cy")
	uploadPath(t, createUpload(t, cy, ev, photo, len(data), ""))

	// Finishing one of Bea's frees its place.
	rec := bea.Do(tusRequest(http.MethodPatch, open[0], data, map[string]string{
		"Upload-Offset": "0", "Content-Type": "application/offset+octet-stream", "X-CSRF-Token": bea.CSRF(),
	}))
	if rec.Code != http.StatusOK {
		t.Fatalf("finishing PATCH: got %d %s", rec.Code, rec.Body.String())
	}
	open[0] = uploadPath(t, createUpload(t, bea, ev, photo, len(data), ""))
	refusedWith(t, "Bea's 4th again", createUpload(t, bea, ev, photo, len(data), ""),
		http.StatusTooManyRequests, "Wait for one to finish")

	// So does terminating one (tus DELETE).
	if rec := bea.Do(tusRequest(http.MethodDelete, open[1], nil, map[string]string{"X-CSRF-Token": bea.CSRF()})); rec.Code != http.StatusNoContent {
		t.Fatalf("DELETE: got %d %s", rec.Code, rec.Body.String())
	}
	uploadPath(t, createUpload(t, bea, ev, photo, len(data), ""))
}

func TestUnfinishedUploadsShareATotal(t *testing.T) {
	app := handlertest.New(t, handlertest.Options{Uploads: models.UploadLimits{TotalBytes: 1000}})
	o := app.Organizer("ana@example.com", "Ana")
	ev := app.Event(o, "Spring hunt", "Europe/Lisbon")
	photo := app.Prompt(ev, models.KindPhoto, "A swing", nil, nil)
	bea, cy := app.Client(), app.Client()
	bea.Join(ev, "Bea")
	cy.Join(ev, "Cy")

	first := uploadPath(t, createUpload(t, bea, ev, photo, 600, ""))
	refusedWith(t, "past the total", createUpload(t, cy, ev, photo, 401, ""),
		http.StatusInsufficientStorage, "no room for more photos right now")
	uploadPath(t, createUpload(t, cy, ev, photo, 400, "")) // exactly the total
	refusedWith(t, "at the total", createUpload(t, cy, ev, photo, 1, ""),
		http.StatusInsufficientStorage, "Try again in a few minutes")

	if rec := bea.Do(tusRequest(http.MethodDelete, first, nil, map[string]string{"X-CSRF-Token": bea.CSRF()})); rec.Code != http.StatusNoContent {
		t.Fatalf("DELETE: got %d %s", rec.Code, rec.Body.String())
	}
	uploadPath(t, createUpload(t, cy, ev, photo, 600, ""))
}

// An upload that made no progress for an hour stops counting at once, can
// no longer be continued, and the background sweep removes its files.
func TestStaleUploadsStopCountingAndAreSwept(t *testing.T) {
	app, ev, photo, _ := hunt(t)
	bea := app.Client()
	bea.Join(ev, "Bea")
	data, err := os.ReadFile(handlertest.PhotoPath(t, "progressive.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	var open []string
	for range 3 {
		open = append(open, uploadPath(t, createUpload(t, bea, ev, photo, len(data), "")))
	}
	// Half an hour later one carries on: progress keeps it.
	app.Clock.Advance(30 * time.Minute)
	half := len(data) / 2
	if rec := bea.Do(tusRequest(http.MethodPatch, open[0], data[:half], map[string]string{
		"Upload-Offset": "0", "Content-Type": "application/offset+octet-stream", "X-CSRF-Token": bea.CSRF(),
	})); rec.Code != http.StatusNoContent {
		t.Fatalf("PATCH: got %d %s", rec.Code, rec.Body.String())
	}
	app.Clock.Advance(31 * time.Minute)
	// The two idle for an hour no longer count...
	fresh := uploadPath(t, createUpload(t, bea, ev, photo, len(data), ""))
	uploadPath(t, createUpload(t, bea, ev, photo, len(data), ""))
	refusedWith(t, "with three in progress", createUpload(t, bea, ev, photo, len(data), ""),
		http.StatusTooManyRequests, "dropped after an hour")
	// ...and cannot be carried on.
	if rec := bea.Do(tusRequest(http.MethodHead, open[1], nil, nil)); rec.Code != http.StatusNotFound {
		t.Errorf("HEAD of a stale upload: got %d, want 404", rec.Code)
	}

	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() {
		defer close(done)
		app.Server.RunBackground(ctx) // sweeps once at start
	}()
	id := func(p string) string { return p[strings.LastIndexByte(p, '/')+1:] }
	// The sweep removes one upload after another (each a few requests to
	// the bucket when scaled out): wait for every stale one, not the first.
	stale := func() bool {
		left := pendingUploads(app)
		return slices.Contains(left, id(open[1])) || slices.Contains(left, id(open[2]))
	}
	deadline := time.Now().Add(20 * time.Second)
	for stale() && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	<-done
	left := pendingUploads(app)
	for _, p := range open[1:] {
		if slices.Contains(left, id(p)) {
			t.Errorf("stale upload %s was not swept: %v", id(p), left)
		}
	}
	for _, p := range []string{open[0], fresh} {
		if !slices.Contains(left, id(p)) {
			t.Errorf("upload %s in progress was swept: %v", id(p), left)
		}
	}
	// The one in progress finishes.
	rec := bea.Do(tusRequest(http.MethodPatch, open[0], data[half:], map[string]string{
		"Upload-Offset": strconv.Itoa(half), "Content-Type": "application/offset+octet-stream", "X-CSRF-Token": bea.CSRF(),
	}))
	if rec.Code != http.StatusOK {
		t.Fatalf("last PATCH: got %d %s", rec.Code, rec.Body.String())
	}
}
