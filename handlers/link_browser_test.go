package handlers_test

import (
	"fmt"
	"net/http/httptest"
	"testing"

	"github.com/chromedp/chromedp"

	"retreat/handlers/browsertest"
	"retreat/handlers/handlertest"
	"retreat/models"
)

// TestBrowserPersonalLinkAsksFirst: Bea's phone opens Carl's personal
// link. It is asked, at phone and laptop size, stays Bea when she taps
// "Stay", and becomes Carl only through the form (plain HTML, no script
// needed).
func TestBrowserPersonalLinkAsksFirst(t *testing.T) {
	app := handlertest.New(t)
	o := app.Organizer("ana@example.com", "Ana")
	ev := app.Event(o, "Spring hunt", "Europe/Lisbon")
	app.Prompt(ev, models.KindPhoto, "Your desk", nil, nil)
	carl, err := app.Store.Join(t.Context(), ev, models.JoinInput{Name: "Carl Johansson-Whitfield", TimeZone: "UTC"})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(app.Echo)
	t.Cleanup(srv.Close)
	link := srv.URL + "/r/" + carl.ReturnToken
	me := fmt.Sprintf("%s/e/%d/me", srv.URL, ev.ID)

	ctx := browsertest.New(t)
	run(t, ctx, "Bea joins",
		chromedp.ActionFunc(browsertest.Phone),
		chromedp.Navigate(srv.URL+"/j/"+ev.JoinToken),
		chromedp.WaitVisible(`input[name=name]`, chromedp.ByQuery),
		chromedp.SendKeys(`input[name=name]`, "Bea", chromedp.ByQuery),
		chromedp.Click(`form[action^="/j/"] button[type=submit]`, chromedp.ByQuery),
		chromedp.WaitVisible(`.prompt-list`, chromedp.ByQuery),
	)
	run(t, ctx, "open Carl's link", chromedp.Navigate(link), chromedp.WaitVisible(`.switch`, chromedp.ByQuery))
	wantContains(t, "question", text(t, ctx, "h1"), "Continue as Carl Johansson-Whitfield?")
	wantContains(t, "who the phone is", text(t, ctx, ".switch"), "This phone is signed in as Bea in Spring hunt.")
	browsertest.Screenshot(t, ctx, "personal-link-ask-phone")
	run(t, ctx, "laptop size", chromedp.ActionFunc(browsertest.Laptop))
	browsertest.Screenshot(t, ctx, "personal-link-ask-laptop")
	run(t, ctx, "phone size", chromedp.ActionFunc(browsertest.Phone))

	run(t, ctx, "stay",
		chromedp.Click(`.switch a.button`, chromedp.ByQuery),
		chromedp.WaitVisible(`.prompt-list`, chromedp.ByQuery),
		chromedp.Navigate(me),
		chromedp.WaitVisible(`h1`, chromedp.ByQuery),
	)
	wantContains(t, "after staying", text(t, ctx, "h1"), "Bea")

	run(t, ctx, "switch",
		chromedp.Navigate(link),
		chromedp.WaitVisible(`.switch`, chromedp.ByQuery),
		browsertest.ClickToLoad(`.switch form button[type=submit]`),
		chromedp.WaitVisible(`.flash`, chromedp.ByQuery),
	)
	wantContains(t, "welcome", text(t, ctx, ".flash"), "Welcome back, Carl Johansson-Whitfield.")
	browsertest.Screenshot(t, ctx, "personal-link-switched-phone")
	run(t, ctx, "who now", chromedp.Navigate(me), chromedp.WaitVisible(`h1`, chromedp.ByQuery))
	wantContains(t, "after switching", text(t, ctx, "h1"), "Carl Johansson-Whitfield")
}
