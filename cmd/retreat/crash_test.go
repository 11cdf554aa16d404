package main

// Crash safety, tested the way SQLite and PostgreSQL test theirs: the real
// binary, a burst of uploads, SIGKILL in the middle, a restart, and then
// the invariants. Every upload the server acknowledged is there with all
// its renditions; nothing half-stored is visible; after the start-up sweep
// no orphan file is left; the database passes PRAGMA integrity_check.

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"retreat/models"
	"retreat/models/media"
)

// buildBinary builds the retreat command once per test binary, without
// cgo: the binary a user builds anywhere (SQLite is pure Go), so every test
// of the real binary also proves that it needs no C compiler.
var buildBinary = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "retreat-bin-")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "retreat")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	out, err := build.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
})

// process is the real server running as a child process.
type process struct {
	cmd    *exec.Cmd
	base   string
	stderr *syncBuffer
	done   chan error
}

func startProcess(t *testing.T, dir string, extra ...string) *process {
	t.Helper()
	return startProcessEnv(t, dir, nil, extra...)
}

// startProcessEnv is startProcess with variables added to the server's
// environment (TMPDIR, to see what it spools).
func startProcessEnv(t *testing.T, dir string, env []string, extra ...string) *process {
	t.Helper()
	if testing.Short() {
		t.Skip("starts the real binary")
	}
	bin, err := buildBinary()
	if err != nil {
		t.Fatal(err)
	}
	args := append([]string{"--addr", "127.0.0.1:0", "--data-dir", dir, "--log-level", "warn"}, extra...)
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p := &process{cmd: cmd, stderr: &syncBuffer{}, done: make(chan error, 1)}
	cmd.Stderr = p.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.done <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-p.done
	})
	found := make(chan string, 1)
	go func() {
		re := regexp.MustCompile(`running at (http://\S+)`)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
			}
		}
	}()
	select {
	case p.base = <-found:
	case err := <-p.done:
		t.Fatalf("server exited at start: %v\n%s", err, p.stderr.String())
	case <-time.After(60 * time.Second):
		t.Fatalf("server did not start:\n%s", p.stderr.String())
	}
	return p
}

// kill sends SIGKILL and waits for the process to be gone; it may run
// on any goroutine.
func (p *process) kill(t *testing.T) {
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Errorf("kill: %v", err)
	}
	<-p.done
	p.done <- errors.New("killed") // for the cleanup's receive
}

// phone is one participant's browser.
type phone struct {
	client *http.Client
	base   string
	csrf   string
	event  uint
}

