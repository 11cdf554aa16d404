package organizer_test

import (
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"retreat/handlers/handlertest"
	"retreat/models"
)

// peopleSite is an event in Lisbon time run by Ana, signed in on ana.
type peopleSite struct {
	app *handlertest.App
	ana *handlertest.Client
	ev  *models.Event
	url string // the People page
}

func newPeopleSite(t *testing.T) *peopleSite {
	t.Helper()
	app := handlertest.New(t)
	o := app.Organizer("ana@example.com", "Ana")
	ev := app.Event(o, "Spring hunt", "Europe/Lisbon")
	ana := app.Client()
	ana.SignIn("ana@example.com")
	return &peopleSite{app: app, ana: ana, ev: ev, url: fmt.Sprintf("/dashboard/events/%d/people", ev.ID)}
}

// teamsOn turns teams on as the settings form would.
func (s *peopleSite) teamsOn(t *testing.T) {
	t.Helper()
	if err := s.app.Store.DB().Model(&models.Event{}).Where("id = ?", s.ev.ID).Update("teams_enabled", true).Error; err != nil {
		t.Fatal(err)
	}
	s.ev.TeamsEnabled = true
}

func (s *peopleSite) team(t *testing.T, name string) *models.Team {
	t.Helper()
	tm, err := s.app.Store.CreateTeam(t.Context(), s.ev, name)
	if err != nil {
		t.Fatal(err)
	}
	return tm
}

// joinAs makes a phone join the event (with a team when teamID is not 0).
func (s *peopleSite) joinAs(t *testing.T, name string, teamID uint) (*handlertest.Client, *models.Participant) {
	t.Helper()
	c := s.app.Client()
	form := url.Values{"name": {name}, "time_zone": {"Asia/Tokyo"}}
	if teamID != 0 {
		form.Set("team", fmt.Sprint(teamID))
	}
	if rec := c.PostForm("/j/"+s.ev.JoinToken, form); rec.Code != http.StatusSeeOther {
		t.Fatalf("join as %s: got %d\n%s", name, rec.Code, rec.Body.String())
	}
	for _, p := range s.participants(t) {
		if p.Name == name {
			return c, &p
		}
	}
	t.Fatalf("%s did not join", name)
	return nil, nil
}

