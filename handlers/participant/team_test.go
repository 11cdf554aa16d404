package participant_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"retreat/handlers/handlertest"
	"retreat/models"
)

// teamHunt is an event with teams on and two teams, Reds and Blues.
func teamHunt(t *testing.T) (*handlertest.App, *models.Event, *models.Team, *models.Team) {
	t.Helper()
	app, ev, _, _ := hunt(t)
	if err := app.Store.DB().Model(&models.Event{}).Where("id = ?", ev.ID).Update("teams_enabled", true).Error; err != nil {
		t.Fatal(err)
	}
	ev.TeamsEnabled = true
	reds, err := app.Store.CreateTeam(t.Context(), ev, "Reds")
	if err != nil {
		t.Fatal(err)
	}
	blues, err := app.Store.CreateTeam(t.Context(), ev, "Blues")
	if err != nil {
		t.Fatal(err)
	}
	return app, ev, reds, blues
}

func participantNamed(t *testing.T, app *handlertest.App, ev *models.Event, name string) *models.Participant {
	t.Helper()
	list, err := app.Store.Participants(t.Context(), ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range list {
		if p.Name == name {
			return &p
		}
	}
	return nil
}

func joinTeam(t *testing.T, app *handlertest.App, ev *models.Event, name string, team *models.Team) (*handlertest.Client, *models.Participant) {
	t.Helper()
	c := app.Client()
	form := url.Values{"name": {name}, "time_zone": {"Europe/Lisbon"}}
	if team != nil {
		form.Set("team", fmt.Sprint(team.ID))
	}
	if rec := c.PostForm("/j/"+ev.JoinToken, form); rec.Code != http.StatusSeeOther {
		t.Fatalf("join %s: got %d\n%s", name, rec.Code, rec.Body.String())
	}
	return c, participantNamed(t, app, ev, name)
}

func TestJoinPicksATeamWhenTheEventHasTeams(t *testing.T) {
	app, ev, reds, _ := teamHunt(t)
	o2 := app.Organizer("cy@example.com", "Cy")
	other := app.Event(o2, "Other hunt", "UTC")
	theirs, err := app.Store.CreateTeam(t.Context(), other, "Theirs")
	if err != nil {
		t.Fatal(err)
	}
	c := app.Client()
	rec := c.Get("/j/" + ev.JoinToken)
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `<select name="team" required`) ||
		!strings.Contains(rec.Body.String(), ">Reds</option>") || !strings.Contains(rec.Body.String(), ">Blues</option>") {
		t.Fatalf("join page with teams: got %d\n%s", rec.Code, rec.Body.String())
	}
	for name, tc := range map[string]struct{ team, msg string }{
		"no team":               {"", "Pick your team."},
		"another event's team":  {fmt.Sprint(theirs.ID), "Pick a team from the list."},
		"a team that isn't one": {"99999", "Pick a team from the list."},
		"garbage":               {"reds", "Pick your team."},
	} {
		rec := c.PostForm("/j/"+ev.JoinToken, url.Values{"name": {"Bea"}, "team": {tc.team}})
		if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), tc.msg) || !strings.Contains(rec.Body.String(), `value="Bea"`) {
			t.Errorf("%s: got %d, want 422 with %q and the name kept\n%s", name, rec.Code, tc.msg, rec.Body.String())
		}
	}
	// A bad name and a missing team are both reported at once.
	rec = c.PostForm("/j/"+ev.JoinToken, url.Values{"name": {" "}})
	if body := rec.Body.String(); rec.Code != http.StatusUnprocessableEntity || !strings.Contains(body, "Type your name") || !strings.Contains(body, "Pick your team.") {
		t.Errorf("blank name and no team: got %d\n%s", rec.Code, body)
	}
	if p := participantNamed(t, app, ev, "Bea"); p != nil {
		t.Fatal("a refused join stored a participant")
	}
	_, bea := joinTeam(t, app, ev, "Bea", reds)
	if bea.TeamID == nil || *bea.TeamID != reds.ID {
		t.Fatalf("Bea's team = %v, want Reds", bea.TeamID)
	}
}

func TestJoinWithoutTeamsIgnoresTheTeamField(t *testing.T) {
	app, ev, _, _ := hunt(t)
	c := app.Client()
	if rec := c.Get("/j/" + ev.JoinToken); strings.Contains(rec.Body.String(), `name="team"`) {
		t.Fatal("the join page offers teams while teams are off")
	}
	c.Join(ev, "Bea")
	if p := participantNamed(t, app, ev, "Bea"); p.TeamID != nil {
		t.Fatalf("Bea has team %d while teams are off", *p.TeamID)
	}
}

