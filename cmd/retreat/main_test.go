package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"retreat/models"
)

// syncBuffer is a bytes.Buffer safe to read while the server writes to it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func samplePhoto(t *testing.T, name string) string {
	_, file, _, _ := runtime.Caller(0)
	p := filepath.Join(filepath.Dir(file), "..", "..", "..", "shared", "testdata", "photos", name)
	if _, err := os.Stat(p); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("sample photo missing: %v", err)
		}
		t.Skipf("sample photo missing: %v", err)
	}
	return p
}

func TestCreateOrganizerCommand(t *testing.T) {
	dir := t.TempDir()
	var out, errOut bytes.Buffer
	err := run(t.Context(), []string{"create-organizer", "--data-dir", dir, "--email", "Ana@Example.com", "--name", "Ana"},
		strings.NewReader("a long enough password\n"), &out, &errOut)
	if err != nil {
		t.Fatalf("create-organizer: %v\n%s", err, errOut.String())
	}
	if !strings.Contains(out.String(), "Created organizer Ana <ana@example.com>") {
		t.Errorf("output = %q", out.String())
	}
	// A short password is refused with the reason, and nothing is stored.
	errOut.Reset()
	err = run(t.Context(), []string{"create-organizer", "--data-dir", dir, "--email", "bo@example.com", "--name", "Bo"},
		strings.NewReader("short\n"), &out, &errOut)
	if err == nil || !strings.Contains(errOut.String(), "at least 10 characters") {
		t.Fatalf("short password: err=%v stderr=%q", err, errOut.String())
	}
	store, err := models.Open(t.Context(), filepath.Join(dir, "retreat.db"), models.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	if _, err := store.Authenticate(t.Context(), "ana@example.com", "a long enough password"); err != nil {
		t.Errorf("cannot sign in as the created organizer: %v", err)
	}
	if n, _ := store.OrganizerCount(t.Context()); n != 1 {
		t.Errorf("organizers = %d, want 1", n)
	}
}

func TestUnknownCommandAndBadFlags(t *testing.T) {
	var out, errOut bytes.Buffer
	if err := run(t.Context(), []string{"launch"}, nil, &out, &errOut); err == nil || !strings.Contains(errOut.String(), "unknown command") {
		t.Errorf("unknown command: err=%v stderr=%q", err, errOut.String())
	}
	if err := run(t.Context(), []string{"--max-upload-mb", "0", "--data-dir", t.TempDir()}, nil, &out, &errOut); err == nil {
		t.Error("--max-upload-mb 0 was accepted")
	}
	t.Setenv("RETREAT_DATABASE_URL", "mysql://nope")
	if err := run(t.Context(), []string{"--data-dir", t.TempDir(), "--addr", "127.0.0.1:0"}, nil, &out, &errOut); err == nil || !strings.Contains(err.Error(), "unknown scheme") {
		t.Errorf("an unknown database URL from the environment: err=%v", err)
	}
}

// startServer runs the real server command on a free port and returns its
// base URL, a function that sends it "SIGTERM", and its exit.
func startServer(t *testing.T, dir string) (base string, stop func(), done <-chan error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out := &syncBuffer{}
	errc := make(chan error, 1)
	go func() {
		errc <- run(ctx, []string{"--addr", "127.0.0.1:0", "--data-dir", dir, "--log-level", "warn"}, nil, out, io.Discard)
	}()
	re := regexp.MustCompile(`running at (http://\S+)`)
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if m := re.FindStringSubmatch(out.String()); m != nil {
			t.Cleanup(cancel)
			return m[1], cancel, errc
		}
		select {
		case err := <-errc:
			t.Fatalf("server exited: %v\n%s", err, out.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	cancel()
	t.Fatalf("server did not start:\n%s", out.String())
	return "", nil, nil
}

func TestServeFirstStartAndGracefulShutdownFinishesUpload(t *testing.T) {
	dir := t.TempDir()
	// Seed an organizer, an event and a prompt in the data folder.
	store, err := models.Open(t.Context(), filepath.Join(dir, "retreat.db"), models.Options{})
	if err != nil {
		t.Fatal(err)
	}
	o, err := store.CreateOrganizer(t.Context(), models.NewOrganizer{Email: "ana@example.com", Name: "Ana", Password: "a long enough password"})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	ev, err := store.CreateEvent(t.Context(), o.ID, models.EventInput{Name: "Hunt", TimeZone: "UTC", StartsAt: now.Add(-time.Hour), EndsAt: now.Add(24 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	prompt, err := store.CreatePrompt(t.Context(), ev, models.PromptInput{Kind: models.KindPhoto, Title: "Desk"})
	if err != nil {
		t.Fatal(err)
	}
	store.Close()

	base, stop, done := startServer(t, dir)
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	if res, err := client.Get(base + "/healthz"); err != nil || res.StatusCode != 200 {
		t.Fatalf("healthz: %v %v", res, err)
	}
	res, err := client.Get(base + "/j/" + ev.JoinToken)
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("join page: %v %v", res, err)
	}
	res.Body.Close()
	u, _ := url.Parse(base)
	var csrf string
	for _, c := range jar.Cookies(u) {
		if c.Name == "retreat_csrf" {
			csrf = c.Value
		}
	}
	res, err = client.PostForm(base+"/j/"+ev.JoinToken, url.Values{"name": {"Bea"}, "_csrf": {csrf}})
	if err != nil || res.StatusCode != http.StatusSeeOther {
		t.Fatalf("join: %v %v", res, err)
	}
	res.Body.Close()
	csrf = cookieValue(jar, base, "retreat_csrf") // joining gave the session a new secret

	// Start an upload, send half of it, then ask the server to stop.
	photo, err := os.ReadFile(samplePhoto(t, "progressive.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("caption", "sent while stopping")
	fw, _ := mw.CreateFormFile("photo", "p.jpg")
	fw.Write(photo)
	mw.Close()
	pr, pw := io.Pipe()
	req, _ := http.NewRequest(http.MethodPost, fmt.Sprintf("%s/e/%d/prompts/%d/answer?_csrf=%s", base, ev.ID, prompt.ID, url.QueryEscape(csrf)), pr)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Accept", "application/json")
	req.ContentLength = int64(body.Len())
	type result struct {
		res *http.Response
		err error
	}
	resc := make(chan result, 1)
	go func() {
		r, err := client.Do(req)
		resc <- result{r, err}
	}()
	all := body.Bytes()
	half := len(all) / 2
	if _, err := pw.Write(all[:half]); err != nil {
		t.Fatal(err)
	}
	// Give the server a moment to start reading the request, as it would
	// be mid-way through a phone's upload, then ask it to stop.
	time.Sleep(200 * time.Millisecond)
	stop()
	time.Sleep(300 * time.Millisecond) // the server is now shutting down
	if _, err := pw.Write(all[half:]); err != nil {
		r := <-resc
		t.Fatalf("the server dropped the upload in flight: %v (%v)", err, r.err)
	}
	pw.Close()
	r := <-resc
	if r.err != nil {
		t.Fatalf("upload in flight during shutdown failed: %v", r.err)
	}
	msg, _ := io.ReadAll(r.res.Body)
	if r.res.StatusCode != http.StatusOK {
		t.Fatalf("upload in flight during shutdown: %d %s", r.res.StatusCode, msg)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("server exit: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("server did not stop")
	}
	// The photo is stored with all its files.
	store, err = models.Open(t.Context(), filepath.Join(dir, "retreat.db"), models.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	subs, _ := store.EventSubmissions(t.Context(), ev.ID)
	if len(subs) != 1 || subs[0].Caption != "sent while stopping" {
		t.Fatalf("submissions after shutdown = %+v", subs)
	}
	for _, f := range []string{"full.jpg", "phone.jpg", "thumb.jpg", "original.jpg"} {
		if _, err := os.Stat(filepath.Join(dir, "media", subs[0].PhotoKey, f)); err != nil {
			t.Errorf("missing %s: %v", f, err)
		}
	}
}
