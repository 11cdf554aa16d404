package participant_test

// Browser tests of the photo upload from a phone: the real router behind a
// real HTTP server on loopback, driven by headless Chromium (see
// handlers/browsertest). They check what only a browser can show: a
// resumable (tus) upload that survives the phone going offline halfway, and
// HEIC and 12 MP JPEG photos becoming thumbnails that load on a phone.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"retreat/handlers/browsertest"
	"retreat/handlers/handlertest"
	"retreat/models"
	"retreat/models/media"
)

// uploadSite is the app served over loopback HTTP with one running event
// and two photo prompts, its tus PATCH requests counted on the way in.
type uploadSite struct {
	app     *handlertest.App
	url     string
	ev      *models.Event
	prompts [2]*models.Prompt
	patches *patchLog
}

func newUploadSite(t *testing.T) *uploadSite {
	t.Helper()
	app := handlertest.New(t)
	o := app.Organizer("ana@example.com", "Ana")
	ev := app.Event(o, "Spring hunt", "Europe/Lisbon")
	s := &uploadSite{app: app, ev: ev, patches: &patchLog{}}
	s.prompts[0] = app.Prompt(ev, models.KindPhoto, "A picture of you on a swing", nil, nil)
	s.prompts[1] = app.Prompt(ev, models.KindPhoto, "The view from your window", nil, nil)
	srv := httptest.NewServer(s.patches.wrap(app.Echo))
	t.Cleanup(srv.Close)
	s.url = srv.URL
	return s
}

func (s *uploadSite) listURL() string { return fmt.Sprintf("%s/e/%d", s.url, s.ev.ID) }

func (s *uploadSite) promptURL(p *models.Prompt) string {
	return fmt.Sprintf("%s/e/%d/prompts/%d", s.url, s.ev.ID, p.ID)
}

// submission returns the one participant's answer to p, failing without one.
func (s *uploadSite) submission(t *testing.T, p *models.Prompt) models.Submission {
	t.Helper()
	ctx := context.Background()
	list, err := s.app.Store.Participants(ctx, s.ev.ID)
	if err != nil || len(list) != 1 {
		t.Fatalf("participants: got %d (%v), want 1", len(list), err)
	}
	subs, err := s.app.Store.ParticipantSubmissions(ctx, list[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	sub, ok := subs[p.ID]
	if !ok || sub.PhotoKey == "" {
		t.Fatalf("no photo stored for %q (submissions %+v)", p.Title, subs)
	}
	return sub
}

// renditionSize decodes the header of one stored rendition of sub.
func (s *uploadSite) renditionSize(t *testing.T, sub models.Submission, size media.Size) (w, h int) {
	t.Helper()
	b, err := s.app.ReadMedia(models.PhotoFile(sub.PhotoKey, size))
	if err != nil {
		t.Fatalf("read %s rendition: %v", size, err)
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("decode %s rendition: %v", size, err)
	}
	return cfg.Width, cfg.Height
}

// patchLog counts the file bytes the server reads from tus PATCH requests,
// one record per request, so a test can tell a resumed upload from one that
// started over. It can also play the phone's network: readPace makes the
// server read a PATCH body at about a slow uplink's speed (Chromium's own
// upload throttling does not hold back request bodies in every version),
// and cut drops the connection of the PATCH being read, as a phone that
// loses its signal does, while Chromium's offline emulation keeps the
// page's retries from getting through until it is back.
type patchLog struct {
	mu       sync.Mutex
	patches  []patchRecord
	readPace time.Duration // a pause per 16 KB read; 0 reads at full speed
	cut      bool
}

// pace sets the pause per 16 KB of PATCH body (0: full speed).
func (l *patchLog) pace(d time.Duration) {
	l.mu.Lock()
	l.readPace = d
	l.mu.Unlock()
}

// dropConnections cuts the PATCH being read (and any that arrives) while on.
func (l *patchLog) dropConnections(on bool) {
	l.mu.Lock()
	l.cut = on
	l.mu.Unlock()
}

func (l *patchLog) network() (pace time.Duration, cut bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.readPace, l.cut
}

type patchRecord struct {
	Offset int64 // the Upload-Offset the browser asked to continue from
	Bytes  int64 // body bytes the server read
	Done   bool  // the server has answered (or given up on) the request
}

func (l *patchLog) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPatch || !strings.HasPrefix(r.URL.Path, "/tus/") {
			next.ServeHTTP(w, r)
			return
		}
		off, _ := strconv.ParseInt(r.Header.Get("Upload-Offset"), 10, 64)
		l.mu.Lock()
		i := len(l.patches)
		l.patches = append(l.patches, patchRecord{Offset: off})
		l.mu.Unlock()
		r.Body = &countingBody{ReadCloser: r.Body, log: l, w: w, add: func(n int) {
			l.mu.Lock()
			l.patches[i].Bytes += int64(n)
			l.mu.Unlock()
		}}
		defer func() {
			l.mu.Lock()
			l.patches[i].Done = true
			l.mu.Unlock()
		}()
		next.ServeHTTP(w, r)
	})
}

