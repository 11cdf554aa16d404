package handlers_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"retreat/handlers/browsertest"
	"retreat/handlers/handlertest"
	"retreat/models"
)

// acceptDialogs answers every confirm() of the tab with OK, as a person
// who means it would, and counts them.
func acceptDialogs(ctx context.Context) *int {
	n := new(int)
	chromedp.ListenTarget(ctx, func(ev any) {
		if _, ok := ev.(*page.EventJavascriptDialogOpening); ok {
			*n++
			go chromedp.Run(ctx, page.HandleJavaScriptDialog(true))
		}
	})
	return n
}

// peopleScriptsReady waits until the page has loaded and run its modules.
func peopleScriptsReady() chromedp.Action {
	return chromedp.Poll(`document.readyState === "complete"`, nil, chromedp.WithPollingTimeout(10*time.Second))
}

// shootPeople saves the page at phone and laptop size, ending at laptop size.
func shootPeople(t *testing.T, ctx context.Context, name string, _ func(context.Context) error) {
	t.Helper()
	run(t, ctx, "phone size", chromedp.ActionFunc(browsertest.Phone))
	browsertest.Screenshot(t, ctx, name+"-phone")
	run(t, ctx, "laptop size", chromedp.ActionFunc(browsertest.Laptop))
	browsertest.Screenshot(t, ctx, name+"-laptop")
}

