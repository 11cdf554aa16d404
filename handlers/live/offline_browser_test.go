package live_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
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

// TestBrowserOfflineDeckFromDisk unzips the offline copy, closes the server
// and takes the tab offline, opens index.html from file:// and presents it
// with the keys: every slide, photos letterboxed, names hidden until R, at
// 1920x1080 and 1280x720, without one request leaving the disk.
func TestBrowserOfflineDeckFromDisk(t *testing.T) {
	s := newStageShow(t, true)
	ctx := browsertest.New(t)
	rec := s.ana.Get(fmt.Sprintf("/dashboard/events/%d/reveal/offline.zip", s.ev.ID))
	if rec.Code != 200 {
		t.Fatalf("download: %d %s", rec.Code, rec.Body.String())
	}
	dir := t.TempDir()
	extract(t, unzip(t, rec.Body.Bytes()), dir)
	// Nothing to reach: the copy must not need the server.
	s.srv.Close()

	// The copy's deck: awards decided now, those nobody won left out.
	deck, err := s.app.Server.Live().OfflineDeck(t.Context(), s.ev.ID)
	if err != nil {
		t.Fatal(err)
	}
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

	index := "file://" + filepath.ToSlash(dir) + "/index.html"
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

	// N: the notes say what comes next.
	press(t, ctx, "n")
	var next string
	run(t, ctx, "notes", chromedp.WaitVisible(`[data-notes]`, chromedp.ByQuery), chromedp.Text(`[data-note-next]`, &next, chromedp.ByQuery))
	if next != "Next: Photo by Por" {
		t.Errorf("notes say %q", next)
	}
	browsertest.Screenshot(t, ctx, "1080-notes")
	press(t, ctx, "n")

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
