package live_test

// Browser tests of the presenter's tools: the keys that jump between
// prompts, the overview of every slide (a deck of 500), the notes window
// that follows and drives the reveal off the call with the clock against
// the show plan, and the timer that moves through mosaic pages by itself.

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"retreat/handlers/browsertest"
	"retreat/models"
	"retreat/models/live"
)

// bigDeck is a company-sized deck: the cover, groups prompts of per
// slides each (photos of the show's answers, every eighth a mosaic page),
// then the scores.
func bigDeck(groups, per int) live.Builder {
	big := func(_ context.Context, src *live.Source) ([]live.Slide, error) {
		var photos []models.RevealSubmission
		for _, s := range src.Submissions {
			if s.HasPhoto() {
				photos = append(photos, s)
			}
		}
		out := []live.Slide{{Key: "cover", Kind: live.KindCover, Title: src.Event.Name, Subtitle: "The reveal"}}
		p := src.Prompts[0]
		for g := range groups {
			out = append(out, live.Slide{Key: fmt.Sprintf("prompt-big-%d", g), Kind: live.KindPrompt, Title: fmt.Sprintf("Prompt number %d", g+1),
				Number: g + 1, Of: groups, Answers: per, Fit: "m"})
			for j := range per {
				s := photos[(g+j)%len(photos)]
				if j%8 == 7 {
					tile := live.Tile{SubmissionID: s.ID, PhotoKey: s.PhotoKey, Version: live.PhotoVersion(s.PhotoKey), Author: s.ParticipantName}
					out = append(out, live.Slide{Key: fmt.Sprintf("mosaic-big-%d-%d", g, j), Kind: live.KindMosaic, PromptID: p.ID, PromptTitle: fmt.Sprintf("Prompt number %d", g+1),
						Tiles: []live.Tile{tile, tile, tile}, Page: j/8 + 1, Pages: per / 8})
					continue
				}
				// Each slide its own version, so each thumbnail is its own request.
				out = append(out, live.Slide{Key: fmt.Sprintf("big-%d-%d", g, j), Kind: live.KindPhoto, PromptID: p.ID, PromptTitle: fmt.Sprintf("Prompt number %d", g+1),
					Number: j + 1, Of: per, SubmissionID: s.ID, PhotoKey: s.PhotoKey, Version: fmt.Sprintf("%s%d", live.PhotoVersion(s.PhotoKey), len(out)),
					Width: s.PhotoWidth, Height: s.PhotoHeight, Caption: s.Caption, Author: s.ParticipantName, Fit: "m"})
			}
		}
		return out, nil
	}
	return live.Builder{Sections: []live.Section{big, live.Scores}}
}