func TestParticipantWithoutATeamPicksOneLater(t *testing.T) {
	app, ev, _, _ := hunt(t)
	if err := app.Store.DB().Model(&models.Event{}).Where("id = ?", ev.ID).Update("teams_enabled", true).Error; err != nil {
		t.Fatal(err)
	}
	ev.TeamsEnabled = true
	// Teams on but none made yet: joining needs no team.
	bea, _ := joinTeam(t, app, ev, "Bea", nil)
	me := fmt.Sprintf("/e/%d/me", ev.ID)
	if rec := bea.Get(me); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "made any teams yet") {
		t.Fatalf("me page with no teams: got %d\n%s", rec.Code, rec.Body.String())
	}
	reds, _ := app.Store.CreateTeam(t.Context(), ev, "Reds")
	blues, _ := app.Store.CreateTeam(t.Context(), ev, "Blues")
	rec := bea.Get(me)
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "not in a team yet") || !strings.Contains(rec.Body.String(), ">Reds</option>") {
		t.Fatalf("me page with teams: got %d\n%s", rec.Code, rec.Body.String())
	}
	pick := me + "/team"
	if rec := bea.PostForm(pick, url.Values{"team": {""}}); rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), "Pick your team.") {
		t.Fatalf("pick nothing: got %d", rec.Code)
	}
	if rec := bea.PostRaw(pick, "application/x-www-form-urlencoded", strings.NewReader(fmt.Sprintf("team=%d", reds.ID))); rec.Code != http.StatusForbidden {
		t.Fatalf("pick without CSRF: got %d, want 403", rec.Code)
	}
	if rec := bea.PostForm(pick, url.Values{"team": {fmt.Sprint(reds.ID)}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("pick Reds: got %d\n%s", rec.Code, rec.Body.String())
	}
	if p := participantNamed(t, app, ev, "Bea"); p.TeamID == nil || *p.TeamID != reds.ID {
		t.Fatalf("Bea's team = %v, want Reds", p.TeamID)
	}
	if rec := bea.Get(me); !strings.Contains(rec.Body.String(), "You're in <strong>Reds</strong>") {
		t.Errorf("me page does not show the team:\n%s", rec.Body.String())
	}
	// Once in a team, only an organizer moves her.
	rec = bea.PostForm(pick, url.Values{"team": {fmt.Sprint(blues.ID)}})
	if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), "already in a team") {
		t.Fatalf("pick a second team: got %d\n%s", rec.Code, rec.Body.String())
	}
	if p := participantNamed(t, app, ev, "Bea"); *p.TeamID != reds.ID {
		t.Fatal("Bea changed team by herself")
	}
}

