package handlers_test

// Browser tests: the real router behind a real HTTP server, driven by
// headless Chromium (see handlers/browsertest). They check what only a
// browser can: the scripts (time zone detection, upload progress), the
// no-script fallback, images that actually load, and screenshots of every
// page at phone and laptop size for people to look at.

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"retreat/handlers/browsertest"
	"retreat/handlers/handlertest"
	"retreat/models"
)

// site is the app served over HTTP with one organizer and a running event
// in Lisbon time: a photo prompt and a text prompt, both open all event.
type site struct {
	app   *handlertest.App
	url   string
	ev    *models.Event
	photo *models.Prompt
}

func newSite(t *testing.T) *site {
	t.Helper()
	app := handlertest.New(t)
	o := app.Organizer("ana@example.com", "Ana")
	ev := app.Event(o, "Spring hunt", "Europe/Lisbon")
	photo := app.Prompt(ev, models.KindPhoto, "A picture of you on a swing", nil, nil)
	app.Prompt(ev, models.KindText, "Your best joke", nil, nil)
	srv := httptest.NewServer(app.Echo)
	t.Cleanup(srv.Close)
	return &site{app: app, url: srv.URL, ev: ev, photo: photo}
}

func (s *site) listURL() string { return fmt.Sprintf("%s/e/%d", s.url, s.ev.ID) }

func (s *site) promptURL(p *models.Prompt) string {
	return fmt.Sprintf("%s/e/%d/prompts/%d", s.url, s.ev.ID, p.ID)
}

// participant returns the one participant of the event, failing otherwise.
func (s *site) participant(t *testing.T) *models.Participant {
	t.Helper()
	list, err := s.app.Store.Participants(context.Background(), s.ev.ID)
	if err != nil || len(list) != 1 {
		t.Fatalf("participants: got %d (%v), want 1", len(list), err)
	}
	return &list[0]
}

