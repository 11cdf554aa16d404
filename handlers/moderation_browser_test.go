package handlers_test

// Browser tests for points, leaderboards, progress and moderation: the
// review queue driven from the keyboard, the live activity feed, and
// screenshots of the dashboard pages and the participant's scores and
// gallery at phone and laptop size.

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"retreat/handlers/browsertest"
	"retreat/handlers/handlertest"
	"retreat/models"
)

// scoreSite is a running hunt with answers in: two teams, four people,
// photos and texts, served over HTTP.
type scoreSite struct {
	app    *handlertest.App
	url    string
	ev     *models.Event
	swing  *models.Prompt
	desk   *models.Prompt
	joke   *models.Prompt
	people map[string]*handlertest.Client
}

func newScoreSite(t *testing.T) *scoreSite {
	t.Helper()
	app := handlertest.New(t)
	o := app.Organizer("ana@example.com", "Ana")
	ev := app.Event(o, "Spring hunt", "Europe/Lisbon")
	s := &scoreSite{app: app, ev: ev, people: map[string]*handlertest.Client{},
		swing: app.Prompt(ev, models.KindPhoto, "A picture of you on a swing", nil, nil),
		desk:  app.Prompt(ev, models.KindPhoto, "Your desk right now", nil, nil),
		joke:  app.Prompt(ev, models.KindText, "Your best joke", nil, nil)}
	for _, name := range []string{"Bea", "Cy", "Dee", "Eli"} {
		c := app.Client()
		c.Join(ev, name)
		s.people[name] = c
	}
	photos := []struct{ who, file string }{{"Bea", "adobe-rgb.jpg"}, {"Cy", "grayscale.jpg"}, {"Dee", "progressive.jpg"}, {"Bea", "photo.webp"}, {"Eli", "still.gif"}}
	for i, p := range photos {
		prompt := s.swing
		if i >= 3 {
			prompt = s.desk
		}
		app.Clock.Advance(3 * time.Minute)
		if rec := s.people[p.who].Upload(handlertest.AnswerPath(ev, prompt), "Caption by "+p.who, handlertest.PhotoPath(t, p.file)); rec.Code != http.StatusSeeOther {
			t.Fatalf("%s uploads %s: got %d\n%s", p.who, p.file, rec.Code, rec.Body.String())
		}
	}
	app.Clock.Advance(time.Minute)
	s.people["Cy"].PostForm(handlertest.AnswerPath(ev, s.joke), url.Values{"text": {"Why did the scarecrow win an award? He was outstanding in his field."}})

	// Teams, set after joining (joining would ask for one).
	db := app.Store.DB()
	red, err := app.Store.CreateTeam(context.Background(), ev, "Red foxes")
	if err != nil {
		t.Fatal(err)
	}
	blue, err := app.Store.CreateTeam(context.Background(), ev, "Blue jays")
	if err != nil {
		t.Fatal(err)
	}
	db.Model(&models.Event{}).Where("id = ?", ev.ID).Update("teams_enabled", true)
	for name, team := range map[string]uint{"Bea": red.ID, "Cy": red.ID, "Dee": blue.ID, "Eli": blue.ID} {
		db.Model(&models.Participant{}).Where("event_id = ? AND name = ?", ev.ID, name).Update("team_id", team)
	}
	srv := httptest.NewServer(app.Echo)
	t.Cleanup(srv.Close)
	s.url = srv.URL
	return s
}

func (s *scoreSite) answer(t *testing.T, name string, p *models.Prompt) *models.Submission {
	t.Helper()
	list, err := s.app.Store.ReviewQueue(context.Background(), s.ev.ID, models.ReviewFilter{PromptID: p.ID})
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range list {
		if it.ParticipantName == name {
			sub := it.Submission
			return &sub
		}
	}
	t.Fatalf("no answer by %s to %q", name, p.Title)
	return nil
}

func (s *scoreSite) dash(path string) string {
	return fmt.Sprintf("%s/dashboard/events/%d%s", s.url, s.ev.ID, path)
}