// TestBrowserPeoplePage runs the People section in a browser: an
// organizer in New York reads the roster of a Lisbon event in their own
// zone, opens a participant's tools, renames and removes with the confirm
// dialog; a phone joins with a team; someone invited opens the link.
func TestBrowserPeoplePage(t *testing.T) {
	ctxb := context.Background()
	app := handlertest.New(t)
	o := app.Organizer("ana@example.com", "Ana")
	ev := app.Event(o, "Spring hunt", "Europe/Lisbon")
	joke := app.Prompt(ev, models.KindText, "Your best joke", nil, nil)
	srv := httptest.NewServer(app.Echo)
	t.Cleanup(srv.Close)
	s := struct {
		url string
		ev  *models.Event
	}{srv.URL, ev}
	if err := app.Store.DB().Model(&models.Event{}).Where("id = ?", s.ev.ID).Update("teams_enabled", true).Error; err != nil {
		t.Fatal(err)
	}
	s.ev.TeamsEnabled = true
	reds, _ := app.Store.CreateTeam(ctxb, s.ev, "Red Pandas")
	blues, _ := app.Store.CreateTeam(ctxb, s.ev, "Blue Whales")
	for i, name := range []string{"Beatriz Santos", "Cem", "Dana Okafor-Lindqvist", "Eli"} {
		team := reds.ID
		if i%2 == 1 {
			team = blues.ID
		}
		p, err := app.Store.Join(ctxb, s.ev, models.JoinInput{Name: name, TimeZone: "Asia/Tokyo", TeamID: team})
		if err != nil {
			t.Fatal(err)
		}
		if i < 2 {
			if _, _, err := app.Store.SaveTextAnswer(ctxb, s.ev, joke, p, "Why did the hunt cross the road?"); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := app.Store.CreateInvite(ctxb, s.ev, 1, models.InviteInput{Email: "sam@example.com", Role: models.RoleModerator}); err != nil {
		t.Fatal(err)
	}

	ctx := browsertest.New(t)
	dialogs := acceptDialogs(ctx)
	laptop := browsertest.Laptop
	people := fmt.Sprintf("%s/dashboard/events/%d/people", s.url, s.ev.ID)
	run(t, ctx, "sign in",
		browsertest.TimeZone("America/New_York"),
		chromedp.ActionFunc(laptop),
		chromedp.Navigate(s.url+"/login?next="+strings.ReplaceAll(people, s.url, "")),
		chromedp.WaitVisible(`form[action="/login"]`, chromedp.ByQuery),
		chromedp.SendKeys(`input[name=email]`, "ana@example.com", chromedp.ByQuery),
		chromedp.SendKeys(`input[name=password]`, handlertest.Password, chromedp.ByQuery),
		chromedp.Click(`form[action="/login"] button[type=submit]`, chromedp.ByQuery),
		chromedp.WaitVisible(`#participants`, chromedp.ByQuery),
		// zone.js stores the browser's zone and reloads the page once.
		chromedp.Poll(`document.querySelector("[data-viewer-zone]")?.dataset.viewerZone === "America/New_York"`, nil,
			chromedp.WithPollingTimeout(10*time.Second)),
		peopleScriptsReady(),
	)
	wantContains(t, "zone note", text(t, ctx, "#participants .section-head .hint"), "America/New_York")
	wantContains(t, "roster", text(t, ctx, ".roster"), "Dana Okafor-Lindqvist")
	wantContains(t, "times beside the event's", text(t, ctx, ".roster"), "in Lisbon")
	shootPeople(t, ctx, "01-people", laptop)

	bea := fmt.Sprintf(`#participant-%d`, 1)
	run(t, ctx, "open Beatriz's tools",
		chromedp.Click(bea+` summary`, chromedp.ByQuery),
		chromedp.WaitVisible(bea+` .person-manage`, chromedp.ByQuery),
	)
	shootPeople(t, ctx, "02-people-manage", laptop)

	run(t, ctx, "rename to a taken name",
		chromedp.SetValue(bea+` input[name=name]`, "cem", chromedp.ByQuery),
		chromedp.Click(bea+` form[action$="/people/1"] button`, chromedp.ByQuery),
		chromedp.WaitVisible(bea+` .field-error`, chromedp.ByQuery),
	)
	wantContains(t, "rename refused in place", text(t, ctx, bea+` .field-error`), "already called")
	shootPeople(t, ctx, "03-people-rename-refused", laptop)

	run(t, ctx, "remove Beatriz",
		chromedp.Click(bea+` form[action$="/remove"] button`, chromedp.ByQuery),
		chromedp.WaitVisible(`.flash`, chromedp.ByQuery),
	)
	wantContains(t, "flash after removing", text(t, ctx, ".flash"), "Beatriz Santos was removed with 1 answer")
	if *dialogs != 1 {
		t.Errorf("confirm dialogs = %d, want 1 before removing", *dialogs)
	}
	if list, _ := app.Store.Participants(ctxb, s.ev.ID); len(list) != 3 {
		t.Errorf("participants after removing = %d, want 3", len(list))
	}

	// A refused team delete explains itself at the top of the teams card.
	teamPrompt, err := app.Store.CreatePrompt(ctxb, s.ev, models.PromptInput{Kind: models.KindText, Title: "Team motto", TeamPrompt: true})
	if err != nil {
		t.Fatal(err)
	}
	cem, _ := app.Store.EventParticipant(ctxb, s.ev.ID, 2)
	if _, _, err := app.Store.SaveTextAnswer(ctxb, s.ev, teamPrompt, cem, "Whale of a time"); err != nil {
		t.Fatal(err)
	}
	run(t, ctx, "delete a team with an answer",
		chromedp.Navigate(people),
		chromedp.WaitVisible(`#teams`, chromedp.ByQuery),
		peopleScriptsReady(),
		chromedp.Click(fmt.Sprintf(`#team-%d .team-edit summary`, blues.ID), chromedp.ByQuery),
		chromedp.Click(fmt.Sprintf(`#team-%d form[action$="/delete"] button`, blues.ID), chromedp.ByQuery),
		chromedp.WaitVisible(`#teams .error`, chromedp.ByQuery),
	)
	wantContains(t, "team delete refused", text(t, ctx, "#teams .error"), "Blue Whales can't be deleted")
	shootPeople(t, ctx, "04-people-team-refused", laptop)

	// A moderator's view: no tools, no personal links.
	mo := app.Organizer("mo@example.com", "Mo Moderator")
	if err := app.Store.DB().Create(&models.EventOrganizer{EventID: s.ev.ID, OrganizerID: mo.ID, Role: models.RoleModerator}).Error; err != nil {
		t.Fatal(err)
	}
	modWin := browsertest.NewWindow(t, ctx)
	run(t, modWin, "moderator signs in",
		chromedp.ActionFunc(laptop),
		chromedp.Navigate(s.url+"/login?next="+strings.ReplaceAll(people, s.url, "")),
		chromedp.WaitVisible(`form[action="/login"]`, chromedp.ByQuery),
		chromedp.SendKeys(`input[name=email]`, "mo@example.com", chromedp.ByQuery),
		chromedp.SendKeys(`input[name=password]`, handlertest.Password, chromedp.ByQuery),
		chromedp.Click(`form[action="/login"] button[type=submit]`, chromedp.ByQuery),
		chromedp.WaitVisible(`#participants`, chromedp.ByQuery),
	)
	var n int
	run(t, modWin, "count tools", chromedp.Evaluate(`document.querySelectorAll('.person-manage, form[action$="/teams"], .invite-form').length`, &n))
	if n != 0 {
		t.Errorf("moderator sees %d editing tools", n)
	}
	shootPeople(t, modWin, "05-people-moderator", laptop)

	// A phone joins and picks a team.
	phone := browsertest.NewWindow(t, ctx)
	run(t, phone, "open the join page",
		chromedp.ActionFunc(browsertest.Phone),
		chromedp.Navigate(s.url+"/j/"+s.ev.JoinToken),
		chromedp.WaitVisible(`select[name=team]`, chromedp.ByQuery),
	)
	browsertest.Screenshot(t, phone, "06-join-with-team-phone")
	run(t, phone, "join without a team",
		chromedp.SendKeys(`input[name=name]`, "Fay", chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelector("select[name=team]").removeAttribute("required")`, nil),
		chromedp.Click(`form[action^="/j/"] button[type=submit]`, chromedp.ByQuery),
		chromedp.WaitVisible(`.field-error`, chromedp.ByQuery),
	)
	wantContains(t, "join refused", text(t, phone, ".field-error"), "Pick your team")
	browsertest.Screenshot(t, phone, "07-join-team-refused-phone")
	run(t, phone, "join with a team",
		chromedp.SetValue(`select[name=team]`, fmt.Sprint(reds.ID), chromedp.ByQuery),
		chromedp.Click(`form[action^="/j/"] button[type=submit]`, chromedp.ByQuery),
		chromedp.WaitVisible(`.prompt-list`, chromedp.ByQuery),
		chromedp.Navigate(fmt.Sprintf("%s/e/%d/me", s.url, s.ev.ID)),
		chromedp.WaitVisible(`#team`, chromedp.ByQuery),
	)
	wantContains(t, "me page team", text(t, phone, "#team"), "Red Pandas")
	browsertest.Screenshot(t, phone, "08-me-team-phone")

	// The people page on a phone.
	run(t, ctx, "people on a phone",
		chromedp.ActionFunc(browsertest.Phone),
		chromedp.Navigate(people),
		chromedp.WaitVisible(`#participants`, chromedp.ByQuery),
		chromedp.Click(`#participant-2 summary`, chromedp.ByQuery),
	)
	browsertest.Screenshot(t, ctx, "09-people-phone")

	// Someone invited opens the link on a phone.
	list, _ := app.Store.PendingInvites(ctxb, s.ev.ID)
	guest := browsertest.NewWindow(t, ctx)
	run(t, guest, "open the invite",
		chromedp.ActionFunc(browsertest.Phone),
		chromedp.Navigate(s.url+list[0].Path()),
		chromedp.WaitVisible(`form[action$="/account"]`, chromedp.ByQuery),
	)
	browsertest.Screenshot(t, guest, "10-invite-phone")
	run(t, guest, "laptop size", chromedp.ActionFunc(laptop))
	browsertest.Screenshot(t, guest, "10-invite-laptop")
	run(t, guest, "phone size", chromedp.ActionFunc(browsertest.Phone))
	run(t, guest, "create the account",
		chromedp.SendKeys(`input[name=name]`, "Sam", chromedp.ByQuery),
		chromedp.SendKeys(`input[name=password]`, handlertest.Password, chromedp.ByQuery),
		chromedp.Click(`form[action$="/account"] button`, chromedp.ByQuery),
		chromedp.WaitVisible(`.flash`, chromedp.ByQuery),
	)
	wantContains(t, "welcome after accepting", text(t, guest, ".flash"), "as a moderator")
	run(t, guest, "laptop size", chromedp.ActionFunc(laptop))
	browsertest.Screenshot(t, guest, "11-invited-moderator-event-laptop")
}
