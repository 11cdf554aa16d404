package live_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"retreat/handlers/browsertest"
	"retreat/models/live"
)

// extract writes the zip's files under dir, as an unzip tool would.
func extract(t *testing.T, files map[string][]byte, dir string) {
	t.Helper()
	for name, data := range files {
		if !filepath.IsLocal(name) {
			t.Fatalf("zip entry %q is outside the folder", name)
		}
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// offlineCopy downloads the offline copy of s's reveal, unzips it and
// closes the server (the copy must not need it). It returns index.html's
// file:// URL and the copy's deck: awards decided now, those nobody won
// left out.
func offlineCopy(t *testing.T, s *stageShow) (string, *live.Deck) {
	t.Helper()
	rec := s.ana.Get(fmt.Sprintf("/dashboard/events/%d/reveal/offline.zip", s.ev.ID))
	if rec.Code != 200 {
		t.Fatalf("download: %d %s", rec.Code, rec.Body.String())
	}
	dir := t.TempDir()
	extract(t, unzip(t, rec.Body.Bytes()), dir)
	s.srv.Close()
	deck, err := s.app.Server.Live().OfflineDeck(t.Context(), s.ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	return "file://" + filepath.ToSlash(dir) + "/index.html", &deck
}

// TestBrowserOfflineDeckFromDisk unzips the offline copy, closes the server
// and takes the tab offline, opens index.html from file:// and presents it
// with the keys: every slide, photos letterboxed, names hidden until R, at
// 1920x1080 and 1280x720, without one request leaving the disk.
func TestBrowserOfflineDeckFromDisk(t *testing.T) {
	s := newStageShow(t, true)
	ctx := browsertest.New(t)
	index, deck := offlineCopy(t, s)
	n := len(deck.Slides)
	key := map[string]string{}
	for _, sl := range deck.Slides {
		if sl.Kind == live.KindPhoto || sl.Kind == live.KindText {
			key[sl.Author] = sl.Key
		}
	}
	slideNo := func(k string) int { return deck.Index(k) + 1 }

	var mu sync.Mutex
	var requests, exceptions []string
	chromedp.ListenTarget(ctx, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch e := ev.(type) {
		case *network.EventRequestWillBeSent:
			requests = append(requests, e.Request.URL)
		case *runtime.EventExceptionThrown:
			exceptions = append(exceptions, e.ExceptionDetails.Error())
		}
	})

	run(t, ctx, "open the copy offline at 1920x1080",
		network.Enable(),
		network.EmulateNetworkConditions(true, 0, -1, -1),
		chromedp.EmulateViewport(1920, 1080),
		chromedp.Navigate(index),
	)
	var ready bool
	run(t, ctx, "script ready", chromedp.Poll(`document.querySelector("[data-offline]").dataset.ready === "1"`, &ready,
		chromedp.WithPollingTimeout(10*time.Second)))
	waitKey(t, ctx, "cover")
	eval[bool](t, ctx, watchBlank)
	if bg := eval[string](t, ctx, `getComputedStyle(document.body).backgroundColor`); bg != "rgb(11, 16, 32)" {
		t.Errorf("css/live.css not applied: body background %q", bg)
	}
	if c := measure(t, ctx).Counter; c != fmt.Sprintf("1 / %d", n) {
		t.Errorf("counter on the cover %q", c)
	}
	browsertest.Screenshot(t, ctx, "1080-cover")

	author := func() string {
		return eval[string](t, ctx, `document.querySelector("[data-stage] [data-author]")?.textContent || ""`)
	}
	photoLoaded := func(what string) {
		t.Helper()
		var ok bool
		run(t, ctx, what+" decoded", chromedp.Poll(`(() => { const i = document.querySelector("[data-stage] img.photo"); return !!i && i.complete && i.naturalWidth > 0; })()`, &ok,
			chromedp.WithPollingTimeout(5*time.Second)))
	}
	waitAuthor := func(prefix string) {
		t.Helper()
		var ok bool
		if err := chromedp.Run(ctx, chromedp.Poll(fmt.Sprintf(`document.querySelector("[data-stage] [data-author]").textContent.startsWith(%q)`, prefix), &ok,
			chromedp.WithPollingTimeout(3*time.Second))); err != nil {
			t.Fatalf("author line %q, want it to start with %q", author(), prefix)
		}
	}

	press(t, ctx, kb.ArrowRight)
	waitKey(t, ctx, deck.Slides[1].Key)
	press(t, ctx, kb.PageDown)
	waitKey(t, ctx, key["Pan"])
	photoLoaded("the panorama")
	l := measure(t, ctx)
	checkFits(t, "1080 panorama", l, true)
	if l.Author != "Who sent this?" || l.Counter != fmt.Sprintf("%d / %d", slideNo(key["Pan"]), n) {
		t.Errorf("before R: author %q counter %q", l.Author, l.Counter)
	}
	// The portrait, next, is already being read from disk.
	porFile := fmt.Sprintf("/photos/%03d.jpg", slideNo(key["Por"]))
	requested := func() bool {
		mu.Lock()
		defer mu.Unlock()
		for _, u := range requests {
			if strings.HasSuffix(u, porFile) {
				return true
			}
		}
		return false
	}
	for deadline := time.Now().Add(5 * time.Second); !requested(); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the next photo %s was not preloaded", porFile)
		}
	}
	browsertest.Screenshot(t, ctx, "1080-panorama")

	// R reveals the name, R again hides it, "." (a clicker) shows it.
	press(t, ctx, "r")
	waitAuthor("Pan")
	browsertest.Screenshot(t, ctx, "1080-panorama-named")
	press(t, ctx, "r")
	waitAuthor("Who sent this?")
	press(t, ctx, ".")
	waitAuthor("Pan")

	press(t, ctx, " ")
	waitKey(t, ctx, key["Por"])
	photoLoaded("the portrait")
	checkFits(t, "1080 portrait", measure(t, ctx), false)
	if a := author(); a != "Who sent this?" {
		t.Errorf("a new slide shows its author %q before R", a)
	}
	press(t, ctx, "b")
	waitAuthor("Por")
	browsertest.Screenshot(t, ctx, "1080-portrait-named")

	// ← goes back; the name revealed there stays revealed.
	press(t, ctx, kb.ArrowLeft)
	waitKey(t, ctx, key["Pan"])
	waitAuthor("Pan")

	// The notes have a window of their own (TestBrowserOfflineNotesWindow).
	noNotesOverTheSlide(t, ctx)

	press(t, ctx, kb.End)
	waitKey(t, ctx, deck.Slides[n-1].Key)
	if c := measure(t, ctx).Counter; c != fmt.Sprintf("%d / %d", n, n) {
		t.Errorf("counter on the last slide %q", c)
	}
	time.Sleep(500 * time.Millisecond) // the newest row rises into place
	browsertest.Screenshot(t, ctx, "1080-last")
	press(t, ctx, kb.ArrowRight) // past the end: stays
	waitKey(t, ctx, deck.Slides[n-1].Key)
	press(t, ctx, kb.Home)
	waitKey(t, ctx, "cover")

	// 1280x720, with the other keys: ↓ Enter next, ↑ PageUp Backspace back.
	run(t, ctx, "720p", chromedp.EmulateViewport(1280, 720))
	press(t, ctx, kb.ArrowDown)
	press(t, ctx, kb.Enter)
	waitKey(t, ctx, key["Pan"])
	photoLoaded("the panorama at 720p")
	checkFits(t, "720 panorama", measure(t, ctx), true)
	browsertest.Screenshot(t, ctx, "720-panorama")
	press(t, ctx, kb.ArrowDown)
	waitKey(t, ctx, key["Por"])
	photoLoaded("the portrait at 720p")
	checkFits(t, "720 portrait", measure(t, ctx), false)
	browsertest.Screenshot(t, ctx, "720-portrait")
	press(t, ctx, kb.ArrowUp)
	waitKey(t, ctx, key["Pan"])
	press(t, ctx, kb.Backspace)
	press(t, ctx, kb.PageUp)
	waitKey(t, ctx, "cover")
	browsertest.Screenshot(t, ctx, "720-cover")
	for range slideNo(key["Tex"]) - 1 {
		press(t, ctx, kb.ArrowRight)
	}
	waitKey(t, ctx, key["Tex"])
	if l := measure(t, ctx); l.ScrollW > l.W || l.ScrollH > l.H {
		t.Errorf("text slide scrolls at 720p: %+v", l)
	}
	browsertest.Screenshot(t, ctx, "720-text")

	// The place survives a reload (the slide number is in the address).
	run(t, ctx, "reload", chromedp.Reload())
	waitKey(t, ctx, key["Tex"])

	if blanks := eval[[]string](t, ctx, `window.blankFrames || []`); len(blanks) > 0 {
		t.Errorf("slides shown before their photo was decoded: %v", blanks)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(requests) == 0 {
		t.Error("no requests seen at all: the listener is not working")
	}
	for _, u := range requests {
		if !strings.HasPrefix(u, "file://") {
			t.Errorf("the offline copy requested %s", u)
		}
	}
	if len(exceptions) > 0 {
		t.Errorf("script errors: %v", exceptions)
	}
}

// TestBrowserOfflineNotesWindow presents the offline copy from disk with
// its notes in a window of their own, as the live presenter's are: N opens
// it (nothing of the notes is drawn on the slides, the window shared on
// the call), it follows every move and its keys move the slides, N brings
// it back once closed, and it survives a reload of the slides. A browser
// that refuses the window gets a message where the banner is.
func TestBrowserOfflineNotesWindow(t *testing.T) {
	s := newStageShow(t, true)
	ctx := browsertest.New(t)
	index, deck := offlineCopy(t, s)
	n := len(deck.Slides)
	key := map[string]string{}
	for _, sl := range deck.Slides {
		if sl.Kind == live.KindPhoto {
			key[sl.Author] = sl.Key
		}
	}

	var mu sync.Mutex
	var exceptions []string
	chromedp.ListenTarget(ctx, func(ev any) {
		if e, ok := ev.(*runtime.EventExceptionThrown); ok {
			mu.Lock()
			exceptions = append(exceptions, e.ExceptionDetails.Error())
			mu.Unlock()
		}
	})
	run(t, ctx, "open the copy at 1280x800", chromedp.ActionFunc(browsertest.Laptop), chromedp.Navigate(index),
		browsertest.Until(`document.querySelector("[data-offline]").dataset.ready === "1"`, 10*time.Second))
	waitKey(t, ctx, "cover")
	counter := func() string { return measure(t, ctx).Counter }
	note := func(win context.Context, sel string) string {
		return eval[string](t, win, fmt.Sprintf(`document.querySelector(%q)?.textContent ?? "(none)"`, sel))
	}
	waitNote := func(win context.Context, sel, want string) {
		t.Helper()
		js := fmt.Sprintf(`document.querySelector(%q)?.textContent === %q`, sel, want)
		if err := chromedp.Run(win, browsertest.Until(js, 5*time.Second)); err != nil {
			t.Fatalf("notes window %s: %q, want %q", sel, note(win, sel), want)
		}
	}

	// N opens a window of its own; the slides show nothing of the notes.
	win, winID := openOfflineNotes(t, ctx)
	noNotesOverTheSlide(t, ctx)
	text := eval[string](t, win, `document.body.innerText`)
	for _, want := range []string{"Now: ", "Next: ", "Spring hunt", "phones do not follow an offline copy"} {
		if !strings.Contains(text, want) {
			t.Errorf("notes window lacks %q:\n%s", want, text)
		}
	}
	waitNote(win, "[data-counter]", fmt.Sprintf("1 / %d", n))
	if bg := eval[string](t, win, `getComputedStyle(document.body).backgroundColor`); bg != "rgb(11, 16, 32)" {
		t.Errorf("notes window without css/live.css: body background %q", bg)
	}
	if d := eval[string](t, win, `getComputedStyle(document.querySelector(".np-main")).display`); d != "grid" {
		t.Errorf("notes window laid out as %q, want the live notes window's grid", d)
	}

	// → in the notes window moves the slides, and the notes follow.
	press(t, win, kb.ArrowRight)
	waitKey(t, ctx, deck.Slides[1].Key)
	if c := counter(); c != fmt.Sprintf("2 / %d", n) {
		t.Errorf("slides counter after → in the notes window: %q", c)
	}
	waitNote(win, "[data-counter]", fmt.Sprintf("2 / %d", n))
	// The clock runs from the first move.
	run(t, win, "the clock ticks", browsertest.Until(`/^00:0[1-9]$/.test(document.querySelector("[data-elapsed]").textContent)`, 5*time.Second))

	for deck.Index(key["Pan"]) > deck.Index(eval[string](t, ctx, `document.querySelector("[data-stage] [data-slide]").dataset.key`)) {
		cur := counter()
		press(t, win, kb.PageDown)
		run(t, ctx, "the slide moves", browsertest.Until(fmt.Sprintf(`document.querySelector("[data-counter]").textContent !== %q`, cur), 5*time.Second))
	}
	waitKey(t, ctx, key["Pan"])
	waitNote(win, "[data-note-now]", "Now: Photo by Pan · name hidden (R)")
	waitNote(win, "[data-note-next]", "Next: Photo by Por")
	run(t, win, "both photos in the notes window", browsertest.Until(`[...document.querySelectorAll("[data-screen] img")].every((i) => !i.closest("[hidden]") && i.complete && i.naturalWidth > 0)`, 5*time.Second))
	press(t, win, "r")
	run(t, ctx, "R in the notes window reveals the name", browsertest.Until(`document.querySelector("[data-stage] [data-author]").textContent.startsWith("Pan")`, 5*time.Second))
	waitNote(win, "[data-note-now]", "Now: Photo by Pan · name revealed")
	press(t, win, kb.ArrowLeft)
	waitKey(t, ctx, deck.Slides[deck.Index(key["Pan"])-1].Key)
	press(t, win, kb.ArrowRight)
	waitKey(t, ctx, key["Pan"])

	noNotesOverTheSlide(t, ctx)
	browsertest.Screenshot(t, ctx, "slides-1280x800")
	browsertest.Screenshot(t, win, "notes-1280x800")
	run(t, ctx, "phone", chromedp.ActionFunc(browsertest.Phone))
	noNotesOverTheSlide(t, ctx)
	browsertest.Screenshot(t, ctx, "slides-phone")
	run(t, ctx, "laptop", chromedp.ActionFunc(browsertest.Laptop))

	// N again brings the same window forward: nothing new opens and it is
	// not rebuilt.
	eval[bool](t, win, `document.querySelector("[data-notes-window]").dataset.mark = "1", true`)
	press(t, ctx, "n")
	time.Sleep(300 * time.Millisecond)
	if pages := pageTargets(t, ctx); pages != 2 {
		t.Errorf("%d windows after N with the notes open, want 2", pages)
	}
	if m := eval[string](t, win, `document.querySelector("[data-notes-window]").dataset.mark || ""`); m != "1" {
		t.Error("N rebuilt the open notes window")
	}

	// A reload of the slides closes the notes window: the reloaded page
	// is an origin of its own (file://) and could not reach it. N opens a
	// new one, whose keys move the slides.
	run(t, ctx, "reload", chromedp.Reload(), browsertest.Until(`document.querySelector("[data-offline]")?.dataset.ready === "1"`, 10*time.Second))
	waitKey(t, ctx, key["Pan"])
	waitWindows(t, ctx, 1)
	win, winID = openOfflineNotes(t, ctx)
	waitNote(win, "[data-note-now]", "Now: Photo by Pan · name hidden (R)")
	press(t, win, kb.ArrowRight)
	waitKey(t, ctx, key["Por"])

	// Closed, it comes back with N, up to date.
	run(t, win, "close the notes window", chromedp.Evaluate(`window.close()`, nil))
	waitWindows(t, ctx, 1)
	win2, id2 := openOfflineNotes(t, ctx)
	if id2 == winID {
		t.Error("N after closing the notes window reattached the closed one")
	}
	waitNote(win2, "[data-note-now]", "Now: Photo by Por · name hidden (R)")
	waitNote(win2, "[data-counter]", fmt.Sprintf("%d / %d", deck.Index(key["Por"])+1, n))
	press(t, win2, kb.Home)
	waitKey(t, ctx, "cover")
	run(t, win2, "close", chromedp.Evaluate(`window.close()`, nil))

	// A browser that blocks the window: the message goes where the
	// banner is, and still nothing is drawn over the slide.
	eval[bool](t, ctx, `window.open = () => null, true`)
	press(t, ctx, "n")
	var banner string
	run(t, ctx, "blocked", chromedp.WaitVisible(`[data-banner]`, chromedp.ByQuery), chromedp.Text(`[data-banner]`, &banner, chromedp.ByQuery))
	if !strings.Contains(banner, "blocked the notes window") {
		t.Errorf("banner after a blocked window: %q", banner)
	}
	noNotesOverTheSlide(t, ctx)
	browsertest.Screenshot(t, ctx, "slides-popup-blocked")

	mu.Lock()
	defer mu.Unlock()
	if len(exceptions) > 0 {
		t.Errorf("script errors: %v", exceptions)
	}
}

// openOfflineNotes presses N on the offline copy and attaches to the
// window it opens, at 1280x800, once the copy's script has built it.
func openOfflineNotes(t *testing.T, ctx context.Context) (context.Context, target.ID) {
	t.Helper()
	main := chromedp.FromContext(ctx).Target.TargetID
	return openedByN(t, ctx, func(i *target.Info) bool { return i.OpenerID == main },
		`!!document.querySelector("[data-notes-window] [data-note-now]")?.textContent`)
}

// waitWindows waits until the browser has n windows open.
func waitWindows(t *testing.T, ctx context.Context, n int) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); pageTargets(t, ctx) != n; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d windows open, want %d", pageTargets(t, ctx), n)
		}
	}
}

// pageTargets counts the browser's open windows.
func pageTargets(t *testing.T, ctx context.Context) int {
	t.Helper()
	infos, err := chromedp.Targets(ctx)
	if err != nil {
		t.Fatalf("list targets: %v", err)
	}
	pages := 0
	for _, i := range infos {
		if i.Type == "page" {
			pages++
		}
	}
	return pages
}
