package participant_test

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"retreat/handlers/handlertest"
	"retreat/models"
)

// tusRequest builds a tus protocol request as tus-js-client sends it.
func tusRequest(method, path string, body []byte, hdr map[string]string) *http.Request {
	req := httptest.NewRequest(method, path, bytes.NewReader(body))
	req.Header.Set("Tus-Resumable", "1.0.0")
	req.Header.Set("Accept", "application/json")
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	return req
}

func tusMetadata(kv ...string) string {
	var parts []string
	for i := 0; i+1 < len(kv); i += 2 {
		parts = append(parts, kv[i]+" "+base64.StdEncoding.EncodeToString([]byte(kv[i+1])))
	}
	return strings.Join(parts, ",")
}

// createUpload starts a resumable upload and returns its URL path.
func createUpload(t *testing.T, c *handlertest.Client, ev *models.Event, p *models.Prompt, size int, caption string) *httptest.ResponseRecorder {
	t.Helper()
	return c.Do(tusRequest(http.MethodPost, "/tus/", nil, map[string]string{
		"Upload-Length":   strconv.Itoa(size),
		"Upload-Metadata": tusMetadata("event", fmt.Sprint(ev.ID), "prompt", fmt.Sprint(p.ID), "caption", caption, "participant", "999"),
		"X-CSRF-Token":    c.CSRF(),
	}))
}