func TestTeamPromptTakesOneAnswerPerTeam(t *testing.T) {
	app, ev, reds, blues := teamHunt(t)
	motto, err := app.Store.CreatePrompt(t.Context(), ev, models.PromptInput{Kind: models.KindText, Title: "Team motto", Points: 10, TeamPrompt: true})
	if err != nil {
		t.Fatal(err)
	}
	selfie, err := app.Store.CreatePrompt(t.Context(), ev, models.PromptInput{Kind: models.KindPhoto, Title: "Team selfie", Points: 10, TeamPrompt: true})
	if err != nil {
		t.Fatal(err)
	}
	ann, _ := joinTeam(t, app, ev, "Ann", reds)
	bo, boP := joinTeam(t, app, ev, "Bo", reds)
	cy, cyP := joinTeam(t, app, ev, "Cy", blues)
	// Dee joined before teams were on, so she has none.
	dee := app.Client()
	deeP, err := app.Store.Join(t.Context(), &models.Event{ID: ev.ID, TimeZone: ev.TimeZone}, models.JoinInput{Name: "Dee"})
	if err != nil {
		t.Fatal(err)
	}
	if rec := dee.Get(fmt.Sprintf("/r/%s", deeP.ReturnToken)); rec.Code != http.StatusSeeOther {
		t.Fatalf("Dee's personal link: got %d", rec.Code)
	}

	answer := func(c *handlertest.Client, text string) int {
		t.Helper()
		return c.PostForm(handlertest.AnswerPath(ev, motto), url.Values{"text": {text}}).Code
	}
	if code := answer(ann, "Red and ready"); code != http.StatusSeeOther {
		t.Fatalf("Ann's answer: got %d", code)
	}
	if code := answer(bo, "Red and steady"); code != http.StatusSeeOther {
		t.Fatalf("Bo's answer: got %d", code)
	}
	if code := answer(cy, "Blue skies"); code != http.StatusSeeOther {
		t.Fatalf("Cy's answer: got %d", code)
	}
	subs, err := app.Store.EventSubmissions(t.Context(), ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	byTeam := map[uint]models.SubmissionWithName{}
	for _, s := range subs {
		if s.PromptID == motto.ID {
			byTeam[*s.TeamID] = s
		}
	}
	if len(byTeam) != 2 || len(subs) != 2 {
		t.Fatalf("answers = %d in %d teams, want one per team (2)", len(subs), len(byTeam))
	}
	if r := byTeam[reds.ID]; r.Text != "Red and steady" || r.ParticipantID != boP.ID || r.OwnerKey != fmt.Sprintf("t%d", reds.ID) {
		t.Errorf("Reds' answer = %q by %d (%s), want Bo's replacing Ann's", r.Text, r.ParticipantID, r.OwnerKey)
	}
	if b := byTeam[blues.ID]; b.Text != "Blue skies" || b.ParticipantID != cyP.ID {
		t.Errorf("Blues' answer = %q by %d, want Cy's", b.Text, b.ParticipantID)
	}

	// Dee, with no team, is told why and nothing is stored.
	rec := dee.PostForm(handlertest.AnswerPath(ev, motto), url.Values{"text": {"Lone wolf"}})
	if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), "team prompt: join a team first") {
		t.Fatalf("answer without a team: got %d\n%s", rec.Code, rec.Body.String())
	}
	if rec := dee.Upload(handlertest.AnswerPath(ev, selfie), "me", handlertest.PhotoPath(t, "orient-1.jpg")); rec.Code != http.StatusUnprocessableEntity {
		t.Fatalf("photo without a team: got %d", rec.Code)
	}
	if subs, _ := app.Store.EventSubmissions(t.Context(), ev.ID); len(subs) != 2 {
		t.Fatalf("answers after Dee's tries = %d, want 2", len(subs))
	}
	if files := app.MediaFiles(); len(files) != 0 {
		t.Fatalf("a refused team photo left files: %v", files)
	}

	// Photos: the second teammate's photo replaces the first, whose files go.
	if rec := ann.Upload(handlertest.AnswerPath(ev, selfie), "us", handlertest.PhotoPath(t, "orient-1.jpg")); rec.Code != http.StatusSeeOther {
		t.Fatalf("Ann's photo: got %d\n%s", rec.Code, rec.Body.String())
	}
	first := app.MediaFiles()
	if rec := bo.Upload(handlertest.AnswerPath(ev, selfie), "us again", handlertest.PhotoPath(t, "orient-3.jpg")); rec.Code != http.StatusSeeOther {
		t.Fatalf("Bo's photo: got %d\n%s", rec.Code, rec.Body.String())
	}
	second := app.MediaFiles()
	if len(second) != len(first) || second[0] == first[0] {
		t.Errorf("files after Bo replaced Ann's photo: %v (before %v), want one photo folder, a new one", second, first)
	}
	subs, _ = app.Store.EventSubmissions(t.Context(), ev.ID)
	photos := 0
	for _, s := range subs {
		if s.PromptID == selfie.ID {
			photos++
			if s.Caption != "us again" || s.ParticipantID != boP.ID {
				t.Errorf("the Reds' selfie = %q by %d, want Bo's", s.Caption, s.ParticipantID)
			}
		}
	}
	if photos != 1 {
		t.Errorf("selfies = %d, want 1 for the Reds", photos)
	}

	// The team's answers count for Ann too, though Bo sent them last: her
	// list shows them done, and she sees the team's photo. Cy does not.
	rec = ann.Get(fmt.Sprintf("/e/%d", ev.ID))
	if body := rec.Body.String(); !strings.Contains(body, "2 of 4 done") {
		t.Errorf("Ann's prompt list does not count the team's answers:\n%s", body)
	}
	for _, s := range subs {
		if s.PromptID != selfie.ID {
			continue
		}
		thumb := fmt.Sprintf("/e/%d/photos/%d/thumb", ev.ID, s.ID)
		if rec := ann.Get(thumb); rec.Code != http.StatusOK {
			t.Errorf("Ann opening her team's photo: got %d, want 200", rec.Code)
		}
		if rec := cy.Get(thumb); rec.Code != http.StatusNotFound {
			t.Errorf("Cy opening the Reds' photo: got %d, want 404", rec.Code)
		}
	}
}
