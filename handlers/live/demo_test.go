package live_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"retreat/handlers/browsertest"
	"retreat/handlers/handlertest"
	"retreat/models"
	"retreat/models/demo"
	"retreat/models/live"
)

// demoWorld is the company-scale demo event (models/demo: 300 people in a
// dozen zones and 8 teams, 8 prompts, about 2,000 answers), its pictures
// small (PhotoFast), owned by Ana, with one more person following on a
// phone.
type demoWorld struct {
	app   *handlertest.App
	ev    *models.Event
	ana   *handlertest.Client
	phone *handlertest.Client
	res   *demo.Result
}

func newDemoWorld(t testing.TB) *demoWorld {
	t.Helper()
	app := handlertest.New(t)
	app.Organizer("ana@example.com", "Ana")
	res, err := demo.Seed(context.Background(), app.Store, app.Photos, demo.Options{Photos: demo.PhotoFast,
		OrganizerEmail: "ana@example.com", Now: app.Clock.Now()})
	if err != nil {
		t.Fatalf("seed the demo: %v", err)
	}
	ev, err := app.Store.Event(context.Background(), res.EventID)
	if err != nil {
		t.Fatal(err)
	}
	w := &demoWorld{app: app, ev: ev, res: res, ana: app.Client(), phone: app.Client()}
	w.ana.SignIn("ana@example.com")
	// Vera joins with the join form, picking a team as the event asks.
	teams, err := app.Store.Teams(context.Background(), ev.ID)
	if err != nil || len(teams) == 0 {
		t.Fatalf("the demo's teams: %v", err)
	}
	rec := w.phone.PostForm("/j/"+ev.JoinToken, url.Values{"name": {"Visiting Vera"}, "time_zone": {"America/Chicago"},
		"team": {strconv.FormatUint(uint64(teams[0].ID), 10)}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("Vera joins: %d %s", rec.Code, rec.Body.String())
	}
	return w
}

func (w *demoWorld) presenter() string { return fmt.Sprintf("/dashboard/events/%d/reveal", w.ev.ID) }
func (w *demoWorld) live() string      { return fmt.Sprintf("/e/%d/live", w.ev.ID) }

// showable are the answers the show may hold: not hidden, nor kept out of
// the live call or the show.
func (w *demoWorld) showable(t testing.TB) map[uint]bool {
	t.Helper()
	subs, err := w.app.Store.EventSubmissions(context.Background(), w.ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	out := map[uint]bool{}
	for _, s := range subs {
		if s.MayReveal() {
			out[s.ID] = true
		}
	}
	return out
}

// TestDemoShowAtCompanyScale: the demo's default plan fits 20 minutes and
// puts every answer it may show on screen, and a phone follows the whole
// show through the HTTP routes, seeing each mosaic's photos once shown.
func TestDemoShowAtCompanyScale(t *testing.T) {
	w := newDemoWorld(t)
	showable := w.showable(t)
	if len(showable) < 1700 {
		t.Fatalf("the demo has %d answers to show, want about 2,000", len(showable))
	}
	page := w.ana.Get(fmt.Sprintf("/dashboard/events/%d/show", w.ev.ID)).Body.String()
	if !strings.Contains(page, "of 20:00 planned") || !strings.Contains(page, "The deck fits") {
		t.Errorf("the show plan page does not say the deck fits 20 minutes")
	}

	start := time.Now()
	deck, err := live.BuildDeck(t.Context(), w.app.Store, w.ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("deck of %d answers built in %v: %d slides", len(showable), time.Since(start), len(deck.Slides))
	seconds, seen := 0, map[uint]int{}
	for _, sl := range deck.Slides {
		seconds += sl.Seconds
		if sl.SubmissionID != 0 && (sl.Kind == live.KindPhoto || sl.Kind == live.KindText) {
			seen[sl.SubmissionID]++
		}
		for _, tile := range sl.Tiles {
			seen[tile.SubmissionID]++
		}
	}
	if seconds > 20*60 {
		t.Errorf("the deck is planned at %d:%02d, over 20 minutes", seconds/60, seconds%60)
	}
	for id := range showable {
		if seen[id] == 0 {
			t.Errorf("answer %d is on no slide", id)
		}
	}
	for id := range seen {
		if !showable[id] {
			t.Errorf("answer %d is in the deck but may not be shown", id)
		}
	}

	if lobby := w.ana.Get(w.presenter()).Body.String(); !strings.Contains(lobby, fmt.Sprintf("of 20 min · %d slides", len(deck.Slides))) {
		t.Errorf("the presenter's lobby does not give the plan's length and %d slides", len(deck.Slides))
	}

	// The whole show, the phone following: every slide reaches it, a
	// mosaic's photos load once it is on screen.
	st := actDemo(t, w, "start")
	for {
		got, _ := (&show{app: w.app, ev: w.ev}).followerState(t, w.phone)
		if got.Index != st.Index || got.Slide == nil {
			t.Fatalf("phone at %d, presenter at %d", got.Index, st.Index)
		}
		if got.Slide.Kind == live.KindMosaic {
			for _, tile := range got.Slide.Tiles[:min(3, len(got.Slide.Tiles))] {
				if tile.Photo == "" {
					continue
				}
				if code := w.phone.Get(tile.Photo).Code; code != http.StatusOK {
					t.Errorf("%s: tile %d's photo: %d", got.Slide.Key, tile.SubmissionID, code)
				}
			}
		}
		if st.Index+1 >= st.Total {
			break
		}
		st = actDemo(t, w, "next")
	}
	if st.Slide.Kind != live.KindScores {
		t.Errorf("the show ends on %s, want the scores", st.Slide.Key)
	}
}

func actDemo(t *testing.T, w *demoWorld, action string) live.FollowerState {
	t.Helper()
	s := &show{app: w.app, ev: w.ev, ana: w.ana}
	return s.act(t, w.ana, action, nil)
}

// TestBrowserDemoReveal walks the presenter through the demo's whole deck
// with the keys at 1280x800, a phone at 390x844 following every slide, and
// saves what the call and the phone see of each kind of slide.
func TestBrowserDemoReveal(t *testing.T) {
	w := newDemoWorld(t)
	srv := httptest.NewServer(w.app.Echo)
	t.Cleanup(srv.Close)
	ctx := browsertest.New(t)
	phone := browsertest.NewWindow(t, ctx)
	// Before the call: the show plan, at both sizes.
	plan := fmt.Sprintf("%s/dashboard/events/%d/show", srv.URL, w.ev.ID)
	run(t, ctx, "open the show plan", chromedp.ActionFunc(browsertest.Phone), as(w.ana, srv.URL),
		chromedp.Navigate(plan), chromedp.WaitVisible(`[data-show-estimate]`, chromedp.ByQuery))
	browsertest.Screenshot(t, ctx, "show-plan-phone")
	if wide := eval[bool](t, ctx, `document.documentElement.scrollWidth > innerWidth`); wide {
		t.Error("the show plan is wider than the phone")
	}
	run(t, ctx, "laptop", chromedp.ActionFunc(browsertest.Laptop))
	browsertest.Screenshot(t, ctx, "show-plan-laptop")
	if got := eval[string](t, ctx, `document.querySelector("[data-planned]").textContent`); !strings.HasPrefix(got, "1") {
		t.Errorf("the plan's length reads %q, want 1x:xx", got)
	}

	run(t, ctx, "open the presenter", chromedp.Navigate(srv.URL+w.presenter()), chromedp.WaitVisible(`[data-start]`, chromedp.ByQuery))
	browsertest.Screenshot(t, ctx, "presenter-lobby")
	run(t, phone, "the phone follows", chromedp.ActionFunc(browsertest.Phone), as(w.phone, srv.URL),
		chromedp.Navigate(srv.URL+w.live()), chromedp.WaitVisible(`[data-message=waiting]`, chromedp.ByQuery))
	run(t, ctx, "start", browsertest.ClickToLoad(`[data-start]`))
	waitKey(t, ctx, "cover")
	waitKey(t, phone, "cover")
	run(t, ctx, "deck loaded", browsertest.Until(`document.querySelector("[data-presenter]")?.dataset.deck === "1"`, 15*time.Second))

	shot := map[string]bool{}
	svc := w.app.Server.Live()
	for steps := 0; ; steps++ {
		st, err := svc.Load(t.Context(), w.ev.ID)
		if err != nil {
			t.Fatal(err)
		}
		cur := st.Current()
		waitKey(t, ctx, cur.Key)
		waitKey(t, phone, cur.Key)
		kind := string(cur.Kind)
		if cur.Kind == live.KindMosaic {
			if cur.Tiles[0].Text != "" {
				kind = "mosaic-text"
			}
			checkFills(t, cur.Key, measureMosaic(t, ctx), len(cur.Tiles))
		}
		if !shot[kind] {
			shot[kind] = true
			if cur.Kind == live.KindMosaic {
				tilesLoaded(t, ctx)
			}
			browsertest.Screenshot(t, ctx, "presenter-"+kind)
			browsertest.Screenshot(t, phone, "phone-"+kind)
			// A guess list of 300 names once pushed the Guess button off a
			// 390-pixel screen: nothing may be wider than the phone.
			if wide := eval[bool](t, phone, `document.documentElement.scrollWidth > innerWidth`); wide {
				t.Errorf("%s: the phone's page is wider than its screen", cur.Key)
			}
		}
		if st.Index+1 >= len(st.Deck.Slides) {
			t.Logf("%d slides walked", steps+1)
			break
		}
		if steps > 400 {
			t.Fatal("the deck never ends")
		}
		run(t, ctx, "next", chromedp.KeyEvent(kb.ArrowRight, chromedp.KeyModifiers(input.ModifierNone)))
		run(t, ctx, "moved", browsertest.Until(fmt.Sprintf(`document.querySelector('[data-stage] [data-slide]')?.dataset.key !== %q`, cur.Key), 15*time.Second))
	}
	for _, kind := range []string{"cover", "prompt", "photo", "text", "mosaic", "mosaic-text", "award", "scores"} {
		if !shot[kind] {
			t.Errorf("the demo's deck has no %s slide", kind)
		}
	}
}

// BenchmarkDemoDeckBuild reads the demo event and builds its deck: what
// "Start" and "Refresh deck" cost at company scale.
func BenchmarkDemoDeckBuild(b *testing.B) {
	w := newDemoWorld(b)
	b.ResetTimer()
	for b.Loop() {
		if _, err := live.BuildDeck(b.Context(), w.app.Store, w.ev.ID); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDemoPages loads the presenter's and the phones' pages of the
// demo's running reveal, and the show plan.
func BenchmarkDemoPages(b *testing.B) {
	w := newDemoWorld(b)
	code, body := postJSON(w.ana, w.presenter()+"/start", nil)
	if code != http.StatusOK {
		b.Fatalf("start: %d %s", code, body)
	}
	for _, page := range []struct{ name, path string }{
		{"presenter", w.presenter()},
		{"deck.json", w.presenter() + "/deck.json"},
		{"notes", w.presenter() + "/notes"},
		{"follower", w.live()},
		{"state.json", w.live() + "/state.json"},
		{"show-plan", fmt.Sprintf("/dashboard/events/%d/show", w.ev.ID)},
	} {
		c := w.ana
		if strings.HasPrefix(page.path, "/e/") {
			c = w.phone
		}
		b.Run(page.name, func(b *testing.B) {
			bytes := 0
			for b.Loop() {
				rec := c.Get(page.path)
				if rec.Code != http.StatusOK {
					b.Fatalf("%s: %d", page.path, rec.Code)
				}
				bytes = rec.Body.Len()
			}
			b.ReportMetric(float64(bytes), "bytes")
		})
	}
}
