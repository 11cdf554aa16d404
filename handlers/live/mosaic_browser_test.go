package live_test

// Browser tests of mosaics: the presenter's grid fills the slide at 6, 60
// and 300 tiles with every tile on screen, at 1280x800 and 1920x1080; a
// phone scrolls the grid, loads it as it goes and opens a tile larger; and
// phones that guessed learn how it went when the name comes out.

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	cdpruntime "github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"retreat/handlers/browsertest"
	"retreat/handlers/handlertest"
	"retreat/models"
	"retreat/models/live"
)

// mosaicShow is an event whose reveal is mosaics: real photos uploaded by
// a few people, copied for a crowd of 300, and jokes.
type mosaicShow struct {
	*show
	srv *httptest.Server
	// swing has 6 answers, desk 120 (two pages of 60), window 300 and
	// joke 24 texts.
	swing, desk, window, joke *models.Prompt
	// phone follows along: one of those who uploaded.
	phone *handlertest.Client
}

var mosaicPhotos = []struct{ name, file, caption string }{
	{"Ines", "phone-12mp.jpg", "Swinging over the lake at dawn"},
	{"Jonas", "progressive.jpg", "Higher!"},
	{"Kiri", "grayscale.jpg", ""},
	{"Lena", "photo.webp", "My niece insisted"},
	{"Milo", "photo-alpha.png", ""},
	{"Noor", "adobe-rgb.jpg", "Playground by the office"},
}

var mosaicJokes = []string{
	"Why did the scarecrow win an award? He was outstanding in his field.",
	"I told my wife she was drawing her eyebrows too high. She looked surprised.",
	"Knock knock.",
	"What do you call a fake noodle? An impasta.",
	"I'm reading a book about anti-gravity. It's impossible to put down.",
	"Why don't skeletons fight each other? They don't have the guts.",
}

