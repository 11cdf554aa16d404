package live_test

// Browser tests of the reveal in headless Chromium: the presenter at
// 1920x1080 and 1280x720 (keys, the name reveal, letterboxed photos of any
// shape, no scrollbars, preloading, never a blank frame), and two phones
// following along, one of which loses its connection and catches up.

import (
	"context"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"retreat/handlers/browsertest"
	"retreat/handlers/handlertest"
	"retreat/models"
)

// stageShow is an event with answers of every shape: a 6:1 panorama, a 3:4
// portrait (a real 12-megapixel phone photo), a text answer.
type stageShow struct {
	app         *handlertest.App
	srv         *httptest.Server
	ev          *models.Event
	photo, joke *models.Prompt
	ana         *handlertest.Client
	people      map[string]*handlertest.Client
}

// panorama writes a 3000x500 JPEG: a blue-to-green gradient with a red
// band at each end, so its edges can be seen in screenshots.
func panorama(t *testing.T) string {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 3000, 500))
	for x := 0; x < 3000; x++ {
		c := color.RGBA{R: 20, G: uint8(60 + x*180/3000), B: uint8(220 - x*180/3000), A: 255}
		if x < 40 || x >= 2960 {
			c = color.RGBA{R: 220, G: 30, B: 30, A: 255}
		}
		for y := 0; y < 500; y++ {
			img.Set(x, y, c)
		}
	}
	p := filepath.Join(t.TempDir(), "panorama.jpg")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := jpeg.Encode(f, img, &jpeg.Options{Quality: 85}); err != nil {
		t.Fatal(err)
	}
	return p
}