// run runs browser actions and fails the test with what was being done.
func run(t *testing.T, ctx context.Context, what string, actions ...chromedp.Action) {
	t.Helper()
	if err := chromedp.Run(ctx, actions...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func location(t *testing.T, ctx context.Context) string {
	t.Helper()
	var u string
	run(t, ctx, "read location", chromedp.Location(&u))
	return u
}

func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	var s string
	run(t, ctx, "read "+sel, chromedp.Text(sel, &s, chromedp.ByQuery))
	return s
}

func wantContains(t *testing.T, what, got, want string) {
	t.Helper()
	if !strings.Contains(got, want) {
		t.Errorf("%s: got %q, want it to contain %q", what, got, want)
	}
}

// scriptsReady waits until the page has loaded and run its scripts (they
// are deferred modules, so a visible form may not be wired up yet).
func scriptsReady() chromedp.Action {
	var ok bool
	return chromedp.Poll(`document.readyState === "complete"`, &ok, chromedp.WithPollingTimeout(10*time.Second))
}

// imageLoaded waits until the first img matching sel has loaded pixels and
// returns its src.
func imageLoaded(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	var src string
	js := fmt.Sprintf(`(() => { const i = document.querySelector(%q); return i && i.complete && i.naturalWidth > 0 ? i.currentSrc : ""; })()`, sel)
	run(t, ctx, "wait for "+sel+" to load", chromedp.Poll(js, &src, chromedp.WithPollingTimeout(15*time.Second)))
	return src
}

// join opens the join link and joins as name, landing on the prompt list.
func (s *site) join(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	run(t, ctx, "join",
		chromedp.Navigate(s.url+"/j/"+s.ev.JoinToken),
		chromedp.WaitVisible(`input[name=name]`, chromedp.ByQuery),
		chromedp.SendKeys(`input[name=name]`, name, chromedp.ByQuery),
		chromedp.Click(`form[action^="/j/"] button[type=submit]`, chromedp.ByQuery),
		chromedp.WaitVisible(`.prompt-list`, chromedp.ByQuery),
	)
}

// watchUpload is run on the prompt page before submitting: it records in
// sessionStorage (which survives the navigation that follows a successful
// upload) every XHR the page sends and the bytes of file data in it (a
// FormData with the photo, or the Blob a resumable tus upload sends), the
// progress bar's state at each upload progress event, and every message of
// the status line.
const watchUpload = `(() => {
  const rec = {xhr: 0, methods: [], bytes: 0, progress: [], statuses: []};
  const save = () => sessionStorage.setItem("upload-watch", JSON.stringify(rec));
  const box = document.querySelector("[data-progress-box]");
  const bar = document.querySelector("[data-progress]");
  const status = document.querySelector("[data-upload-status]");
  const open = XMLHttpRequest.prototype.open;
  XMLHttpRequest.prototype.open = function (method, ...rest) {
    rec.methods.push(method);
    return open.call(this, method, ...rest);
  };
  const send = XMLHttpRequest.prototype.send;
  XMLHttpRequest.prototype.send = function (body) {
    rec.xhr++;
    if (body instanceof FormData && body.get("photo") instanceof File) rec.bytes += body.get("photo").size;
    else if (body instanceof Blob) rec.bytes += body.size;
    this.upload.addEventListener("progress", () => {
      rec.progress.push({value: bar.value, visible: !box.hidden && box.offsetHeight > 0});
      save();
    });
    save();
    return send.call(this, body);
  };
  new MutationObserver(() => { rec.statuses.push(status.textContent); save(); })
    .observe(status, {childList: true, characterData: true, subtree: true});
  save();
  return true;
})()`

type uploadWatch struct {
	XHR      int      `json:"xhr"`
	Methods  []string `json:"methods"`
	Bytes    int64    `json:"bytes"`
	Progress []struct {
		Value   float64 `json:"value"`
		Visible bool    `json:"visible"`
	} `json:"progress"`
	Statuses []string `json:"statuses"`
}

func readWatch(t *testing.T, ctx context.Context) uploadWatch {
	t.Helper()
	var raw string
	run(t, ctx, "read upload record", chromedp.Evaluate(`sessionStorage.getItem("upload-watch") || "{}"`, &raw))
	var w uploadWatch
	if err := json.Unmarshal([]byte(raw), &w); err != nil {
		t.Fatalf("upload record %q: %v", raw, err)
	}
	return w
}

// uploadWithScript picks file in the first file input of the prompt page
// ctx is on, types caption and submits through upload.js.
func uploadWithScript(t *testing.T, ctx context.Context, file, caption string) {
	t.Helper()
	var ok bool
	run(t, ctx, "choose "+file,
		chromedp.WaitVisible(`form[data-upload]`, chromedp.ByQuery),
		scriptsReady(),
		chromedp.Evaluate(watchUpload, &ok),
		chromedp.SetUploadFiles(`form[data-upload] input[data-photo-input]`, []string{handlertest.PhotoPath(t, file)}, chromedp.ByQuery),
		browsertest.PhotoChosen(),
	)
	if caption != "" {
		run(t, ctx, "type caption",
			chromedp.Evaluate(`document.querySelector("input[name=caption]").value = ""`, nil),
			chromedp.SendKeys(`input[name=caption]`, caption, chromedp.ByQuery))
	}
}

func submitUpload(t *testing.T, ctx context.Context) {
	t.Helper()
	run(t, ctx, "press upload", chromedp.Click(`[data-submit]`, chromedp.ByQuery))
}

// checkScriptUpload checks that the last upload went through upload.js
// (one XHR, or the few of a resumable upload, carrying the whole file),
// with the progress bar shown and filled, and "Saved!" said.
func checkScriptUpload(t *testing.T, ctx context.Context, file string) {
	t.Helper()
	info, err := os.Stat(handlertest.PhotoPath(t, file))
	if err != nil {
		t.Fatal(err)
	}
	w := readWatch(t, ctx)
	t.Logf("upload.js sent %s with XHRs %v", file, w.Methods)
	if w.XHR == 0 || w.Bytes != info.Size() {
		t.Errorf("upload.js sent %d XHRs (%v) with %d bytes of file, want the whole %s (%d bytes)", w.XHR, w.Methods, w.Bytes, file, info.Size())
	}
	if len(w.Progress) == 0 {
		t.Fatalf("no upload progress events reached the page (record %+v)", w)
	}
	last := w.Progress[len(w.Progress)-1]
	if !last.Visible || last.Value != 100 {
		t.Errorf("progress bar at the last progress event: visible %v value %v, want visible at 100", last.Visible, last.Value)
	}
	var said string
	if n := len(w.Statuses); n > 0 {
		said = w.Statuses[n-1]
	}
	wantContains(t, "status line before leaving the page", said, "Saved!")
	wantContains(t, "status messages", strings.Join(w.Statuses, " | "), "Uploading")
}

// TestBrowserParticipantJoinsAndUploadsOnAPhone walks a participant through
// the phone pages: join (the script reports the phone's time zone), the
// prompt list in that zone, a photo upload with the progress bar, and a
// replacement that changes the thumbnail.
func TestBrowserParticipantJoinsAndUploadsOnAPhone(t *testing.T) {
	s := newSite(t)
	ctx := browsertest.New(t)
	run(t, ctx, "open the join link",
		browsertest.TimeZone("Asia/Tokyo"),
		chromedp.ActionFunc(browsertest.Phone),
		chromedp.Navigate(s.url+"/j/"+s.ev.JoinToken),
		chromedp.WaitVisible(`input[name=name]`, chromedp.ByQuery),
		scriptsReady(),
	)
	var zone string
	run(t, ctx, "read the detected zone", chromedp.Value(`input[name=time_zone]`, &zone, chromedp.ByQuery))
	if zone != "Asia/Tokyo" {
		t.Errorf("forms.js filled time_zone with %q, want Asia/Tokyo", zone)
	}
	browsertest.Screenshot(t, ctx, "01-join")

	run(t, ctx, "join",
		chromedp.SendKeys(`input[name=name]`, "Bea", chromedp.ByQuery),
		chromedp.Click(`form[action^="/j/"] button[type=submit]`, chromedp.ByQuery),
		chromedp.WaitVisible(`.prompt-list`, chromedp.ByQuery),
	)
	if got := location(t, ctx); got != s.listURL() {
		t.Fatalf("after joining: at %s, want %s", got, s.listURL())
	}
	pa := s.participant(t)
	if pa.Name != "Bea" || pa.TimeZone != "Asia/Tokyo" {
		t.Errorf("participant stored as %q in %q, want Bea in Asia/Tokyo", pa.Name, pa.TimeZone)
	}
	wantContains(t, "flash", text(t, ctx, ".flash"), "Welcome, Bea!")
	wantContains(t, "first section", text(t, ctx, "main section h2"), "Open now")
	if n := countNodes(t, ctx, ".prompt-card.open"); n != 2 {
		t.Errorf("open prompt cards: got %d, want 2", n)
	}
	// Tokyo is nine hours ahead of Lisbon in December: times carry both.
	wantContains(t, "prompt times", text(t, ctx, ".prompt-card .when"), "in Lisbon")
	wantContains(t, "zone note", text(t, ctx, ".zone-note"), "Tokyo")
	browsertest.Screenshot(t, ctx, "02-prompts")

	run(t, ctx, "open the photo prompt",
		chromedp.Click(fmt.Sprintf(`a.prompt-card[href$="/prompts/%d"]`, s.photo.ID), chromedp.ByQuery),
		chromedp.WaitVisible(`form[data-upload]`, chromedp.ByQuery),
	)
	browsertest.Screenshot(t, ctx, "03-prompt")

	// Nothing of the upload machinery shows before a photo is chosen.
	if shown := shownNodes(t, ctx, "[data-preview], [data-chosen], [data-progress-box], [data-upload-status]"); len(shown) > 0 {
		t.Errorf("before choosing a photo these show: %v", shown)
	}
	uploadWithScript(t, ctx, "orient-6.jpg", "Me on the swing")
	imageLoaded(t, ctx, `[data-preview]`)
	if chosen := text(t, ctx, "[data-chosen]"); !strings.HasPrefix(chosen, "orient-6.jpg · ") || strings.Contains(chosen, "0.0 MB") {
		t.Errorf("chosen file label %q, want the name and a readable size", chosen)
	}
	if shown := shownNodes(t, ctx, "[data-progress-box]"); len(shown) > 0 {
		t.Errorf("the progress bar shows before pressing Upload")
	}
	browsertest.Screenshot(t, ctx, "04-chosen")
	submitUpload(t, ctx)
	run(t, ctx, "back on the list", chromedp.WaitVisible(`.prompt-card .thumb img`, chromedp.ByQuery))
	if got := location(t, ctx); got != s.listURL() {
		t.Errorf("after the upload: at %s, want %s", got, s.listURL())
	}
	checkScriptUpload(t, ctx, "orient-6.jpg")
	first := imageLoaded(t, ctx, `.prompt-card .thumb img`)
	wantContains(t, "progress line", text(t, ctx, ".progress-line"), "1 of 2 done")
	browsertest.Screenshot(t, ctx, "05-uploaded")

	run(t, ctx, "open the answered prompt",
		chromedp.Click(fmt.Sprintf(`a.prompt-card[href$="/prompts/%d"]`, s.photo.ID), chromedp.ByQuery),
		chromedp.WaitVisible(`form[data-upload]`, chromedp.ByQuery),
	)
	imageLoaded(t, ctx, `img.answer-photo`)
	wantContains(t, "submit button", text(t, ctx, "[data-submit]"), "Replace my photo")
	var caption string
	run(t, ctx, "read caption", chromedp.Value(`input[name=caption]`, &caption, chromedp.ByQuery))
	if caption != "Me on the swing" {
		t.Errorf("caption field: got %q, want the saved caption", caption)
	}
	browsertest.Screenshot(t, ctx, "06-prompt-answered")

	uploadWithScript(t, ctx, "phone-12mp.jpg", "Better one")
	submitUpload(t, ctx)
	var second string
	js := fmt.Sprintf(`(() => { const i = document.querySelector(".prompt-card .thumb img"); return i && i.complete && i.naturalWidth > 0 && i.currentSrc !== %q ? i.currentSrc : ""; })()`, first)
	run(t, ctx, "wait for the new thumbnail",
		chromedp.WaitVisible(`.prompt-list`, chromedp.ByQuery),
		chromedp.Poll(js, &second, chromedp.WithPollingTimeout(30*time.Second)))
	checkScriptUpload(t, ctx, "phone-12mp.jpg")
	if second == first {
		t.Errorf("thumbnail src did not change after replacing the photo: %s", second)
	}
	subs, err := s.app.Store.ParticipantSubmissions(context.Background(), pa.ID)
	if err != nil {
		t.Fatal(err)
	}
	sub, ok := subs[s.photo.ID]
	if len(subs) != 1 || !ok {
		t.Fatalf("submissions: got %d, want one for the photo prompt", len(subs))
	}
	if sub.PhotoWidth != 3024 || sub.PhotoHeight != 4032 || sub.Caption != "Better one" {
		t.Errorf("stored photo %dx%d caption %q, want 3024x4032 (upright) with caption %q", sub.PhotoWidth, sub.PhotoHeight, sub.Caption, "Better one")
	}
	browsertest.Screenshot(t, ctx, "07-replaced")

	run(t, ctx, "open me page",
		chromedp.Click(`.zone-note a`, chromedp.ByQuery),
		chromedp.WaitVisible(`select[name=time_zone]`, chromedp.ByQuery),
	)
	var selected string
	run(t, ctx, "read zone", chromedp.Value(`select[name=time_zone]`, &selected, chromedp.ByQuery))
	if selected != "Asia/Tokyo" {
		t.Errorf("me page zone: got %q, want Asia/Tokyo", selected)
	}
	browsertest.Screenshot(t, ctx, "08-me")
}

// shownNodes lists the elements matching sel that take up space on the
// page (as outerHTML openings), e.g. ones that should be hidden.
func shownNodes(t *testing.T, ctx context.Context, sel string) []string {
	t.Helper()
	var shown []string
	js := fmt.Sprintf(`[...document.querySelectorAll(%q)].filter((e) => e.getClientRects().length > 0).map((e) => e.outerHTML.slice(0, 80))`, sel)
	run(t, ctx, "look for shown "+sel, chromedp.Evaluate(js, &shown))
	return shown
}

func countNodes(t *testing.T, ctx context.Context, sel string) int {
	t.Helper()
	var n int
	run(t, ctx, "count "+sel, chromedp.Evaluate(fmt.Sprintf(`document.querySelectorAll(%q).length`, sel), &n))
	return n
}

// TestBrowserUploadWorksWithoutJavaScript joins and uploads with scripts
// turned off: plain form posts all the way.
func TestBrowserUploadWorksWithoutJavaScript(t *testing.T) {
	s := newSite(t)
	ctx := browsertest.New(t)
	run(t, ctx, "turn scripts off", browsertest.NoScript(true), chromedp.ActionFunc(browsertest.Phone))
	s.join(t, ctx, "Cai")
	// Without the script nothing reports the phone's zone: the event's is used.
	if pa := s.participant(t); pa.TimeZone != "Europe/Lisbon" {
		t.Errorf("participant zone without scripts: got %q, want the event's Europe/Lisbon", pa.TimeZone)
	}
	run(t, ctx, "open the photo prompt",
		chromedp.Navigate(s.promptURL(s.photo)),
		chromedp.WaitVisible(`form[data-upload]`, chromedp.ByQuery),
		chromedp.SetUploadFiles(`form[data-upload] input[data-photo-input]`, []string{handlertest.PhotoPath(t, "orient-6.jpg")}, chromedp.ByQuery),
		chromedp.SendKeys(`input[name=caption]`, "No script needed", chromedp.ByQuery),
	)
	var scripted bool
	run(t, ctx, "check scripts are off", chromedp.Evaluate(`!document.querySelector("[data-chosen]").hidden`, &scripted))
	if scripted {
		t.Fatal("upload.js ran although scripts are disabled")
	}
	if shown := shownNodes(t, ctx, "[data-preview], [data-chosen], [data-progress-box], [data-upload-status]"); len(shown) > 0 {
		t.Errorf("without scripts these show although nothing drives them: %v", shown)
	}
	browsertest.Screenshot(t, ctx, "01-prompt-chosen")
	run(t, ctx, "submit the form",
		chromedp.Click(`[data-submit]`, chromedp.ByQuery),
		chromedp.WaitVisible(`.flash`, chromedp.ByQuery),
	)
	if got := location(t, ctx); got != s.listURL() {
		t.Errorf("after the upload: at %s, want %s", got, s.listURL())
	}
	wantContains(t, "flash", text(t, ctx, ".flash"), "Saved!")
	run(t, ctx, "wait for the thumbnail", chromedp.WaitVisible(`.prompt-card .thumb img`, chromedp.ByQuery))
	var loaded bool
	run(t, ctx, "check the thumbnail", chromedp.Evaluate(`document.querySelector(".prompt-card .thumb img").naturalWidth > 0`, &loaded))
	if !loaded {
		t.Error("thumbnail did not load")
	}
	browsertest.Screenshot(t, ctx, "02-saved")
	subs, err := s.app.Store.ParticipantSubmissions(context.Background(), s.participant(t).ID)
	if err != nil || len(subs) != 1 || subs[s.photo.ID].Caption != "No script needed" {
		t.Errorf("submissions: got %+v (%v), want one with the caption", subs, err)
	}
}

// TestBrowserRefusedUploadIsExplainedInPlace uploads a text file named
// .jpg through upload.js: the server's reason appears in the status line
// and the participant stays on the prompt, ready to try again.
func TestBrowserRefusedUploadIsExplainedInPlace(t *testing.T) {
	s := newSite(t)
	ctx := browsertest.New(t)
	run(t, ctx, "phone", chromedp.ActionFunc(browsertest.Phone))
	s.join(t, ctx, "Dan")
	run(t, ctx, "open the photo prompt", chromedp.Navigate(s.promptURL(s.photo)))
	uploadWithScript(t, ctx, "bad/notes-as.jpg", "Not really a photo")
	submitUpload(t, ctx)
	var msg string
	run(t, ctx, "wait for the refusal",
		chromedp.Poll(`(() => { const s = document.querySelector("[data-upload-status].bad"); return s ? s.textContent : ""; })()`, &msg,
			chromedp.WithPollingTimeout(15*time.Second)))
	wantContains(t, "status line", strings.ToLower(msg), "not a photo")
	if got := location(t, ctx); got != s.promptURL(s.photo) {
		t.Errorf("after the refusal: at %s, want to stay on %s", got, s.promptURL(s.photo))
	}
	var state struct {
		Disabled bool   `json:"disabled"`
		BoxShown bool   `json:"boxShown"`
		Caption  string `json:"caption"`
		Chosen   string `json:"chosen"`
	}
	run(t, ctx, "read the form", chromedp.Evaluate(`({
		disabled: document.querySelector("[data-submit]").disabled,
		boxShown: !document.querySelector("[data-progress-box]").hidden,
		caption: document.querySelector("input[name=caption]").value,
		chosen: document.querySelector("[data-chosen]").textContent,
	})`, &state))
	if state.Disabled || state.BoxShown {
		t.Errorf("after the refusal: button disabled %v, progress shown %v; want the form ready again", state.Disabled, state.BoxShown)
	}
	if state.Caption != "Not really a photo" || !strings.Contains(state.Chosen, "notes-as.jpg") {
		t.Errorf("after the refusal: caption %q, chosen %q; want both kept", state.Caption, state.Chosen)
	}
	if w := readWatch(t, ctx); w.XHR == 0 {
		t.Error("upload.js sent no XHR")
	}
	browsertest.Screenshot(t, ctx, "01-refused")
	subs, err := s.app.Store.ParticipantSubmissions(context.Background(), s.participant(t).ID)
	if err != nil || len(subs) != 0 {
		t.Errorf("submissions after a refusal: got %d (%v), want none", len(subs), err)
	}
}

// shoot saves the page at phone and at laptop size, then puts the tab back
// to the size it is used at.
func shoot(t *testing.T, ctx context.Context, name string, back func(context.Context) error) {
	t.Helper()
	run(t, ctx, "phone size", chromedp.ActionFunc(browsertest.Phone))
	browsertest.Screenshot(t, ctx, name+"-phone")
	run(t, ctx, "laptop size", chromedp.ActionFunc(browsertest.Laptop))
	browsertest.Screenshot(t, ctx, name+"-laptop")
	run(t, ctx, "restore size", chromedp.ActionFunc(back))
}

// TestBrowserOrganizerSetsUpAnEventAndSeesAnswers goes from a fresh install
// to a participant's photo on the dashboard: setup, sign out and in, an
// event and prompts made with the forms, the join link and its QR code, a
// participant joining and answering in a second window, and the answers
// showing up for the organizer. Every page is saved at both sizes.
func TestBrowserOrganizerSetsUpAnEventAndSeesAnswers(t *testing.T) {
	app := handlertest.New(t)
	srv := httptest.NewServer(app.Echo)
	t.Cleanup(srv.Close)
	ctx := browsertest.New(t)
	laptop := browsertest.Laptop

	run(t, ctx, "open the site",
		browsertest.TimeZone("America/New_York"),
		chromedp.ActionFunc(laptop),
		chromedp.Navigate(srv.URL+"/"),
		chromedp.WaitVisible(`form[action="/setup"]`, chromedp.ByQuery),
	)
	if got := location(t, ctx); got != srv.URL+"/setup" {
		t.Errorf("a fresh install opened %s, want /setup", got)
	}
	shoot(t, ctx, "01-setup", laptop)

	run(t, ctx, "create the first account",
		chromedp.SendKeys(`input[name=name]`, "Ana Organizer", chromedp.ByQuery),
		chromedp.SendKeys(`input[name=email]`, "ana@example.com", chromedp.ByQuery),
		chromedp.SendKeys(`input[name=password]`, handlertest.Password, chromedp.ByQuery),
		chromedp.Click(`form[action="/setup"] button[type=submit]`, chromedp.ByQuery),
		chromedp.WaitVisible(`form[action="/dashboard/events"]`, chromedp.ByQuery),
		scriptsReady(),
	)
	wantContains(t, "flash after setup", text(t, ctx, ".flash"), "Welcome, Ana Organizer")
	var zone string
	run(t, ctx, "read the zone", chromedp.Value(`select[name=time_zone]`, &zone, chromedp.ByQuery))
	if zone != "America/New_York" {
		t.Errorf("new event form zone: got %q, want the browser's America/New_York", zone)
	}
	shoot(t, ctx, "02-event-form", laptop)

	run(t, ctx, "sign out",
		chromedp.Click(`.topnav button`, chromedp.ByQuery),
		chromedp.WaitVisible(`form[action="/login"]`, chromedp.ByQuery),
	)
	wantContains(t, "flash after signing out", text(t, ctx, ".flash"), "signed out")
	shoot(t, ctx, "03-login", laptop)

	// The public home page, as anyone who is not signed in sees it.
	run(t, ctx, "open the home page",
		chromedp.Navigate(srv.URL+"/"),
		chromedp.WaitVisible(`.hero`, chromedp.ByQuery),
	)
	wantContains(t, "home page", text(t, ctx, "main"), "Open the join link")
	shoot(t, ctx, "03-home", laptop)
	run(t, ctx, "follow Sign in",
		chromedp.Click(`main a.button[href="/login"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`form[action="/login"]`, chromedp.ByQuery),
	)

	run(t, ctx, "sign in",
		chromedp.SendKeys(`input[name=email]`, "ana@example.com", chromedp.ByQuery),
		chromedp.SendKeys(`input[name=password]`, handlertest.Password, chromedp.ByQuery),
		chromedp.Click(`form[action="/login"] button[type=submit]`, chromedp.ByQuery),
		chromedp.WaitVisible(`.topnav`, chromedp.ByQuery),
	)
	if got := location(t, ctx); got != srv.URL+"/dashboard" {
		t.Errorf("after signing in: at %s, want /dashboard", got)
	}
	wantContains(t, "empty event list", text(t, ctx, ".empty"), "No events yet")
	shoot(t, ctx, "04-events-empty", laptop)

	run(t, ctx, "create an event",
		chromedp.Click(`.page-head a.button`, chromedp.ByQuery),
		chromedp.WaitVisible(`form[action="/dashboard/events"]`, chromedp.ByQuery),
		chromedp.SendKeys(`input[name=name]`, "Spring retreat", chromedp.ByQuery),
		chromedp.SendKeys(`textarea[name=description]`, "Three days, one photo a day.", chromedp.ByQuery),
		chromedp.SetValue(`select[name=time_zone]`, "Europe/Lisbon", chromedp.ByQuery),
		chromedp.SetValue(`input[name=starts_at]`, "2026-12-01T09:00", chromedp.ByQuery),
		chromedp.SetValue(`input[name=ends_at]`, "2026-12-05T17:00", chromedp.ByQuery),
		chromedp.Click(`form[action="/dashboard/events"] button[type=submit]`, chromedp.ByQuery),
		chromedp.WaitVisible(`input.join-url`, chromedp.ByQuery),
	)
	wantContains(t, "flash after creating", text(t, ctx, ".flash"), "Event created")
	var joinURL string
	run(t, ctx, "read the join link", chromedp.Value(`input.join-url`, &joinURL, chromedp.ByQuery))
	if !strings.HasPrefix(joinURL, srv.URL+"/j/") {
		t.Fatalf("join link %q, want it under %s/j/", joinURL, srv.URL)
	}
	ev, err := app.Store.EventByJoinToken(context.Background(), strings.TrimPrefix(joinURL, srv.URL+"/j/"))
	if err != nil {
		t.Fatalf("the join link names no event: %v", err)
	}
	if want := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC); ev.Name != "Spring retreat" || ev.TimeZone != "Europe/Lisbon" || !ev.StartsAt.Equal(want) {
		t.Errorf("event stored as %q in %s from %v, want Spring retreat in Europe/Lisbon from %v", ev.Name, ev.TimeZone, ev.StartsAt, want)
	}
	imageLoaded(t, ctx, `img.qr`)
	shoot(t, ctx, "05-event-new", laptop)

	eventURL := fmt.Sprintf("%s/dashboard/events/%d", srv.URL, ev.ID)
	run(t, ctx, "open the prompt form",
		chromedp.Click(`a[href$="/prompts/new"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`input[name=title]`, chromedp.ByQuery),
	)
	shoot(t, ctx, "06-prompt-form", laptop)
	run(t, ctx, "add a photo prompt",
		chromedp.SendKeys(`input[name=title]`, "A picture of you on a swing", chromedp.ByQuery),
		chromedp.SendKeys(`textarea[name=description]`, "Any swing counts. Bonus for a hammock.", chromedp.ByQuery),
		chromedp.Click(`form.stack button[type=submit]`, chromedp.ByQuery),
		chromedp.WaitVisible(`article.prompt-admin`, chromedp.ByQuery),
	)
	wantContains(t, "flash after adding", text(t, ctx, ".flash"), "Prompt added")
	run(t, ctx, "add a text prompt",
		chromedp.Navigate(eventURL+"/prompts/new"),
		chromedp.WaitVisible(`input[name=title]`, chromedp.ByQuery),
		chromedp.Click(`input[name=kind][value=text]`, chromedp.ByQuery),
		chromedp.SendKeys(`input[name=title]`, "Your best joke", chromedp.ByQuery),
		chromedp.Click(`form.stack button[type=submit]`, chromedp.ByQuery),
		chromedp.WaitVisible(`article.prompt-admin`, chromedp.ByQuery),
	)
	prompts, err := app.Store.Prompts(context.Background(), ev.ID)
	if err != nil || len(prompts) != 2 || prompts[0].Kind != models.KindPhoto || prompts[1].Kind != models.KindText {
		t.Fatalf("prompts: got %+v (%v), want a photo and a text prompt", prompts, err)
	}
	run(t, ctx, "scroll to the top", chromedp.Evaluate(`window.scrollTo(0, 0)`, nil))
	shoot(t, ctx, "07-event-prompts", laptop)

	run(t, ctx, "open the event list",
		chromedp.Navigate(srv.URL+"/dashboard"),
		chromedp.WaitVisible(`.list .card.row`, chromedp.ByQuery),
	)
	wantContains(t, "event list", text(t, ctx, ".list"), "Spring retreat")
	shoot(t, ctx, "08-events", laptop)

	// A participant on a phone, in a window with its own cookies.
	phone := browsertest.NewWindow(t, ctx)
	run(t, phone, "open the join link",
		browsertest.TimeZone("Asia/Tokyo"),
		chromedp.ActionFunc(browsertest.Phone),
		chromedp.Navigate(joinURL),
		chromedp.WaitVisible(`input[name=name]`, chromedp.ByQuery),
	)
	shoot(t, phone, "09-join", browsertest.Phone)
	run(t, phone, "join",
		chromedp.SendKeys(`input[name=name]`, "Bea", chromedp.ByQuery),
		chromedp.Click(`form[action^="/j/"] button[type=submit]`, chromedp.ByQuery),
		chromedp.WaitVisible(`.prompt-list`, chromedp.ByQuery),
	)
	shoot(t, phone, "10-prompts", browsertest.Phone)
	run(t, phone, "open the photo prompt",
		chromedp.Click(fmt.Sprintf(`a.prompt-card[href$="/prompts/%d"]`, prompts[0].ID), chromedp.ByQuery),
	)
	uploadWithScript(t, phone, "orient-6.jpg", "Swinging in Sintra")
	imageLoaded(t, phone, `[data-preview]`)
	shoot(t, phone, "11-prompt-chosen", browsertest.Phone)
	submitUpload(t, phone)
	run(t, phone, "back on the list", chromedp.WaitVisible(`.prompt-card .thumb img`, chromedp.ByQuery))
	imageLoaded(t, phone, `.prompt-card .thumb img`)
	run(t, phone, "answer the text prompt",
		chromedp.Click(fmt.Sprintf(`a.prompt-card[href$="/prompts/%d"]`, prompts[1].ID), chromedp.ByQuery),
		chromedp.WaitVisible(`textarea[name=text]`, chromedp.ByQuery),
	)
	shoot(t, phone, "12-text-prompt", browsertest.Phone)
	run(t, phone, "send the text answer",
		chromedp.SendKeys(`textarea[name=text]`, "Why did the photo go to jail? It was framed.", chromedp.ByQuery),
		chromedp.Click(`form.stack button[type=submit]`, chromedp.ByQuery),
		chromedp.WaitVisible(`.flash`, chromedp.ByQuery),
	)
	wantContains(t, "progress line", text(t, phone, ".progress-line"), "2 of 2 done")
	shoot(t, phone, "13-prompts-done", browsertest.Phone)
	run(t, phone, "open the photo prompt again",
		chromedp.Click(fmt.Sprintf(`a.prompt-card[href$="/prompts/%d"]`, prompts[0].ID), chromedp.ByQuery),
		chromedp.WaitVisible(`img.answer-photo`, chromedp.ByQuery),
	)
	imageLoaded(t, phone, `img.answer-photo`)
	shoot(t, phone, "14-prompt-answered", browsertest.Phone)
	run(t, phone, "open the me page",
		chromedp.Navigate(fmt.Sprintf("%s/e/%d/me", srv.URL, ev.ID)),
		chromedp.WaitVisible(`select[name=time_zone]`, chromedp.ByQuery),
	)
	shoot(t, phone, "15-me", browsertest.Phone)
	run(t, phone, "open a bad join link",
		chromedp.Navigate(srv.URL+"/j/badtoken"),
		chromedp.WaitVisible(`.status-code`, chromedp.ByQuery),
	)
	wantContains(t, "error page", text(t, phone, "main"), "join link doesn't work")
	shoot(t, phone, "16-error", browsertest.Phone)

	run(t, ctx, "reload the event page",
		chromedp.Navigate(eventURL),
		chromedp.WaitVisible(`.submission img`, chromedp.ByQuery),
	)
	imageLoaded(t, ctx, `.submission img`)
	wantContains(t, "photo answer", text(t, ctx, ".submission .who"), "Bea")
	wantContains(t, "text answer", text(t, ctx, fmt.Sprintf("#prompt-%d .submission", prompts[1].ID)), "framed")
	wantContains(t, "stats", text(t, ctx, ".stats"), "Answers")
	shoot(t, ctx, "17-event-answers", laptop)
}

// TestBrowserDashboardMarksLateAnswers: answers sent in a prompt's grace
// window (it closed an hour ago; late answers keep half the points) are
// marked "late" on the progress grid, in the activity feed, including one
// the feed's script adds as it comes in, on the overview and in the review
// queue. Each page is saved at both sizes.
func TestBrowserDashboardMarksLateAnswers(t *testing.T) {
	app := handlertest.New(t)
	o := app.Organizer("ana@example.com", "Ana")
	ev := app.Event(o, "Spring hunt", "Europe/Lisbon")
	sunrise, err := app.Store.CreatePrompt(context.Background(), ev, models.PromptInput{Kind: models.KindPhoto, Title: "The sunrise where you are",
		Points: 10, ClosesAt: handlertest.Ptr(app.Clock.Now().Add(-time.Hour)), GraceMinutes: 180, LatePercent: 50})
	if err != nil {
		t.Fatal(err)
	}
	joke := app.Prompt(ev, models.KindText, "Your best joke", nil, nil)
	bea, cy := app.Client(), app.Client()
	bea.Join(ev, "Bea")
	cy.Join(ev, "Cy")
	if rec := bea.Upload(handlertest.AnswerPath(ev, sunrise), "Pink over the river", handlertest.PhotoPath(t, "orient-1.jpg")); rec.Code != http.StatusSeeOther {
		t.Fatalf("Bea's late photo: %d\n%s", rec.Code, rec.Body.String())
	}
	if rec := cy.PostForm(handlertest.AnswerPath(ev, joke), url.Values{"text": {"Why did the chicken cross the road?"}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("Cy's joke: %d", rec.Code)
	}
	srv := httptest.NewServer(app.Echo)
	t.Cleanup(srv.Close)
	base := fmt.Sprintf("%s/dashboard/events/%d", srv.URL, ev.ID)

	ctx := browsertest.New(t)
	laptop := browsertest.Laptop
	run(t, ctx, "sign in to the progress page",
		browsertest.TimeZone("America/New_York"),
		chromedp.ActionFunc(laptop),
		chromedp.Navigate(srv.URL+"/login?next="+strings.TrimPrefix(base, srv.URL)+"/progress"),
		chromedp.WaitVisible(`form[action="/login"]`, chromedp.ByQuery),
		chromedp.SendKeys(`input[name=email]`, "ana@example.com", chromedp.ByQuery),
		chromedp.SendKeys(`input[name=password]`, handlertest.Password, chromedp.ByQuery),
		chromedp.Click(`form[action="/login"] button[type=submit]`, chromedp.ByQuery),
		chromedp.WaitVisible(`.progress-grid`, chromedp.ByQuery),
		chromedp.Poll(`document.querySelector("[data-viewer-zone]")?.dataset.viewerZone === "America/New_York"`, nil,
			chromedp.WithPollingTimeout(10*time.Second)),
		scriptsReady(),
	)
	if n := countNodes(t, ctx, `.progress-grid .cell .badge.late`); n != 1 {
		t.Errorf("late badges in the grid: %d, want 1 (Bea's sunrise)", n)
	}
	if n := countNodes(t, ctx, `.feed .badge.late`); n != 1 {
		t.Errorf("late badges in the feed: %d, want 1", n)
	}
	imageLoaded(t, ctx, `.progress-grid .cell img`)
	shoot(t, ctx, "01-progress", laptop)

	// Cy's late answer comes in while the page is open: the feed's script
	// adds it, marked late.
	if rec := cy.Upload(handlertest.AnswerPath(ev, sunrise), "Fog, mostly", handlertest.PhotoPath(t, "grayscale.jpg")); rec.Code != http.StatusSeeOther {
		t.Fatalf("Cy's late photo: %d", rec.Code)
	}
	run(t, ctx, "wait for the feed",
		chromedp.Poll(`document.querySelectorAll(".feed .badge.late").length === 2`, nil, chromedp.WithPollingTimeout(20*time.Second)))
	var title string
	run(t, ctx, "read the new badge", chromedp.AttributeValue(`.feed .feed-item.fresh .badge.late`, "title", &title, nil, chromedp.ByQuery))
	if title != "late: 50% of the points" {
		t.Errorf("the added feed item's late badge says %q", title)
	}
	shoot(t, ctx, "02-progress-feed", laptop)

	run(t, ctx, "open the overview",
		chromedp.Navigate(base),
		chromedp.WaitVisible(fmt.Sprintf(`#prompt-%d .submission`, sunrise.ID), chromedp.ByQuery),
	)
	if n := countNodes(t, ctx, fmt.Sprintf(`#prompt-%d .submission .badge.late`, sunrise.ID)); n != 2 {
		t.Errorf("late badges on the overview's sunrise answers: %d, want 2", n)
	}
	if n := countNodes(t, ctx, fmt.Sprintf(`#prompt-%d .badge.late`, joke.ID)); n != 0 {
		t.Errorf("the on-time joke is marked late")
	}
	shoot(t, ctx, "03-overview", laptop)

	run(t, ctx, "open the review queue",
		chromedp.Navigate(base+"/review"),
		chromedp.WaitVisible(`.review-list`, chromedp.ByQuery),
	)
	if n := countNodes(t, ctx, `.review-item .late-note`); n != 2 {
		t.Errorf("late notes in the review queue: %d, want 2", n)
	}
	shoot(t, ctx, "04-review", laptop)
}

// TestBrowserPhoneFindsItsWayBack: a participant who lost their tab opens
// the site and finds their event on the start page, one tap from their
// prompts. The same phone opening an event's dashboard link (one forwarded
// from a chat, say) gets the "Not found" page, which offers the sign-in;
// an organizer who joined their own event from this phone signs in there
// and lands on the page they opened.
func TestBrowserPhoneFindsItsWayBack(t *testing.T) {
	s := newSite(t)
	ctx := browsertest.New(t)
	run(t, ctx, "phone size", chromedp.ActionFunc(browsertest.Phone))
	s.join(t, ctx, "Ana on her phone")
	run(t, ctx, "open the start page",
		chromedp.Navigate(s.url+"/"),
		chromedp.WaitVisible(`.joined-link`, chromedp.ByQuery),
	)
	wantContains(t, "the phone's event", text(t, ctx, `.joined-link`), "Spring hunt")
	shoot(t, ctx, "home-joined", browsertest.Phone)
	run(t, ctx, "back to the prompts",
		chromedp.Click(`.joined-link`, chromedp.ByQuery),
		chromedp.WaitVisible(`.prompt-list`, chromedp.ByQuery),
	)
	if got := location(t, ctx); got != s.listURL() {
		t.Errorf("the start page's link led to %s, want %s", got, s.listURL())
	}
	people := fmt.Sprintf("/dashboard/events/%d/people", s.ev.ID)
	run(t, ctx, "open the people page",
		chromedp.Navigate(s.url+people),
		chromedp.WaitVisible(`.status-code`, chromedp.ByQuery),
	)
	wantContains(t, "status", text(t, ctx, `.status-code`), "404")
	wantContains(t, "message", text(t, ctx, `.lead`), "If you organize this event, sign in first.")
	if n := countNodes(t, ctx, `.participant-list, table`); n != 0 {
		t.Errorf("the 404 page shows %d lists", n)
	}
	shoot(t, ctx, "phone-dashboard-404", browsertest.Phone)

	run(t, ctx, "sign in from the 404 page",
		chromedp.Click(`a[href^="/login?next="]`, chromedp.ByQuery),
		chromedp.WaitVisible(`form[action="/login"]`, chromedp.ByQuery),
		chromedp.SendKeys(`input[name=email]`, "ana@example.com", chromedp.ByQuery),
		chromedp.SendKeys(`input[name=password]`, handlertest.Password, chromedp.ByQuery),
		chromedp.Click(`form[action="/login"] button[type=submit]`, chromedp.ByQuery),
		chromedp.WaitNotPresent(`form[action="/login"]`, chromedp.ByQuery),
		scriptsReady(),
	)
	if got := location(t, ctx); got != s.url+people {
		t.Errorf("after signing in: at %s, want %s", got, s.url+people)
	}
}
