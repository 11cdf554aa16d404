package live_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"retreat/handlers/handlertest"
	"retreat/models"
	"retreat/models/live"
)

// show is an event ready for its reveal: Bea, Cy and Dee answered a photo
// prompt (Cy keeping hers out of the live call, Dee's starred) and a text
// prompt (Cy's hidden by the organizer). Ana owns the event.
type show struct {
	app               *handlertest.App
	ev                *models.Event
	swing, joke       *models.Prompt
	ana               *handlertest.Client
	bea, cy, dee      *handlertest.Client
	beaPhoto, cyPhoto uint
	deePhoto          uint
	beaJoke, cyJoke   uint
}

func newShow(t *testing.T) *show {
	t.Helper()
	return newShowOn(t, handlertest.New(t))
}

// newShowOn is newShow on an app built with its own options.
func newShowOn(t *testing.T, app *handlertest.App) *show {
	t.Helper()
	o := app.Organizer("ana@example.com", "Ana")
	ev := app.Event(o, "Spring hunt", "Europe/Lisbon")
	s := &show{app: app, ev: ev,
		swing: app.Prompt(ev, models.KindPhoto, "A picture of you on a swing", nil, nil),
		joke:  app.Prompt(ev, models.KindText, "Your best joke", nil, nil)}
	s.bea, s.cy, s.dee = app.Client(), app.Client(), app.Client()
	s.bea.Join(ev, "Bea")
	s.cy.Join(ev, "Cy")
	s.dee.Join(ev, "Dee")
	upload := func(c *handlertest.Client, file, caption string, fields map[string]string) {
		t.Helper()
		if fields == nil {
			fields = map[string]string{}
		}
		fields["caption"] = caption
		ct, body := handlertest.Multipart(t, fields, "photo", handlertest.PhotoPath(t, file))
		rec := c.PostRaw(handlertest.AnswerPath(ev, s.swing)+"?_csrf="+url.QueryEscape(c.CSRF()), ct, body)
		if rec.Code != http.StatusSeeOther {
			t.Fatalf("upload %s: got %d\n%s", file, rec.Code, rec.Body.String())
		}
		app.Clock.Advance(time.Minute)
	}
	upload(s.bea, "orient-1.jpg", "Wheee", nil)
	upload(s.cy, "orient-2.jpg", "Not this one", map[string]string{"not_for_live": "1"})
	upload(s.dee, "orient-3.jpg", "Higher!", nil)
	for _, a := range []struct {
		c    *handlertest.Client
		text string
	}{{s.bea, "Knock knock"}, {s.cy, "A joke about Cy"}} {
		if rec := a.c.PostForm(handlertest.AnswerPath(ev, s.joke), url.Values{"text": {a.text}}); rec.Code != http.StatusSeeOther {
			t.Fatalf("text answer: got %d", rec.Code)
		}
	}
	subs, err := app.Store.EventSubmissions(t.Context(), ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, sub := range subs {
		switch {
		case sub.PromptID == s.swing.ID && sub.ParticipantName == "Bea":
			s.beaPhoto = sub.ID
		case sub.PromptID == s.swing.ID && sub.ParticipantName == "Cy":
			s.cyPhoto = sub.ID
			if !sub.NotForLive {
				t.Fatal("Cy's photo was sent as not for the live call but is not marked so")
			}
		case sub.PromptID == s.swing.ID && sub.ParticipantName == "Dee":
			s.deePhoto = sub.ID
		case sub.PromptID == s.joke.ID && sub.ParticipantName == "Bea":
			s.beaJoke = sub.ID
		case sub.PromptID == s.joke.ID && sub.ParticipantName == "Cy":
			s.cyJoke = sub.ID
		}
	}
	if _, err := app.Store.SetStarred(t.Context(), ev.ID, s.deePhoto, true); err != nil {
		t.Fatal(err)
	}
	if _, err := app.Store.SetHidden(t.Context(), ev.ID, s.cyJoke, true); err != nil {
		t.Fatal(err)
	}
	s.ana = app.Client()
	s.ana.SignIn("ana@example.com")
	return s
}

func (s *show) presenter() string { return fmt.Sprintf("/dashboard/events/%d/reveal", s.ev.ID) }
func (s *show) live() string      { return fmt.Sprintf("/e/%d/live", s.ev.ID) }

// act posts a presenter action as presenter.js does and returns the state.
func (s *show) act(t *testing.T, c *handlertest.Client, action string, form url.Values) live.FollowerState {
	t.Helper()
	code, body := postJSON(c, s.presenter()+"/"+action, form)
	if code != http.StatusOK {
		t.Fatalf("%s: got %d\n%s", action, code, body)
	}
	var st live.FollowerState
	if err := json.Unmarshal([]byte(body), &st); err != nil {
		t.Fatalf("%s: %v\n%s", action, err, body)
	}
	return st
}

func postJSON(c *handlertest.Client, path string, form url.Values) (int, string) {
	if form == nil {
		form = url.Values{}
	}
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("X-CSRF-Token", c.CSRF())
	rec := c.Do(req)
	return rec.Code, rec.Body.String()
}

func getJSON(c *handlertest.Client, path string) (int, string) {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.Header.Set("Accept", "application/json")
	rec := c.Do(req)
	return rec.Code, rec.Body.String()
}

// followerState is what a phone gets from state.json.
func (s *show) followerState(t *testing.T, c *handlertest.Client) (live.FollowerState, string) {
	t.Helper()
	code, body := getJSON(c, s.live()+"/state.json")
	if code != http.StatusOK {
		t.Fatalf("state.json: got %d\n%s", code, body)
	}
	var st live.FollowerState
	if err := json.Unmarshal([]byte(body), &st); err != nil {
		t.Fatalf("state.json: %v\n%s", err, body)
	}
	return st, body
}

func (s *show) deck(t *testing.T) []string {
	t.Helper()
	d, err := live.BuildDeck(t.Context(), s.app.Store, s.ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	keys := make([]string, len(d.Slides))
	for i, sl := range d.Slides {
		keys[i] = sl.Key
	}
	return keys
}

func TestDeckIsBuiltFromTheEventInOrder(t *testing.T) {
	s := newShow(t)
	want := []string{
		"cover",
		fmt.Sprintf("prompt-%d", s.swing.ID),
		fmt.Sprintf("sub-%d", s.deePhoto), // starred first
		fmt.Sprintf("sub-%d", s.beaPhoto), // then as they came in; Cy's is not for the live call
		fmt.Sprintf("prompt-%d", s.joke.ID),
		fmt.Sprintf("sub-%d", s.beaJoke), // Cy's is hidden
		// The awards: per prompt the audience's favourite, and the
		// organizer's pick where something was starred; then the show's.
		live.VotesAwardKey(s.swing.ID), fmt.Sprintf("award-pick-%d", s.swing.ID), live.VotesAwardKey(s.joke.ID),
		"award-reactions", "award-guessers",
		"scores-people-0", "scores-people-1", "scores-people-2", "scores-people-3",
	}
	if got := s.deck(t); !slices.Equal(got, want) {
		t.Fatalf("deck:\n got %v\nwant %v", got, want)
	}
	d, _ := live.BuildDeck(t.Context(), s.app.Store, s.ev.ID)
	photo := d.Slides[2]
	if photo.Kind != live.KindPhoto || photo.Caption != "Higher!" || photo.Author != "Dee" || !photo.Starred || photo.Number != 1 || photo.Of != 2 {
		t.Errorf("Dee's slide: %+v", photo)
	}
	if text := d.Slides[5]; text.Kind != live.KindText || text.Text != "Knock knock" || text.Fit != "s" {
		t.Errorf("Bea's joke slide: %+v", text)
	}
	// The board is revealed from the bottom: the last slide shows all
	// three, Bea (20 points) on top, Cy and Dee tied second.
	last := d.Slides[len(d.Slides)-1]
	if len(last.Rows) != 3 || last.Revealed != 3 || last.Rows[0].Name != "Bea" || last.Rows[0].Points != 20 || last.Rows[1].Rank != 2 || !last.Rows[2].Tied {
		t.Errorf("board: %+v", last)
	}
	// The organizer's pick is known from the start: Dee's starred photo.
	if pick := d.Slides[d.Index(fmt.Sprintf("award-pick-%d", s.swing.ID))]; !pick.Decided || len(pick.Rows) != 1 ||
		pick.Rows[0].Name != "Dee" || pick.Rows[0].Tied || pick.SubmissionID != s.deePhoto || pick.PhotoKey == "" {
		t.Errorf("the organizer's pick: %+v", pick)
	}
	// The audience's awards wait for the room.
	if votes := d.Slides[d.Index(live.VotesAwardKey(s.swing.ID))]; votes.Decided || len(votes.Rows) != 0 {
		t.Errorf("the audience favourite is decided before the reveal: %+v", votes)
	}
	if first := d.Slides[len(d.Slides)-3]; first.Revealed != 1 {
		t.Errorf("board's first row slide reveals %d rows", first.Revealed)
	}
}

func TestScoresRevealTeamsThenPeopleFromTheBottom(t *testing.T) {
	app := handlertest.New(t)
	o := app.Organizer("ana@example.com", "Ana")
	ev := app.Event(o, "Team hunt", "UTC")
	ev.TeamsEnabled = true
	if err := app.Store.DB().Model(ev).Update("teams_enabled", true).Error; err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"Otters", "Bears"} {
		if _, err := app.Store.CreateTeam(t.Context(), ev, name); err != nil {
			t.Fatal(err)
		}
	}
	teams, _ := app.Store.Teams(t.Context(), ev.ID)
	joke := app.Prompt(ev, models.KindText, "Your best joke", nil, nil)
	for i, name := range []string{"Bea", "Cy"} {
		c := app.Client()
		rec := c.PostForm("/j/"+ev.JoinToken, url.Values{"name": {name}, "team": {fmt.Sprint(teams[i].ID)}})
		if rec.Code != http.StatusSeeOther {
			t.Fatalf("join %s: %d\n%s", name, rec.Code, rec.Body.String())
		}
		if name == "Bea" {
			c.PostForm(handlertest.AnswerPath(ev, joke), url.Values{"text": {"Ha"}})
		}
	}
	d, err := live.BuildDeck(t.Context(), app.Store, ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, sl := range d.Slides {
		if sl.Kind == live.KindScores {
			keys = append(keys, sl.Key)
		}
	}
	want := []string{"scores-teams-0", "scores-teams-1", "scores-teams-2", "scores-people-0", "scores-people-1", "scores-people-2"}
	if !slices.Equal(keys, want) {
		t.Fatalf("score slides: got %v, want %v", keys, want)
	}
	// One row revealed: the bottom one, and a phone gets that one only.
	i := d.Index("scores-teams-1")
	f := d.ForFollower(i, false)
	if f.Hidden != 1 || len(f.Rows) != 1 || f.Rows[0].Rank != 2 {
		t.Fatalf("teams board after one press: %+v", f)
	}
}

func TestFollowersSeeOnlyWhatWasShown(t *testing.T) {
	s := newShow(t)
	deck := s.deck(t)
	phone := s.bea
	photo := func(id uint) int { return phone.Get(fmt.Sprintf("%s/photos/%d", s.live(), id)).Code }

	// Before the reveal: nothing to see, no photo of anybody's.
	st, _ := s.followerState(t, phone)
	if st.Status != models.RevealIdle || st.Slide != nil {
		t.Fatalf("before the start: %+v", st)
	}
	for _, id := range []uint{s.beaPhoto, s.deePhoto, s.cyPhoto} {
		if code := photo(id); code != http.StatusNotFound {
			t.Errorf("photo %d before the start: got %d, want 404", id, code)
		}
	}
	if code, _ := getJSON(phone, s.live()+"/slides/0"); code != http.StatusNotFound {
		t.Errorf("slide 0 before the start: got %d", code)
	}
	if rec := phone.Get(s.live()); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "Starting soon") {
		t.Errorf("follow page before the start: %d", rec.Code)
	}

	st = s.act(t, s.ana, "start", nil)
	if st.Status != models.RevealLive || st.Index != 0 || st.Slide.Kind != live.KindCover || st.Total != len(deck) {
		t.Fatalf("after start: %+v", st)
	}
	// The prompt list tells the phone the reveal is live.
	if rec := phone.Get(fmt.Sprintf("/e/%d", s.ev.ID)); !strings.Contains(rec.Body.String(), s.live()) {
		t.Error("the prompt list has no link to the live reveal")
	}
	// Slides still to come do not exist for phones; of their photos, only
	// the next few load, for phones to preload (see preload_test.go).
	for i := 1; i < len(deck); i++ {
		if code, _ := getJSON(phone, fmt.Sprintf("%s/slides/%d", s.live(), i)); code != http.StatusNotFound {
			t.Errorf("slide %d not shown yet: got %d, want 404", i, code)
		}
	}
	// The preload gate read the state (not live yet) for the asks above;
	// it reads it again once preloadRecheck (10 ms) has passed.
	time.Sleep(20 * time.Millisecond)
	if code := photo(s.deePhoto); code != http.StatusOK {
		t.Errorf("Dee's photo, two slides ahead: got %d, want 200 (preloaded)", code)
	}

	// Through the whole deck: no name before the presenter reveals it,
	// even though every other part of the slide is there.
	// An award nobody won is taken out as the presenter reaches it, so
	// the deck may get shorter on the way: walk until "next" stays put.
	names := []string{"Bea", "Cy", "Dee"}
	for i := 1; i < st.Total; i++ {
		st = s.act(t, s.ana, "next", nil)
		if st.Index != i {
			t.Fatalf("next from %d went to %d of %d", i-1, st.Index, st.Total)
		}
		got, body := s.followerState(t, phone)
		if got.Index != i || got.Seq != st.Seq {
			t.Fatalf("after next %d: phone has %+v, presenter %+v", i, got, st)
		}
		if got.Slide.HasAuthor {
			for _, n := range names {
				if strings.Contains(body, n) {
					t.Errorf("slide %d (%s): the phone got the name %q before it was revealed:\n%s", i, got.Slide.Key, n, body)
				}
			}
			if got.Slide.Kind == live.KindPhoto {
				id := uint(0)
				fmt.Sscanf(got.Slide.Key, "sub-%d", &id)
				if code := photo(id); code != http.StatusOK {
					t.Errorf("photo of the slide on screen: got %d", code)
				}
				if !strings.Contains(got.Slide.Photo, fmt.Sprintf("/live/photos/%d?", id)) {
					t.Errorf("photo URL %q", got.Slide.Photo)
				}
			}
		}
		if i == 2 { // Dee's photo: reveal her name
			st = s.act(t, s.ana, "name", url.Values{"named": {"1"}})
			got, _ = s.followerState(t, phone)
			if !got.Named || got.Slide.Author != "Dee" {
				t.Errorf("after revealing the name: %+v", got.Slide)
			}
		}
		// The next slide, and its photo, stay out of reach.
		if i+1 < st.Total {
			if code, _ := getJSON(phone, fmt.Sprintf("%s/slides/%d", s.live(), i+1)); code != http.StatusNotFound {
				t.Errorf("slide %d while %d is on screen: got %d", i+1, i, code)
			}
		}
	}
	// Earlier slides can be seen again, with names only where revealed.
	code, body := getJSON(phone, s.live()+"/slides/2")
	if code != http.StatusOK || !strings.Contains(body, `"author":"Dee"`) {
		t.Errorf("Dee's slide again: %d %s", code, body)
	}
	code, body = getJSON(phone, s.live()+"/slides/3")
	if code != http.StatusOK || strings.Contains(body, "Bea") {
		t.Errorf("Bea's slide again (name never revealed): %d %s", code, body)
	}
	// Cy kept her photo out of the live call: not in the deck, never served.
	if code := photo(s.cyPhoto); code != http.StatusNotFound {
		t.Errorf("Cy's photo (not for live): got %d, want 404", code)
	}

	// A phone of another event, and one that never joined, get nothing.
	o2 := s.app.Organizer("zed@example.com", "Zed")
	ev2 := s.app.Event(o2, "Other", "UTC")
	stranger := s.app.Client()
	stranger.Join(ev2, "Eve")
	for _, c := range []*handlertest.Client{stranger, s.app.Client()} {
		for _, p := range []string{s.live(), s.live() + "/state.json", s.live() + "/slides/2", fmt.Sprintf("%s/photos/%d", s.live(), s.deePhoto)} {
			if code, _ := getJSON(c, p); code != http.StatusNotFound {
				t.Errorf("%s by a phone not in the event: got %d, want 404", p, code)
			}
		}
	}
	// Phones cannot drive the presenter; to them the controls do not exist.
	if code, _ := postJSON(phone, s.presenter()+"/next", nil); code != http.StatusNotFound {
		t.Errorf("a phone pressing next: got %d, want 404", code)
	}
}

func TestPresentingNeedsAnOwnerOrOrganizer(t *testing.T) {
	s := newShow(t)
	mo := s.app.Organizer("mo@example.com", "Mo")
	if err := s.app.Store.DB().Create(&models.EventOrganizer{EventID: s.ev.ID, OrganizerID: mo.ID, Role: models.RoleModerator}).Error; err != nil {
		t.Fatal(err)
	}
	moc := s.app.Client()
	moc.SignIn("mo@example.com")
	// A moderator follows the presenter view but cannot move it.
	if rec := moc.Get(s.presenter()); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "Only owners and organizers") {
		t.Fatalf("moderator's presenter page: %d", rec.Code)
	}
	for _, a := range []string{"start", "next", "prev", "goto", "name", "refresh", "end"} {
		if code, _ := postJSON(moc, s.presenter()+"/"+a, url.Values{"index": {"1"}}); code != http.StatusForbidden {
			t.Errorf("moderator %s: got %d, want 403", a, code)
		}
	}
	// Another organizer's event does not exist for Zed.
	s.app.Organizer("zed@example.com", "Zed")
	zed := s.app.Client()
	zed.SignIn("zed@example.com")
	if rec := zed.Get(s.presenter()); rec.Code != http.StatusNotFound {
		t.Errorf("another organizer's presenter page: got %d", rec.Code)
	}
	if code, _ := postJSON(zed, s.presenter()+"/start", nil); code != http.StatusNotFound {
		t.Errorf("another organizer's start: got %d", code)
	}
	// Signed out: to the login page.
	if rec := s.app.Client().Get(s.presenter()); rec.Code != http.StatusSeeOther || !strings.HasPrefix(rec.Header().Get("Location"), "/login") {
		t.Errorf("signed out: got %d %q", rec.Code, rec.Header().Get("Location"))
	}
	// Moving before the start is refused clearly.
	if code, body := postJSON(s.ana, s.presenter()+"/next", nil); code != http.StatusConflict || !strings.Contains(body, "Start it first") {
		t.Errorf("next before start: %d %s", code, body)
	}
	// Without JavaScript the buttons are forms that come back to the page.
	rec := s.ana.PostForm(s.presenter()+"/start", nil)
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != s.presenter() {
		t.Fatalf("start by form: %d %q", rec.Code, rec.Header().Get("Location"))
	}
	s.ana.PostForm(s.presenter()+"/next", nil)
	s.ana.PostForm(s.presenter()+"/next", nil)
	page := s.ana.Get(s.presenter()).Body.String()
	if !strings.Contains(page, "Higher!") || !strings.Contains(page, "Who sent this?") || !strings.Contains(page, "3 / 15") {
		t.Errorf("presenter page on Dee's photo:\n%s", page)
	}
	s.ana.PostForm(s.presenter()+"/name", nil)
	if page := s.ana.Get(s.presenter()).Body.String(); !strings.Contains(page, "Dee") || !strings.Contains(page, "Hide name") {
		t.Errorf("presenter page after revealing the name:\n%s", page)
	}
	// The overview has the Present button.
	if body := s.ana.Get(fmt.Sprintf("/dashboard/events/%d", s.ev.ID)).Body.String(); !strings.Contains(body, s.presenter()) {
		t.Error("no Present button on the overview")
	}
}

