package participant_test

import (
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"retreat/handlers/handlertest"
	"retreat/models"
	"retreat/models/live"
)

// recapHunt is an event after its reveal: Bea's photo (starred) and joke,
// Cy's photo, Dee's photo (hidden by the organizer) and Eli's photo (kept
// out of the live reveal by Eli). Ana owns the event, Mo moderates it.
type recapHunt struct {
	app            *handlertest.App
	ev             *models.Event
	photo, text    *models.Prompt
	ana, mo        *handlertest.Client
	bea, cy        *handlertest.Client
	beaPhoto, eliP uint
	deePhoto       uint
}

func newRecapHunt(t *testing.T, files [4]string) *recapHunt {
	t.Helper()
	app, ev, photo, text := hunt(t)
	h := &recapHunt{app: app, ev: ev, photo: photo, text: text}
	mo := app.Organizer("mo@example.com", "Mo")
	if err := app.Store.DB().Create(&models.EventOrganizer{EventID: ev.ID, OrganizerID: mo.ID, Role: models.RoleModerator}).Error; err != nil {
		t.Fatal(err)
	}
	h.ana, h.mo = app.Client(), app.Client()
	h.ana.SignIn("ana@example.com")
	h.mo.SignIn("mo@example.com")
	people := map[string]*handlertest.Client{}
	for i, name := range []string{"Bea", "Cy", "Dee", "Eli"} {
		c := app.Client()
		c.Join(ev, name)
		people[name] = c
		caption := name + "'s swing caption"
		if rec := c.Upload(handlertest.AnswerPath(ev, photo), caption, handlertest.PhotoPath(t, files[i])); rec.Code != http.StatusSeeOther {
			t.Fatalf("%s's upload: got %d\n%s", name, rec.Code, rec.Body.String())
		}
	}
	h.bea, h.cy = people["Bea"], people["Cy"]
	if rec := h.bea.PostForm(handlertest.AnswerPath(ev, text), url.Values{"text": {"Why did the hunt cross the road?"}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("Bea's joke: got %d\n%s", rec.Code, rec.Body.String())
	}
	h.beaPhoto, h.deePhoto, h.eliP = answerID(t, app, ev, photo, "Bea"), answerID(t, app, ev, photo, "Dee"), answerID(t, app, ev, photo, "Eli")
	ctx := t.Context()
	if _, err := app.Store.SetStarred(ctx, ev.ID, h.beaPhoto, true); err != nil {
		t.Fatal(err)
	}
	if _, err := app.Store.SetHidden(ctx, ev.ID, h.deePhoto, true); err != nil {
		t.Fatal(err)
	}
	consent := fmt.Sprintf("/e/%d/prompts/%d/live-consent", ev.ID, photo.ID)
	if rec := people["Eli"].PostForm(consent, url.Values{"not_for_live": {"1"}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("Eli keeps the photo out of the reveal: got %d\n%s", rec.Code, rec.Body.String())
	}
	return h
}

func (h *recapHunt) recapURL() string   { return fmt.Sprintf("/e/%d/recap", h.ev.ID) }
func (h *recapHunt) previewURL() string { return fmt.Sprintf("/dashboard/events/%d/recap", h.ev.ID) }

func (h *recapHunt) thumb(id uint) string {
	return fmt.Sprintf("/e/%d/photos/%d/thumb", h.ev.ID, id)
}

func (h *recapHunt) recapOpen(t *testing.T) bool {
	t.Helper()
	ev, err := h.app.Store.Event(t.Context(), h.ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	return ev.RecapOpen
}

var recapPhotoURLs = regexp.MustCompile(`/e/\d+/photos/\d+/(?:thumb|phone)\?v=[0-9a-zA-Z]+`)

func TestRecapOpensToParticipantsWithTheRevealsAnswers(t *testing.T) {
	h := newRecapHunt(t, [4]string{"orient-1.jpg", "grayscale.jpg", "orient-3.jpg", "orient-6.jpg"})

	// Closed at first: refused like a closed gallery, and not linked.
	rec := h.cy.Get(h.recapURL())
	if rec.Code != http.StatusNotFound || !strings.Contains(rec.Body.String(), "The recap isn&#39;t open yet") {
		t.Errorf("recap while closed: got %d, want 404 saying it isn't open\n%.400s", rec.Code, rec.Body.String())
	}
	if body := h.cy.Get(fmt.Sprintf("/e/%d", h.ev.ID)).Body.String(); strings.Contains(body, h.recapURL()) {
		t.Errorf("the prompt list links to a closed recap")
	}
	if rec := h.cy.Get(h.thumb(h.beaPhoto)); rec.Code != http.StatusNotFound {
		t.Errorf("Bea's photo for Cy before the recap opens: got %d, want 404", rec.Code)
	}

	// Neither a moderator nor a form from elsewhere opens it.
	if rec := h.mo.PostForm(h.previewURL(), url.Values{"open": {"1"}}); rec.Code != http.StatusForbidden {
		t.Errorf("moderator opens the recap: got %d, want 403", rec.Code)
	}
	if rec := h.ana.PostRaw(h.previewURL(), "application/x-www-form-urlencoded", strings.NewReader("open=1")); rec.Code != http.StatusForbidden {
		t.Errorf("open without a CSRF token: got %d, want 403", rec.Code)
	}
	if rec := h.ana.PostForm(h.previewURL(), url.Values{"open": {"yes"}}); rec.Code != http.StatusUnprocessableEntity {
		t.Errorf("open=yes: got %d, want 422", rec.Code)
	}
	if h.recapOpen(t) {
		t.Fatal("the recap opened after refused requests")
	}

	// Every organizer role previews it; only Ana gets the switch.
	for who, c := range map[string]*handlertest.Client{"owner": h.ana, "moderator": h.mo} {
		rec := c.Get(h.previewURL())
		body := rec.Body.String()
		if rec.Code != http.StatusOK || !strings.Contains(body, "Bea&#39;s swing caption") || strings.Contains(body, "Dee&#39;s swing") {
			t.Errorf("preview as %s: got %d\n%s", who, rec.Code, body)
		}
		if has := strings.Contains(body, "Open the recap to participants"); has != (who == "owner") {
			t.Errorf("preview as %s offers the switch: %v", who, has)
		}
	}
	overview := h.ana.Get(fmt.Sprintf("/dashboard/events/%d", h.ev.ID)).Body.String()
	if !strings.Contains(overview, "Open the recap to participants") || !strings.Contains(overview, h.previewURL()) {
		t.Errorf("the event overview has no recap switch or preview link")
	}

	rec = h.ana.PostForm(h.previewURL(), url.Values{"open": {"1"}})
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != fmt.Sprintf("/dashboard/events/%d", h.ev.ID) {
		t.Fatalf("open the recap: got %d %q", rec.Code, rec.Header().Get("Location"))
	}
	if !h.recapOpen(t) {
		t.Fatal("the recap is not open after Ana opened it")
	}
	if body := h.ana.Get(fmt.Sprintf("/dashboard/events/%d", h.ev.ID)).Body.String(); !strings.Contains(body, "Close the recap") {
		t.Errorf("the overview of an open recap offers no way to close it")
	}

	// Cy sees the others' answers the reveal could show, by prompt, in
	// prompt order, starred marked; not Dee's hidden photo, nor Eli's.
	if body := h.cy.Get(fmt.Sprintf("/e/%d", h.ev.ID)).Body.String(); !strings.Contains(body, h.recapURL()) || !strings.Contains(body, "See the recap") {
		t.Errorf("the prompt list does not link to the open recap")
	}
	rec = h.cy.Get(h.recapURL())
	body := rec.Body.String()
	if rec.Code != http.StatusOK {
		t.Fatalf("open recap: got %d\n%s", rec.Code, body)
	}
	answers := body[strings.Index(body, `id="recap-answers"`):]
	order := []string{h.photo.Title, "Bea&#39;s swing caption", "Cy&#39;s swing caption", h.text.Title, "Why did the hunt cross the road?"}
	last := -1
	for _, s := range order {
		i := strings.Index(answers, s)
		if i < 0 || i < last {
			t.Errorf("the recap's answers lack %q or have it out of order (at %d after %d)", s, i, last)
		}
		last = i
	}
	for _, s := range []string{"Dee&#39;s swing", "Eli&#39;s swing", h.thumb(h.deePhoto), h.thumb(h.eliP)} {
		if strings.Contains(body, s) {
			t.Errorf("the recap shows %q: hidden or kept out of the reveal", s)
		}
	}
	if !regexp.MustCompile(`★</span> Bea`).MatchString(answers) {
		t.Errorf("Bea's starred photo is not marked ★")
	}
	// No award was decided (no reveal ran): the winners are the
	// organizer's pick and the podium (Bea 20 points, Cy and Eli tied at 10).
	winners := body[strings.Index(body, `id="recap-winners"`):strings.Index(body, `id="recap-answers"`)]
	for _, s := range []string{"Organizer&#39;s pick", "Bea", "Top scorers", "=2"} {
		if !strings.Contains(winners, s) {
			t.Errorf("the winners lack %q:\n%s", s, winners)
		}
	}
	if strings.Contains(winners, "Dee") {
		t.Errorf("Dee, with no points, is on the podium")
	}

	// Every photo on the page loads for Cy, Bea's included.
	urls := recapPhotoURLs.FindAllString(html.UnescapeString(body), -1)
	if len(urls) < 4 { // two photos, thumb and phone each
		t.Fatalf("photo URLs on the recap: %v", urls)
	}
	for _, u := range urls {
		rec := h.cy.Get(u)
		if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "image/jpeg" {
			t.Errorf("GET %s: got %d %q, want 200 image/jpeg", u, rec.Code, rec.Header().Get("Content-Type"))
		}
	}
	for _, id := range []uint{h.deePhoto, h.eliP} {
		if rec := h.cy.Get(h.thumb(id)); rec.Code != http.StatusNotFound {
			t.Errorf("photo %d (hidden or kept out) for Cy: got %d, want 404", id, rec.Code)
		}
	}

	// Another event's participant sees nothing of it.
	ev2 := h.app.Event(h.app.Organizer("bo@example.com", "Bo"), "Other", "UTC")
	fay := h.app.Client()
	fay.Join(ev2, "Fay")
	for _, path := range []string{h.recapURL(), urls[0]} {
		if rec := fay.Get(path); rec.Code != http.StatusNotFound {
			t.Errorf("GET %s from another event: got %d, want 404", path, rec.Code)
		}
	}

	// Closed again: gone, photos included.
	rec = h.ana.PostForm(h.previewURL(), url.Values{"open": {"0"}, "back": {"recap"}})
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != h.previewURL() {
		t.Fatalf("close the recap from its preview: got %d %q", rec.Code, rec.Header().Get("Location"))
	}
	if rec := h.cy.Get(h.recapURL()); rec.Code != http.StatusNotFound {
		t.Errorf("recap after closing: got %d, want 404", rec.Code)
	}
	if rec := h.cy.Get(h.thumb(h.beaPhoto)); rec.Code != http.StatusNotFound {
		t.Errorf("Bea's photo for Cy after closing: got %d, want 404", rec.Code)
	}
	if body := h.cy.Get(fmt.Sprintf("/e/%d", h.ev.ID)).Body.String(); strings.Contains(body, h.recapURL()) {
		t.Errorf("the prompt list still links to the closed recap")
	}
}

// TestRecapShowsTheAwardsTheRevealDecided saves a deck as the reveal leaves
// it: the awards it decided are the winners, by prompt with the
// organizer's pick, then the show-wide ones; undecided or empty ones are
// not, nor one whose winning answer was hidden since the call.
func TestRecapShowsTheAwardsTheRevealDecided(t *testing.T) {
	h := newRecapHunt(t, [4]string{"orient-1.jpg", "grayscale.jpg", "orient-3.jpg", "orient-6.jpg"})
	cyPhoto := answerID(t, h.app, h.ev, h.photo, "Cy")
	deck := live.Deck{EventID: h.ev.ID, Slides: []live.Slide{
		{Key: "cover", Kind: live.KindCover, Title: h.ev.Name},
		{Key: "award-reactions", Kind: live.KindAward, Award: "reactions", Title: "Most reactions", Decided: true,
			SubmissionID: h.beaPhoto, Rows: []live.ScoreRow{{Rank: 1, Name: "Bea", Detail: h.photo.Title, Points: 12}, {Rank: 2, Name: "Cy", Points: 1}}},
		{Key: "award-votes-1", Kind: live.KindAward, Award: "votes", Title: "Audience favourite", Subtitle: h.photo.Title, PromptID: h.photo.ID,
			Decided: true, SubmissionID: cyPhoto, Rows: []live.ScoreRow{{Rank: 1, Name: "Cy", Detail: "Cy's swing caption", Points: 4}}},
		{Key: "award-votes-x", Kind: live.KindAward, Award: "votes", Title: "Favourite since hidden", PromptID: h.photo.ID,
			Decided: true, SubmissionID: h.deePhoto, Rows: []live.ScoreRow{{Rank: 1, Name: "Dee", Detail: "Dee's swing caption", Points: 9}}},
		{Key: "award-guessers", Kind: live.KindAward, Award: "guessers", Title: "Best guessers", Decided: true},
		{Key: "award-votes-2", Kind: live.KindAward, Award: "votes", Title: "Undecided favourite", Subtitle: h.text.Title, PromptID: h.text.ID},
	}}
	raw, err := json.Marshal(deck)
	if err != nil {
		t.Fatal(err)
	}
	st := &models.RevealState{EventID: h.ev.ID, Seq: 1, Status: models.RevealEnded, Deck: string(raw), Shown: "[]", Named: "[]", Follower: "{}"}
	if err := h.app.Store.SaveRevealState(t.Context(), st, 0, true); err != nil {
		t.Fatal(err)
	}
	if rec := h.ana.PostForm(h.previewURL(), url.Values{"open": {"1"}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("open the recap: got %d", rec.Code)
	}
	body := h.cy.Get(h.recapURL()).Body.String()
	winners := body[strings.Index(body, `id="recap-winners"`):strings.Index(body, `id="recap-answers"`)]
	order := []string{"Audience favourite", "4 votes", "Organizer&#39;s pick", "Most reactions", "12 reactions", "1 reaction<", "Top scorers"}
	last := -1
	for _, s := range order {
		i := strings.Index(winners, s)
		if i < 0 || i < last {
			t.Errorf("the winners lack %q or have it out of order (at %d after %d):\n%s", s, i, last, winners)
		}
		last = i
	}
	for _, s := range []string{"Best guessers", "Undecided favourite", "Favourite since hidden", "Dee", h.thumb(h.deePhoto)} {
		if strings.Contains(winners, s) {
			t.Errorf("the winners show %q:\n%s", s, winners)
		}
	}
	for _, id := range []uint{h.beaPhoto, cyPhoto} {
		if !strings.Contains(winners, h.thumb(id)) {
			t.Errorf("an award lacks the winning photo %d:\n%s", id, winners)
		}
	}
}