// snapshot returns a copy of the records and the bytes read in all of them.
func (l *patchLog) snapshot() ([]patchRecord, int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var total int64
	for _, p := range l.patches {
		total += p.Bytes
	}
	return append([]patchRecord(nil), l.patches...), total
}

type countingBody struct {
	io.ReadCloser
	add  func(int)
	log  *patchLog
	w    http.ResponseWriter
	gone bool
}

// errCut is what the server's reader gets when the test cuts the line.
var errCut = errors.New("the test cut the phone's connection")

func (b *countingBody) Read(p []byte) (int, error) {
	if b.gone {
		return 0, errCut
	}
	pace, cut := b.log.network()
	if cut {
		// The phone is gone: close its connection under the request, so
		// the browser sees the upload fail mid-way, as on a train.
		b.gone = true
		if conn, _, err := http.NewResponseController(b.w).Hijack(); err == nil {
			conn.Close()
		}
		return 0, errCut
	}
	if pace > 0 && len(p) > 16<<10 {
		p = p[:16<<10]
	}
	n, err := b.ReadCloser.Read(p)
	if n > 0 {
		b.add(n)
		// The pause follows the bytes, not the calls: a loaded machine
		// hands over smaller pieces, and the line must not get slower.
		time.Sleep(pace * time.Duration(n) / (16 << 10))
	}
	return n, err
}

// waitFor polls cond every 20 ms until it holds, failing after limit: a
// loaded machine gets time, and nothing sleeps longer than it must.
func waitFor(t *testing.T, what string, limit time.Duration, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(limit); !cond(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("gave up after %v waiting for %s", limit, what)
		}
	}
}