func TestWithdrawingConsentTakesTheAnswerOutOfARunningReveal(t *testing.T) {
	s := newShow(t)
	s.act(t, s.ana, "start", nil)
	s.act(t, s.ana, "goto", url.Values{"index": {"3"}}) // Bea's photo
	if code := s.bea.Get(fmt.Sprintf("%s/photos/%d", s.live(), s.beaPhoto)).Code; code != http.StatusOK {
		t.Fatalf("Bea's photo on screen: %d", code)
	}
	// Bea changes her mind from her prompt page.
	page := s.bea.Get(fmt.Sprintf("/e/%d/prompts/%d", s.ev.ID, s.swing.ID)).Body.String()
	if !strings.Contains(page, "Keep it out of the live reveal") {
		t.Fatalf("no consent toggle on the prompt page:\n%s", page)
	}
	rec := s.bea.PostForm(fmt.Sprintf("/e/%d/prompts/%d/live-consent", s.ev.ID, s.swing.ID), url.Values{"not_for_live": {"1"}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("withdraw: %d %s", rec.Code, rec.Body.String())
	}
	st, _ := s.followerState(t, s.dee)
	if st.Slide.Key == fmt.Sprintf("sub-%d", s.beaPhoto) || st.Index != 2 || st.Total != 14 {
		t.Errorf("after Bea withdrew the slide on screen: %+v", st)
	}
	if code := s.dee.Get(fmt.Sprintf("%s/photos/%d", s.live(), s.beaPhoto)).Code; code != http.StatusNotFound {
		t.Errorf("Bea's withdrawn photo: got %d, want 404", code)
	}
	if !strings.Contains(s.bea.Get(fmt.Sprintf("/e/%d/prompts/%d", s.ev.ID, s.swing.ID)).Body.String(), "Show it in the live reveal after all") {
		t.Error("the prompt page does not show the answer is kept out")
	}
	// A hidden answer is skipped when the presenter gets to it.
	if _, err := s.app.Store.SetHidden(t.Context(), s.ev.ID, s.beaJoke, true); err != nil {
		t.Fatal(err)
	}
	st = s.act(t, s.ana, "next", nil) // the joke prompt's title
	st = s.act(t, s.ana, "next", nil) // would be Bea's joke: skipped
	// and so is the swing's "most votes" award: nobody voted.
	if st.Slide.Key != fmt.Sprintf("award-pick-%d", s.swing.ID) {
		t.Errorf("after a hidden answer: %+v", st.Slide)
	}
	// Someone else's answer is not hers to withdraw.
	if rec := s.cy.PostForm(fmt.Sprintf("/e/%d/prompts/%d/live-consent", s.ev.ID, s.joke.ID+100), url.Values{"not_for_live": {"1"}}); rec.Code != http.StatusNotFound {
		t.Errorf("consent for a prompt not answered: %d", rec.Code)
	}
}

func TestTextAnswerCanBeSentNotForLive(t *testing.T) {
	s := newShow(t)
	rec := s.dee.PostForm(handlertest.AnswerPath(s.ev, s.joke), url.Values{"text": {"Private joke"}, "not_for_live": {"1"}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("text answer: %d", rec.Code)
	}
	for _, k := range s.deck(t) {
		if strings.HasPrefix(k, "sub-") {
			id := uint(0)
			fmt.Sscanf(k, "sub-%d", &id)
			sub, _ := s.app.Store.EventSubmission(t.Context(), s.ev.ID, id)
			if sub.Text == "Private joke" {
				t.Fatal("a text answer sent as not for the live call is in the deck")
			}
		}
	}
}

func TestEndAndStartAgain(t *testing.T) {
	s := newShow(t)
	s.act(t, s.ana, "start", nil)
	s.act(t, s.ana, "goto", url.Values{"index": {"2"}})
	st := s.act(t, s.ana, "end", nil)
	if st.Status != models.RevealEnded || st.Slide != nil {
		t.Fatalf("after end: %+v", st)
	}
	if rec := s.bea.Get(s.live()); !strings.Contains(rec.Body.String(), "That's a wrap") {
		t.Error("the follow page does not say the reveal ended")
	}
	// What was shown stays viewable; what was not, stays hidden.
	if code, _ := getJSON(s.bea, s.live()+"/slides/2"); code != http.StatusOK {
		t.Errorf("a shown slide after the end: %d", code)
	}
	if code, _ := getJSON(s.bea, s.live()+"/slides/3"); code != http.StatusNotFound {
		t.Errorf("a slide never shown, after the end: %d", code)
	}
	st = s.act(t, s.ana, "start", nil)
	if st.Status != models.RevealLive || st.Index != 0 {
		t.Errorf("start again: %+v", st)
	}
}

func TestResumableUploadCanBeSentNotForLive(t *testing.T) {
	s := newShow(t)
	eve := s.app.Client()
	eve.Join(s.ev, "Eve")
	data, err := os.ReadFile(handlertest.PhotoPath(t, "orient-4.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	meta := func(kv ...string) string {
		var parts []string
		for i := 0; i+1 < len(kv); i += 2 {
			parts = append(parts, kv[i]+" "+base64.StdEncoding.EncodeToString([]byte(kv[i+1])))
		}
		return strings.Join(parts, ",")
	}
	tus := func(method, path string, body []byte, hdr map[string]string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, path, bytes.NewReader(body))
		req.Header.Set("Tus-Resumable", "1.0.0")
		req.Header.Set("Accept", "application/json")
		req.Header.Set("X-CSRF-Token", eve.CSRF())
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		return eve.Do(req)
	}
	rec := tus(http.MethodPost, "/tus/", nil, map[string]string{
		"Upload-Length":   strconv.Itoa(len(data)),
		"Upload-Metadata": meta("event", fmt.Sprint(s.ev.ID), "prompt", fmt.Sprint(s.swing.ID), "caption", "shh", "not_for_live", "1"),
	})
	if rec.Code != http.StatusCreated {
		t.Fatalf("create: %d %s", rec.Code, rec.Body.String())
	}
	loc := rec.Header().Get("Location")
	rec = tus(http.MethodPatch, loc[strings.Index(loc, "/tus/"):], data, map[string]string{
		"Upload-Offset": "0", "Content-Type": "application/offset+octet-stream",
	})
	if rec.Code != http.StatusOK && rec.Code != http.StatusNoContent {
		t.Fatalf("patch: %d %s", rec.Code, rec.Body.String())
	}
	subs, _ := s.app.Store.EventSubmissions(t.Context(), s.ev.ID)
	for _, sub := range subs {
		if sub.ParticipantName == "Eve" {
			if !sub.NotForLive {
				t.Fatal("Eve's resumable upload was sent as not for live but is not marked so")
			}
			if slices.Contains(s.deck(t), live.SubmissionKey(sub.ID)) {
				t.Fatal("Eve's photo is in the deck")
			}
			return
		}
	}
	t.Fatal("Eve's upload was not stored")
}

func TestTwoPresenterTabsNeverLoseAMove(t *testing.T) {
	s := newShow(t)
	s.act(t, s.ana, "start", nil)
	svc := s.app.Server.Live()
	const tabs, presses = 4, 2
	errs := make(chan error, tabs*presses)
	for i := 0; i < tabs; i++ {
		go func() {
			for j := 0; j < presses; j++ {
				_, err := svc.Step(t.Context(), s.ev.ID, 1)
				errs <- err
			}
		}()
	}
	for i := 0; i < tabs*presses; i++ {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	st, _ := s.followerState(t, s.bea)
	if st.Index != tabs*presses || st.Seq != 1+tabs*presses {
		t.Errorf("after %d presses from %d tabs: index %d seq %d", tabs*presses, tabs, st.Index, st.Seq)
	}
}

func TestRefreshTakesInNewAnswersAndKeepsThePlace(t *testing.T) {
	s := newShow(t)
	s.act(t, s.ana, "start", nil)
	st := s.act(t, s.ana, "goto", url.Values{"index": {"4"}}) // the joke prompt's title
	key := st.Slide.Key
	// Dee answers the joke late in the day; a refresh brings it in.
	if rec := s.dee.PostForm(handlertest.AnswerPath(s.ev, s.joke), url.Values{"text": {"Late joke"}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("answer: %d", rec.Code)
	}
	st = s.act(t, s.ana, "refresh", nil)
	if st.Slide.Key != key || st.Total != 16 {
		t.Errorf("after refresh: on %s of %d, want %s of 16", st.Slide.Key, st.Total, key)
	}
	st = s.act(t, s.ana, "next", nil)
	st = s.act(t, s.ana, "next", nil)
	if st.Slide.Text != "Late joke" {
		t.Errorf("the new answer is not in the deck: %+v", st.Slide)
	}
}

func TestFollowerPhotosSaveNoSession(t *testing.T) {
	s := newShow(t)
	s.act(t, s.ana, "start", nil)
	s.act(t, s.ana, "goto", url.Values{"index": {"2"}}) // Dee's photo
	rec := s.bea.Get(fmt.Sprintf("%s/photos/%d", s.live(), s.deePhoto))
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "image/jpeg" {
		t.Fatalf("photo on screen: %d %s", rec.Code, rec.Header().Get("Content-Type"))
	}
	// A thousand phones load it at once: none of them may cost a session
	// write (the session middleware would send the cookie again).
	if ck := rec.Header().Get("Set-Cookie"); strings.Contains(ck, "retreat_session") {
		t.Errorf("the photo saved the session: %s", ck)
	}
	// Refusals outside the session middleware still render an error page.
	rec = s.bea.Get(fmt.Sprintf("%s/photos/%d", s.live(), s.cyPhoto))
	if rec.Code != http.StatusNotFound || !strings.Contains(rec.Body.String(), "<html") {
		t.Errorf("photo never shown (not for live), as a page: %d %.200s", rec.Code, rec.Body.String())
	}
	if rec := s.app.Client().Get(fmt.Sprintf("%s/photos/%d", s.live(), s.deePhoto)); rec.Code != http.StatusNotFound {
		t.Errorf("photo for a phone that never joined: %d", rec.Code)
	}
}