func newMosaicShow(t *testing.T) *mosaicShow {
	t.Helper()
	app := handlertest.New(t)
	o := app.Organizer("ana@example.com", "Ana")
	ev := app.Event(o, "Autumn retreat", "Europe/Lisbon")
	s := &mosaicShow{show: &show{app: app, ev: ev},
		swing:  app.Prompt(ev, models.KindPhoto, "A picture of you on a swing", nil, nil),
		desk:   app.Prompt(ev, models.KindPhoto, "Your desk today", nil, nil),
		window: app.Prompt(ev, models.KindPhoto, "The view from your window", nil, nil),
		joke:   app.Prompt(ev, models.KindText, "Your best joke", nil, nil)}
	var uploaded []*models.Submission
	for _, p := range mosaicPhotos {
		c := app.Client()
		c.Join(ev, p.name)
		if s.phone == nil {
			s.phone = c
		}
		if rec := c.Upload(handlertest.AnswerPath(ev, s.swing), p.caption, handlertest.PhotoPath(t, p.file)); rec.Code != http.StatusSeeOther {
			t.Fatalf("%s's upload: %d %s", p.name, rec.Code, rec.Body.String())
		}
		app.Clock.Advance(time.Minute)
	}
	subs, err := app.Store.EventSubmissions(t.Context(), ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	for i := range subs {
		uploaded = append(uploaded, &subs[i].Submission)
	}
	crowd(t, app, ev, s.desk, 120, uploaded, nil)
	people, err := app.Store.Participants(t.Context(), ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	// The window prompt: the same crowd and then more (300 in all).
	answer(t, app, s.window, people, uploaded)
	crowdFrom(t, app, ev, s.window, 120, 300-len(people), uploaded, nil)
	crowdFrom(t, app, ev, s.joke, 400, len(mosaicJokes)*4, nil, mosaicJokes)
	app.Server.Live().Builder = live.Builder{Sections: []live.Section{live.Cover, mosaicsBy(func(id uint) int {
		if id == s.desk.ID {
			return 60
		}
		return 300
	})}}
	s.ana = app.Client()
	s.ana.SignIn("ana@example.com")
	s.srv = httptest.NewServer(app.Echo)
	t.Cleanup(s.srv.Close)
	return s
}

// answer gives each of people an answer to p, copying the photos like.
func answer(t *testing.T, app *handlertest.App, p *models.Prompt, people []models.Participant, like []*models.Submission) {
	t.Helper()
	for i, pa := range people {
		l := like[i%len(like)]
		sub := models.Submission{EventID: p.EventID, PromptID: p.ID, OwnerKey: fmt.Sprintf("p%d", pa.ID), ParticipantID: pa.ID,
			PhotoKey: l.PhotoKey, PhotoFormat: l.PhotoFormat, PhotoWidth: l.PhotoWidth, PhotoHeight: l.PhotoHeight, PhotoBytes: l.PhotoBytes,
			Caption: l.Caption, CreatedAt: app.Clock.Now(), UpdatedAt: app.Clock.Now()}
		if err := app.Store.DB().Omit("Event", "Prompt", "Participant", "Team").Create(&sub).Error; err != nil {
			t.Fatal(err)
		}
	}
}

// mosaicLayout measures the mosaic on the stage.
type mosaicLayout struct {
	Tiles, Outside, Overlaps, Cols, Names, Loaded, Imgs int
	StageW, StageH, GridW, GridH                        float64
	TileArea                                            float64
	MinW, MinH, MaxW, MaxH                              float64
	NameFont                                            float64
	Title, Of                                           string
	ScrollW, ScrollH, W, H                              float64
	GridScrolls                                         bool
}

const measureMosaicJS = `(() => {
  const d = document.documentElement;
  const stage = document.querySelector("[data-stage]").getBoundingClientRect();
  const grid = document.querySelector("[data-stage] [data-mosaic]");
  const g = grid.getBoundingClientRect();
  const rects = [...grid.querySelectorAll(".tile")].map((t) => t.getBoundingClientRect());
  const out = rects.filter((r) => r.left < stage.left - 0.5 || r.top < stage.top - 0.5 || r.right > stage.right + 0.5 || r.bottom > stage.bottom + 0.5);
  const names = [...grid.querySelectorAll(".tile-name")].filter((n) => getComputedStyle(n).display !== "none" && n.getBoundingClientRect().width > 0);
  const imgs = [...grid.querySelectorAll("img")];
  // Tiles one above another in a column must not overlap.
  const byCol = [...rects].sort((a, b) => a.left - b.left || a.top - b.top);
  const overlaps = byCol.filter((r, i) => i > 0 && Math.abs(byCol[i - 1].left - r.left) < 0.5 && r.top < byCol[i - 1].bottom - 0.5).length;
  return {
    Overlaps: overlaps,
    Tiles: rects.length, Outside: out.length, Cols: new Set(rects.map((r) => Math.round(r.left))).size,
    Names: names.length, NameFont: names.length ? parseFloat(getComputedStyle(names[0]).fontSize) : 0,
    Loaded: imgs.filter((i) => i.complete && i.naturalWidth > 0).length, Imgs: imgs.length,
    StageW: stage.width, StageH: stage.height, GridW: g.width, GridH: g.height,
    TileArea: rects.reduce((a, r) => a + r.width * r.height, 0),
    MinW: Math.min(...rects.map((r) => r.width)), MinH: Math.min(...rects.map((r) => r.height)),
    MaxW: Math.max(...rects.map((r) => r.width)), MaxH: Math.max(...rects.map((r) => r.height)),
    Title: document.querySelector("[data-stage] .mosaic-title")?.textContent || "",
    Of: document.querySelector("[data-stage] .mosaic-head .slide-of")?.textContent || "",
    ScrollW: d.scrollWidth, ScrollH: d.scrollHeight, W: innerWidth, H: innerHeight,
    GridScrolls: grid.scrollHeight > grid.clientHeight + 1,
  };
})()`

func measureMosaic(t *testing.T, ctx context.Context) mosaicLayout {
	t.Helper()
	var l mosaicLayout
	run(t, ctx, "measure the mosaic", chromedp.Evaluate(measureMosaicJS, &l))
	return l
}

// tilesLoaded waits until every tile image on the stage has loaded.
func tilesLoaded(t *testing.T, ctx context.Context) {
	t.Helper()
	run(t, ctx, "tiles loaded", browsertest.Until(`[...document.querySelectorAll("[data-stage] .tile-img")].every((i) => i.complete && i.naturalWidth > 0)`, 30*time.Second))
}

// checkFills fails unless the mosaic's n tiles are all on the stage, the
// grid fills the slide, nothing scrolls, and the tiles are of a sensible
// shape (neither slivers nor needles).
func checkFills(t *testing.T, what string, l mosaicLayout, n int) {
	t.Helper()
	if l.Tiles != n {
		t.Errorf("%s: %d tiles on the stage, want %d", what, l.Tiles, n)
	}
	if l.Outside > 0 || l.Overlaps > 0 {
		t.Errorf("%s: %d tiles reach outside the stage, %d overlap: %+v", what, l.Outside, l.Overlaps, l)
	}
	if l.ScrollW > l.W || l.ScrollH > l.H || l.GridScrolls {
		t.Errorf("%s: something scrolls: %+v", what, l)
	}
	if l.GridW < 0.9*l.StageW || l.GridH < 0.75*l.StageH {
		t.Errorf("%s: the grid (%vx%v) does not fill the stage (%vx%v)", what, l.GridW, l.GridH, l.StageW, l.StageH)
	}
	// Tiles cover most of the grid: the gaps and a last row's empty cells
	// are the rest.
	if cover := l.TileArea / (l.GridW * l.GridH); cover < 0.8 {
		t.Errorf("%s: tiles cover %.0f%% of the grid", what, cover*100)
	}
	if r := l.MaxW / l.MinH; r > 2.2 || l.MinW/l.MaxH < 0.6 {
		t.Errorf("%s: tiles of an odd shape: %vx%v to %vx%v", what, l.MinW, l.MinH, l.MaxW, l.MaxH)
	}
}

func TestBrowserPresenterMosaicsFillTheSlide(t *testing.T) {
	s := newMosaicShow(t)
	ctx := browsertest.New(t)
	run(t, ctx, "presenter at 1280x800", chromedp.ActionFunc(browsertest.Laptop), as(s.ana, s.srv.URL),
		chromedp.Navigate(s.srv.URL+s.presenter()), chromedp.WaitVisible(`[data-start]`, chromedp.ByQuery))
	run(t, ctx, "start", chromedp.Click(`[data-start]`, chromedp.ByQuery))
	waitKey(t, ctx, "cover")
	run(t, ctx, "script ready", browsertest.Until(`document.querySelector("[data-presenter]").dataset.ready === "1"`, 15*time.Second))

	for _, tc := range []struct {
		name  string
		key   string
		n     int
		title string
		of    string
		names bool // senders' names readable at 1280x800
		src   string
	}{
		{"6", live.MosaicKey(s.swing.ID, 1), 6, s.swing.Title, "", true, "/phone?"},
		{"60", live.MosaicKey(s.desk.ID, 1), 60, s.desk.Title, "1 of 2", true, "/thumb?"},
		{"300", live.MosaicKey(s.window.ID, 1), 300, s.window.Title, "", false, "/thumb?"},
		{"24 texts", live.MosaicKey(s.joke.ID, 1), 24, s.joke.Title, "", true, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s.goTo(t, tc.key)
			waitKey(t, ctx, tc.key)
			tilesLoaded(t, ctx)
			l := measureMosaic(t, ctx)
			checkFills(t, "1280x800, "+tc.name, l, tc.n)
			if l.Title != tc.title || l.Of != tc.of {
				t.Errorf("head: %q %q, want %q %q", l.Title, l.Of, tc.title, tc.of)
			}
			switch {
			case tc.names && l.Names != tc.n:
				t.Errorf("%d of %d tiles name their sender", l.Names, tc.n)
			case tc.names && l.NameFont < 11:
				t.Errorf("names at %vpx", l.NameFont)
			case !tc.names && l.Names != 0:
				t.Errorf("%d names on tiles %vpx wide: too small to read", l.Names, l.MinW)
			}
			if tc.src != "" {
				if src := eval[string](t, ctx, `document.querySelector("[data-stage] .tile-img").getAttribute("src")`); !strings.Contains(src, "/dashboard/") || !strings.Contains(src, tc.src) {
					t.Errorf("tile image %q, want the dashboard's %s rendition", src, tc.src)
				}
			}
			browsertest.Screenshot(t, ctx, "1280x800-mosaic-"+tc.name)
		})
	}

	// At 1920x1080 (the window changing shape, as going full screen does)
	// the grid is fitted again; and a presenter reloading on a mosaic gets
	// the server's paint, fitted the same way.
	run(t, ctx, "1920x1080", chromedp.EmulateViewport(1920, 1080))
	run(t, ctx, "refitted", browsertest.Until(`(() => { const g = document.querySelector("[data-stage] [data-mosaic]"); return g.clientWidth > 1700; })()`, 10*time.Second))
	time.Sleep(200 * time.Millisecond) // the observer's frame
	l := measureMosaic(t, ctx)
	checkFills(t, "1920x1080, 24 texts", l, 24)
	browsertest.Screenshot(t, ctx, "1920x1080-mosaic-24-texts")
	s.goTo(t, live.MosaicKey(s.window.ID, 1))
	run(t, ctx, "reload on the 300", chromedp.Reload())
	waitKey(t, ctx, live.MosaicKey(s.window.ID, 1))
	tilesLoaded(t, ctx)
	l = measureMosaic(t, ctx)
	checkFills(t, "1920x1080, 300, server's paint", l, 300)
	// The server painted the columns slide.js works out for a shared
	// screen (slides.go's mosaicCols is slide.js's mosaicGrid).
	var same bool
	run(t, ctx, "server and script agree", chromedp.Evaluate(`(async () => {
	  const m = await import(new URL("./slide.js", document.querySelector("script[type=module]").src));
	  return Number(document.querySelector("[data-stage] [data-mosaic]").dataset.cols) === m.mosaicGrid(300, 1.8);
	})()`, &same, func(p *cdpruntime.EvaluateParams) *cdpruntime.EvaluateParams { return p.WithAwaitPromise(true) }))
	if !same {
		t.Error("the server painted other columns than slide.js would")
	}
	if l.MinW < 75 {
		t.Errorf("at 1920x1080 300 tiles are %vpx wide", l.MinW)
	}
	browsertest.Screenshot(t, ctx, "1920x1080-mosaic-300")
}

func TestBrowserPhoneMosaicTapToEnlarge(t *testing.T) {
	s := newMosaicShow(t)
	ctx := browsertest.New(t)
	livePath := fmt.Sprintf("/e/%d/live", s.ev.ID)
	run(t, ctx, "phone follows", chromedp.ActionFunc(browsertest.Phone), as(s.phone, s.srv.URL),
		chromedp.Navigate(s.srv.URL+livePath), chromedp.WaitVisible(`[data-message=waiting]`, chromedp.ByQuery))
	s.act(t, s.ana, "start", nil)
	waitKey(t, ctx, "cover")

	// Six tiles: two columns, every one loaded, names on each.
	s.goTo(t, live.MosaicKey(s.swing.ID, 1))
	waitKey(t, ctx, live.MosaicKey(s.swing.ID, 1))
	tilesLoaded(t, ctx)
	l := measureMosaic(t, ctx)
	if l.Tiles != 6 || l.Cols != 2 || l.Names != 6 || l.Outside != 0 || l.Overlaps != 0 || l.ScrollW > l.W {
		t.Errorf("six tiles on a phone: %+v", l)
	}
	if src := eval[string](t, ctx, `document.querySelector("[data-stage] .tile-img").getAttribute("src")`); !strings.HasSuffix(src, "&size=thumb") {
		t.Errorf("a phone's grid shows %q, want the thumbnail", src)
	}
	browsertest.Screenshot(t, ctx, "phone-mosaic-6")

	// Tap one: it opens larger, the phone rendition, with its caption and
	// sender; a tap closes it.
	run(t, ctx, "tap Ines's tile", chromedp.Click(`[data-stage] [data-tile="0"]`, chromedp.ByQuery))
	run(t, ctx, "opened", browsertest.Until(`(() => { const d = document.querySelector("[data-tile-view]"); const i = d.querySelector("img");
	  return d.open && i.complete && i.naturalWidth > 0; })()`, 10*time.Second))
	view := eval[map[string]string](t, ctx, `(() => { const d = document.querySelector("[data-tile-view]"); return {
	  src: d.querySelector("img").getAttribute("src"), name: d.querySelector("[data-view-name]").textContent,
	  caption: d.querySelector("[data-view-caption]").textContent, path: location.pathname }; })()`)
	if strings.Contains(view["src"], "size=thumb") || !strings.Contains(view["src"], "/live/photos/") ||
		view["name"] != "Ines" || view["caption"] != "Swinging over the lake at dawn" {
		t.Errorf("the opened tile: %v", view)
	}
	if w := eval[float64](t, ctx, `document.querySelector("[data-tile-view] img").getBoundingClientRect().width`); w < 380 {
		t.Errorf("the opened photo is %vpx wide on a 390px phone", w)
	}
	browsertest.Screenshot(t, ctx, "phone-tile-open")
	run(t, ctx, "tap to close", chromedp.Click(`[data-tile-view] [data-view-name]`, chromedp.ByQuery))
	closed := func(how string) {
		t.Helper()
		run(t, ctx, "closed by "+how, browsertest.Until(`!document.querySelector("[data-tile-view]").open`, 5*time.Second))
		if p := eval[string](t, ctx, `location.pathname`); p != livePath {
			t.Errorf("after closing by %s the phone is at %s", how, p)
		}
	}
	closed("a tap")
	// Escape, and the phone's back button, close it too (and back does not
	// leave the page).
	run(t, ctx, "open again", chromedp.Click(`[data-stage] [data-tile="1"]`, chromedp.ByQuery),
		browsertest.Until(`document.querySelector("[data-tile-view]").open`, 5*time.Second), chromedp.KeyEvent(kb.Escape))
	closed("Escape")
	// (Back is pressed once the page has its history entry: the one the
	// Escape left goes back asynchronously.)
	run(t, ctx, "open a third time", chromedp.Click(`[data-stage] [data-tile="2"]`, chromedp.ByQuery),
		browsertest.Until(`document.querySelector("[data-tile-view]").open && history.state?.tileView === true`, 5*time.Second),
		chromedp.NavigateBack())
	closed("back")
	if k := eval[string](t, ctx, `document.querySelector("[data-stage] [data-slide]").dataset.key`); k != live.MosaicKey(s.swing.ID, 1) {
		t.Errorf("after back the stage shows %q", k)
	}

	// Sixty: three columns of squares, scrolled, and the page itself does
	// not move.
	for _, tc := range []struct {
		name string
		key  string
		n    int
	}{
		{"60", live.MosaicKey(s.desk.ID, 1), 60},
		{"300", live.MosaicKey(s.window.ID, 1), 300},
	} {
		s.goTo(t, tc.key)
		waitKey(t, ctx, tc.key)
		run(t, ctx, "first screenful loaded", browsertest.Until(`[...document.querySelectorAll("[data-stage] .tile-img")].slice(0, 9).every((i) => i.complete && i.naturalWidth > 0)`, 20*time.Second))
		l := measureMosaic(t, ctx)
		if l.Tiles != tc.n || l.Cols != 3 || !l.GridScrolls || l.ScrollH > l.H || l.ScrollW > l.W || l.Names == 0 || l.Overlaps > 0 {
			t.Errorf("%s tiles on a phone: %+v", tc.name, l)
		}
		if math.Abs(l.MinW-l.MinH) > 1 || l.MinW < 100 {
			t.Errorf("%s: phone tiles should be squares a thumb can hit: %vx%v", tc.name, l.MinW, l.MinH)
		}
		// Only those near the screen load (a screenshot loads them all).
		time.Sleep(500 * time.Millisecond)
		if l := measureMosaic(t, ctx); tc.n == 300 && l.Loaded > 150 {
			t.Errorf("the phone loaded %d of 300 tiles before they were scrolled to", l.Loaded)
		}
		browsertest.Screenshot(t, ctx, "phone-mosaic-"+tc.name)
	}
	// Ines's own answer is somewhere in the 300: marked, and found.
	run(t, ctx, "find mine", chromedp.Click(`[data-stage] [data-find-mine]`, chromedp.ByQuery),
		browsertest.Until(`(() => { const g = document.querySelector("[data-stage] [data-mosaic]").getBoundingClientRect();
	  const own = document.querySelectorAll("[data-stage] .tile-own"); if (own.length !== 1) return false;
	  const r = own[0].getBoundingClientRect(); return r.top >= g.top && r.bottom <= g.bottom; })()`, 10*time.Second))
	if name := eval[string](t, ctx, `document.querySelector("[data-stage] .tile-own .tile-name").textContent`); name != "Ines" {
		t.Errorf("the phone's own tile is %q's", name)
	}
	browsertest.Screenshot(t, ctx, "phone-mosaic-300-find-mine")
	run(t, ctx, "scroll to the end", chromedp.Evaluate(`(() => { const g = document.querySelector("[data-stage] [data-mosaic]"); g.scrollTop = g.scrollHeight; return true; })()`, nil))
	run(t, ctx, "the last tiles load", browsertest.Until(`(() => { const i = [...document.querySelectorAll("[data-stage] .tile-img")].at(-1); return i.complete && i.naturalWidth > 0; })()`, 20*time.Second))
	run(t, ctx, "tap the last", chromedp.Click(`[data-stage] [data-tile="299"]`, chromedp.ByQuery),
		browsertest.Until(`document.querySelector("[data-tile-view]").open`, 5*time.Second))
	if name := eval[string](t, ctx, `document.querySelector("[data-view-name]").textContent`); name == "" {
		t.Error("the last tile opened without its sender")
	}
	run(t, ctx, "close", chromedp.KeyEvent(kb.Escape))

	// Text answers: cards cut short in the grid, whole when opened.
	s.goTo(t, live.MosaicKey(s.joke.ID, 1))
	waitKey(t, ctx, live.MosaicKey(s.joke.ID, 1))
	browsertest.Screenshot(t, ctx, "phone-mosaic-texts")
	run(t, ctx, "open a joke", chromedp.Click(`[data-stage] [data-tile="0"]`, chromedp.ByQuery),
		browsertest.Until(`document.querySelector("[data-tile-view]").open`, 5*time.Second))
	if text := eval[string](t, ctx, `document.querySelector("[data-view-text]").textContent`); text != mosaicJokes[0] || !strings.Contains(text, "outstanding in his field") {
		t.Errorf("the opened joke: %q", text)
	}
	browsertest.Screenshot(t, ctx, "phone-text-open")
	run(t, ctx, "close", chromedp.KeyEvent(kb.Escape))

	// Someone following on a laptop gets the same grid, wider.
	s.goTo(t, live.MosaicKey(s.desk.ID, 1))
	waitKey(t, ctx, live.MosaicKey(s.desk.ID, 1))
	run(t, ctx, "laptop", chromedp.ActionFunc(browsertest.Laptop))
	if l := measureMosaic(t, ctx); l.Cols < 6 || l.Overlaps > 0 || l.ScrollW > l.W || l.ScrollH > l.H {
		t.Errorf("the follow page's mosaic at 1280x800: %+v", l)
	}
	browsertest.Screenshot(t, ctx, "laptop-follow-mosaic-60")
	run(t, ctx, "open one on the laptop", chromedp.Click(`[data-stage] [data-tile="3"]`, chromedp.ByQuery),
		browsertest.Until(`(() => { const i = document.querySelector("[data-tile-view] img"); return i.complete && i.naturalWidth > 0; })()`, 10*time.Second))
	browsertest.Screenshot(t, ctx, "laptop-follow-tile-open")
}

// TestBrowserPhonesLearnTheirGuessResult: Cy guesses Bea's photo right and
// Dee guesses wrong; when the name comes out each phone says so (Eve, who
// did not guess, just sees the name), and says it again after a reload.
func TestBrowserPhonesLearnTheirGuessResult(t *testing.T) {
	s := newShow(t)
	srv := httptest.NewServer(s.app.Echo)
	t.Cleanup(srv.Close)
	eve := s.app.Client()
	eve.Join(s.ev, "Eve")
	livePath := fmt.Sprintf("/e/%d/live", s.ev.ID)
	ctx := browsertest.New(t)
	phones := map[string]context.Context{"Cy": ctx, "Dee": browsertest.NewWindow(t, ctx), "Eve": browsertest.NewWindow(t, ctx)}
	clients := map[string]*handlertest.Client{"Cy": s.cy, "Dee": s.dee, "Eve": eve}
	for name, p := range phones {
		run(t, p, name+" follows", chromedp.ActionFunc(browsertest.Phone), as(clients[name], srv.URL),
			chromedp.Navigate(srv.URL+livePath), chromedp.WaitVisible(`[data-message=waiting]`, chromedp.ByQuery))
	}
	s.act(t, s.ana, "start", nil)
	key := live.SubmissionKey(s.beaPhoto)
	s.goTo(t, key)
	people, err := s.app.Store.Participants(t.Context(), s.ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	id := map[string]string{}
	for _, p := range people {
		id[p.Name] = strconv.FormatUint(uint64(p.ID), 10)
	}
	for name, who := range map[string]string{"Cy": "Bea", "Dee": "Cy"} {
		p := phones[name]
		waitKey(t, p, key)
		run(t, p, name+" guesses "+who, chromedp.WaitVisible(`.guess-form select`, chromedp.ByQuery),
			chromedp.SetValue(`.guess-form select`, id[who], chromedp.ByQuery), chromedp.Click(`.guess-form button`, chromedp.ByQuery),
			browsertest.Until(`document.querySelector("[data-act-note]").textContent.includes("Guess saved")`, 10*time.Second))
	}
	if n := eval[int](t, phones["Cy"], `document.querySelectorAll("[data-guess-result]").length`); n != 0 {
		t.Fatal("a result before the name came out")
	}

	s.act(t, s.ana, "name", url.Values{"named": {"1"}})
	want := map[string]string{"Cy": "You guessed right!", "Dee": "Not this time — you guessed Cy", "Eve": ""}
	check := func(when string) {
		t.Helper()
		for name, p := range phones {
			run(t, p, name+" sees the name "+when, browsertest.Until(`(document.querySelector("[data-stage] [data-author]")?.textContent || "").startsWith("Bea")`, 10*time.Second))
			if want[name] != "" {
				run(t, p, name+"'s result "+when, browsertest.Until(fmt.Sprintf(`(document.querySelector("[data-guess-result]")?.textContent || "") === %q`, want[name]), 10*time.Second))
			}
			// The stream's next message rebuilds the panel: the result stays.
			time.Sleep(300 * time.Millisecond)
			got := eval[string](t, p, `document.querySelector("[data-guess-result]")?.textContent || ""`)
			if got != want[name] {
				t.Errorf("%s %s: result %q, want %q", name, when, got, want[name])
			}
			if note := eval[string](t, p, `document.querySelector("[data-act-note]").textContent`); strings.Contains(note, "Guess saved") {
				t.Errorf("%s %s still says %q", name, when, note)
			}
			if n := eval[int](t, p, `document.querySelectorAll(".guess-form").length`); n != 0 {
				t.Errorf("%s %s is still offered a guess", name, when)
			}
		}
	}
	check("live")
	browsertest.Screenshot(t, phones["Cy"], "phone-guess-right")
	browsertest.Screenshot(t, phones["Dee"], "phone-guess-wrong")
	browsertest.Screenshot(t, phones["Eve"], "phone-no-guess")
	for name, p := range phones {
		run(t, p, name+" reloads", chromedp.Reload())
		waitKey(t, p, key)
	}
	check("after a reload")
	browsertest.Screenshot(t, phones["Dee"], "phone-guess-wrong-reloaded")
	run(t, phones["Cy"], "Cy on a laptop", chromedp.ActionFunc(browsertest.Laptop))
	browsertest.Screenshot(t, phones["Cy"], "laptop-guess-right")
}