func newStageShow(t *testing.T, portrait bool) *stageShow {
	t.Helper()
	app := handlertest.New(t)
	o := app.Organizer("ana@example.com", "Ana")
	ev := app.Event(o, "Spring hunt", "Europe/Lisbon")
	s := &stageShow{app: app, ev: ev, people: map[string]*handlertest.Client{},
		photo: app.Prompt(ev, models.KindPhoto, "Wide or tall: the view from where you are", nil, nil),
		joke:  app.Prompt(ev, models.KindText, "Your best joke", nil, nil)}
	upload := func(name, file, caption string) {
		c := app.Client()
		c.Join(ev, name)
		s.people[name] = c
		if rec := c.Upload(handlertest.AnswerPath(ev, s.photo), caption, file); rec.Code != http.StatusSeeOther {
			t.Fatalf("%s's upload: %d %s", name, rec.Code, rec.Body.String())
		}
		app.Clock.Advance(time.Minute)
	}
	upload("Pan", panorama(t), "The whole bay from the ridge at sunrise, all of it, left to right")
	if portrait {
		upload("Por", handlertest.PhotoPath(t, "phone-12mp.jpg"), "Up")
	} else {
		upload("Por", handlertest.PhotoPath(t, "orient-6.jpg"), "Up")
	}
	tex := app.Client()
	tex.Join(ev, "Tex")
	s.people["Tex"] = tex
	if rec := tex.PostForm(handlertest.AnswerPath(ev, s.joke), url.Values{"text": {"Why did the scarecrow win an award? He was outstanding in his field."}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("text answer: %d", rec.Code)
	}
	s.ana = app.Client()
	s.ana.SignIn("ana@example.com")
	s.srv = httptest.NewServer(app.Echo)
	t.Cleanup(s.srv.Close)
	return s
}

func (s *stageShow) presenter() string {
	return fmt.Sprintf("%s/dashboard/events/%d/reveal", s.srv.URL, s.ev.ID)
}

// as gives the browser tab the cookies of a client (a session made with
// the real forms), as if that person had signed in there; base is the
// address the tab reaches the server at.
func as(c *handlertest.Client, base string) chromedp.Action {
	return chromedp.ActionFunc(func(ctx context.Context) error {
		for _, ck := range c.Cookies() {
			if err := network.SetCookie(ck.Name, ck.Value).WithURL(base).WithHTTPOnly(true).Do(ctx); err != nil {
				return err
			}
		}
		return nil
	})
}

func run(t *testing.T, ctx context.Context, what string, actions ...chromedp.Action) {
	t.Helper()
	if err := chromedp.Run(ctx, actions...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// waitKey waits until the stage shows the slide with key. It asks through
// browsertest.Until, which outlives a reload: a presenter reloads itself
// when the reveal is started or ended from elsewhere (the page changes
// shape).
func waitKey(t *testing.T, ctx context.Context, key string) {
	t.Helper()
	run(t, ctx, "wait for slide "+key,
		browsertest.Until(fmt.Sprintf(`!!document.querySelector('[data-stage] [data-slide][data-key=%q]')`, key), 15*time.Second))
}

func eval[T any](t *testing.T, ctx context.Context, js string) T {
	t.Helper()
	var v T
	run(t, ctx, "evaluate "+js, chromedp.Evaluate(js, &v))
	return v
}

func press(t *testing.T, ctx context.Context, key string) {
	t.Helper()
	run(t, ctx, "press "+key, chromedp.KeyEvent(key))
}

// layout measures the page and the photo on screen: whether anything
// scrolls, the frame the photo has, and the rectangle its pixels fill
// (object-fit: contain) inside it.
type layout struct {
	ScrollW, ScrollH, W, H float64
	FrameW, FrameH         float64
	ShownW, ShownH         float64
	Top, Bottom            float64
	CaptionPx              float64
	CaptionBottom          float64
	Author                 string
	Counter                string
}

const measureJS = `(() => {
  const d = document.documentElement, img = document.querySelector("[data-stage] img.photo");
  const r = {ScrollW: d.scrollWidth, ScrollH: d.scrollHeight, W: innerWidth, H: innerHeight};
  if (img) {
    const b = img.getBoundingClientRect();
    const s = Math.min(b.width / img.naturalWidth, b.height / img.naturalHeight);
    Object.assign(r, {FrameW: b.width, FrameH: b.height, ShownW: img.naturalWidth * s, ShownH: img.naturalHeight * s, Top: b.top, Bottom: b.bottom});
  }
  const cap = document.querySelector("[data-stage] .caption");
  if (cap) { r.CaptionPx = parseFloat(getComputedStyle(cap).fontSize); r.CaptionBottom = cap.getBoundingClientRect().bottom; }
  r.Author = document.querySelector("[data-stage] [data-author]")?.textContent || "";
  r.Counter = document.querySelector("[data-counter]")?.textContent || "";
  return r;
})()`

func measure(t *testing.T, ctx context.Context) layout {
	t.Helper()
	var l layout
	run(t, ctx, "measure", chromedp.Evaluate(measureJS, &l))
	return l
}

// checkFits fails unless nothing scrolls and the photo fills its frame
// along the side that limits it (wide: the width; tall: the height).
func checkFits(t *testing.T, what string, l layout, wide bool) {
	t.Helper()
	if l.ScrollW > l.W || l.ScrollH > l.H {
		t.Errorf("%s: the page scrolls (%vx%v in a %vx%v window)", what, l.ScrollW, l.ScrollH, l.W, l.H)
	}
	if l.FrameW == 0 || l.Bottom > l.H || l.Top < 0 {
		t.Errorf("%s: the photo's frame is not on screen: %+v", what, l)
	}
	near := func(a, b float64) bool { return a-b < 1.5 && b-a < 1.5 }
	if wide && (!near(l.ShownW, l.FrameW) || l.ShownH >= l.FrameH) {
		t.Errorf("%s: a panorama should fill the width and be letterboxed above and below: %+v", what, l)
	}
	if !wide && (!near(l.ShownH, l.FrameH) || l.ShownW >= l.FrameW) {
		t.Errorf("%s: a portrait should fill the height and be letterboxed at the sides: %+v", what, l)
	}
	if l.CaptionBottom > l.H {
		t.Errorf("%s: the caption runs off the screen: %+v", what, l)
	}
	if min := l.H / 40; l.CaptionPx < min {
		t.Errorf("%s: caption at %vpx is too small to read on a shared screen (want ≥ %v)", what, l.CaptionPx, min)
	}
}

// watchBlank records, for every slide put on the stage, whether its photo
// was already decoded: a slide change must never show an empty frame.
const watchBlank = `(() => {
  window.blankFrames = [];
  const stage = document.querySelector("[data-stage]");
  new MutationObserver(() => {
    const img = stage.querySelector("img.photo");
    if (stage.children.length === 0) window.blankFrames.push("empty stage");
    else if (img && !(img.complete && img.naturalWidth > 0)) window.blankFrames.push(img.src);
  }).observe(stage, {childList: true});
  return true;
})()`

func TestBrowserPresenterAtBothSizes(t *testing.T) {
	s := newStageShow(t, true)
	ctx := browsertest.New(t)
	run(t, ctx, "full HD, signed in as Ana",
		chromedp.EmulateViewport(1920, 1080),
		as(s.ana, s.srv.URL),
		chromedp.Navigate(s.presenter()),
		chromedp.WaitVisible(`[data-start]`, chromedp.ByQuery),
	)
	browsertest.Screenshot(t, ctx, "1080-lobby")
	run(t, ctx, "start", chromedp.Click(`[data-start]`, chromedp.ByQuery),
		chromedp.WaitVisible(`[data-stage] [data-slide][data-key=cover]`, chromedp.ByQuery))
	var ready bool
	run(t, ctx, "script ready", chromedp.Poll(`document.querySelector("[data-presenter]").dataset.ready === "1"`, &ready))
	eval[bool](t, ctx, watchBlank)
	browsertest.Screenshot(t, ctx, "1080-cover")

	subs, _ := s.app.Store.EventSubmissions(t.Context(), s.ev.ID)
	key := map[string]string{}
	for _, sub := range subs {
		key[sub.ParticipantName] = fmt.Sprintf("sub-%d", sub.ID)
	}

	press(t, ctx, kb.ArrowRight)
	waitKey(t, ctx, fmt.Sprintf("prompt-%d", s.photo.ID))
	browsertest.Screenshot(t, ctx, "1080-prompt")
	press(t, ctx, kb.PageDown) // a clicker's "next"
	waitKey(t, ctx, key["Pan"])
	// The next photo (the portrait) is already being fetched, while the
	// panorama is on screen: its own full-screen rendition, by its id.
	var fetched bool
	porFull := fmt.Sprintf("/photos/%d/full?v=", mustSub(t, s, "Por"))
	run(t, ctx, "portrait preloaded", chromedp.Poll(fmt.Sprintf(`performance.getEntriesByType("resource").some((e) => e.name.includes(%q))`, porFull),
		&fetched, chromedp.WithPollingTimeout(5*time.Second)))
	l := measure(t, ctx)
	checkFits(t, "1080 panorama", l, true)
	if l.Author != "Who sent this?" || !strings.HasPrefix(l.Counter, "3 / ") {
		t.Errorf("before the reveal: author %q counter %q", l.Author, l.Counter)
	}
	browsertest.Screenshot(t, ctx, "1080-panorama")

	// R reveals the name, here and on every phone.
	press(t, ctx, "r")
	var named bool
	run(t, ctx, "name shown", chromedp.Poll(`document.querySelector("[data-stage] [data-author]").textContent.startsWith("Pan")`, &named,
		chromedp.WithPollingTimeout(5*time.Second)))
	st, _ := (&show{app: s.app, ev: s.ev}).followerState(t, s.people["Tex"])
	if !st.Named || st.Slide.Author != "Pan" {
		t.Errorf("phones after R: %+v", st.Slide)
	}
	browsertest.Screenshot(t, ctx, "1080-panorama-named")

	press(t, ctx, " ")
	waitKey(t, ctx, key["Por"])
	checkFits(t, "1080 portrait", measure(t, ctx), false)
	browsertest.Screenshot(t, ctx, "1080-portrait")

	// The notes are in a window of their own (notes.go): nothing is ever
	// drawn over the slide this tab shares.
	noNotesOverTheSlide(t, ctx)

	// The text answer, and the scores from the bottom up.
	press(t, ctx, kb.ArrowRight)
	press(t, ctx, kb.ArrowRight)
	waitKey(t, ctx, key["Tex"])
	if l := measure(t, ctx); l.ScrollH > l.H || l.ScrollW > l.W {
		t.Errorf("text slide scrolls: %+v", l)
	}
	browsertest.Screenshot(t, ctx, "1080-text")
	press(t, ctx, kb.End)
	waitKey(t, ctx, "scores-people-3")
	time.Sleep(500 * time.Millisecond) // the newest row rises into place
	browsertest.Screenshot(t, ctx, "1080-scores")

	// Back to the photos at 1280x720: the same fit, no scrollbars; the
	// name stays revealed on a slide already named.
	run(t, ctx, "720p", chromedp.EmulateViewport(1280, 720))
	press(t, ctx, kb.Home)
	waitKey(t, ctx, "cover")
	browsertest.Screenshot(t, ctx, "720-cover")
	press(t, ctx, kb.ArrowRight)
	press(t, ctx, kb.ArrowRight)
	waitKey(t, ctx, key["Pan"])
	l = measure(t, ctx)
	checkFits(t, "720 panorama", l, true)
	if !strings.HasPrefix(l.Author, "Pan") {
		t.Errorf("going back to a named slide: author %q", l.Author)
	}
	browsertest.Screenshot(t, ctx, "720-panorama")
	press(t, ctx, kb.PageDown)
	waitKey(t, ctx, key["Por"])
	checkFits(t, "720 portrait", measure(t, ctx), false)
	browsertest.Screenshot(t, ctx, "720-portrait")
	press(t, ctx, kb.PageUp)
	waitKey(t, ctx, key["Pan"])

	// F asks for full screen (headless Chromium may not grant it, so the
	// request itself is counted); the layout still fits.
	eval[bool](t, ctx, `(() => { window.fullscreenAsked = 0; const real = Element.prototype.requestFullscreen;
	  Element.prototype.requestFullscreen = function (...a) { window.fullscreenAsked++; return real.apply(this, a); }; return true; })()`)
	press(t, ctx, "f")
	var full bool
	_ = chromedp.Run(ctx, chromedp.Poll(`!!document.fullscreenElement`, &full, chromedp.WithPollingTimeout(3*time.Second)))
	if asked := eval[int](t, ctx, `window.fullscreenAsked`); asked != 1 {
		t.Errorf("F asked for full screen %d times, want once", asked)
	}
	if !full {
		t.Log("headless Chromium did not enter full screen (the request was made)")
	}
	checkFits(t, "720 panorama, full screen", measure(t, ctx), true)

	if blanks := eval[[]string](t, ctx, `window.blankFrames`); len(blanks) > 0 {
		t.Errorf("slides shown before their photo was decoded: %v", blanks)
	}
}

// cutProxy stands between a phone and the server so the test can cut the
// phone's connection as a train tunnel would.
type cutProxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	down   bool
	conns  map[net.Conn]bool
}

func newCutProxy(t *testing.T, target string) *cutProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &cutProxy{ln: ln, target: target, conns: map[net.Conn]bool{}}
	go p.serve()
	t.Cleanup(func() { ln.Close(); p.cut() })
	return p
}

func (p *cutProxy) url() string { return "http://" + p.ln.Addr().String() }

func (p *cutProxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		if p.down {
			p.mu.Unlock()
			c.Close()
			continue
		}
		up, err := net.Dial("tcp", p.target)
		if err != nil {
			p.mu.Unlock()
			c.Close()
			continue
		}
		p.conns[c], p.conns[up] = true, true
		p.mu.Unlock()
		go func() { io.Copy(up, c); up.Close() }()
		go func() { io.Copy(c, up); c.Close() }()
	}
}