// do runs browser actions and fails the test with what was being done.
func do(t *testing.T, ctx context.Context, what string, actions ...chromedp.Action) {
	t.Helper()
	if err := chromedp.Run(ctx, actions...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// pageReady waits until the page has run its deferred scripts (upload.js
// and the vendored tus-js-client), so the form is wired up.
func pageReady() chromedp.Action {
	var ok bool
	return chromedp.Poll(`document.readyState === "complete"`, &ok, chromedp.WithPollingTimeout(20*time.Second))
}

// joinAs opens the join link on the tab and joins as name.
func (s *uploadSite) joinAs(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	do(t, ctx, "join",
		chromedp.Navigate(s.url+"/j/"+s.ev.JoinToken),
		chromedp.WaitVisible(`input[name=name]`, chromedp.ByQuery),
		chromedp.SendKeys(`input[name=name]`, name, chromedp.ByQuery),
		chromedp.Click(`form[action^="/j/"] button[type=submit]`, chromedp.ByQuery),
		chromedp.WaitVisible(`.prompt-list`, chromedp.ByQuery),
	)
}

// openPrompt opens p's page and waits for upload.js to be ready, checking
// tus-js-client loaded: without it the page falls back to one plain XHR.
func (s *uploadSite) openPrompt(t *testing.T, ctx context.Context, p *models.Prompt) {
	t.Helper()
	var tus bool
	do(t, ctx, "open "+p.Title,
		chromedp.Navigate(s.promptURL(p)),
		chromedp.WaitVisible(`form[data-upload]`, chromedp.ByQuery),
		pageReady(),
		chromedp.Evaluate(`!!(window.tus && window.tus.isSupported)`, &tus),
	)
	if !tus {
		t.Fatal("tus-js-client did not load on the prompt page: uploads would not be resumable")
	}
}

// choose picks file in the prompt page's "Choose a photo" input.
func choose(t *testing.T, ctx context.Context, file string) {
	t.Helper()
	do(t, ctx, "choose "+file,
		chromedp.SetUploadFiles(`form[data-upload] input[data-photo-input]`, []string{handlertest.PhotoPath(t, file)}, chromedp.ByQuery),
		browsertest.PhotoChosen(),
	)
}

// thumbLoaded waits until the list's thumbnail for p has loaded pixels on
// the page and returns its natural size.
func (s *uploadSite) thumbLoaded(t *testing.T, ctx context.Context, p *models.Prompt, limit time.Duration) (w, h int) {
	t.Helper()
	sel := fmt.Sprintf(`a.prompt-card[href$="/prompts/%d"] .thumb img`, p.ID)
	var size []int
	js := fmt.Sprintf(`(() => {
  const i = document.querySelector(%q);
  if (!i) return null;
  i.loading = "eager"; // a lazy image below the fold would never load in a test
  return i.complete && i.naturalWidth > 0 ? [i.naturalWidth, i.naturalHeight] : null;
})()`, sel)
	// The list first: the page navigates there when the upload is saved.
	do(t, ctx, "wait for the thumbnail of "+p.Title,
		chromedp.WaitVisible(`.prompt-list`, chromedp.ByQuery),
		chromedp.Poll(js, &size, chromedp.WithPollingTimeout(limit)))
	return size[0], size[1]
}

// watchStatus records, in sessionStorage (which outlives the navigation a
// finished upload makes), every message of the upload status line with
// the progress bar's value at that moment.
const watchStatus = `(() => {
  const status = document.querySelector("[data-upload-status]");
  const bar = document.querySelector("[data-progress]");
  const rec = [];
  new MutationObserver(() => {
    rec.push({text: status.textContent, bar: bar.value});
    sessionStorage.setItem("upload-states", JSON.stringify(rec));
  }).observe(status, {childList: true, characterData: true, subtree: true});
  return true;
})()`

type statusLine struct {
	Text string  `json:"text"`
	Bar  float64 `json:"bar"`
}

// throttle makes the tab's network a slow phone connection sending
// upBytesPerSec, or takes it offline.
func throttle(offline bool, upBytesPerSec float64) chromedp.Action {
	return network.EmulateNetworkConditions(offline, 0, -1, upBytesPerSec)
}

// TestBrowserUploadResumesAfterGoingOffline sends phone-12mp.jpg (4 MB)
// over a throttled connection, takes the phone offline once the server has
// part of it, and brings it back: the page says it lost the connection and
// then that it carries on, and the upload completes by sending only the
// rest (tus), with the photo stored byte for byte and its renditions made.
func TestBrowserUploadResumesAfterGoingOffline(t *testing.T) {
	s := newUploadSite(t)
	ctx := browsertest.New(t)
	file := handlertest.PhotoPath(t, "phone-12mp.jpg")
	original, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	size := int64(len(original))
	p := s.prompts[0]

	do(t, ctx, "phone", chromedp.ActionFunc(browsertest.Phone))
	s.joinAs(t, ctx, "Bea")
	s.openPrompt(t, ctx, p)
	var ok bool
	do(t, ctx, "watch the status line", chromedp.Evaluate(watchStatus, &ok))
	choose(t, ctx, "phone-12mp.jpg")
	// About 400 KB/s up: the 4 MB photo takes about ten seconds, long
	// enough to go offline halfway on a loaded machine.
	s.patches.pace(40 * time.Millisecond)
	do(t, ctx, "network events", network.Enable())
	do(t, ctx, "press upload", chromedp.Click(`[data-submit]`, chromedp.ByQuery))

	// Offline once the server holds a good part of the photo, but not all.
	for deadline := time.Now().Add(90 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		patches, got := s.patches.snapshot()
		if got >= 600*1024 {
			break
		}
		if time.Now().After(deadline) {
			var status string
			_ = chromedp.Run(ctx, chromedp.Evaluate(`document.querySelector("[data-upload-status]")?.textContent || ""`, &status))
			t.Fatalf("the first 600 KB did not reach the server in 90 s: PATCHes %+v, %d bytes; the page says %q", patches, got, status)
		}
	}
	do(t, ctx, "go offline", throttle(true, -1))
	s.patches.dropConnections(true)
	_, atDrop := s.patches.snapshot()
	if atDrop >= size {
		t.Fatalf("the whole photo (%d bytes) arrived before going offline: the throttle did not hold it back", size)
	}
	var said string
	// Read from the status record, not the line as it is now: a retry may
	// replace the message a moment after it appears.
	err = chromedp.Run(ctx, chromedp.Poll(`(() => { const lost = JSON.parse(sessionStorage.getItem("upload-states") || "[]").find((l) => l.text.includes("Connection lost")); return lost ? lost.text : ""; })()`,
		&said, chromedp.WithPollingTimeout(30*time.Second)))
	if err != nil {
		var record string
		_ = chromedp.Run(ctx, chromedp.Evaluate(`sessionStorage.getItem("upload-states") || "[]"`, &record))
		patches, got := s.patches.snapshot()
		t.Fatalf("the page never said the connection was lost (%v): status record %s; PATCHes %+v, %d bytes", err, record, patches, got)
	}
	t.Logf("offline after %d of %d bytes; the page says %q", atDrop, size, said)
	// The dropped PATCH has ended on the server too: nothing more arrives.
	waitFor(t, "the interrupted PATCH to end on the server", 20*time.Second, func() bool {
		patches, _ := s.patches.snapshot()
		return len(patches) > 0 && patches[len(patches)-1].Done
	})
	browsertest.Screenshot(t, ctx, "01-offline")
	var state struct {
		Disabled bool `json:"disabled"`
		BoxShown bool `json:"boxShown"`
	}
	do(t, ctx, "read the form while offline", chromedp.Evaluate(`({
		disabled: document.querySelector("[data-submit]").disabled,
		boxShown: !document.querySelector("[data-progress-box]").hidden,
	})`, &state))
	if !state.Disabled || !state.BoxShown {
		t.Errorf("while offline: button disabled %v, progress shown %v; want the upload still under way", state.Disabled, state.BoxShown)
	}
	// Stay offline a few seconds: the page retries (and fails) meanwhile.
	time.Sleep(3 * time.Second)
	_, offlineEnd := s.patches.snapshot()

	// Back online, a little faster; the page resumes on its next retry.
	s.patches.pace(10 * time.Millisecond)
	s.patches.dropConnections(false)
	do(t, ctx, "back online", throttle(false, 1024*1024))
	s.thumbLoaded(t, ctx, p, 45*time.Second)
	var at string
	do(t, ctx, "read location", chromedp.Location(&at))
	if at != s.listURL() {
		t.Errorf("after the upload: at %s, want the prompt list %s", at, s.listURL())
	}
	browsertest.Screenshot(t, ctx, "02-saved")

	// What the participant was told, in order.
	var raw string
	do(t, ctx, "read the status record", chromedp.Evaluate(`sessionStorage.getItem("upload-states") || "[]"`, &raw))
	var lines []statusLine
	if err := json.Unmarshal([]byte(raw), &lines); err != nil {
		t.Fatalf("status record %q: %v", raw, err)
	}
	t.Logf("status line: %+v", lines)
	lost, back := -1, -1
	for i, l := range lines {
		switch {
		case lost < 0 && strings.Contains(l.Text, "Connection lost"):
			lost = i
		case lost >= 0 && back < 0 && strings.Contains(l.Text, "Connected again"):
			back = i
		}
	}
	switch {
	case lost < 0:
		t.Error(`the page never said "Connection lost"`)
	case back < 0:
		t.Error(`after "Connection lost" the page never said "Connected again"`)
	default:
		// Back online, the bar carries on from what the server had, not
		// from the start. (Before the drop the bar counts what the browser
		// handed to the network, which on loopback is soon all of it.)
		if lines[back].Bar <= 0 || lines[back].Bar >= 100 {
			t.Errorf("progress on reconnecting: %v%%, want part of the way (the server had %d of %d bytes)", lines[back].Bar, atDrop, size)
		}
	}
	if n := len(lines); n == 0 || !strings.Contains(lines[n-1].Text, "Saved!") {
		t.Errorf(`last status before leaving the page: want "Saved!", record %+v`, lines)
	}

	// What the server received: the first part, then only the rest.
	patches, total := s.patches.snapshot()
	t.Logf("PATCH requests (offset, bytes): %+v; %d bytes in all for a %d-byte photo", patches, total, size)
	if offlineEnd != patches[0].Bytes || len(patches) < 2 {
		t.Errorf("bytes that arrived while offline: %d then %d, PATCHes %d; want the first PATCH cut off and another after", patches[0].Bytes, offlineEnd, len(patches))
	}
	resumed := false
	for _, pr := range patches[1:] {
		// A retry that asked to write at 0 before the server had saved the
		// cut-off bytes is refused (409) unread; one that was read from 0
		// would be the upload starting over.
		if pr.Offset == 0 && pr.Bytes > 0 {
			t.Errorf("a PATCH after the drop sent %d bytes from offset 0: the upload started over", pr.Bytes)
		}
		if pr.Offset > 0 && pr.Offset <= patches[0].Bytes {
			resumed = true
		}
	}
	if !resumed {
		t.Errorf("no PATCH continued from what the first one delivered (%d bytes)", patches[0].Bytes)
	}
	if total < size || total >= size*3/2 {
		t.Errorf("the server read %d bytes for a %d-byte photo, want all of it and less than 1.5 times", total, size)
	}

	// The answer is stored, byte for byte, with its renditions.
	sub := s.submission(t, p)
	if sub.PhotoFormat != "jpeg" || sub.PhotoWidth != 3024 || sub.PhotoHeight != 4032 {
		t.Errorf("stored photo %s %dx%d, want jpeg 3024x4032 (upright portrait)", sub.PhotoFormat, sub.PhotoWidth, sub.PhotoHeight)
	}
	stored, err := s.app.ReadMedia(models.OriginalFile(sub.PhotoKey, sub.PhotoFormat))
	if err != nil {
		t.Fatalf("read the stored original: %v", err)
	}
	if !bytes.Equal(stored, original) {
		t.Errorf("stored original: %d bytes, differs from the %d-byte file sent", len(stored), len(original))
	}
	for sz, want := range map[media.Size][2]int{media.Full: {1536, 2048}, media.Phone: {810, 1080}, media.Thumb: {320, 320}} {
		if w, h := s.renditionSize(t, sub, sz); w != want[0] || h != want[1] {
			t.Errorf("%s rendition %dx%d, want %dx%d", sz, w, h, want[0], want[1])
		}
	}
	if left := s.app.UploadFiles(); len(left) > 0 {
		t.Errorf("files left in the upload spool: %v", left)
	}
}

// TestBrowserPhonePhotosBecomeThumbnails uploads iphone.heic and
// phone-12mp.jpg through the prompt pages of a phone-sized Chromium and
// checks, in the browser, that each thumbnail loads and each photo shows
// upright (both are portrait; the JPEG only through its EXIF orientation).
func TestBrowserPhonePhotosBecomeThumbnails(t *testing.T) {
	s := newUploadSite(t)
	ctx := browsertest.New(t)
	do(t, ctx, "phone", chromedp.ActionFunc(browsertest.Phone))
	s.joinAs(t, ctx, "Cai")

	// iphone.heic: 1512x2016 as shown (no rotation); phone-12mp.jpg: stored
	// 4032x3024 with EXIF orientation 6, so 3024x4032 shown.
	photos := []struct {
		file, format string
		w, h         int
	}{
		{"iphone.heic", "heic", 1512, 2016},
		{"phone-12mp.jpg", "jpeg", 3024, 4032},
	}
	for i, ph := range photos {
		p := s.prompts[i]
		s.openPrompt(t, ctx, p)
		choose(t, ctx, ph.file)
		do(t, ctx, "upload "+ph.file, chromedp.Click(`[data-submit]`, chromedp.ByQuery))
		// Square by design (cropped for the list), so orientation is
		// checked on the answer photo below; here: it loads, at 320 px.
		if w, h := s.thumbLoaded(t, ctx, p, 45*time.Second); w != 320 || h != 320 {
			t.Errorf("%s thumbnail loaded at %dx%d, want 320x320", ph.file, w, h)
		}
		sub := s.submission(t, p)
		if sub.PhotoFormat != ph.format || sub.PhotoWidth != ph.w || sub.PhotoHeight != ph.h {
			t.Errorf("%s stored as %s %dx%d, want %s %dx%d", ph.file, sub.PhotoFormat, sub.PhotoWidth, sub.PhotoHeight, ph.format, ph.w, ph.h)
		}
	}

	// Both thumbnails on the list, loaded, at the size the card lays out.
	type shown struct {
		NaturalW int     `json:"nw"`
		NaturalH int     `json:"nh"`
		W        float64 `json:"w"`
		H        float64 `json:"h"`
	}
	var thumbs []shown
	do(t, ctx, "read the thumbnails", chromedp.Evaluate(`[...document.querySelectorAll(".prompt-card .thumb img")].map((i) => {
		const r = i.getBoundingClientRect();
		return {nw: i.naturalWidth, nh: i.naturalHeight, w: r.width, h: r.height};
	})`, &thumbs))
	if len(thumbs) != 2 {
		t.Fatalf("thumbnails on the list: got %d, want 2", len(thumbs))
	}
	for i, th := range thumbs {
		if th.NaturalW == 0 || th.W < 40 || th.W != th.H {
			t.Errorf("thumbnail %d: natural %dx%d shown %.0fx%.0f, want loaded and shown square", i, th.NaturalW, th.NaturalH, th.W, th.H)
		}
	}
	browsertest.Screenshot(t, ctx, "01-list-phone")
	do(t, ctx, "laptop", chromedp.ActionFunc(browsertest.Laptop))
	browsertest.Screenshot(t, ctx, "02-list-laptop")
	do(t, ctx, "phone", chromedp.ActionFunc(browsertest.Phone))

	// Each answer page shows the photo upright: portrait, as the README says.
	for i, ph := range photos {
		p := s.prompts[i]
		var size []int
		do(t, ctx, "open the answered "+ph.file,
			chromedp.Navigate(s.promptURL(p)),
			chromedp.Poll(`(() => { const i = document.querySelector("img.answer-photo");
				return i && i.complete && i.naturalWidth > 0 ? [i.naturalWidth, i.naturalHeight] : null; })()`,
				&size, chromedp.WithPollingTimeout(30*time.Second)))
		w, h := size[0], size[1]
		// Full is scaled to a 2048 px long edge at most, keeping the shape.
		if w >= h || w*ph.h != h*ph.w {
			t.Errorf("%s on its answer page: %dx%d, want portrait %d:%d", ph.file, w, h, ph.w, ph.h)
		}
		name := strings.TrimSuffix(ph.file, ".jpg")
		name = strings.TrimSuffix(name, ".heic")
		browsertest.Screenshot(t, ctx, fmt.Sprintf("%02d-%s-phone", 3+2*i, name))
		do(t, ctx, "laptop", chromedp.ActionFunc(browsertest.Laptop))
		browsertest.Screenshot(t, ctx, fmt.Sprintf("%02d-%s-laptop", 4+2*i, name))
		do(t, ctx, "phone", chromedp.ActionFunc(browsertest.Phone))
	}
}