// signIn signs the browser in as Ana through the login form.
func (s *scoreSite) signIn(t *testing.T, ctx context.Context) {
	t.Helper()
	run(t, ctx, "sign in",
		chromedp.Navigate(s.url+"/login"),
		chromedp.WaitVisible(`form[action="/login"]`, chromedp.ByQuery),
		chromedp.SendKeys(`input[name=email]`, "ana@example.com", chromedp.ByQuery),
		chromedp.SendKeys(`input[name=password]`, handlertest.Password, chromedp.ByQuery),
		chromedp.Click(`form[action="/login"] button[type=submit]`, chromedp.ByQuery),
		chromedp.WaitVisible(`.topnav`, chromedp.ByQuery),
	)
}

// waitForDB polls cond (reading the database) until it holds.
func waitForDB(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func selectedID(t *testing.T, ctx context.Context) string {
	t.Helper()
	var id string
	run(t, ctx, "read the selection", chromedp.Evaluate(`document.querySelector(".review-item.selected")?.id || ""`, &id))
	return id
}

func TestBrowserReviewQueueFromTheKeyboard(t *testing.T) {
	s := newScoreSite(t)
	ctx := browsertest.New(t)
	laptop := browsertest.Laptop
	run(t, ctx, "laptop size", browsertest.TimeZone("Europe/Lisbon"), chromedp.ActionFunc(laptop))
	s.signIn(t, ctx)
	run(t, ctx, "open the review queue",
		chromedp.Navigate(s.dash("/review")),
		chromedp.WaitVisible(`[data-review-item]`, chromedp.ByQuery),
		chromedp.WaitReady(`[data-shortcuts]:not([hidden])`, chromedp.ByQuery), // the legend shows once the keys work
	)
	imageLoaded(t, ctx, `.review-media img`)
	shoot(t, ctx, "review", laptop)

	// Newest first: Cy's joke, then Eli's desk, then Bea's desk.
	joke, eli, beaDesk := s.answer(t, "Cy", s.joke), s.answer(t, "Eli", s.desk), s.answer(t, "Bea", s.desk)
	if got := selectedID(t, ctx); got != fmt.Sprintf("sub-%d", joke.ID) {
		t.Fatalf("first selection %q, want the newest answer sub-%d", got, joke.ID)
	}
	run(t, ctx, "j j k", chromedp.KeyEvent("j"), chromedp.KeyEvent("j"), chromedp.KeyEvent("k"))
	if got := selectedID(t, ctx); got != fmt.Sprintf("sub-%d", eli.ID) {
		t.Fatalf("after j j k: selected %q, want Eli's sub-%d", got, eli.ID)
	}
	var focused string
	run(t, ctx, "read the focus", chromedp.Evaluate(`document.activeElement.id`, &focused))
	if focused != fmt.Sprintf("sub-%d", eli.ID) {
		t.Errorf("focus is on %q, want the selected answer (for the focus ring)", focused)
	}
	// h hides Eli's, s stars it, 3 gives it three bonus points.
	run(t, ctx, "h s 3", chromedp.KeyEvent("h"), chromedp.KeyEvent("s"), chromedp.KeyEvent("3"))
	waitForDB(t, "Eli's answer to be hidden, starred and given 3 points", func() bool {
		sub, err := s.app.Store.EventSubmission(context.Background(), s.ev.ID, eli.ID)
		return err == nil && sub.Hidden && sub.Starred && sub.BonusPoints == 3
	})
	// j then h again: Bea's desk photo is hidden, then shown again with a
	// second h (both queued in order).
	run(t, ctx, "j h h", chromedp.KeyEvent("j"), chromedp.KeyEvent("h"), chromedp.KeyEvent("h"))
	waitForDB(t, "Bea's desk photo to be reviewed", func() bool {
		sub, err := s.app.Store.EventSubmission(context.Background(), s.ev.ID, beaDesk.ID)
		return err == nil && sub.ReviewedAt != nil
	})
	var badges string
	run(t, ctx, "wait for the page to show it",
		chromedp.Poll(fmt.Sprintf(`(() => { const i = document.getElementById("sub-%d"); const b = i.querySelector("[data-badge=bonus]");
			return i.dataset.hidden === "true" && i.dataset.starred === "true" && !b.hidden ? b.textContent : ""; })()`, eli.ID),
			&badges, chromedp.WithPollingTimeout(10*time.Second)))
	wantContains(t, "Eli's bonus badge", badges, "+3 bonus")
	time.Sleep(300 * time.Millisecond) // let the second h land
	if sub, _ := s.app.Store.EventSubmission(context.Background(), s.ev.ID, beaDesk.ID); sub.Hidden {
		t.Errorf("h h left Bea's photo hidden; want hidden then shown")
	}
	if sub, _ := s.app.Store.EventSubmission(context.Background(), s.ev.ID, joke.ID); sub.Hidden || sub.Starred || sub.ReviewedAt != nil {
		t.Errorf("the answer only passed over changed: %+v", sub)
	}
	shoot(t, ctx, "review-after-keys", laptop)

	// The bonus form works with a reason, in place.
	run(t, ctx, "award with a reason",
		chromedp.SetValue(fmt.Sprintf(`#bonus-%d`, joke.ID), "5", chromedp.ByQuery),
		chromedp.SendKeys(fmt.Sprintf(`#reason-%d`, joke.ID), "Made the whole team laugh", chromedp.ByQuery),
		// form.submit() posts as a page load (the script's fetch is for
		// Enter and the button): wait for the page it leads to, or the
		// next navigation races it (net::ERR_ABORTED).
		browsertest.SubmitToLoad(fmt.Sprintf(`#reason-%d`, joke.ID)),
	)
	waitForDB(t, "the joke's bonus", func() bool {
		sub, err := s.app.Store.EventSubmission(context.Background(), s.ev.ID, joke.ID)
		return err == nil && sub.BonusPoints == 5 && sub.BonusReason == "Made the whole team laugh"
	})

	run(t, ctx, "grid view",
		chromedp.Navigate(s.dash(fmt.Sprintf("/review?view=grid&prompt=%d", s.swing.ID))),
		chromedp.WaitVisible(`.review-list.grid`, chromedp.ByQuery))
	imageLoaded(t, ctx, `.review-media img`)
	shoot(t, ctx, "review-grid", laptop)
}

func TestBrowserProgressFeedUpdatesAndScoresShow(t *testing.T) {
	s := newScoreSite(t)
	ctx := browsertest.New(t)
	laptop := browsertest.Laptop
	run(t, ctx, "laptop size", browsertest.TimeZone("Europe/Lisbon"), chromedp.ActionFunc(laptop))
	// A few moderation results worth seeing on the boards.
	bg := context.Background()
	s.app.Store.SetStarred(bg, s.ev.ID, s.answer(t, "Dee", s.swing).ID, true)
	s.app.Store.AwardBonus(bg, s.ev.ID, s.answer(t, "Dee", s.swing).ID, models.Bonus{Points: 5, Reason: "Highest swing"})
	s.app.Store.SetHidden(bg, s.ev.ID, s.answer(t, "Cy", s.swing).ID, true)

	s.signIn(t, ctx)
	run(t, ctx, "open progress",
		chromedp.Navigate(s.dash("/progress")),
		chromedp.WaitVisible(`.progress-grid`, chromedp.ByQuery))
	imageLoaded(t, ctx, `.progress-grid img`)
	shoot(t, ctx, "progress", laptop)

	// A new answer arrives while the page is open: the feed shows it
	// without a reload.
	s.app.Clock.Advance(time.Minute)
	s.people["Dee"].PostForm(handlertest.AnswerPath(s.ev, s.joke), url.Values{"text": {"I told my wife she was drawing her eyebrows too high. She looked surprised."}})
	var first string
	run(t, ctx, "wait for the feed",
		chromedp.Poll(`(() => { const f = document.querySelector("[data-feed] .feed-item"); return f && f.textContent.includes("Dee") ? f.textContent : ""; })()`,
			&first, chromedp.WithPollingTimeout(15*time.Second)))
	wantContains(t, "newest feed item", first, "Your best joke")
	var n int
	run(t, ctx, "count feed items", chromedp.Evaluate(`document.querySelectorAll("[data-feed] .feed-item").length`, &n))
	if n != 7 {
		t.Errorf("feed has %d items, want 7 (6 answers, then 1 new, none twice)", n)
	}
	shoot(t, ctx, "progress-fed", laptop)

	run(t, ctx, "open scores",
		chromedp.Navigate(s.dash("/scores")),
		chromedp.WaitVisible(`table.standings`, chromedp.ByQuery))
	wantContains(t, "scores", text(t, ctx, ".scores-layout"), "=3")
	shoot(t, ctx, "scores", laptop)

	// The participant's side, in a second window on a phone.
	phone := browsertest.NewWindow(t, ctx)
	run(t, phone, "phone size", chromedp.ActionFunc(browsertest.Phone))
	s.app.Store.DB().Model(&models.Event{}).Where("id = ?", s.ev.ID).Update("gallery_open", true)
	run(t, phone, "join",
		chromedp.Navigate(s.url+"/j/"+s.ev.JoinToken),
		chromedp.WaitVisible(`input[name=name]`, chromedp.ByQuery),
		chromedp.SendKeys(`input[name=name]`, "Fay", chromedp.ByQuery),
		chromedp.SetValue(`select[name=team]`, fmt.Sprint(teamID(t, s, "Blue jays")), chromedp.ByQuery),
		chromedp.Click(`form[action^="/j/"] button[type=submit]`, chromedp.ByQuery),
		chromedp.WaitVisible(`.prompt-list`, chromedp.ByQuery),
	)
	run(t, phone, "answer the joke",
		chromedp.Navigate(fmt.Sprintf("%s/e/%d/prompts/%d", s.url, s.ev.ID, s.joke.ID)),
		chromedp.WaitVisible(`textarea[name=text]`, chromedp.ByQuery),
		chromedp.SendKeys(`textarea[name=text]`, "Knock knock.", chromedp.ByQuery),
		chromedp.Submit(`textarea[name=text]`, chromedp.ByQuery),
		chromedp.WaitVisible(`.prompt-list`, chromedp.ByQuery),
	)
	fay := s.answer(t, "Fay", s.joke)
	s.app.Store.AwardBonus(bg, s.ev.ID, fay.ID, models.Bonus{Points: 2, Reason: "Classic"})
	run(t, phone, "reload the list", chromedp.Reload(), chromedp.WaitVisible(`.points.earned`, chromedp.ByQuery))
	wantContains(t, "Fay's earned points", text(t, phone, ".points.earned"), "12 pts")
	browsertest.Screenshot(t, phone, "participant-prompts-phone")
	run(t, phone, "prompt page",
		chromedp.Navigate(fmt.Sprintf("%s/e/%d/prompts/%d", s.url, s.ev.ID, s.joke.ID)),
		chromedp.WaitVisible(`.answer-score`, chromedp.ByQuery))
	wantContains(t, "Fay's bonus line", text(t, phone, ".bonus-line"), "+2 bonus: Classic")
	browsertest.Screenshot(t, phone, "participant-prompt-phone")
	for _, page := range []string{"scores", "gallery"} {
		run(t, phone, "open "+page,
			chromedp.Navigate(fmt.Sprintf("%s/e/%d/%s", s.url, s.ev.ID, page)),
			chromedp.WaitVisible(`main h1`, chromedp.ByQuery))
		if page == "gallery" {
			imageLoaded(t, phone, `.gallery img`)
		}
		browsertest.Screenshot(t, phone, "participant-"+page+"-phone")
		run(t, phone, "laptop", chromedp.ActionFunc(laptop))
		browsertest.Screenshot(t, phone, "participant-"+page+"-laptop")
		run(t, phone, "phone", chromedp.ActionFunc(browsertest.Phone))
	}
	// And the dashboard pages on a phone.
	for _, page := range []string{"/progress", "/review", "/scores"} {
		run(t, ctx, "phone "+page, chromedp.ActionFunc(browsertest.Phone),
			chromedp.Navigate(s.dash(page)), chromedp.WaitVisible(`.event-nav`, chromedp.ByQuery))
		browsertest.Screenshot(t, ctx, "dashboard"+page+"-phone")
	}
}

func teamID(t *testing.T, s *scoreSite, name string) uint {
	t.Helper()
	teams, err := s.app.Store.Teams(context.Background(), s.ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, tm := range teams {
		if tm.Name == name {
			return tm.ID
		}
	}
	t.Fatalf("no team %q", name)
	return 0
}
