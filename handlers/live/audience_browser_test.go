package live_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"retreat/handlers/browsertest"
	"retreat/models/live"
)

// TestBrowserPhoneReactsGuessesAndVotes has the presenter at 1280x720 and
// a phone at 390x844 in one reveal: the phone's emoji float up the
// presenter's screen, it guesses whose the photo is from the people in the
// event and votes for it as its favourite, and the award slide then names
// the winner on both screens.
func TestBrowserPhoneReactsGuessesAndVotes(t *testing.T) {
	s := newStageShow(t, false)
	sh := &show{app: s.app, ev: s.ev, ana: s.ana}
	ctx := browsertest.New(t)
	phone := browsertest.NewWindow(t, ctx)
	livePath := fmt.Sprintf("/e/%d/live", s.ev.ID)

	run(t, ctx, "presenter", chromedp.ActionFunc(browsertest.Laptop), chromedp.EmulateViewport(1280, 720), as(s.ana, s.srv.URL),
		chromedp.Navigate(s.presenter()), chromedp.WaitVisible(`[data-presenter][data-ready]`, chromedp.ByQuery))
	// Tex follows on the phone: the panorama is Pan's, not Tex's own.
	run(t, phone, "phone follows", chromedp.ActionFunc(browsertest.Phone), as(s.people["Tex"], s.srv.URL),
		chromedp.Navigate(s.srv.URL+livePath), chromedp.WaitVisible(`[data-message=waiting]`, chromedp.ByQuery))
	if hidden := eval[bool](t, phone, `document.querySelector("[data-actions]").hidden`); !hidden {
		t.Error("the phone offers reactions before the reveal has started")
	}

	sh.act(t, s.ana, "start", nil)
	sh.act(t, s.ana, "next", nil)
	st := sh.act(t, s.ana, "next", nil) // Pan's panorama
	key := st.Slide.Key
	waitKey(t, phone, key)
	waitKey(t, ctx, key)

	// A reaction: it floats up on the phone at once and on the presenter's
	// screen with the next batch.
	eval[bool](t, ctx, `(() => { window.floated = []; new MutationObserver((ms) => { for (const m of ms) for (const n of m.addedNodes) window.floated.push(n.textContent); }).observe(document.querySelector("[data-reactions]"), {childList: true}); return true; })()`)
	run(t, phone, "tap a reaction", chromedp.Click(`[data-react] button[value="😂"]`, chromedp.ByQuery))
	var floated bool
	run(t, ctx, "the reaction floats on the presenter", chromedp.Poll(`window.floated.includes("😂")`, &floated, chromedp.WithPollingTimeout(10*time.Second)))

	// The guess: a list of the others in the event (not Tex himself).
	var options []string
	run(t, phone, "the guess list", chromedp.WaitVisible(`.guess-form select`, chromedp.ByQuery),
		chromedp.Evaluate(`[...document.querySelectorAll(".guess-form option")].map(o => o.textContent)`, &options))
	want := []string{"Pick…", "Pan", "Por"}
	if fmt.Sprint(options) != fmt.Sprint(want) {
		t.Errorf("guess options: got %v, want %v", options, want)
	}
	pan := strconv.FormatUint(uint64(participantID(t, s, "Pan")), 10)
	run(t, phone, "guess Pan", chromedp.SetValue(`.guess-form select`, pan, chromedp.ByQuery),
		chromedp.Click(`.guess-form button`, chromedp.ByQuery))
	var said bool
	run(t, phone, "guess saved", chromedp.Poll(`document.querySelector("[data-act-note]").textContent.includes("Guess saved")`, &said,
		chromedp.WithPollingTimeout(10*time.Second)))
	run(t, phone, "vote", chromedp.Click(`.vote-btn`, chromedp.ByQuery))
	run(t, phone, "vote saved", chromedp.Poll(`document.querySelector(".vote-btn").textContent.includes("Your favourite")`, &said,
		chromedp.WithPollingTimeout(10*time.Second)))
	browsertest.Screenshot(t, phone, "phone-guess-and-vote")

	// The name comes out: the guess closes and the room sees the tally.
	sh.act(t, s.ana, "name", url.Values{"named": {"1"}})
	run(t, phone, "tally on the phone", chromedp.Poll(`(document.querySelector("[data-stage] [data-tally]")?.textContent || "").includes("1 of 1 guessed right")`, &said,
		chromedp.WithPollingTimeout(10*time.Second)))
	if n := eval[int](t, phone, `document.querySelectorAll(".guess-form").length`); n != 0 {
		t.Error("the phone still offers a guess after the name came out")
	}
	run(t, ctx, "tally on the presenter", chromedp.Poll(`(document.querySelector("[data-stage] [data-tally]")?.textContent || "").includes("1 of 1 guessed right")`, &said,
		chromedp.WithPollingTimeout(10*time.Second)))
	browsertest.Screenshot(t, ctx, "presenter-tally")

	// The prompt's award: Pan's panorama, one vote, on both screens.
	d, err := s.app.Store.RevealState(t.Context(), s.ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	var deck live.Deck
	if err := json.Unmarshal([]byte(d.Deck), &deck); err != nil {
		t.Fatal(err)
	}
	i := deck.Index(live.VotesAwardKey(s.photo.ID))
	sh.act(t, s.ana, "goto", url.Values{"index": {strconv.Itoa(i)}})
	for _, w := range []struct {
		name string
		ctx  context.Context
	}{{"presenter", ctx}, {"phone", phone}} {
		waitKey(t, w.ctx, live.VotesAwardKey(s.photo.ID))
		run(t, w.ctx, "the winner on the "+w.name, chromedp.Poll(`(() => { const r = document.querySelector("[data-stage] .winner"); const i = document.querySelector("[data-stage] img.photo"); return !!r && r.textContent.includes("Pan") && r.textContent.includes("1") && i && i.complete && i.naturalWidth > 0; })()`, &said,
			chromedp.WithPollingTimeout(10*time.Second)))
		if l := measure(t, w.ctx); l.ScrollW > l.W || l.ScrollH > l.H {
			t.Errorf("the award slide scrolls on the %s: %+v", w.name, l)
		}
	}
	browsertest.Screenshot(t, ctx, "presenter-award")
	browsertest.Screenshot(t, phone, "phone-award")
	// Voting in that prompt is over: the phone offers no vote there.
	if n := eval[int](t, phone, `document.querySelectorAll(".vote-btn").length`); n != 0 {
		t.Error("the phone still offers a vote on the award slide")
	}
}

func participantID(t *testing.T, s *stageShow, name string) uint {
	t.Helper()
	people, err := s.app.Store.Participants(t.Context(), s.ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range people {
		if p.Name == name {
			return p.ID
		}
	}
	t.Fatalf("no participant %s", name)
	return 0
}