// cut drops every connection and refuses new ones until restore.
func (p *cutProxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = true
	for c := range p.conns {
		c.Close()
	}
	p.conns = map[net.Conn]bool{}
}

func (p *cutProxy) restore() {
	p.mu.Lock()
	p.down = false
	p.mu.Unlock()
}

func TestBrowserTwoPhonesFollowAlongAndOneReconnects(t *testing.T) {
	s := newStageShow(t, false)
	host := strings.TrimPrefix(s.srv.URL, "http://")
	proxy := newCutProxy(t, host)
	sh := &show{app: s.app, ev: s.ev, ana: s.ana}
	ctx := browsertest.New(t)
	phoneA := browsertest.NewWindow(t, ctx)
	phoneB := browsertest.NewWindow(t, ctx)
	livePath := fmt.Sprintf("/e/%d/live", s.ev.ID)
	run(t, phoneA, "phone A follows", chromedp.ActionFunc(browsertest.Phone), as(s.people["Pan"], s.srv.URL),
		chromedp.Navigate(s.srv.URL+livePath), chromedp.WaitVisible(`[data-message=waiting]`, chromedp.ByQuery))
	// Phone B reaches the server through the proxy the test can cut.
	run(t, phoneB, "phone B follows", chromedp.ActionFunc(browsertest.Phone), as(s.people["Por"], proxy.url()),
		chromedp.Navigate(proxy.url()+livePath), chromedp.WaitVisible(`[data-message=waiting]`, chromedp.ByQuery))
	browsertest.Screenshot(t, phoneA, "phone-waiting")

	st := sh.act(t, s.ana, "start", nil)
	waitKey(t, phoneA, "cover")
	waitKey(t, phoneB, "cover")
	sh.act(t, s.ana, "next", nil)
	st = sh.act(t, s.ana, "next", nil) // Pan's panorama
	waitKey(t, phoneA, st.Slide.Key)
	waitKey(t, phoneB, st.Slide.Key)
	for _, p := range []context.Context{phoneA, phoneB} {
		var loaded bool
		run(t, p, "photo loaded", chromedp.Poll(`(() => { const i = document.querySelector("[data-stage] img.photo"); return i && i.complete && i.naturalWidth > 0; })()`, &loaded))
		if a := eval[string](t, p, `document.querySelector("[data-stage] [data-author]").textContent`); a != "Who sent this?" {
			t.Errorf("phone shows the author %q before the reveal", a)
		}
	}
	browsertest.Screenshot(t, phoneA, "phone-photo")

	// Phone B loses its connection; the reveal goes on without it.
	eval[bool](t, phoneB, watchBlank)
	proxy.cut()
	var lost bool
	run(t, phoneB, "phone B notices", chromedp.Poll(`document.querySelector("[data-conn]").classList.contains("lost")`, &lost,
		chromedp.WithPollingTimeout(10*time.Second)))
	sh.act(t, s.ana, "name", url.Values{"named": {"1"}})
	st = sh.act(t, s.ana, "next", nil) // Por's photo
	st = sh.act(t, s.ana, "name", url.Values{"named": {"1"}})
	waitKey(t, phoneA, st.Slide.Key)
	browsertest.Screenshot(t, phoneB, "phone-reconnecting")
	if k := eval[string](t, phoneB, `document.querySelector("[data-stage] [data-slide]").dataset.key`); k == st.Slide.Key {
		t.Fatal("phone B moved while cut off")
	}

	// Back online: phone B catches up with the current slide, name and all.
	proxy.restore()
	waitKey(t, phoneB, st.Slide.Key)
	var named bool
	run(t, phoneB, "name after catching up", chromedp.Poll(`document.querySelector("[data-stage] [data-author]").textContent.startsWith("Por")`, &named,
		chromedp.WithPollingTimeout(10*time.Second)))
	run(t, phoneB, "live again", chromedp.Poll(`document.querySelector("[data-conn]").textContent === "Live"`, &named))
	browsertest.Screenshot(t, phoneB, "phone-caught-up")
	if blanks := eval[[]string](t, phoneB, `window.blankFrames`); len(blanks) > 0 {
		t.Errorf("phone B showed a slide before its photo was decoded: %v", blanks)
	}

	// Phone A pages back to the panorama (shown, name revealed) and back.
	run(t, phoneA, "earlier", chromedp.Click(`[data-older]`, chromedp.ByQuery))
	waitKey(t, phoneA, fmt.Sprintf("sub-%d", mustSub(t, s, "Pan")))
	if a := eval[string](t, phoneA, `document.querySelector("[data-stage] [data-author]").textContent`); !strings.HasPrefix(a, "Pan") {
		t.Errorf("an earlier named slide: author %q", a)
	}
	browsertest.Screenshot(t, phoneA, "phone-earlier")
	// Later slides are not there to page to: "Later" comes back to live.
	run(t, phoneA, "later", chromedp.Click(`[data-newer]`, chromedp.ByQuery))
	waitKey(t, phoneA, st.Slide.Key)

	// The end: both phones say so.
	sh.act(t, s.ana, "end", nil)
	for _, p := range []context.Context{phoneA, phoneB} {
		run(t, p, "the end", chromedp.Poll(`document.querySelector("[data-stage]").textContent.includes("That's a wrap")`, &named,
			chromedp.WithPollingTimeout(10*time.Second)))
	}
	browsertest.Screenshot(t, phoneA, "phone-ended")
}

func mustSub(t *testing.T, s *stageShow, name string) uint {
	t.Helper()
	subs, _ := s.app.Store.EventSubmissions(t.Context(), s.ev.ID)
	for _, sub := range subs {
		if sub.ParticipantName == name {
			return sub.ID
		}
	}
	t.Fatalf("no answer by %s", name)
	return 0
}