// cookieValue is the value of the named cookie jar holds for base.
func cookieValue(jar http.CookieJar, base, name string) string {
	u, _ := url.Parse(base)
	for _, c := range jar.Cookies(u) {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

func newPhone(base string) *phone {
	jar, _ := cookiejar.New(nil)
	return &phone{base: base, client: &http.Client{Jar: jar, Timeout: 2 * time.Minute,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (p *phone) join(token, name string) error {
	res, err := p.client.Get(p.base + "/j/" + token)
	if err != nil {
		return err
	}
	res.Body.Close()
	u, _ := url.Parse(p.base)
	for _, c := range p.client.Jar.Cookies(u) {
		if c.Name == "retreat_csrf" {
			p.csrf = c.Value
		}
	}
	res, err = p.client.PostForm(p.base+"/j/"+token, url.Values{"name": {name}, "_csrf": {p.csrf}})
	if err != nil {
		return err
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		return fmt.Errorf("join: %d", res.StatusCode)
	}
	// Joining gives the session a new CSRF secret; the cookie mirrors it.
	p.csrf = cookieValue(p.client.Jar, p.base, "retreat_csrf")
	_, err = fmt.Sscanf(res.Header.Get("Location"), "/e/%d", &p.event)
	return err
}

// upload sends a photo answer as upload.js does and returns the
// acknowledged thumbnail URL.
func (p *phone) upload(prompt uint, photo []byte, caption string) (string, error) {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("caption", caption)
	fw, _ := mw.CreateFormFile("photo", "photo.jpg")
	fw.Write(photo)
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, fmt.Sprintf("%s/e/%d/prompts/%d/answer?_csrf=%s", p.base, p.event, prompt, url.QueryEscape(p.csrf)), &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Accept", "application/json")
	res, err := p.client.Do(req)
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	msg, err := io.ReadAll(res.Body)
	if err != nil {
		return "", err
	}
	if res.StatusCode != http.StatusOK {
		return "", fmt.Errorf("upload: %d %s", res.StatusCode, msg)
	}
	var ack struct {
		ThumbURL string `json:"thumb_url"`
	}
	if err := json.Unmarshal(msg, &ack); err != nil || ack.ThumbURL == "" {
		return "", fmt.Errorf("upload: acknowledgement %q: %v", msg, err)
	}
	return ack.ThumbURL, nil
}

// seedEvent creates an organizer, an open event and a photo prompt in the
// data folder, before the server starts.
func seedEvent(t *testing.T, dir string) (*models.Event, *models.Prompt) {
	t.Helper()
	store, err := models.Open(t.Context(), filepath.Join(dir, "retreat.db"), models.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	o, err := store.CreateOrganizer(t.Context(), models.NewOrganizer{Email: "ana@example.com", Name: "Ana", Password: "a long enough password"})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	ev, err := store.CreateEvent(t.Context(), o.ID, models.EventInput{Name: "Hunt", TimeZone: "UTC", StartsAt: now.Add(-time.Hour), EndsAt: now.Add(24 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	pr, err := store.CreatePrompt(t.Context(), ev, models.PromptInput{Kind: models.KindPhoto, Title: "Desk"})
	if err != nil {
		t.Fatal(err)
	}
	return ev, pr
}

// ack is one acknowledged upload: who sent it and the thumbnail URL the
// server answered with (its ?v= names the photo folder).
type ack struct {
	phone *phone
	thumb string
}

// burst has n phones join and upload once each, at most inFlight at a
// time. After `after` acknowledgements it arms kill: it watches the photo
// folder and kills the server the moment a photo folder appears that no
// acknowledgement names, so the kill lands while a photo's files are being
// written and its row is not yet committed, the window the start-up sweep
// is for. (If none appears within 3 s, it kills anyway.)
func burst(t *testing.T, base, photoDir, token string, prompt uint, photos [][]byte, round, n, inFlight, after int, earlier []ack, kill func()) []ack {
	t.Helper()
	var (
		mu   sync.Mutex
		acks []ack
		wg   sync.WaitGroup
		arm  sync.Once
	)
	acked := func(folder string) bool {
		mu.Lock()
		defer mu.Unlock()
		for _, a := range append(acks, earlier...) {
			u, _ := url.Parse(a.thumb)
			if strings.HasPrefix(folder, u.Query().Get("v")) {
				return true
			}
		}
		return false
	}
	watch := func() {
		deadline := time.Now().Add(3 * time.Second)
		for time.Now().Before(deadline) {
			entries, _ := os.ReadDir(photoDir)
			for _, e := range entries {
				if !acked(e.Name()) {
					kill()
					return
				}
			}
			time.Sleep(500 * time.Microsecond)
		}
		kill()
	}
	sem := make(chan struct{}, inFlight)
	for i := range n {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			ph := newPhone(base)
			if err := ph.join(token, fmt.Sprintf("Phone %d.%d", round, i)); err != nil {
				return // the server is gone
			}
			thumb, err := ph.upload(prompt, photos[i%len(photos)], fmt.Sprintf("photo %d", i))
			if err != nil {
				return
			}
			mu.Lock()
			acks = append(acks, ack{ph, thumb})
			if len(acks) >= after {
				arm.Do(func() {
					wg.Add(1)
					go func() {
						defer wg.Done()
						watch()
					}()
				})
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	return acks
}

func TestCrashMidBurstLosesNothingAcknowledged(t *testing.T) {
	dir := t.TempDir()
	ev, pr := seedEvent(t, dir)
	var photos [][]byte
	for _, name := range []string{"progressive.jpg", "grayscale.jpg", "phone-12mp.jpg", "photo.webp"} {
		b, err := os.ReadFile(samplePhoto(t, name))
		if err != nil {
			t.Fatal(err)
		}
		photos = append(photos, b)
	}
	var all []ack
	halfStored := 0 // photo folders without a row, and temp files, over the rounds
	for round := range 3 {
		p := startProcess(t, dir, "--photo-workers", "2")
		photoDir := filepath.Join(dir, "media", "events", fmt.Sprint(ev.ID))
		after := 4 + round*2
		victim := p
		acks := burst(t, p.base, photoDir, ev.JoinToken, pr.ID, photos, round, 24, 8, after, all, func() { victim.kill(t) })
		if len(acks) < after {
			t.Fatalf("round %d: only %d uploads acknowledged before the kill", round, len(acks))
		}
		t.Logf("round %d: %d uploads acknowledged, then SIGKILL", round, len(acks))
		all = append(all, acks...)
		if strings.Contains(p.stderr.String(), "database is locked") {
			t.Errorf("database is locked:\n%s", p.stderr.String())
		}
		// The sweep spares photo folders younger than 10 minutes (they may be
		// another instance's save in progress): age everything, as if the
		// restart came later.
		ageTree(t, filepath.Join(dir, "media"), time.Hour)
		folders, temps := countMedia(t, dir)
		rows := photoRows(t, dir)
		left := max(0, folders-rows) + temps
		halfStored += left
		t.Logf("round %d: before the restart, %d photo folders for %d answers and %d temp files on disk: %d things half-stored", round, folders, rows, temps, left)

		p = startProcess(t, dir, "--photo-workers", "2")
		checkAfterCrash(t, dir, p, all)
		if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		if err := <-p.done; err != nil {
			t.Fatalf("restarted server did not stop cleanly: %v\n%s", err, p.stderr.String())
		}
		p.done <- nil
	}
	// The kill is timed to land mid-save; if no round left anything behind,
	// the start-up sweep was never put to the test.
	if halfStored == 0 {
		t.Error("no kill left a half-stored photo: the crash never hit a save in progress")
	}
}

// photoRows counts the answers with a photo in the (stopped) server's
// database.
func photoRows(t *testing.T, dir string) int {
	t.Helper()
	store, err := models.Open(t.Context(), filepath.Join(dir, "retreat.db"), models.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	var n int64
	if err := store.DB().Model(&models.Submission{}).Where("photo_key <> ''").Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return int(n)
}

// countMedia counts photo folders with files, and temp files, in media/.
func countMedia(t *testing.T, dir string) (folders, temps int) {
	t.Helper()
	seen := map[string]bool{}
	filepath.WalkDir(filepath.Join(dir, "media"), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		if strings.HasPrefix(d.Name(), ".tmp-") {
			temps++
		}
		seen[filepath.Dir(p)] = true
		return nil
	})
	return len(seen), temps
}

func ageTree(t *testing.T, root string, by time.Duration) {
	t.Helper()
	old := time.Now().Add(-by)
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil {
			os.Chtimes(p, old, old)
		}
		return nil
	})
}

// checkAfterCrash checks the invariants on the data folder of a restarted
// server p, given every upload acknowledged so far.
func checkAfterCrash(t *testing.T, dir string, p *process, acks []ack) {
	t.Helper()
	store, err := models.Open(t.Context(), filepath.Join(dir, "retreat.db"), models.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	var integrity string
	if err := store.DB().Raw("PRAGMA integrity_check").Scan(&integrity).Error; err != nil || integrity != "ok" {
		t.Fatalf("PRAGMA integrity_check = %q, %v", integrity, err)
	}
	var subs []models.Submission
	if err := store.DB().Find(&subs).Error; err != nil {
		t.Fatal(err)
	}
	folders := map[string]bool{}
	for _, s := range subs {
		// Nothing half-stored is visible: every answer has all its files.
		for _, f := range []string{models.PhotoFile(s.PhotoKey, media.Full), models.PhotoFile(s.PhotoKey, media.Phone),
			models.PhotoFile(s.PhotoKey, media.Thumb), models.OriginalFile(s.PhotoKey, s.PhotoFormat)} {
			if _, err := os.Stat(filepath.Join(dir, "media", f)); err != nil {
				t.Errorf("answer %d is missing %s: %v", s.ID, f, err)
			}
		}
		folders[s.PhotoKey] = true
	}
	// Every acknowledged upload is there, and its phone can see it.
	for _, a := range acks {
		a.phone.base = p.base
		u, _ := url.Parse(a.thumb)
		v := u.Query().Get("v")
		found := false
		for f := range folders {
			if strings.HasPrefix(f[strings.LastIndexByte(f, '/')+1:], v) {
				found = true
			}
		}
		if !found {
			t.Errorf("acknowledged upload %s is not stored", a.thumb)
			continue
		}
		res, err := a.phone.client.Get(p.base + a.thumb)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Errorf("acknowledged photo %s: %d after restart", a.thumb, res.StatusCode)
		}
	}
	// No orphan: every file in media/ belongs to an answer's folder.
	root := filepath.Join(dir, "media")
	filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		if strings.HasPrefix(d.Name(), ".tmp-") || !folders[filepath.ToSlash(filepath.Dir(rel))] {
			t.Errorf("orphan file after the start-up sweep: %s", rel)
		}
		return nil
	})
	// The spool was emptied at start.
	entries, _ := os.ReadDir(filepath.Join(dir, "uploads"))
	for _, e := range entries {
		if !e.IsDir() {
			t.Errorf("spool file left: %s", e.Name())
		}
	}
	t.Logf("after restart: %d answers stored, %d acknowledged, integrity ok", len(subs), len(acks))
}

// TestSIGTERMFinishesUploadsInFlight is the graceful half: the real binary
// gets SIGTERM while an upload is half sent; it finishes and stores that
// upload, answers it, and only then exits (status 0).
func TestSIGTERMFinishesUploadsInFlight(t *testing.T) {
	dir := t.TempDir()
	ev, pr := seedEvent(t, dir)
	p := startProcess(t, dir)
	ph := newPhone(p.base)
	if err := ph.join(ev.JoinToken, "Bea"); err != nil {
		t.Fatal(err)
	}
	photo, err := os.ReadFile(samplePhoto(t, "phone-12mp.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("caption", "sent while stopping")
	fw, _ := mw.CreateFormFile("photo", "p.jpg")
	fw.Write(photo)
	mw.Close()
	pr2, pw := io.Pipe()
	req, _ := http.NewRequest(http.MethodPost, fmt.Sprintf("%s/e/%d/prompts/%d/answer?_csrf=%s", p.base, ph.event, pr.ID, url.QueryEscape(ph.csrf)), pr2)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Accept", "application/json")
	req.ContentLength = int64(body.Len())
	type result struct {
		res *http.Response
		err error
	}
	resc := make(chan result, 1)
	go func() {
		r, err := ph.client.Do(req)
		resc <- result{r, err}
	}()
	all := body.Bytes()
	if _, err := pw.Write(all[:len(all)/2]); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond)
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	if _, err := pw.Write(all[len(all)/2:]); err != nil {
		t.Fatalf("the server dropped the upload in flight: %v", err)
	}
	pw.Close()
	r := <-resc
	if r.err != nil {
		t.Fatalf("upload in flight: %v", r.err)
	}
	msg, _ := io.ReadAll(r.res.Body)
	r.res.Body.Close()
	if r.res.StatusCode != http.StatusOK {
		t.Fatalf("upload in flight: %d %s", r.res.StatusCode, msg)
	}
	select {
	case err := <-p.done:
		p.done <- err
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v\n%s", err, p.stderr.String())
		}
	case <-time.After(60 * time.Second):
		t.Fatal("the server did not exit after SIGTERM")
	}
	store, err := models.Open(t.Context(), filepath.Join(dir, "retreat.db"), models.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	subs, err := store.EventSubmissions(t.Context(), ev.ID)
	if err != nil || len(subs) != 1 || subs[0].Caption != "sent while stopping" {
		t.Fatalf("after SIGTERM: %+v %v", subs, err)
	}
}
