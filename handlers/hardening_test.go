package handlers_test

// Hardening: what OWASP's file-upload and session cheat sheets ask for,
// checked through the real router.

import (
	"bytes"
	"crypto/tls"
	"fmt"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"retreat/handlers/handlertest"
	"retreat/handlers/web"
	"retreat/models"
	"retreat/models/media"
)

// hardWorld is an event A with a photo prompt, two participants of A
// (Bea, Cy) and one of another event B (Dee).
type hardWorld struct {
	app          *handlertest.App
	evA, evB     *models.Event
	photo        *models.Prompt
	bea, cy, dee *handlertest.Client
}

func newHardWorld(t *testing.T, opts ...handlertest.Options) *hardWorld {
	t.Helper()
	app := handlertest.New(t, opts...)
	o := app.Organizer("ana@example.com", "Ana")
	w := &hardWorld{app: app, evA: app.Event(o, "A", "UTC"), evB: app.Event(o, "B", "UTC")}
	w.photo = app.Prompt(w.evA, models.KindPhoto, "Desk", nil, nil)
	app.Prompt(w.evB, models.KindPhoto, "Desk", nil, nil)
	w.bea, w.cy, w.dee = app.Client(), app.Client(), app.Client()
	w.bea.Join(w.evA, "Bea")
	w.cy.Join(w.evA, "Cy")
	w.dee.Join(w.evB, "Dee")
	return w
}

// answerOf returns a participant's answer to the photo prompt.
func (w *hardWorld) answers(t *testing.T) []models.SubmissionWithName {
	t.Helper()
	subs, err := w.app.Store.EventSubmissions(t.Context(), w.evA.ID)
	if err != nil {
		t.Fatal(err)
	}
	return subs
}

func TestPhotoURLsAreAuthorisedNotJustUnguessable(t *testing.T) {
	w := newHardWorld(t)
	if rec := w.bea.Upload(handlertest.AnswerPath(w.evA, w.photo), "", handlertest.PhotoPath(t, "orient-1.jpg")); rec.Code != http.StatusSeeOther {
		t.Fatalf("upload: %d", rec.Code)
	}
	sub := w.answers(t)[0]
	thumb := fmt.Sprintf("/e/%d/photos/%d/thumb", w.evA.ID, sub.ID)
	// Through event B's URL, a participant of B asks for A's photo id.
	viaB := fmt.Sprintf("/e/%d/photos/%d/thumb", w.evB.ID, sub.ID)
	check := func(when string, c *handlertest.Client, path string, want int) {
		t.Helper()
		if rec := c.Get(path); rec.Code != want {
			t.Errorf("%s: GET %s = %d, want %d", when, path, rec.Code, want)
		}
	}
	check("gallery closed, owner", w.bea, thumb, http.StatusOK)
	check("gallery closed, other participant of A", w.cy, thumb, http.StatusNotFound)
	check("participant of B", w.dee, thumb, http.StatusNotFound)
	check("participant of B through B's URL", w.dee, viaB, http.StatusNotFound)
	check("nobody", w.app.Client(), thumb, http.StatusNotFound)

	if err := w.app.Store.DB().Model(&models.Event{}).Where("id = ?", w.evA.ID).Update("gallery_open", true).Error; err != nil {
		t.Fatal(err)
	}
	check("gallery open, other participant of A", w.cy, thumb, http.StatusOK)
	check("gallery open, participant of B", w.dee, thumb, http.StatusNotFound)
	check("gallery open, participant of B through B's URL", w.dee, viaB, http.StatusNotFound)
	if _, err := w.app.Store.SetHidden(t.Context(), w.evA.ID, sub.ID, true); err != nil {
		t.Fatal(err)
	}
	check("hidden, other participant of A", w.cy, thumb, http.StatusNotFound)
	check("hidden, its sender", w.bea, thumb, http.StatusOK)
}