func TestResumableUploadContinuesWhereItStopped(t *testing.T) {
	app, ev, photo, _ := hunt(t)
	c := app.Client()
	c.Join(ev, "Bea")
	data, err := os.ReadFile(handlertest.PhotoPath(t, "progressive.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	rec := createUpload(t, c, ev, photo, len(data), "on the train")
	if rec.Code != http.StatusCreated {
		t.Fatalf("create: got %d %s", rec.Code, rec.Body.String())
	}
	loc := rec.Header().Get("Location")
	u := loc[strings.Index(loc, "/tus/"):]

	// The first half arrives, then the connection drops.
	half := len(data) / 2
	rec = c.Do(tusRequest(http.MethodPatch, u, data[:half], map[string]string{
		"Upload-Offset": "0", "Content-Type": "application/offset+octet-stream", "X-CSRF-Token": c.CSRF(),
	}))
	if rec.Code != http.StatusNoContent {
		t.Fatalf("first PATCH: got %d %s", rec.Code, rec.Body.String())
	}
	// Back online, the phone asks how much arrived...
	rec = c.Do(tusRequest(http.MethodHead, u, nil, nil))
	if rec.Code != http.StatusOK || rec.Header().Get("Upload-Offset") != strconv.Itoa(half) {
		t.Fatalf("HEAD: got %d offset %q, want %d", rec.Code, rec.Header().Get("Upload-Offset"), half)
	}
	// ...and nobody else can see or continue it.
	other := app.Client()
	other.Join(ev, "Cy")
	if rec := other.Do(tusRequest(http.MethodHead, u, nil, nil)); rec.Code != http.StatusNotFound {
		t.Errorf("HEAD by another participant: got %d, want 404", rec.Code)
	}
	if rec := other.Do(tusRequest(http.MethodPatch, u, data[half:], map[string]string{
		"Upload-Offset": strconv.Itoa(half), "Content-Type": "application/offset+octet-stream", "X-CSRF-Token": other.CSRF(),
	})); rec.Code != http.StatusNotFound {
		t.Errorf("PATCH by another participant: got %d, want 404", rec.Code)
	}
	// It sends only the rest, and the answer is stored on the last byte.
	rec = c.Do(tusRequest(http.MethodPatch, u, data[half:], map[string]string{
		"Upload-Offset": strconv.Itoa(half), "Content-Type": "application/offset+octet-stream", "X-CSRF-Token": c.CSRF(),
	}))
	if rec.Code != http.StatusOK {
		t.Fatalf("last PATCH: got %d %s", rec.Code, rec.Body.String())
	}
	body := handlertest.JSON(t, rec)
	if body["redirect"] != fmt.Sprintf("/e/%d", ev.ID) || !strings.Contains(body["thumb_url"].(string), "/thumb") {
		t.Errorf("last PATCH body = %v", body)
	}
	subs, _ := app.Store.EventSubmissions(t.Context(), ev.ID)
	if len(subs) != 1 || subs[0].Caption != "on the train" || subs[0].ParticipantName != "Bea" || subs[0].PhotoBytes != int64(len(data)) {
		t.Fatalf("submissions = %+v", subs)
	}
	if left := app.UploadFiles(); len(left) != 0 {
		t.Errorf("finished upload left spool files: %v", left)
	}
}

func TestResumableUploadRefusals(t *testing.T) {
	app, ev, photo, text := hunt(t)
	c := app.Client()
	c.Join(ev, "Bea")
	// Not joined: 404.
	stranger := app.Client()
	if rec := createUpload(t, stranger, ev, photo, 100, ""); rec.Code != http.StatusNotFound {
		t.Errorf("stranger create: got %d", rec.Code)
	}
	// A text prompt takes no photo.
	if rec := createUpload(t, c, ev, text, 100, ""); rec.Code != http.StatusUnprocessableEntity {
		t.Errorf("photo for text prompt: got %d", rec.Code)
	}
	// Over the byte cap, refused before a byte is sent.
	if rec := createUpload(t, c, ev, photo, 31<<20, ""); rec.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("too large: got %d %s", rec.Code, rec.Body.String())
	}
	// Not an image: refused with the pipeline's message once complete, and
	// nothing is kept.
	data, _ := os.ReadFile(handlertest.PhotoPath(t, "bad/notes-as.jpg"))
	rec := createUpload(t, c, ev, photo, len(data), "")
	u := rec.Header().Get("Location")
	u = u[strings.Index(u, "/tus/"):]
	rec = c.Do(tusRequest(http.MethodPatch, u, data, map[string]string{
		"Upload-Offset": "0", "Content-Type": "application/offset+octet-stream", "X-CSRF-Token": c.CSRF(),
	}))
	if rec.Code != http.StatusUnsupportedMediaType || !strings.Contains(handlertest.JSON(t, rec)["error"].(string), "photo") {
		t.Errorf("text file: got %d %s", rec.Code, rec.Body.String())
	}
	// A closed prompt refuses new uploads.
	app.Clock.Advance(96 * time.Hour)
	if rec := createUpload(t, c, ev, photo, 100, ""); rec.Code != http.StatusConflict {
		t.Errorf("closed prompt: got %d", rec.Code)
	}
	if subs, _ := app.Store.EventSubmissions(t.Context(), ev.ID); len(subs) != 0 {
		t.Errorf("refused uploads stored %d submissions", len(subs))
	}
	if left := app.UploadFiles(); len(left) != 0 {
		t.Errorf("refused uploads left spool files: %v", left)
	}
	if files := app.MediaFiles(); len(files) != 0 {
		t.Errorf("refused uploads left media files: %v", files)
	}
}

// Behind a load balancer without sticky sessions, each request of a
// resumable upload may reach another instance: the upload's parts live in
// the bucket and its lock in the database, so B carries on what A began,
// and the finished photo is stored once, with nothing left over.
func TestResumableUploadMovesBetweenInstances(t *testing.T) {
	a := handlertest.New(t, handlertest.Options{Scaled: true})
	b := handlertest.New(t, handlertest.Options{SameBackendAs: a})
	o := a.Organizer("ana@example.com", "Ana")
	ev := a.Event(o, "Spring hunt", "Europe/Lisbon")
	photo := a.Prompt(ev, models.KindPhoto, "A picture of you on a swing", nil, nil)
	onA := a.Client()
	onA.Join(ev, "Bea")
	onB := onA.On(b)
	data, err := os.ReadFile(handlertest.PhotoPath(t, "progressive.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	rec := createUpload(t, onA, ev, photo, len(data), "on the train")
	if rec.Code != http.StatusCreated {
		t.Fatalf("create on A: got %d %s", rec.Code, rec.Body.String())
	}
	loc := rec.Header().Get("Location")
	u := loc[strings.Index(loc, "/tus/"):]
	third := len(data) / 3
	if rec := onA.Do(tusRequest(http.MethodPatch, u, data[:third], map[string]string{
		"Upload-Offset": "0", "Content-Type": "application/offset+octet-stream", "X-CSRF-Token": onA.CSRF(),
	})); rec.Code != http.StatusNoContent {
		t.Fatalf("first PATCH on A: got %d %s", rec.Code, rec.Body.String())
	}
	// The phone comes back through B: it knows the upload and its offset.
	if rec := onB.Do(tusRequest(http.MethodHead, u, nil, nil)); rec.Code != http.StatusOK || rec.Header().Get("Upload-Offset") != strconv.Itoa(third) {
		t.Fatalf("HEAD on B: got %d offset %q, want %d", rec.Code, rec.Header().Get("Upload-Offset"), third)
	}
	// Nobody else may see it there either.
	other := b.Client()
	other.Join(ev, "Cy")
	if rec := other.Do(tusRequest(http.MethodHead, u, nil, nil)); rec.Code != http.StatusNotFound {
		t.Errorf("HEAD by another participant on B: got %d, want 404", rec.Code)
	}
	// A stale offset is refused, not appended.
	if rec := onB.Do(tusRequest(http.MethodPatch, u, data[:third], map[string]string{
		"Upload-Offset": "0", "Content-Type": "application/offset+octet-stream", "X-CSRF-Token": onB.CSRF(),
	})); rec.Code != http.StatusConflict {
		t.Errorf("PATCH at a stale offset: got %d, want 409", rec.Code)
	}
	if rec := onB.Do(tusRequest(http.MethodPatch, u, data[third:2*third], map[string]string{
		"Upload-Offset": strconv.Itoa(third), "Content-Type": "application/offset+octet-stream", "X-CSRF-Token": onB.CSRF(),
	})); rec.Code != http.StatusNoContent {
		t.Fatalf("second PATCH on B: got %d %s", rec.Code, rec.Body.String())
	}
	// The last part goes to A again, which finishes it.
	rec = onA.Do(tusRequest(http.MethodPatch, u, data[2*third:], map[string]string{
		"Upload-Offset": strconv.Itoa(2 * third), "Content-Type": "application/offset+octet-stream", "X-CSRF-Token": onA.CSRF(),
	}))
	if rec.Code != http.StatusOK {
		t.Fatalf("last PATCH on A: got %d %s", rec.Code, rec.Body.String())
	}
	subs, _ := b.Store.EventSubmissions(t.Context(), ev.ID)
	if len(subs) != 1 || subs[0].Caption != "on the train" || subs[0].PhotoBytes != int64(len(data)) {
		t.Fatalf("submissions = %+v", subs)
	}
	orig, err := b.ReadMedia(models.OriginalFile(subs[0].PhotoKey, subs[0].PhotoFormat))
	if err != nil || !bytes.Equal(orig, data) {
		t.Errorf("stored original: %d bytes (%v), want the %d sent", len(orig), err, len(data))
	}
	for _, key := range a.MediaFiles() {
		if strings.HasPrefix(key, "resumable/") {
			t.Errorf("finished upload left %s in the bucket", key)
		}
	}
	for _, app := range []*handlertest.App{a, b} {
		if left := app.UploadFiles(); len(left) != 0 {
			t.Errorf("spool files left: %v", left)
		}
	}
}

// Two PATCHes of one upload at once on two instances (a phone retrying
// while its first attempt still runs elsewhere) take turns on the
// upload's database lock: one is stored, the other refused, and the
// offset counts the bytes once.
func TestResumableUploadLockHoldsAcrossInstances(t *testing.T) {
	a := handlertest.New(t, handlertest.Options{Scaled: true})
	b := handlertest.New(t, handlertest.Options{SameBackendAs: a})
	o := a.Organizer("ana@example.com", "Ana")
	ev := a.Event(o, "Spring hunt", "Europe/Lisbon")
	photo := a.Prompt(ev, models.KindPhoto, "A picture of you on a swing", nil, nil)
	onA := a.Client()
	onA.Join(ev, "Bea")
	onB := onA.On(b)
	data, err := os.ReadFile(handlertest.PhotoPath(t, "progressive.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	rec := createUpload(t, onA, ev, photo, len(data), "twice")
	if rec.Code != http.StatusCreated {
		t.Fatalf("create: got %d", rec.Code)
	}
	loc := rec.Header().Get("Location")
	u := loc[strings.Index(loc, "/tus/"):]
	half := len(data) / 2
	codes := make(chan int, 2)
	for _, c := range []*handlertest.Client{onA, onB} {
		req := tusRequest(http.MethodPatch, u, data[:half], map[string]string{
			"Upload-Offset": "0", "Content-Type": "application/offset+octet-stream", "X-CSRF-Token": c.CSRF(),
		})
		go func() { codes <- c.Do(req).Code }()
	}
	got := []int{<-codes, <-codes}
	stored := 0
	for _, code := range got {
		switch code {
		case http.StatusNoContent:
			stored++
		case http.StatusConflict, http.StatusLocked: // waited, then found the offset moved; or gave up waiting
		default:
			t.Errorf("concurrent PATCH: got %d", code)
		}
	}
	if stored != 1 {
		t.Errorf("concurrent PATCHes: statuses %v, want exactly one stored", got)
	}
	if rec := onB.Do(tusRequest(http.MethodHead, u, nil, nil)); rec.Header().Get("Upload-Offset") != strconv.Itoa(half) {
		t.Errorf("offset after two concurrent PATCHes of %d bytes: %q, want %d", half, rec.Header().Get("Upload-Offset"), half)
	}
}