// at is the reveal's place on the server: the index and the slide's key.
func (s *stageShow) at(t *testing.T) (int, string) {
	t.Helper()
	st, err := s.app.Server.Live().Load(t.Context(), s.ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	key := ""
	if cur := st.Current(); cur != nil {
		key = cur.Key
	}
	return st.Index, key
}

// waitAt waits until the server has the reveal on slide key.
func (s *stageShow) waitAt(t *testing.T, key string, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		_, got := s.at(t)
		if got == key {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the reveal is on %q after %v, want %q", got, within, key)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (s *stageShow) indexOf(t *testing.T, key string) int {
	t.Helper()
	st, err := s.app.Server.Live().Load(t.Context(), s.ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	i := st.Deck.Index(key)
	if i < 0 {
		t.Fatalf("no slide %q in the deck", key)
	}
	return i
}

// openPresenter signs the tab in as Ana at 1280x800 and opens the
// presenter on a running reveal, once it has the deck (keys before that
// do nothing).
func (s *stageShow) openPresenter(t *testing.T, ctx context.Context) {
	t.Helper()
	run(t, ctx, "presenter", chromedp.EmulateViewport(1280, 800), as(s.ana, s.srv.URL),
		chromedp.Navigate(s.presenter()), chromedp.WaitVisible(`[data-presenter][data-ready][data-deck]`, chromedp.ByQuery))
}

// openNotes presses N on the presenter tab and attaches to the window it
// opens, at 1280x800, once its script is running.
func openNotes(t *testing.T, ctx context.Context) context.Context {
	t.Helper()
	win, _ := openedByN(t, ctx, func(i *target.Info) bool { return strings.Contains(i.URL, "/reveal/notes") },
		`(() => { const r = document.querySelector("[data-notes-window]"); return r?.dataset.ready === "1" && "deck" in r.dataset; })()`)
	return win
}

// openedByN presses N in the tab of ctx and attaches, at 1280x800, to the
// page it opens (the first new one that match accepts), once ready (a
// script's condition) holds there.
func openedByN(t *testing.T, ctx context.Context, match func(*target.Info) bool, ready string) (context.Context, target.ID) {
	t.Helper()
	opened := chromedp.WaitNewTarget(ctx, func(i *target.Info) bool { return i.Type == "page" && match(i) })
	press(t, ctx, "n")
	var id target.ID
	select {
	case id = <-opened:
	case <-time.After(15 * time.Second):
		t.Fatal("N opened no notes window")
	}
	win, cancel := chromedp.NewContext(ctx, chromedp.WithTargetID(id))
	t.Cleanup(cancel)
	run(t, win, "notes window", chromedp.ActionFunc(browsertest.Laptop), browsertest.Until(ready, 15*time.Second))
	return win, id
}

func shift(key string) chromedp.Action {
	return chromedp.KeyEvent(key, chromedp.KeyModifiers(input.ModifierShift))
}

// showControls moves the mouse, as the presenter does to reach the controls.
func showControls(t *testing.T, ctx context.Context) {
	t.Helper()
	eval[bool](t, ctx, `document.dispatchEvent(new MouseEvent("mousemove")), true`)
}

// noNotesOverTheSlide fails if anything but the slide is drawn where the
// notes used to be (the top right of the shared screen) or if notes are on
// the page at all.
func noNotesOverTheSlide(t *testing.T, ctx context.Context) {
	t.Helper()
	const js = `(() => {
  if (document.querySelector(".notes, [data-notes], [data-note-now], [data-note-next]")) return "notes on the page";
  const stage = document.querySelector("[data-stage]");
  for (const [x, y] of [[0.8, 0.15], [0.85, 0.4], [0.5, 0.5], [0.2, 0.2]]) {
    const e = document.elementFromPoint(innerWidth * x, innerHeight * y);
    if (!e || !(stage.contains(e) || e.closest("[data-reactions]"))) return "over the slide: " + (e ? e.outerHTML.slice(0, 120) : "nothing");
  }
  return "";
})()`
	if got := eval[string](t, ctx, js); got != "" {
		t.Errorf("the shared tab: %s", got)
	}
}

func TestBrowserPromptKeysAndOverview(t *testing.T) {
	s := newStageShow(t, false)
	s.app.Server.Live().Builder = bigDeck(20, 24)
	sh := &show{app: s.app, ev: s.ev, ana: s.ana}
	sh.act(t, s.ana, "start", nil)
	ctx := browsertest.New(t)
	phone := browsertest.NewWindow(t, ctx)
	run(t, phone, "phone follows", chromedp.ActionFunc(browsertest.Phone), as(s.people["Tex"], s.srv.URL),
		chromedp.Navigate(fmt.Sprintf("%s/e/%d/live", s.srv.URL, s.ev.ID)))
	waitKey(t, phone, "cover")
	s.openPresenter(t, ctx)
	waitKey(t, ctx, "cover")

	// Prompt by prompt: Shift+→ and ] forward, Shift+← and [ back to this
	// prompt's start, then the one before; the phone follows each jump.
	steps := []struct {
		what string
		key  chromedp.Action
		want string
	}{
		{"Shift+→ from the cover", shift(kb.ArrowRight), "prompt-big-0"},
		{"] to the next prompt", chromedp.KeyEvent("]"), "prompt-big-1"},
		{"→ into the prompt", chromedp.KeyEvent(kb.ArrowRight), "big-1-0"},
		{"→ again", chromedp.KeyEvent(kb.ArrowRight), "big-1-1"},
		{"Shift+← back to this prompt's start", shift(kb.ArrowLeft), "prompt-big-1"},
		{"[ to the one before", chromedp.KeyEvent("["), "prompt-big-0"},
		{"Shift+↓ is forward too", shift(kb.ArrowDown), "prompt-big-1"},
		{"End", chromedp.KeyEvent(kb.End), "scores-people-3"},
		{"Shift+← to the scores' start", shift(kb.ArrowLeft), "scores-people-0"},
		{"[ to the last prompt", chromedp.KeyEvent("["), "prompt-big-19"},
		{"] to the scores", chromedp.KeyEvent("]"), "scores-people-0"},
		{"Shift+↑ back again", shift(kb.ArrowUp), "prompt-big-19"},
	}
	for _, st := range steps {
		run(t, ctx, st.what, st.key)
		s.waitAt(t, st.want, 10*time.Second)
		waitKey(t, ctx, st.want)
	}
	waitKey(t, phone, "prompt-big-19")
	noNotesOverTheSlide(t, ctx)
	showControls(t, ctx)
	time.Sleep(400 * time.Millisecond) // the controls fade in
	browsertest.Screenshot(t, ctx, "presenter-1280")

	// The overview: every slide, the one on screen marked and focused,
	// built fast and loading only the thumbnails in view.
	cur, curKey := s.at(t)
	n := len(must(s.app.Server.Live().Load(t.Context(), s.ev.ID)).Deck.Slides)
	took := eval[float64](t, ctx, `(() => { const t0 = performance.now(); document.dispatchEvent(new KeyboardEvent("keydown", {key: "o", bubbles: true})); return performance.now() - t0; })()`)
	t.Logf("the overview of %d slides opened in %.0f ms", n, took)
	if took > 1500 {
		t.Errorf("the overview of %d slides took %.0f ms to open", n, took)
	}
	type ov struct {
		Open    bool
		Items   int
		Current string
		Focused string
		Groups  int
		Text    string
		Thumbs  int
	}
	const ovJS = `(() => {
  const d = document.querySelector("[data-overview]");
  return {Open: d.open, Items: d.querySelectorAll("[data-ov-index]").length,
    Current: d.querySelector("[aria-current]")?.dataset.ovIndex || "", Focused: document.activeElement?.dataset?.ovIndex || "",
    Groups: d.querySelectorAll(".ov-group").length, Text: d.textContent,
    Thumbs: performance.getEntriesByType("resource").filter((e) => e.name.includes("/thumb?")).length};
})()`
	time.Sleep(700 * time.Millisecond) // the visible thumbnails load
	o := eval[ov](t, ctx, ovJS)
	if !o.Open || o.Items != n || o.Current != strconv.Itoa(cur) || o.Focused != o.Current {
		t.Errorf("overview: open %v, %d items of %d, current %q focused %q, want slide %d (%s)", o.Open, o.Items, n, o.Current, o.Focused, cur, curKey)
	}
	if o.Groups != 22 { // the cover, 20 prompts, the scores
		t.Errorf("overview groups: %d, want 22", o.Groups)
	}
	if o.Thumbs == 0 || o.Thumbs > 150 {
		t.Errorf("the overview loaded %d of %d thumbnails, want only those near the view", o.Thumbs, n)
	}
	// The call sees it: no names.
	for _, name := range []string{"by Pan", "by Por"} {
		if strings.Contains(o.Text, name) {
			t.Errorf("the shared overview names the senders (%q)", name)
		}
	}
	browsertest.Screenshot(t, ctx, "overview-1280")

	// Keys: → moves the focus, ↓ a row down, Enter jumps there.
	press(t, ctx, kb.ArrowRight)
	press(t, ctx, kb.ArrowDown)
	o = eval[ov](t, ctx, ovJS)
	target, _ := strconv.Atoi(o.Focused)
	if target <= cur+1 {
		t.Fatalf("after → and ↓ the focus is on %q, want past %d", o.Focused, cur+1)
	}
	press(t, ctx, kb.Enter)
	if eval[bool](t, ctx, `document.querySelector("[data-overview]").open`) {
		t.Error("the overview stays open after Enter")
	}
	if i, _ := s.at(t); i != target {
		// The jump is on its way: wait for it.
		deadline := time.Now().Add(10 * time.Second)
		for ; i != target && time.Now().Before(deadline); i, _ = s.at(t) {
			time.Sleep(50 * time.Millisecond)
		}
		if i != target {
			t.Errorf("Enter in the overview: the reveal is on %d, want %d", i, target)
		}
	}

	// G opens it too; Escape closes it; a click jumps.
	press(t, ctx, "g")
	if !eval[bool](t, ctx, `document.querySelector("[data-overview]").open`) {
		t.Fatal("G did not open the overview")
	}
	press(t, ctx, kb.Escape)
	if eval[bool](t, ctx, `document.querySelector("[data-overview]").open`) {
		t.Error("Escape did not close the overview")
	}
	if i, _ := s.at(t); i != target {
		t.Errorf("Escape moved the reveal to %d", i)
	}
	run(t, ctx, "open with the button", chromedp.ActionFunc(func(c context.Context) error { showControls(t, ctx); return nil }),
		chromedp.Click(`[data-action=overview]`, chromedp.ByQuery), chromedp.WaitVisible(`[data-overview]`, chromedp.ByQuery),
		chromedp.Click(`[data-ov-index="300"]`, chromedp.ByQuery))
	s.waitAt(t, must(s.app.Server.Live().Load(t.Context(), s.ev.ID)).Deck.Slides[300].Key, 10*time.Second)
	waitKey(t, phone, must(s.app.Server.Live().Load(t.Context(), s.ev.ID)).Deck.Slides[300].Key)
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

var (
	elapsedRE  = regexp.MustCompile(`^(\d\d):(\d\d)$`)
	standingRE = regexp.MustCompile(`^· (\d+) s ahead$`)
)

func TestBrowserNotesWindowFollowsAndDrives(t *testing.T) {
	s := newStageShow(t, false)
	// A show plan: the fourth slide (the second mosaic page) is due 8:10
	// after the start.
	s.app.Server.Live().Builder = plannedDeck(map[live.Kind]int{live.KindCover: 10, live.KindPrompt: 20, live.KindPhoto: 30, live.KindText: 15, live.KindMosaic: 430})
	sh := &show{app: s.app, ev: s.ev, ana: s.ana}
	sh.act(t, s.ana, "start", nil)
	s.app.Clock.Advance(7*time.Minute + 42*time.Second) // the reveal started 7:42 ago
	ctx := browsertest.New(t)
	s.openPresenter(t, ctx)
	waitKey(t, ctx, "cover")
	notes := openNotes(t, ctx)
	if u := eval[string](t, notes, `location.pathname`); u != fmt.Sprintf("/dashboard/events/%d/reveal/notes", s.ev.ID) {
		t.Errorf("the notes window is at %q", u)
	}
	noNotesOverTheSlide(t, ctx)

	screen := func(which string) string {
		return eval[string](t, notes, fmt.Sprintf(`document.querySelector("[data-screen=%s] [data-slide]")?.dataset.key || ""`, which))
	}
	waitScreen := func(which, key string) {
		t.Helper()
		run(t, notes, "notes show "+key, browsertest.Until(fmt.Sprintf(`document.querySelector("[data-screen=%s] [data-slide]")?.dataset.key === %q`, which, key), 10*time.Second))
	}
	waitScreen("now", "cover")
	promptKey := fmt.Sprintf("prompt-%d", s.photo.ID)
	if next := screen("next"); next != promptKey {
		t.Errorf("next in the notes: %q, want %q", next, promptKey)
	}

	// The main tab moves: the notes follow.
	press(t, ctx, kb.ArrowRight)
	waitScreen("now", promptKey)
	pan := fmt.Sprintf("sub-%d", mustSub(t, s, "Pan"))
	waitScreen("next", pan)
	if note := eval[string](t, notes, `document.querySelector("[data-note-next]").textContent`); note != "Photo by Pan" {
		t.Errorf("the notes say next is %q", note)
	}

	// The notes window moves: the main tab (and the server) follow.
	press(t, notes, kb.ArrowRight)
	s.waitAt(t, pan, 10*time.Second)
	waitKey(t, ctx, pan)
	waitScreen("now", pan)
	time.Sleep(300 * time.Millisecond) // the photo decodes in the scaled screen
	browsertest.Screenshot(t, notes, "notes-1280")

	// The clock: 7:42 (and the seconds this test has taken) since the
	// start, on the slide the plan has at 8:10.
	run(t, notes, "notes: → → to the second mosaic page", chromedp.KeyEvent(kb.ArrowRight), chromedp.KeyEvent(kb.ArrowRight))
	mosaic2 := live.MosaicKey(s.photo.ID, 2)
	s.waitAt(t, mosaic2, 10*time.Second)
	waitScreen("now", mosaic2)
	type clock struct{ Elapsed, Plan, Standing, Total, Class string }
	c := eval[clock](t, notes, `(() => { const q = (s) => document.querySelector(s).textContent;
	  return {Elapsed: q("[data-elapsed]"), Plan: q("[data-plan]"), Standing: q("[data-standing]"), Total: q("[data-total]"), Class: document.querySelector("[data-clock]").dataset.pace}; })()`)
	m := elapsedRE.FindStringSubmatch(c.Elapsed)
	var elapsed int
	if m != nil {
		mm, _ := strconv.Atoi(m[1])
		ss, _ := strconv.Atoi(m[2])
		elapsed = mm*60 + ss
	}
	ahead := standingRE.FindStringSubmatch(c.Standing)
	if m == nil || elapsed < 7*60+42 || elapsed > 7*60+42+60 || c.Plan != "· plan 08:10" || ahead == nil || c.Class != "ahead" {
		t.Errorf("the clock says %+v, want 07:42 and a little, plan 08:10, some seconds ahead", c)
	} else if a, _ := strconv.Atoi(ahead[1]); a != 490-elapsed && a != 490-elapsed-1 && a != 490-elapsed+1 {
		t.Errorf("the clock says %s elapsed and %d s ahead of 08:10", c.Elapsed, a)
	}
	// The whole plan: cover 10, two prompts 20 each, two spotlights (a
	// photo 30, a text 15), three mosaic pages 430 each, four scores slides
	// with no time of their own (the builder gives them the plan's 4 s).
	if want := fmt.Sprintf("· show %s", clockAt(10+20*2+30+15+430*3+4*4)); c.Total != want {
		t.Errorf("the show's planned length: %q, want %q", c.Total, want)
	}
	// The presenter tab's corner clock says the same, small.
	run(t, ctx, "the presenter's clock", browsertest.Until(`document.querySelector("[data-clock]").textContent.endsWith("· plan 08:10")`, 5*time.Second))

	// The overview in the notes window: names and all, off the call.
	press(t, notes, "o")
	o := eval[string](t, notes, `(() => { const d = document.querySelector("[data-overview]"); return d.open && !d.classList.contains("ov-shared") ? d.textContent : ""; })()`)
	if !strings.Contains(o, "by Pan") {
		t.Errorf("the notes window's overview: %.200q", o)
	}
	if eval[bool](t, ctx, `document.querySelector("[data-overview]").open`) {
		t.Error("the overview opened on the shared tab too")
	}
	browsertest.Screenshot(t, notes, "notes-overview-1280")
	run(t, notes, "jump to the joke", chromedp.Click(fmt.Sprintf(`[data-ov-index="%d"]`, s.indexOf(t, fmt.Sprintf("prompt-%d", s.joke.ID))), chromedp.ByQuery))
	s.waitAt(t, fmt.Sprintf("prompt-%d", s.joke.ID), 10*time.Second)
	waitKey(t, ctx, fmt.Sprintf("prompt-%d", s.joke.ID))

	// The buttons drive it too.
	run(t, notes, "Next button", chromedp.Click(`.np-controls [data-action=next]`, chromedp.ByQuery))
	tex := fmt.Sprintf("sub-%d", mustSub(t, s, "Tex"))
	s.waitAt(t, tex, 10*time.Second)
	waitScreen("now", tex)
	run(t, notes, "Name button", chromedp.Click(`.np-controls [data-action=name]`, chromedp.ByQuery))
	run(t, ctx, "the name on the shared screen", browsertest.Until(`document.querySelector("[data-stage] [data-author]")?.textContent.startsWith("Tex")`, 10*time.Second))
	noNotesOverTheSlide(t, ctx)

	// On a phone: one column, nothing wider than the screen.
	run(t, notes, "phone", chromedp.ActionFunc(browsertest.Phone))
	run(t, ctx, "back to the photo", chromedp.KeyEvent("["), chromedp.KeyEvent("["))
	s.waitAt(t, promptKey, 10*time.Second)
	press(t, ctx, kb.ArrowRight)
	waitScreen("now", pan)
	time.Sleep(300 * time.Millisecond)
	if w := eval[[]float64](t, notes, `[document.querySelector(".np").scrollWidth, innerWidth]`); w[0] > w[1] {
		t.Errorf("the notes window on a phone is %v px wide in a %v px screen", w[0], w[1])
	}
	browsertest.Screenshot(t, notes, "notes-390")
}

func clockAt(sec int) string { return fmt.Sprintf("%02d:%02d", sec/60, sec%60) }

func TestBrowserTimerAdvancesMosaicsOnly(t *testing.T) {
	s := newStageShow(t, false)
	s.app.Server.Live().Builder = plannedDeck(map[live.Kind]int{live.KindMosaic: 2})
	sh := &show{app: s.app, ev: s.ev, ana: s.ana}
	sh.act(t, s.ana, "start", nil)
	mosaic1, mosaic2 := live.MosaicKey(s.photo.ID, 1), live.MosaicKey(s.photo.ID, 2)
	sh.act(t, s.ana, "goto", url.Values{"index": {strconv.Itoa(s.indexOf(t, mosaic1))}})
	ctx := browsertest.New(t)
	s.openPresenter(t, ctx)
	waitKey(t, ctx, mosaic1)
	// A second presenter window is open: only the one that turned the
	// timer on moves the slides.
	notes := openNotes(t, ctx)
	timerState := func(c context.Context) string {
		return eval[string](t, c, `document.querySelector("[data-action=timer]").dataset.timer`)
	}

	press(t, ctx, "t")
	on := time.Now()
	if st := timerState(ctx); st != "running" {
		t.Errorf("after T the timer is %q, want running", st)
	}
	showControls(t, ctx)
	time.Sleep(400 * time.Millisecond)
	browsertest.Screenshot(t, ctx, "timer-running-1280")
	run(t, notes, "the notes window shows the countdown", browsertest.Until(`document.querySelector("[data-action=timer]").dataset.timer === "running"`, 5*time.Second))
	s.waitAt(t, mosaic2, 10*time.Second)
	if d := time.Since(on); d < 1500*time.Millisecond {
		t.Errorf("the first mosaic page moved on after %v, want its 2 s", d)
	}
	joke := fmt.Sprintf("prompt-%d", s.joke.ID)
	s.waitAt(t, joke, 10*time.Second)
	// A prompt's title is not a mosaic: the timer waits there.
	time.Sleep(3 * time.Second)
	if _, key := s.at(t); key != joke {
		t.Fatalf("the timer moved on from a prompt title to %q", key)
	}
	if st := timerState(ctx); st != "waiting" {
		t.Errorf("on a prompt title the timer is %q, want waiting", st)
	}

	// T in the notes window pauses the timer the presenter tab runs; the
	// presenter goes on by hand to the next mosaic, which stays; T there
	// again resumes it.
	jokeMosaic := live.MosaicKey(s.joke.ID, 1)
	press(t, ctx, kb.ArrowRight) // the text answer
	s.waitAt(t, fmt.Sprintf("sub-%d", mustSub(t, s, "Tex")), 10*time.Second)
	press(t, notes, "t")
	run(t, ctx, "paused from the notes window", browsertest.Until(`document.querySelector("[data-action=timer]").dataset.timer === "paused"`, 5*time.Second))
	press(t, ctx, kb.ArrowRight) // the joke's mosaic
	s.waitAt(t, jokeMosaic, 10*time.Second)
	time.Sleep(3 * time.Second)
	if _, key := s.at(t); key != jokeMosaic {
		t.Fatalf("the paused timer moved on to %q", key)
	}
	press(t, notes, "t")
	s.waitAt(t, "scores-people-0", 10*time.Second)
	time.Sleep(2500 * time.Millisecond)
	if _, key := s.at(t); key != "scores-people-0" {
		t.Errorf("the timer moved on from the scores to %q", key)
	}
}
