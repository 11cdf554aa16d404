package participant_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"retreat/handlers/browsertest"
	"retreat/handlers/handlertest"
	"retreat/models"
	"retreat/models/live"
)

// TestBrowserRecap opens the recap from the organizer's overview and reads
// it on a phone and a laptop: it must fit a phone's width, and every
// thumbnail must load through the participant's own photo URLs.
func TestBrowserRecap(t *testing.T) {
	h := newRecapHunt(t, [4]string{"adobe-rgb.jpg", "grayscale.jpg", "progressive.jpg", "photo.webp"})
	ctxb := t.Context()
	// Teams, for the team podium, and the awards a reveal decided.
	if err := h.app.Store.DB().Model(&models.Event{}).Where("id = ?", h.ev.ID).Update("teams_enabled", true).Error; err != nil {
		t.Fatal(err)
	}
	reds, _ := h.app.Store.CreateTeam(ctxb, h.ev, "Red Pandas")
	blues, _ := h.app.Store.CreateTeam(ctxb, h.ev, "Blue Whales with a Rather Long Team Name")
	people, err := h.app.Store.Participants(ctxb, h.ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	var cy *models.Participant
	for i := range people {
		team := reds.ID
		if i%2 == 1 {
			team = blues.ID
		}
		if err := h.app.Store.DB().Model(&models.Participant{}).Where("id = ?", people[i].ID).Update("team_id", team).Error; err != nil {
			t.Fatal(err)
		}
		if people[i].Name == "Cy" {
			cy = &people[i]
		}
	}
	deck := live.Deck{EventID: h.ev.ID, Slides: []live.Slide{
		{Key: "award-reactions", Kind: live.KindAward, Award: "reactions", Title: "Most reactions", Subtitle: "The answers the room cheered loudest",
			Decided: true, SubmissionID: h.beaPhoto, Rows: []live.ScoreRow{{Rank: 1, Name: "Bea", Detail: h.photo.Title, Points: 12},
				{Rank: 2, Name: "Cy", Detail: h.photo.Title, Points: 3, Tied: true}, {Rank: 2, Name: "Bea", Detail: h.text.Title, Points: 3, Tied: true}}},
		{Key: "award-guessers", Kind: live.KindAward, Award: "guessers", Title: "Best guessers", Subtitle: "Who knew whose answer it was",
			Decided: true, Rows: []live.ScoreRow{{Rank: 1, Name: "Dee", Detail: "Red Pandas", Points: 2}}},
	}}
	raw, _ := json.Marshal(deck)
	st := &models.RevealState{EventID: h.ev.ID, Seq: 1, Status: models.RevealEnded, Deck: string(raw), Shown: "[]", Named: "[]", Follower: "{}"}
	if err := h.app.Store.SaveRevealState(ctxb, st, 0, true); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h.app.Echo)
	t.Cleanup(srv.Close)

	// Ana opens the recap from the event's overview, confirming.
	ctx := browsertest.New(t)
	chromedp.ListenTarget(ctx, func(ev any) {
		if _, ok := ev.(*page.EventJavascriptDialogOpening); ok {
			go chromedp.Run(ctx, page.HandleJavaScriptDialog(true))
		}
	})
	overview := fmt.Sprintf("%s/dashboard/events/%d", srv.URL, h.ev.ID)
	do(t, ctx, "sign in",
		chromedp.ActionFunc(browsertest.Laptop),
		chromedp.Navigate(srv.URL+"/login"),
		chromedp.WaitVisible(`form[action="/login"]`, chromedp.ByQuery),
		chromedp.SendKeys(`input[name=email]`, "ana@example.com", chromedp.ByQuery),
		chromedp.SendKeys(`input[name=password]`, handlertest.Password, chromedp.ByQuery),
		chromedp.Click(`form[action="/login"] button[type=submit]`, chromedp.ByQuery),
		chromedp.WaitVisible(`.topnav`, chromedp.ByQuery),
		chromedp.Navigate(overview),
		chromedp.WaitVisible(`form[action$="/recap"] button`, chromedp.ByQuery),
		pageReady(),
	)
	browsertest.Screenshot(t, ctx, "01-overview-laptop")
	do(t, ctx, "open the recap",
		chromedp.Click(`form[action$="/recap"] button`, chromedp.ByQuery),
		chromedp.WaitVisible(`.flash`, chromedp.ByQuery),
	)
	if !h.recapOpen(t) {
		t.Fatal("the recap is not open after Ana clicked the button")
	}
	do(t, ctx, "preview", chromedp.Navigate(overview+"/recap"), chromedp.WaitVisible(`#recap-winners`, chromedp.ByQuery))
	browsertest.Screenshot(t, ctx, "02-preview-laptop")
	thumbsLoad(t, ctx, "the organizer's preview")

	// Cy reads it on a phone, coming in with the personal link.
	phone := browsertest.NewWindow(t, ctx)
	do(t, phone, "Cy's phone",
		chromedp.ActionFunc(browsertest.Phone),
		chromedp.Navigate(srv.URL+"/r/"+cy.ReturnToken),
		chromedp.WaitVisible(`.prompt-list`, chromedp.ByQuery),
	)
	browsertest.Screenshot(t, phone, "03-prompts-phone")
	do(t, phone, "follow the link to the recap",
		chromedp.Click(`a[href$="/recap"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`#recap-answers`, chromedp.ByQuery),
		pageReady(),
	)
	noSideScroll(t, phone, "the recap on a phone")
	thumbsLoad(t, phone, "the recap on a phone")
	browsertest.Screenshot(t, phone, "04-recap-phone")
	do(t, phone, "laptop size", chromedp.ActionFunc(browsertest.Laptop))
	thumbsLoad(t, phone, "the recap on a laptop")
	browsertest.Screenshot(t, phone, "05-recap-laptop")
}

// noSideScroll fails when the page is wider than the screen.
func noSideScroll(t *testing.T, ctx context.Context, what string) {
	t.Helper()
	var widths []int
	do(t, ctx, "measure "+what, chromedp.Evaluate(`[document.documentElement.scrollWidth, window.innerWidth]`, &widths))
	if widths[0] > widths[1] {
		t.Errorf("%s scrolls sideways: %d px wide on a %d px screen", what, widths[0], widths[1])
	}
}

// thumbsLoad waits until every image of the recap has pixels.
func thumbsLoad(t *testing.T, ctx context.Context, what string) {
	t.Helper()
	var n int
	do(t, ctx, "count the thumbnails of "+what, chromedp.Evaluate(`document.querySelectorAll(".recap-winners img, .recap-answers img").length`, &n))
	if n < 3 { // the award's photo, and Bea's and Cy's
		t.Fatalf("%s has %d images, want at least 3", what, n)
	}
	var ok bool
	do(t, ctx, "load the thumbnails of "+what, chromedp.Poll(`(() => {
  const imgs = [...document.querySelectorAll(".recap-winners img, .recap-answers img")];
  for (const i of imgs) i.loading = "eager"; // lazy ones below the fold would never load
  return imgs.every((i) => i.complete && i.naturalWidth > 0);
})()`, &ok, chromedp.WithPollingTimeout(15*time.Second)))
}