// uploadBytes posts a photo answer with the given file bytes and name.
func uploadBytes(t *testing.T, c *handlertest.Client, path string, fields map[string]string, filename string, data []byte, header http.Header) *httptest.ResponseRecorder {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for _, k := range []string{"upload_key", "caption"} {
		if v, ok := fields[k]; ok {
			mw.WriteField(k, v)
		}
	}
	fw, _ := mw.CreateFormFile("photo", filename)
	fw.Write(data)
	mw.Close()
	req := httptest.NewRequest(http.MethodPost, path+"?_csrf="+url.QueryEscape(c.CSRF()), &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	for k, v := range header {
		req.Header[k] = v
	}
	return c.Do(req)
}

func TestOriginalsAreDownloadsNeverPages(t *testing.T) {
	w := newHardWorld(t)
	ana := w.app.Client()
	ana.SignIn("ana@example.com")
	jpg, err := os.ReadFile(handlertest.PhotoPath(t, "orient-1.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	// A polyglot: a valid JPEG with an HTML page after its end marker.
	poly := append(append([]byte{}, jpg...), []byte("<html><script>alert(document.cookie)</script></html>")...)
	if rec := uploadBytes(t, w.bea, handlertest.AnswerPath(w.evA, w.photo), nil, "page.html", poly, nil); rec.Code != http.StatusSeeOther {
		t.Fatalf("polyglot upload: %d %s", rec.Code, rec.Body.String())
	}
	sub := w.answers(t)[0]
	rec := ana.Get(fmt.Sprintf("/dashboard/events/%d/photos/%d/original", w.evA.ID, sub.ID))
	if rec.Code != http.StatusOK {
		t.Fatalf("original: %d", rec.Code)
	}
	h := rec.Header()
	if got := h.Get("Content-Type"); got != "application/octet-stream" {
		t.Errorf("original Content-Type = %q, want application/octet-stream", got)
	}
	if got := h.Get("Content-Disposition"); !strings.HasPrefix(got, "attachment;") || !strings.Contains(got, ".jpg") {
		t.Errorf("original Content-Disposition = %q, want an attachment named .jpg (from the sniffed type, not the upload's name)", got)
	}
	if h.Get("X-Content-Type-Options") != "nosniff" {
		t.Error("original without nosniff")
	}
	if !strings.Contains(h.Get("Content-Security-Policy"), "script-src 'self'") {
		t.Error("original without the CSP")
	}
	// Every rendition is re-encoded: the appended page is gone.
	for _, size := range []string{"thumb", "phone", "full"} {
		rec := w.bea.Get(fmt.Sprintf("/e/%d/photos/%d/%s", w.evA.ID, sub.ID, size))
		if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "image/jpeg" {
			t.Fatalf("%s: %d %q", size, rec.Code, rec.Header().Get("Content-Type"))
		}
		if bytes.Contains(rec.Body.Bytes(), []byte("<script")) {
			t.Errorf("%s rendition still carries the script", size)
		}
	}
}

func TestScriptableFilesAreRefused(t *testing.T) {
	w := newHardWorld(t)
	for _, name := range []string{"script.svg", "notes-as.jpg", "page-as.png"} {
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(filepath.Dir(handlertest.PhotoPath(t, "orient-1.jpg")), "bad", name))
			if err != nil {
				t.Fatal(err)
			}
			rec := uploadBytes(t, w.bea, handlertest.AnswerPath(w.evA, w.photo), nil, name, data, http.Header{"Accept": {"application/json"}})
			if rec.Code != http.StatusUnsupportedMediaType && rec.Code != http.StatusUnprocessableEntity {
				t.Errorf("%s: status %d, want 415 or 422\n%s", name, rec.Code, rec.Body.String())
			}
			if files := w.app.MediaFiles(); len(files) != 0 {
				t.Errorf("%s left files in the photo store: %v", name, files)
			}
		})
	}
}