func (s *peopleSite) participants(t *testing.T) []models.Participant {
	t.Helper()
	list, err := s.app.Store.Participants(t.Context(), s.ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	return list
}

func (s *peopleSite) teams(t *testing.T) []models.Team {
	t.Helper()
	list, err := s.app.Store.Teams(t.Context(), s.ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	return list
}

func teamNames(list []models.Team) string {
	var names []string
	for _, tm := range list {
		names = append(names, tm.Name)
	}
	return strings.Join(names, ",")
}

func mustPage(t *testing.T, what string, rec *httptest.ResponseRecorder, status int, texts ...string) {
	t.Helper()
	if rec.Code != status {
		t.Fatalf("%s: got status %d, want %d\n%s", what, rec.Code, status, rec.Body.String())
	}
	for _, s := range texts {
		if !strings.Contains(rec.Body.String(), s) {
			t.Errorf("%s: page does not contain %q\n%s", what, s, rec.Body.String())
		}
	}
}

func mustRedirect(t *testing.T, what string, rec *httptest.ResponseRecorder, prefix string) {
	t.Helper()
	if rec.Code != http.StatusSeeOther || !strings.HasPrefix(rec.Header().Get("Location"), prefix) {
		t.Fatalf("%s: got %d %q, want 303 to %s\n%s", what, rec.Code, rec.Header().Get("Location"), prefix, rec.Body.String())
	}
}

func TestTeamsAreCreatedRenamedAndDeletedFromThePeoplePage(t *testing.T) {
	s := newPeopleSite(t)

	// Teams off: the page says so and links to the settings; creating is refused.
	mustPage(t, "people, teams off", s.ana.Get(s.url), http.StatusOK, "Teams are off", fmt.Sprintf(`href="/dashboard/events/%d/edit"`, s.ev.ID))
	mustPage(t, "create team with teams off", s.ana.PostForm(s.url[:strings.LastIndex(s.url, "/")]+"/teams", url.Values{"name": {"Otters"}}),
		http.StatusConflict, "Teams are off")
	if got := s.teams(t); len(got) != 0 {
		t.Fatalf("a team was created while teams are off: %v", teamNames(got))
	}

	s.teamsOn(t)
	teamsURL := fmt.Sprintf("/dashboard/events/%d/teams", s.ev.ID)
	mustRedirect(t, "create Otters", s.ana.PostForm(teamsURL, url.Values{"name": {"  Otters  "}}), s.url)
	mustRedirect(t, "create Bears", s.ana.PostForm(teamsURL, url.Values{"name": {"Bears"}}), s.url)
	mustPage(t, "people with teams", s.ana.Get(s.url), http.StatusOK, "Otters", "Bears", "Team Bears added.")

	for name, tc := range map[string]struct{ name, msg string }{
		"duplicate in another case": {"otters", "already a team called"},
		"blank":                     {"   ", "Give the team a name"},
		"too long":                  {strings.Repeat("x", 61), "Give the team a name"},
		"control character":         {"Ot\u202eters", "Give the team a name"},
	} {
		t.Run(name, func(t *testing.T) {
			rec := s.ana.PostForm(teamsURL, url.Values{"name": {tc.name}})
			mustPage(t, "create "+name, rec, http.StatusUnprocessableEntity, tc.msg)
			if tc.name == "otters" && !strings.Contains(rec.Body.String(), `value="otters"`) {
				t.Errorf("the typed name is not kept in the form")
			}
		})
	}
	if got := teamNames(s.teams(t)); got != "Bears,Otters" {
		t.Fatalf("teams after refused forms = %s, want Bears,Otters", got)
	}

	bears, otters := s.teams(t)[0], s.teams(t)[1]
	rename := fmt.Sprintf("%s/%d", teamsURL, otters.ID)
	mustPage(t, "rename to an existing name", s.ana.PostForm(rename, url.Values{"name": {"BEARS"}}), http.StatusUnprocessableEntity, "already a team called", `value="BEARS"`)
	mustRedirect(t, "rename Otters", s.ana.PostForm(rename, url.Values{"name": {"Owls"}}), s.url)
	if got := teamNames(s.teams(t)); got != "Bears,Owls" {
		t.Fatalf("teams after rename = %s, want Bears,Owls", got)
	}

	// A team that owns a team answer cannot be deleted; one whose members
	// only have personal answers can, and they keep their answers.
	_, bo := s.joinAs(t, "Bo", bears.ID)
	_, cy := s.joinAs(t, "Cy", otters.ID)
	teamPrompt, err := s.app.Store.CreatePrompt(t.Context(), s.ev, models.PromptInput{Kind: models.KindText, Title: "Team motto", TeamPrompt: true})
	if err != nil {
		t.Fatal(err)
	}
	solo := s.app.Prompt(s.ev, models.KindText, "Your desk", nil, nil)
	if _, _, err := s.app.Store.SaveTextAnswer(t.Context(), s.ev, teamPrompt, bo, "Bears rule"); err != nil {
		t.Fatal(err)
	}
	cyAnswer, _, err := s.app.Store.SaveTextAnswer(t.Context(), s.ev, solo, cy, "tidy")
	if err != nil {
		t.Fatal(err)
	}
	rec := s.ana.PostForm(fmt.Sprintf("%s/%d/delete", teamsURL, bears.ID), nil)
	mustPage(t, "delete a team with a team answer", rec, http.StatusConflict, "Bears can&#39;t be deleted: it has a team answer")
	if got := teamNames(s.teams(t)); got != "Bears,Owls" {
		t.Fatalf("teams after refused delete = %s", got)
	}
	mustRedirect(t, "delete Owls", s.ana.PostForm(fmt.Sprintf("%s/%d/delete", teamsURL, otters.ID), nil), s.url)
	if got := teamNames(s.teams(t)); got != "Bears" {
		t.Fatalf("teams after delete = %s, want Bears", got)
	}
	cyNow, err := s.app.Store.EventParticipant(t.Context(), s.ev.ID, cy.ID)
	if err != nil || cyNow.TeamID != nil {
		t.Fatalf("Cy after her team was deleted: %+v, %v (want no team)", cyNow, err)
	}
	if sub, err := s.app.Store.EventSubmission(t.Context(), s.ev.ID, cyAnswer.ID); err != nil || sub.Text != "tidy" {
		t.Fatalf("Cy's personal answer was lost with her team: %v", err)
	}
}

func TestParticipantsAreListedRenamedMovedAndRemoved(t *testing.T) {
	s := newPeopleSite(t)
	s.teamsOn(t)
	reds, blues := s.team(t, "Reds"), s.team(t, "Blues")
	bea, beaP := s.joinAs(t, "Bea", reds.ID)
	_, cemP := s.joinAs(t, "Cem", blues.ID)
	photo := s.app.Prompt(s.ev, models.KindPhoto, "A picture of you on a swing", nil, nil)
	if rec := bea.Upload(handlertest.AnswerPath(s.ev, photo), "wheee", handlertest.PhotoPath(t, "orient-1.jpg")); rec.Code != http.StatusSeeOther {
		t.Fatalf("upload: got %d\n%s", rec.Code, rec.Body.String())
	}
	if len(s.app.MediaFiles()) == 0 {
		t.Fatal("the upload stored no files")
	}

	// The list: names, teams, answers, personal links; times in the
	// organizer's zone (the tz cookie) with the event's beside them.
	req := httptest.NewRequest(http.MethodGet, s.url, nil)
	req.AddCookie(&http.Cookie{Name: "tz", Value: "America/New_York"})
	rec := s.ana.Do(req)
	mustPage(t, "people list", rec, http.StatusOK, "Bea", "Cem", "Reds", "Blues", "/r/"+beaP.ReturnToken,
		"Times are in America/New_York", "in Lisbon", `data-copy="http://retreat.test/r/`+beaP.ReturnToken)
	if !strings.Contains(rec.Body.String(), `<span class="p-answers">1<`) {
		t.Errorf("Bea's answer count is not shown")
	}
	mustPage(t, "people list without a tz cookie", s.ana.Get(s.url), http.StatusOK, "Times are in Europe/Lisbon")

	// Rename: the join page's rules, duplicates included.
	renameBea := fmt.Sprintf("%s/%d", s.url, beaP.ID)
	mustPage(t, "rename to a taken name", s.ana.PostForm(renameBea, url.Values{"name": {"cem"}}), http.StatusUnprocessableEntity, "already called", `value="cem"`)
	mustPage(t, "rename to blank", s.ana.PostForm(renameBea, url.Values{"name": {" "}}), http.StatusUnprocessableEntity, "Type your name")
	mustPage(t, "rename to a hidden character", s.ana.PostForm(renameBea, url.Values{"name": {"Be\u200ba"}}), http.StatusUnprocessableEntity, "characters we can")
	mustPage(t, "rename too long", s.ana.PostForm(renameBea, url.Values{"name": {strings.Repeat("b", 41)}}), http.StatusUnprocessableEntity, "under 40 characters")
	if p, _ := s.app.Store.EventParticipant(t.Context(), s.ev.ID, beaP.ID); p.Name != "Bea" {
		t.Fatalf("a refused rename changed the name to %q", p.Name)
	}
	mustRedirect(t, "rename Bea", s.ana.PostForm(renameBea, url.Values{"name": {"Beatriz  S."}}), s.url)
	if p, _ := s.app.Store.EventParticipant(t.Context(), s.ev.ID, beaP.ID); p.Name != "Beatriz S." {
		t.Fatalf("renamed to %q, want Beatriz S.", p.Name)
	}

	// Move: Bea's personal answer moves with her.
	move := fmt.Sprintf("%s/%d/team", s.url, beaP.ID)
	mustRedirect(t, "move Bea to Blues", s.ana.PostForm(move, url.Values{"team": {fmt.Sprint(blues.ID)}}), s.url)
	if p, _ := s.app.Store.EventParticipant(t.Context(), s.ev.ID, beaP.ID); p.TeamID == nil || *p.TeamID != blues.ID {
		t.Fatalf("Bea's team = %v, want Blues", p.TeamID)
	}
	subs, _ := s.app.Store.ParticipantSubmissions(t.Context(), beaP.ID)
	if sub := subs[photo.ID]; sub.TeamID == nil || *sub.TeamID != blues.ID {
		t.Errorf("Bea's personal answer stayed with her old team: %v", sub.TeamID)
	}
	mustRedirect(t, "take Bea out of her team", s.ana.PostForm(move, url.Values{"team": {""}}), s.url)
	if p, _ := s.app.Store.EventParticipant(t.Context(), s.ev.ID, beaP.ID); p.TeamID != nil {
		t.Fatalf("Bea still in team %d", *p.TeamID)
	}
	// A team of another event is not found.
	o2 := s.app.Organizer("zed@example.com", "Zed")
	other := s.app.Event(o2, "Other", "UTC")
	otherTeam, err := s.app.Store.CreateTeam(t.Context(), other, "Theirs")
	if err != nil {
		t.Fatal(err)
	}
	if rec := s.ana.PostForm(move, url.Values{"team": {fmt.Sprint(otherTeam.ID)}}); rec.Code != http.StatusNotFound {
		t.Fatalf("move into another event's team: got %d, want 404", rec.Code)
	}

	// Remove: without the token nothing happens; with it, Bea, her answer
	// and every file of her photo are gone, and her phone is out.
	remove := fmt.Sprintf("%s/%d/remove", s.url, beaP.ID)
	if rec := s.ana.PostRaw(remove, "application/x-www-form-urlencoded", strings.NewReader("")); rec.Code != http.StatusForbidden {
		t.Fatalf("remove without CSRF: got %d, want 403", rec.Code)
	}
	if len(s.participants(t)) != 2 {
		t.Fatal("a participant was removed without a CSRF token")
	}
	mustPage(t, "people before removing", s.ana.Get(s.url), http.StatusOK, `data-confirm="Remove Beatriz S. from the event? Their 1 answer and photos are deleted`)
	mustRedirect(t, "remove Bea", s.ana.PostForm(remove, nil), s.url)
	mustPage(t, "people after removing", s.ana.Get(s.url), http.StatusOK, "Beatriz S. was removed with 1 answer.")
	if list := s.participants(t); len(list) != 1 || list[0].ID != cemP.ID {
		t.Fatalf("participants after removal = %+v", list)
	}
	if subs, _ := s.app.Store.EventSubmissions(t.Context(), s.ev.ID); len(subs) != 0 {
		t.Fatalf("Bea's answers are still stored: %d", len(subs))
	}
	if files := s.app.MediaFiles(); len(files) != 0 {
		t.Fatalf("files left behind after removal: %v", files)
	}
	mustPage(t, "removed participant's phone", bea.Get(fmt.Sprintf("/e/%d", s.ev.ID)), http.StatusNotFound, "hasn&#39;t joined")
	if rec := s.ana.PostForm(remove, nil); rec.Code != http.StatusNotFound {
		t.Fatalf("removing twice: got %d, want 404", rec.Code)
	}
}

func TestRemovingAParticipantLeavesTheirTeamAnswerWithTheTeam(t *testing.T) {
	s := newPeopleSite(t)
	s.teamsOn(t)
	reds, blues := s.team(t, "Reds"), s.team(t, "Blues")
	ann, annP := s.joinAs(t, "Ann", reds.ID)
	_, boP := s.joinAs(t, "Bo", reds.ID)
	cy, cyP := s.joinAs(t, "Cy", blues.ID)
	teamPhoto, err := s.app.Store.CreatePrompt(t.Context(), s.ev, models.PromptInput{Kind: models.KindPhoto, Title: "Team selfie", TeamPrompt: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []*handlertest.Client{ann, cy} {
		if rec := c.Upload(handlertest.AnswerPath(s.ev, teamPhoto), "us", handlertest.PhotoPath(t, "orient-1.jpg")); rec.Code != http.StatusSeeOther {
			t.Fatalf("upload: got %d\n%s", rec.Code, rec.Body.String())
		}
	}
	filesBefore := len(s.app.MediaFiles())

	// Ann sent the Reds' answer; Bo is still in the team, so it stays, his now.
	mustRedirect(t, "remove Ann", s.ana.PostForm(fmt.Sprintf("%s/%d/remove", s.url, annP.ID), nil), s.url)
	mustPage(t, "after removing Ann", s.ana.Get(s.url), http.StatusOK, "Ann was removed with 0 answers. 1 team answer they sent stayed with their team.")
	subs, _ := s.app.Store.EventSubmissions(t.Context(), s.ev.ID)
	if len(subs) != 2 {
		t.Fatalf("answers after removing Ann = %d, want 2 (both teams')", len(subs))
	}
	for _, sub := range subs {
		if *sub.TeamID == reds.ID && sub.ParticipantID != boP.ID {
			t.Errorf("the Reds' answer is credited to %d, want Bo (%d)", sub.ParticipantID, boP.ID)
		}
	}
	if got := len(s.app.MediaFiles()); got != filesBefore {
		t.Errorf("files after removing Ann = %d, want %d (the team photo stays)", got, filesBefore)
	}

	// Cy is alone in the Blues: the answer has nobody to stay with and goes,
	// files included.
	mustRedirect(t, "remove Cy", s.ana.PostForm(fmt.Sprintf("%s/%d/remove", s.url, cyP.ID), nil), s.url)
	subs, _ = s.app.Store.EventSubmissions(t.Context(), s.ev.ID)
	if len(subs) != 1 || *subs[0].TeamID != reds.ID {
		t.Fatalf("answers after removing Cy = %+v, want only the Reds'", subs)
	}
	if got := len(s.app.MediaFiles()); got >= filesBefore || got == 0 {
		t.Errorf("files after removing Cy = %d, want fewer than %d but the Reds' photo kept", got, filesBefore)
	}
}

// peopleRoutes are every change the People page makes, for the refusal
// tests. Post them with postCopy: PostForm writes the token into the form.
func peopleRoutes(evID, participantID, teamID uint) map[string]url.Values {
	base := fmt.Sprintf("/dashboard/events/%d", evID)
	return map[string]url.Values{
		fmt.Sprintf("%s/teams", base):                           {"name": {"Sneaky"}},
		fmt.Sprintf("%s/teams/%d", base, teamID):                {"name": {"Renamed"}},
		fmt.Sprintf("%s/teams/%d/delete", base, teamID):         nil,
		fmt.Sprintf("%s/people/%d", base, participantID):        {"name": {"Renamed"}},
		fmt.Sprintf("%s/people/%d/team", base, participantID):   {"team": {""}},
		fmt.Sprintf("%s/people/%d/remove", base, participantID): nil,
		fmt.Sprintf("%s/invites", base):                         {"email": {"eve@example.com"}, "role": {"organizer"}},
	}
}

func postCopy(c *handlertest.Client, path string, form url.Values) *httptest.ResponseRecorder {
	return c.PostForm(path, maps.Clone(form))
}

// unchanged fails the test if the event's people or teams changed.
func (s *peopleSite) unchanged(t *testing.T, what string, participants int, team *models.Team) {
	t.Helper()
	if got := len(s.participants(t)); got != participants {
		t.Errorf("%s: participants = %d, want %d", what, got, participants)
	}
	if got := s.teams(t); len(got) != 1 || got[0].Name != team.Name {
		t.Errorf("%s: teams = %s, want only %s", what, teamNames(got), team.Name)
	}
	if p, _ := s.app.Store.PendingInvites(t.Context(), s.ev.ID); len(p) != 0 {
		t.Errorf("%s: an invite was created", what)
	}
	if list := s.participants(t); len(list) > 0 && (list[0].Name != "Bea" || list[0].TeamID == nil) {
		t.Errorf("%s: Bea was changed: %+v", what, list[0])
	}
}

func TestPeopleRefusals(t *testing.T) {
	s := newPeopleSite(t)
	s.teamsOn(t)
	reds := s.team(t, "Reds")
	_, bea := s.joinAs(t, "Bea", reds.ID)
	routes := peopleRoutes(s.ev.ID, bea.ID, reds.ID)

	t.Run("another organizer gets 404", func(t *testing.T) {
		boAccount := s.app.Organizer("bo@example.com", "Bo")
		bo := s.app.Client()
		bo.SignIn("bo@example.com")
		if rec := bo.Get(s.url); rec.Code != http.StatusNotFound {
			t.Errorf("GET people of another's event: got %d, want 404", rec.Code)
		}
		for path, form := range routes {
			if rec := postCopy(bo, path, form); rec.Code != http.StatusNotFound {
				t.Errorf("POST %s as another organizer: got %d, want 404", path, rec.Code)
			}
		}
		// Ids of event A under Bo's own event B are not found either.
		own := s.app.Event(boAccount, "Bo's", "UTC")
		for path, form := range peopleRoutes(own.ID, bea.ID, reds.ID) {
			if strings.HasSuffix(path, "/teams") || strings.HasSuffix(path, "/invites") {
				continue // these name no id of event A
			}
			if rec := postCopy(bo, path, form); rec.Code != http.StatusNotFound {
				t.Errorf("POST %s with ids of another event: got %d, want 404", path, rec.Code)
			}
		}
		s.unchanged(t, "another organizer", 1, reds)
	})

	t.Run("a participant's phone finds nothing", func(t *testing.T) {
		phone, pat := s.joinAs(t, "Pat", reds.ID)
		rec := phone.Get(s.url)
		if rec.Code != http.StatusNotFound {
			t.Errorf("participant GET people: got %d %q, want 404", rec.Code, rec.Header().Get("Location"))
		}
		// The page offers the sign-in, back to this page, for an organizer
		// who joined their own event from this browser.
		if !strings.Contains(rec.Body.String(), `href="/login?next=%2Fdashboard%2Fevents%2F`) {
			t.Errorf("the 404 page offers no sign-in:\n%s", rec.Body.String())
		}
		for path, form := range routes {
			if rec := postCopy(phone, path, form); rec.Code != http.StatusNotFound {
				t.Errorf("participant POST %s: got %d %q, want 404", path, rec.Code, rec.Header().Get("Location"))
			}
		}
		if rec := s.ana.PostForm(fmt.Sprintf("%s/%d/remove", s.url, pat.ID), nil); rec.Code != http.StatusSeeOther {
			t.Fatalf("remove Pat: %d", rec.Code)
		}
		s.unchanged(t, "participant", 1, reds)
	})

	t.Run("every change needs the CSRF token", func(t *testing.T) {
		for path, form := range routes {
			body := strings.NewReader(form.Encode())
			if rec := s.ana.PostRaw(path, "application/x-www-form-urlencoded", body); rec.Code != http.StatusForbidden {
				t.Errorf("POST %s without token: got %d, want 403", path, rec.Code)
			}
			forged := maps.Clone(form)
			if forged == nil {
				forged = url.Values{}
			}
			forged.Set("_csrf", "forged-token")
			if rec := s.ana.PostForm(path, forged); rec.Code != http.StatusForbidden {
				t.Errorf("POST %s with a wrong token: got %d, want 403", path, rec.Code)
			}
		}
		s.unchanged(t, "no CSRF", 1, reds)
	})

	t.Run("unknown ids are 404", func(t *testing.T) {
		for _, path := range []string{
			fmt.Sprintf("%s/99999", s.url), fmt.Sprintf("%s/abc/remove", s.url),
			fmt.Sprintf("/dashboard/events/%d/teams/99999/delete", s.ev.ID),
			fmt.Sprintf("/dashboard/events/%d/invites/99999/revoke", s.ev.ID),
			fmt.Sprintf("/dashboard/events/%d/organizers/99999/remove", s.ev.ID),
		} {
			if rec := s.ana.PostForm(path, url.Values{"name": {"X"}}); rec.Code != http.StatusNotFound {
				t.Errorf("POST %s: got %d, want 404", path, rec.Code)
			}
		}
		s.unchanged(t, "unknown ids", 1, reds)
	})
}

func TestModeratorSeesPeopleReadOnlyAndCannotChangeAnything(t *testing.T) {
	s := newPeopleSite(t)
	s.teamsOn(t)
	reds := s.team(t, "Reds")
	_, bea := s.joinAs(t, "Bea", reds.ID)
	mo := s.app.Organizer("mo@example.com", "Mo")
	if err := s.app.Store.DB().Create(&models.EventOrganizer{EventID: s.ev.ID, OrganizerID: mo.ID, Role: models.RoleModerator}).Error; err != nil {
		t.Fatal(err)
	}
	c := s.app.Client()
	c.SignIn("mo@example.com")

	mustPage(t, "moderator overview", c.Get(fmt.Sprintf("/dashboard/events/%d", s.ev.ID)), http.StatusOK, "Spring hunt")
	rec := c.Get(s.url)
	mustPage(t, "moderator people", rec, http.StatusOK, "Bea", "Reds", "Ana", "moderator")
	for _, hidden := range []string{"/r/" + bea.ReturnToken, "Add team", "Create invitation link", "Manage"} {
		if strings.Contains(rec.Body.String(), hidden) {
			t.Errorf("moderator's People page shows %q", hidden)
		}
	}
	routes := peopleRoutes(s.ev.ID, bea.ID, reds.ID)
	routes[fmt.Sprintf("/dashboard/events/%d/organizers/%d/remove", s.ev.ID, 1)] = nil
	for path, form := range routes {
		mustPage(t, "moderator POST "+path, postCopy(c, path, form), http.StatusForbidden, "Moderators can review submissions but not change the event.")
	}
	s.unchanged(t, "moderator", 1, reds)
	if orgs, _ := s.app.Store.EventOrganizers(t.Context(), s.ev.ID); len(orgs) != 2 {
		t.Errorf("organizers = %d, want 2", len(orgs))
	}
}
