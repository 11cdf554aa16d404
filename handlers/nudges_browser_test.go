package handlers_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"testing"

	"github.com/chromedp/chromedp"

	"retreat/handlers/browsertest"
	"retreat/handlers/handlertest"
	"retreat/models"
)

// TestBrowserNudgesPageAndCalendarLink shows the nudges page with people
// in several zones, sends an email nudge from it through a real SMTP server,
// and shows the participant's "You" page with the email and calendar
// cards. Every page is saved at phone and laptop size.
func TestBrowserNudgesPageAndCalendarLink(t *testing.T) {
	mailSrv := handlertest.StartSMTP(t)
	app := handlertest.New(t, handlertest.Options{Mailer: mailSrv.Mailer(t)})
	o := app.Organizer("ana@example.com", "Ana")
	ev := app.Event(o, "Spring hunt", "Europe/Lisbon")
	swing := app.Prompt(ev, models.KindPhoto, "A picture of you on a swing", nil, nil)
	app.Prompt(ev, models.KindText, "Your best joke", nil, nil)
	ctx := context.Background()
	for _, p := range []struct{ name, email, zone string }{
		{"Bea Tanaka", "bea@example.com", "Asia/Tokyo"},
		{"Carlos", "", "America/New_York"},
		{"Dmitri Alexandrovich Karamazov", "dmitri@example.com", "Europe/Lisbon"},
	} {
		if _, err := app.Store.Join(ctx, ev, models.JoinInput{Name: p.name, Email: p.email, TimeZone: p.zone}); err != nil {
			t.Fatal(err)
		}
	}
	srv := httptest.NewServer(app.Echo)
	t.Cleanup(srv.Close)
	b := browsertest.New(t)
	laptop := browsertest.Laptop
	nudgesURL := fmt.Sprintf("%s/dashboard/events/%d/nudges", srv.URL, ev.ID)
	run(t, b, "sign in",
		chromedp.ActionFunc(laptop),
		chromedp.Navigate(srv.URL+"/login"),
		chromedp.WaitVisible(`form[action="/login"]`, chromedp.ByQuery),
		chromedp.SendKeys(`input[name=email]`, "ana@example.com", chromedp.ByQuery),
		chromedp.SendKeys(`input[name=password]`, handlertest.Password, chromedp.ByQuery),
		chromedp.Click(`form[action="/login"] button[type=submit]`, chromedp.ByQuery),
		chromedp.WaitVisible(`.topnav`, chromedp.ByQuery),
		chromedp.Navigate(nudgesURL),
		chromedp.WaitVisible(`.nudge-prompt`, chromedp.ByQuery),
	)
	wantContains(t, "nudge list", text(t, b, fmt.Sprintf("#nudge-prompt-%d", swing.ID)), "Carlos")
	shoot(t, b, "01-nudges", laptop)
	run(t, b, "untick one person and send",
		chromedp.Click(fmt.Sprintf(`#nudge-prompt-%d input[type=checkbox]:not([disabled]) ~ .n-name`, swing.ID), chromedp.ByQuery),
		chromedp.Click(`#nudge-form button[type=submit]`, chromedp.ByQuery),
		chromedp.WaitVisible(`.flash`, chromedp.ByQuery),
	)
	wantContains(t, "flash after sending", text(t, b, ".flash"), "Sent")
	if n := len(mailSrv.Messages()); n == 0 {
		t.Errorf("no email was delivered")
	}
	shoot(t, b, "02-nudges-sent", laptop)

	run(t, b, "open the event overview",
		chromedp.Navigate(fmt.Sprintf("%s/dashboard/events/%d", srv.URL, ev.ID)),
		chromedp.WaitVisible(`a[href$="/export.zip"]`, chromedp.ByQuery),
	)
	shoot(t, b, "03-event-export-button", laptop)

	phone := browsertest.NewWindow(t, b)
	run(t, phone, "join on a phone",
		browsertest.TimeZone("Asia/Tokyo"),
		chromedp.ActionFunc(browsertest.Phone),
		chromedp.Navigate(srv.URL+"/j/"+ev.JoinToken),
		chromedp.WaitVisible(`input[name=email]`, chromedp.ByQuery),
		chromedp.SendKeys(`input[name=name]`, "Eva", chromedp.ByQuery),
		chromedp.SendKeys(`input[name=email]`, "eva@example", chromedp.ByQuery),
	)
	run(t, phone, "join with a mistyped email",
		chromedp.Click(`form[action^="/j/"] button[type=submit]`, chromedp.ByQuery),
		chromedp.WaitVisible(`.field-error`, chromedp.ByQuery),
	)
	wantContains(t, "email refused", text(t, phone, ".field-error"), "look like an email address")
	shoot(t, phone, "04-join-email-refused", browsertest.Phone)
	run(t, phone, "join",
		chromedp.SetValue(`input[name=email]`, "eva@example.com", chromedp.ByQuery),
		chromedp.Click(`form[action^="/j/"] button[type=submit]`, chromedp.ByQuery),
		chromedp.WaitVisible(`.prompt-list`, chromedp.ByQuery),
		chromedp.ScrollIntoView(`.calendar-link`, chromedp.ByQuery),
	)
	shoot(t, phone, "05-prompts-calendar-link", browsertest.Phone)
	run(t, phone, "open the me page",
		chromedp.Navigate(fmt.Sprintf("%s/e/%d/me", srv.URL, ev.ID)),
		chromedp.WaitVisible(`#email`, chromedp.ByQuery),
	)
	shoot(t, phone, "06-me-email-calendar", browsertest.Phone)
}