// TestSlowPhotoIsRefusedAtTheDeadline: a photo still decoding when the
// pipeline's time is up is refused with a message the participant can act
// on, in HTML and in JSON, and nothing of it is stored.
func TestSlowPhotoIsRefusedAtTheDeadline(t *testing.T) {
	limits := media.DefaultLimits()
	limits.MaxProcessTime = time.Millisecond // the 12 MP sample takes about 0.4 s
	var logged logBuffer
	w := newHardWorld(t, handlertest.Options{Limits: &limits, Log: slog.New(slog.NewJSONHandler(&logged, nil))})
	jpg, err := os.ReadFile(handlertest.PhotoPath(t, "phone-12mp.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	const message = "This photo took too long to read, so we stopped."
	for _, accept := range []string{"text/html", "application/json"} {
		rec := uploadBytes(t, w.bea, handlertest.AnswerPath(w.evA, w.photo), nil, "big.jpg", jpg, http.Header{"Accept": {accept}})
		if rec.Code != http.StatusUnprocessableEntity {
			t.Fatalf("%s: status %d, want 422\n%s", accept, rec.Code, rec.Body.String())
		}
		if body := rec.Body.String(); !strings.Contains(body, message) {
			t.Errorf("%s: the answer does not say the photo was too slow:\n%s", accept, body)
		}
		if accept == "application/json" && !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") {
			t.Errorf("JSON caller got %s", rec.Header().Get("Content-Type"))
		}
	}
	if subs := w.answers(t); len(subs) != 0 {
		t.Errorf("%d answers stored", len(subs))
	}
	if files := w.app.MediaFiles(); len(files) != 0 {
		t.Errorf("files left in the photo store: %v", files)
	}
	// The operator hears of it: the limit may be too low for the machine.
	warnings := 0
	for _, l := range logged.take(t) {
		if l["level"] == "WARN" && l["msg"] == "photo refused: decoding took longer than --photo-timeout" {
			warnings++
		}
	}
	if warnings != 2 {
		t.Errorf("%d warnings about the photo timeout, want 2", warnings)
	}
}

func TestUploadFileNamesNeverReachTheDisk(t *testing.T) {
	w := newHardWorld(t, handlertest.Options{Embedded: true})
	jpg, err := os.ReadFile(handlertest.PhotoPath(t, "orient-1.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	evil := "../../../../tmp/evil-retreat-upload.jpg"
	if rec := uploadBytes(t, w.bea, handlertest.AnswerPath(w.evA, w.photo), nil, evil, jpg, nil); rec.Code != http.StatusSeeOther {
		t.Fatalf("upload: %d %s", rec.Code, rec.Body.String())
	}
	err = filepath.WalkDir(w.app.Dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && strings.Contains(d.Name(), "evil") {
			t.Errorf("a file named after the upload: %s", p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat("/tmp/evil-retreat-upload.jpg"); err == nil {
		t.Error("the upload's name led outside the data folder")
	}
	for _, f := range w.app.MediaFiles() {
		if base := filepath.Base(f); base != "original.jpg" && base != "full.jpg" && base != "phone.jpg" && base != "thumb.jpg" {
			t.Errorf("unexpected stored name %s", f)
		}
	}
}

func TestRepeatedUploadIsStoredOnce(t *testing.T) {
	w := newHardWorld(t, handlertest.Options{Embedded: true})
	path := handlertest.AnswerPath(w.evA, w.photo)
	jpg, _ := os.ReadFile(handlertest.PhotoPath(t, "orient-1.jpg"))
	other, _ := os.ReadFile(handlertest.PhotoPath(t, "orient-6.jpg"))
	json := http.Header{"Accept": {"application/json"}}
	key := "retry-key-0123456789"

	// The no-script form: the key rides in a hidden field the page rendered.
	page := w.bea.Get(fmt.Sprintf("/e/%d/prompts/%d", w.evA.ID, w.photo.ID)).Body.String()
	if !strings.Contains(page, `name="upload_key"`) {
		t.Fatal("the upload form has no upload_key field")
	}
	first := uploadBytes(t, w.bea, path, map[string]string{"upload_key": key, "caption": "desk"}, "a.jpg", jpg, json)
	if first.Code != http.StatusOK {
		t.Fatalf("first upload: %d %s", first.Code, first.Body.String())
	}
	sub := w.answers(t)[0]
	filesBefore := w.app.MediaFiles()

	// The phone timed out and sends it again: same answer, nothing new stored.
	again := uploadBytes(t, w.bea, path, map[string]string{"upload_key": key, "caption": "desk"}, "a.jpg", jpg, json)
	if again.Code != http.StatusOK {
		t.Fatalf("repeat: %d %s", again.Code, again.Body.String())
	}
	if a, b := handlertest.JSON(t, first)["thumb_url"], handlertest.JSON(t, again)["thumb_url"]; a != b {
		t.Errorf("the repeat answered %v, the first %v", b, a)
	}
	if subs := w.answers(t); len(subs) != 1 || subs[0].PhotoKey != sub.PhotoKey {
		t.Errorf("the repeat replaced the photo: %+v", subs)
	}
	if got := w.app.MediaFiles(); strings.Join(got, ",") != strings.Join(filesBefore, ",") {
		t.Errorf("files changed on a repeat: %v -> %v", filesBefore, got)
	}

	// The same key from the header (upload.js), quoted as the RFC draft has it.
	hdr := http.Header{"Accept": {"application/json"}, "Idempotency-Key": {`"` + key + `"`}}
	if rec := uploadBytes(t, w.bea, path, map[string]string{"caption": "desk"}, "a.jpg", jpg, hdr); rec.Code != http.StatusOK {
		t.Fatalf("repeat with the header: %d", rec.Code)
	}
	if subs := w.answers(t); subs[0].PhotoKey != sub.PhotoKey {
		t.Error("the header's key was not recognised")
	}

	// Another photo (a page without scripts keeps its key when the
	// participant picks again), or another caption, is a new answer.
	if rec := uploadBytes(t, w.bea, path, map[string]string{"upload_key": key, "caption": "desk"}, "b.jpg", other, json); rec.Code != http.StatusOK {
		t.Fatalf("other photo, same key: %d", rec.Code)
	}
	replaced := w.answers(t)[0]
	if replaced.PhotoKey == sub.PhotoKey {
		t.Error("another photo under the same key was taken for a repeat")
	}
	if rec := uploadBytes(t, w.bea, path, map[string]string{"upload_key": key, "caption": "new caption"}, "b.jpg", other, json); rec.Code != http.StatusOK {
		t.Fatalf("other caption, same key: %d", rec.Code)
	}
	if got := w.answers(t)[0]; got.Caption != "new caption" {
		t.Errorf("caption = %q, want the new one", got.Caption)
	}

	// A key of another participant is theirs alone.
	if rec := uploadBytes(t, w.cy, path, map[string]string{"upload_key": key, "caption": "new caption"}, "b.jpg", other, json); rec.Code != http.StatusOK {
		t.Fatalf("Cy: %d", rec.Code)
	}
	if len(w.answers(t)) != 2 {
		t.Error("Cy's upload with Bea's key was not stored as Cy's answer")
	}
}

func TestRetriesInFlightTogetherAreProcessedOnce(t *testing.T) {
	w := newHardWorld(t, handlertest.Options{Embedded: true})
	path := handlertest.AnswerPath(w.evA, w.photo)
	jpg, _ := os.ReadFile(handlertest.PhotoPath(t, "progressive.jpg"))
	json := http.Header{"Accept": {"application/json"}}
	const n = 4
	var wg sync.WaitGroup
	codes := make([]int, n)
	thumbs := make([]any, n)
	w.bea.CSRF() // fetch the token before the requests race for it
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rec := uploadBytes(t, w.bea, path, map[string]string{"upload_key": "same-upload-0123456789", "caption": "x"}, "a.jpg", jpg, json)
			codes[i] = rec.Code
			if rec.Code == http.StatusOK {
				thumbs[i] = handlertest.JSON(t, rec)["thumb_url"]
			}
		}()
	}
	wg.Wait()
	for i := range n {
		if codes[i] != http.StatusOK || thumbs[i] != thumbs[0] {
			t.Errorf("request %d: %d %v, want 200 %v", i, codes[i], thumbs[i], thumbs[0])
		}
	}
	// One photo folder: the others waited and found the first's receipt.
	folders := map[string]bool{}
	for _, f := range w.app.MediaFiles() {
		folders[filepath.Dir(f)] = true
	}
	if len(folders) != 1 {
		t.Errorf("%d photo folders after %d identical requests, want 1", len(folders), n)
	}
}

func TestLoginIsRateLimitedPerAccountAndAddress(t *testing.T) {
	app := handlertest.New(t)
	app.Organizer("ana@example.com", "Ana")
	c := app.Client()
	login := func(email, password string) *httptest.ResponseRecorder {
		return c.PostForm("/login", url.Values{"email": {email}, "password": {password}})
	}
	for i := range 5 {
		if rec := login("Ana@Example.com", fmt.Sprintf("wrong %d", i)); rec.Code != http.StatusUnauthorized {
			t.Fatalf("failure %d: %d", i+1, rec.Code)
		}
	}
	rec := login("ana@example.com", handlertest.Password)
	if rec.Code != http.StatusTooManyRequests {
		t.Fatalf("the right password after 5 failures: %d, want 429 (a guesser must not learn which guess was right)", rec.Code)
	}
	if !strings.Contains(rec.Body.String(), "Too many wrong passwords for this account") || !strings.Contains(rec.Body.String(), "15 minutes") {
		t.Errorf("429 page does not say why and for how long:\n%s", rec.Body.String())
	}
	if ra := rec.Header().Get("Retry-After"); ra != "900" {
		t.Errorf("Retry-After = %q, want 900", ra)
	}
	// Another account from the same address is not locked by Ana's count.
	app.Organizer("bo@example.com", "Bo")
	if rec := login("bo@example.com", handlertest.Password); rec.Code != http.StatusSeeOther {
		t.Errorf("another account: %d, want 303", rec.Code)
	}
	app.Clock.Advance(15*time.Minute + time.Second)
	if rec := login("ana@example.com", handlertest.Password); rec.Code != http.StatusSeeOther {
		t.Errorf("after the window: %d, want 303", rec.Code)
	}

	// Per address: 20 failures over any emails.
	for i := range 20 {
		if rec := login(fmt.Sprintf("guess%d@example.com", i), "x"); rec.Code != http.StatusUnauthorized {
			t.Fatalf("address failure %d: %d", i+1, rec.Code)
		}
	}
	rec = login("new@example.com", "x")
	if rec.Code != http.StatusTooManyRequests || !strings.Contains(rec.Body.String(), "from your network") {
		t.Errorf("21st failure from one address: %d", rec.Code)
	}
	// JSON callers get {"error"} with the same message.
	req := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(url.Values{"email": {"x@example.com"}, "_csrf": {c.CSRF()}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	if rec := c.Do(req); rec.Code != http.StatusTooManyRequests {
		t.Errorf("JSON caller: %d", rec.Code)
	}
}

func TestLoginRateLimitBehindATrustedProxy(t *testing.T) {
	for _, trust := range []bool{false, true} {
		t.Run(fmt.Sprintf("trust-proxy=%t", trust), func(t *testing.T) {
			app := handlertest.New(t, handlertest.Options{TrustProxy: trust})
			c := app.Client()
			n := 0
			login := func(xff string) int {
				n++ // a new email each time: only the address limit applies
				form := url.Values{"email": {fmt.Sprintf("x%d@example.com", n)}, "password": {"x"}, "_csrf": {c.CSRF()}}
				req := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(form.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.Header.Set("X-Forwarded-For", xff)
				req.RemoteAddr = "10.0.0.2:4000" // the proxy
				return c.Do(req).Code
			}
			for i := range 20 {
				login(fmt.Sprintf("203.0.113.%d", i%2)) // two clients, ten failures each
			}
			// Only behind a trusted proxy are the two clients told apart:
			// then each is under 20; otherwise the header is a lie anyone
			// can send, and the proxy's address took all 20.
			got := login("203.0.113.0")
			want := http.StatusUnauthorized
			if !trust {
				want = http.StatusTooManyRequests
			}
			if got != want {
				t.Errorf("status %d, want %d", got, want)
			}
		})
	}
}

func TestLoginGivesANewSessionToken(t *testing.T) {
	app := handlertest.New(t)
	app.Organizer("ana@example.com", "Ana")
	c := app.Client()
	c.Get("/login")
	// An attacker plants a session token they know (session fixation).
	planted := ""
	for _, ck := range c.Cookies() {
		if ck.Name == "retreat_session" {
			planted = ck.Value
		}
	}
	c.Get("/setup") // make sure a session exists
	c.SignIn("ana@example.com")
	var now string
	for _, ck := range c.Cookies() {
		if ck.Name == "retreat_session" {
			now = ck.Value
		}
	}
	if now == "" || now == planted {
		t.Fatalf("session token after login = %q, before %q: not renewed", now, planted)
	}
	if planted != "" {
		req := httptest.NewRequest(http.MethodGet, "/dashboard", nil)
		req.AddCookie(&http.Cookie{Name: "retreat_session", Value: planted})
		rec := httptest.NewRecorder()
		app.Echo.ServeHTTP(rec, req)
		if rec.Code != http.StatusSeeOther {
			t.Errorf("the token from before login still signs in: %d", rec.Code)
		}
	}
}

func TestCookieAttributes(t *testing.T) {
	for _, tc := range []struct {
		name       string
		opts       handlertest.Options
		tls        bool
		proto      string
		wantSecure bool
	}{
		{"plain http", handlertest.Options{}, false, "", false},
		{"https directly", handlertest.Options{}, true, "", true},
		{"proxy says https, not trusted", handlertest.Options{}, false, "https", false},
		{"proxy says https, trusted", handlertest.Options{TrustProxy: true}, false, "https", true},
		{"proxy says http, trusted", handlertest.Options{TrustProxy: true}, false, "http", false},
		{"configured secure", handlertest.Options{SecureCookies: true}, false, "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			app := handlertest.New(t, tc.opts)
			app.Organizer("ana@example.com", "Ana")
			ev := app.Event(mustOrganizer(t, app), "A", "UTC")
			// A join sets both the session and the CSRF cookie.
			req := httptest.NewRequest(http.MethodPost, "/j/"+ev.JoinToken, strings.NewReader("name=Bea&_csrf="+fuzzCSRF))
			if tc.tls {
				req.TLS = &tls.ConnectionState{}
			}
			if tc.proto != "" {
				req.Header.Set("X-Forwarded-Proto", tc.proto)
			}
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.AddCookie(&http.Cookie{Name: "retreat_csrf", Value: fuzzCSRF})
			rec := httptest.NewRecorder()
			app.Echo.ServeHTTP(rec, req)
			if rec.Code != http.StatusSeeOther {
				t.Fatalf("join: %d", rec.Code)
			}
			names := map[string]bool{}
			for _, line := range rec.Header().Values("Set-Cookie") {
				ck, err := http.ParseSetCookie(line)
				if err != nil {
					t.Fatal(err)
				}
				names[ck.Name] = true
				if !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode {
					t.Errorf("%s: HttpOnly=%t SameSite=%v, want HttpOnly and Lax", ck.Name, ck.HttpOnly, ck.SameSite)
				}
				if ck.Secure != tc.wantSecure {
					t.Errorf("%s: Secure=%t, want %t", ck.Name, ck.Secure, tc.wantSecure)
				}
			}
			if !names["retreat_session"] || !names["retreat_csrf"] {
				t.Errorf("cookies set: %v, want the session and CSRF cookies", names)
			}
		})
	}
}

func mustOrganizer(t *testing.T, app *handlertest.App) *models.Organizer {
	t.Helper()
	o, err := app.Store.OrganizerByEmail(t.Context(), "ana@example.com")
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func TestSecurityHeadersOnEveryKindOfResponse(t *testing.T) {
	w := newHardWorld(t)
	if rec := w.bea.Upload(handlertest.AnswerPath(w.evA, w.photo), "", handlertest.PhotoPath(t, "orient-1.jpg")); rec.Code != http.StatusSeeOther {
		t.Fatalf("upload: %d", rec.Code)
	}
	sub := w.answers(t)[0]
	login := w.app.Client().Get("/login").Body.String()
	asset := strings.SplitN(strings.SplitN(login, `/static/`, 2)[1], `"`, 2)[0]
	for _, tc := range []struct {
		name string
		c    *handlertest.Client
		path string
	}{
		{"page", w.bea, fmt.Sprintf("/e/%d", w.evA.ID)},
		{"error page", w.bea, "/e/999999"},
		{"photo", w.bea, fmt.Sprintf("/e/%d/photos/%d/thumb", w.evA.ID, sub.ID)},
		{"static file", w.bea, "/static/" + asset},
		{"health", w.bea, "/healthz"},
		{"login", w.app.Client(), "/login"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := tc.c.Get(tc.path).Header()
			csp := h.Get("Content-Security-Policy")
			for _, want := range []string{"script-src 'self'", "frame-ancestors 'none'", "object-src 'none'", "base-uri 'none'"} {
				if !strings.Contains(csp, want) {
					t.Errorf("CSP %q lacks %q", csp, want)
				}
			}
			if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
				t.Errorf("CSP allows inline script or eval: %q", csp)
			}
			for k, v := range map[string]string{"X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin", "X-Frame-Options": "DENY"} {
				if h.Get(k) != v {
					t.Errorf("%s = %q, want %q", k, h.Get(k), v)
				}
			}
		})
	}
}

func TestAllowFramingOverridesFrameAncestorsForOneRoute(t *testing.T) {
	e := echo.New()
	e.Use(func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			web.SetSecurityHeaders(c.Response().Header())
			return next(c)
		}
	})
	e.GET("/reveal", func(c echo.Context) error { return c.String(http.StatusOK, "slides") }, web.AllowFraming("'self' https://meet.example.com"))
	e.GET("/other", func(c echo.Context) error { return c.String(http.StatusOK, "page") })
	get := func(path string) http.Header {
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		return rec.Header()
	}
	h := get("/reveal")
	if csp := h.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'self' https://meet.example.com") || !strings.Contains(csp, "script-src 'self'") {
		t.Errorf("embeddable route CSP = %q", csp)
	}
	if h.Get("X-Frame-Options") != "" {
		t.Errorf("X-Frame-Options = %q on an embeddable route", h.Get("X-Frame-Options"))
	}
	if csp := get("/other").Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") {
		t.Errorf("other route CSP = %q", csp)
	}
}

// An empty CSRF cookie and an empty token used to compare equal in Echo's
// middleware (found by FuzzSessionCookies).
func TestEmptyCSRFCookieIsNotAToken(t *testing.T) {
	w := newHardWorld(t)
	session := ""
	for _, ck := range w.bea.Cookies() {
		if ck.Name == "retreat_session" {
			session = ck.Value
		}
	}
	for _, tc := range []struct{ name, token string }{{"empty header", ""}, {"empty form field", "form"}, {"empty query", "query"}} {
		t.Run(tc.name, func(t *testing.T) {
			path := fmt.Sprintf("/e/%d/me/time-zone", w.evA.ID)
			body := "time_zone=UTC"
			switch tc.token {
			case "form":
				body += "&_csrf="
			case "query":
				path += "?_csrf="
			}
			req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Cookie", "retreat_session="+session+"; retreat_csrf=")
			if tc.token == "" {
				req.Header.Set("X-CSRF-Token", "")
			}
			rec := httptest.NewRecorder()
			w.app.Echo.ServeHTTP(rec, req)
			if rec.Code != http.StatusForbidden {
				t.Errorf("status %d, want 403", rec.Code)
			}
		})
	}
}

// TestParallelGuessesCannotBeatTheLoginLimit sends twenty wrong passwords
// for one account at once: each attempt is counted before its password is
// checked, so no more than the limit of them get as far as a password
// check, where checking first and counting after would let all twenty in.
func TestParallelGuessesCannotBeatTheLoginLimit(t *testing.T) {
	app := handlertest.New(t)
	app.Organizer("ana@example.com", "Ana")
	const guesses = 20
	codes := make([]int, guesses)
	var wg sync.WaitGroup
	for i := range guesses {
		c := app.Client()
		c.CSRF() // the form's token, fetched before the burst
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes[i] = c.PostForm("/login", url.Values{"email": {"ana@example.com"}, "password": {fmt.Sprintf("guess %d", i)}}).Code
		}()
	}
	wg.Wait()
	checked := 0
	for i, code := range codes {
		switch code {
		case http.StatusUnauthorized:
			checked++
		case http.StatusTooManyRequests:
		case http.StatusServiceUnavailable:
			// Its password waited for a hashing slot longer than the
			// hasher waits (a loaded machine, -race): not checked either.
		default:
			t.Errorf("guess %d: got %d, want 401, 429 or 503", i, code)
		}
	}
	// (All of them may be refused: when every attempt is counted before
	// any is checked, each sees the others. None gets in uncounted.)
	if checked > 5 {
		t.Fatalf("%d of %d parallel guesses had their password checked, want at most 5", checked, guesses)
	}
	// The limit holds afterwards: even the right password waits.
	if rec := app.Client().PostForm("/login", url.Values{"email": {"ana@example.com"}, "password": {handlertest.Password}}); checked == 5 && rec.Code != http.StatusTooManyRequests {
		t.Errorf("the right password after %d failures: %d, want 429", checked, rec.Code)
	}
}
