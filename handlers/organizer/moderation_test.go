package organizer_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"retreat/handlers/handlertest"
	"retreat/models"
)

// modWorld is an event with two answers waiting for review: Bea's photo
// and Cy's text, and Ana, its owner, signed in.
type modWorld struct {
	app   *handlertest.App
	ana   *handlertest.Client
	ev    *models.Event
	photo *models.Prompt
	text  *models.Prompt
	bea   *handlertest.Client
	cy    *handlertest.Client
	beaID uint // Bea's photo answer
	cyID  uint // Cy's text answer
}

func newModWorld(t *testing.T) *modWorld {
	t.Helper()
	app := handlertest.New(t)
	o := app.Organizer("ana@example.com", "Ana")
	ev := app.Event(o, "Spring hunt", "Europe/Lisbon")
	w := &modWorld{app: app, ev: ev,
		photo: app.Prompt(ev, models.KindPhoto, "A picture of you on a swing", nil, nil),
		text:  app.Prompt(ev, models.KindText, "Your best joke", nil, nil)}
	w.bea, w.cy = app.Client(), app.Client()
	w.bea.Join(ev, "Bea")
	w.cy.Join(ev, "Cy")
	if rec := w.bea.Upload(handlertest.AnswerPath(ev, w.photo), "On the swing", handlertest.PhotoPath(t, "orient-1.jpg")); rec.Code != http.StatusSeeOther {
		t.Fatalf("Bea's upload: got %d\n%s", rec.Code, rec.Body.String())
	}
	app.Clock.Advance(time.Minute)
	if rec := w.cy.PostForm(handlertest.AnswerPath(ev, w.text), url.Values{"text": {"Knock knock"}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("Cy's answer: got %d", rec.Code)
	}
	w.beaID, w.cyID = w.answerID(t, "Bea", w.photo), w.answerID(t, "Cy", w.text)
	w.ana = app.Client()
	w.ana.SignIn("ana@example.com")
	return w
}

func (w *modWorld) answerID(t *testing.T, name string, p *models.Prompt) uint {
	t.Helper()
	list, err := w.app.Store.ReviewQueue(t.Context(), w.ev.ID, models.ReviewFilter{PromptID: p.ID})
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range list {
		if it.ParticipantName == name {
			return it.ID
		}
	}
	t.Fatalf("no answer by %s to %q", name, p.Title)
	return 0
}

func (w *modWorld) sub(t *testing.T, id uint) *models.Submission {
	t.Helper()
	s, err := w.app.Store.EventSubmission(t.Context(), w.ev.ID, id)
	if err != nil {
		t.Fatalf("load answer %d: %v", id, err)
	}
	return s
}

func (w *modWorld) base() string { return fmt.Sprintf("/dashboard/events/%d", w.ev.ID) }

func (w *modWorld) action(id uint, what string) string {
	return fmt.Sprintf("%s/submissions/%d/%s", w.base(), id, what)
}

// postJSON posts a form as review.js does: token in the header, JSON back.
func postJSON(c *handlertest.Client, path string, form url.Values) (int, map[string]any, string) {
	if form == nil {
		form = url.Values{}
	}
	req, _ := http.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("X-CSRF-Token", c.CSRF())
	rec := c.Do(req)
	var m map[string]any
	if strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") {
		m = map[string]any{}
		_ = json.Unmarshal(rec.Body.Bytes(), &m)
	}
	return rec.Code, m, rec.Body.String()
}

func TestReviewQueueModeratesWithFormsAndJSON(t *testing.T) {
	w := newModWorld(t)
	c := w.ana

	rec := c.Get(w.base() + "/review")
	body := rec.Body.String()
	if rec.Code != http.StatusOK || !strings.Contains(body, "Knock knock") || !strings.Contains(body, fmt.Sprintf("/photos/%d/phone", w.beaID)) {
		t.Fatalf("review page: got %d\n%s", rec.Code, body)
	}
	// Newest first: Cy answered a minute after Bea.
	if strings.Index(body, fmt.Sprintf(`id="sub-%d"`, w.cyID)) > strings.Index(body, fmt.Sprintf(`id="sub-%d"`, w.beaID)) {
		t.Errorf("review queue is not newest first")
	}
	if !strings.Contains(body, `Not yet reviewed <span class="count-pill" data-count="todo">2</span>`) {
		t.Errorf("review page does not count 2 answers to review")
	}

	// A plain form hides, then goes back where it came from.
	next := w.base() + "/review?state=todo"
	rec = c.PostForm(w.action(w.beaID, "hide"), url.Values{"next": {next}})
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != fmt.Sprintf("%s#sub-%d", next, w.beaID) {
		t.Fatalf("hide: got %d %q", rec.Code, rec.Header().Get("Location"))
	}
	if s := w.sub(t, w.beaID); !s.Hidden || !s.Reviewed() {
		t.Errorf("after hide: hidden %v reviewed %v", s.Hidden, s.Reviewed())
	}
	// An off-site or other event's "next" is not followed.
	for _, bad := range []string{"https://evil.example/", "//evil.example/x", "/dashboard/events/999/review", w.base() + "/review#x"} {
		rec = c.PostForm(w.action(w.beaID, "hide"), url.Values{"next": {bad}})
		if loc := rec.Header().Get("Location"); loc != fmt.Sprintf("%s/review#sub-%d", w.base(), w.beaID) {
			t.Errorf("next %q: redirected to %q", bad, loc)
		}
	}
	// The "not yet reviewed" filter has only Cy's answer now; "hidden" only Bea's.
	body = c.Get(w.base() + "/review?state=todo").Body.String()
	if !strings.Contains(body, fmt.Sprintf(`id="sub-%d"`, w.cyID)) || strings.Contains(body, fmt.Sprintf(`id="sub-%d"`, w.beaID)) {
		t.Errorf("todo filter shows the wrong answers")
	}
	body = c.Get(w.base() + "/review?state=hidden").Body.String()
	if strings.Contains(body, fmt.Sprintf(`id="sub-%d"`, w.cyID)) || !strings.Contains(body, fmt.Sprintf(`id="sub-%d"`, w.beaID)) {
		t.Errorf("hidden filter shows the wrong answers")
	}
	body = c.Get(fmt.Sprintf("%s/review?prompt=%d", w.base(), w.text.ID)).Body.String()
	if !strings.Contains(body, fmt.Sprintf(`id="sub-%d"`, w.cyID)) || strings.Contains(body, fmt.Sprintf(`id="sub-%d"`, w.beaID)) {
		t.Errorf("prompt filter shows the wrong answers")
	}

	// The same endpoints answer JSON for the keyboard script.
	code, m, raw := postJSON(c, w.action(w.cyID, "star"), nil)
	if code != http.StatusOK || m["starred"] != true || m["reviewed"] != true || m["hidden"] != false {
		t.Fatalf("star as JSON: got %d %s", code, raw)
	}
	// It carries the queue's counts for the filter tabs: Bea's hidden, Cy's
	// starred, both reviewed.
	if counts, _ := m["counts"].(map[string]any); counts["todo"] != float64(0) || counts["hidden"] != float64(1) || counts["starred"] != float64(1) || counts["all"] != float64(2) {
		t.Errorf("counts after star: %v", m["counts"])
	}
	code, m, raw = postJSON(c, w.action(w.cyID, "bonus"), url.Values{"points": {"3"}, "reason": {"  Made  us laugh "}})
	if code != http.StatusOK || m["bonus_points"] != float64(3) || m["bonus"] != "+3 bonus: Made us laugh" || m["points"] != "13 points" {
		t.Fatalf("bonus as JSON: got %d %s", code, raw)
	}
	if s := w.sub(t, w.cyID); !s.Starred || s.BonusPoints != 3 || s.BonusReason != "Made us laugh" || s.AwardedAt == nil {
		t.Errorf("after star and bonus: %+v", s)
	}
	code, m, _ = postJSON(c, w.action(w.cyID, "bonus"), url.Values{"points": {"lots"}})
	if code != http.StatusUnprocessableEntity || !strings.Contains(fmt.Sprint(m["error"]), "whole number") {
		t.Errorf("bad bonus as JSON: got %d %v", code, m)
	}
	// A bad bonus from the form re-shows the queue with the message and
	// what was typed; nothing changes.
	rec = c.PostForm(w.action(w.cyID, "bonus"), url.Values{"points": {"5000"}, "reason": {"Too generous"}, "next": {w.base() + "/review?state=starred"}})
	body = rec.Body.String()
	if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(body, "between -1000 and 1000") ||
		!strings.Contains(body, `value="5000"`) || !strings.Contains(body, `value="Too generous"`) {
		t.Fatalf("bad bonus form: got %d\n%s", rec.Code, body)
	}
	if s := w.sub(t, w.cyID); s.BonusPoints != 3 {
		t.Errorf("a refused bonus changed it to %d", s.BonusPoints)
	}
	code, m, _ = postJSON(c, w.action(w.cyID, "unstar"), nil)
	if code != http.StatusOK || m["starred"] != false {
		t.Errorf("unstar: got %d %v", code, m)
	}
	code, m, _ = postJSON(c, w.action(w.beaID, "unhide"), nil)
	if code != http.StatusOK || m["hidden"] != false {
		t.Errorf("unhide: got %d %v", code, m)
	}
	code, m, _ = postJSON(c, w.action(w.beaID, "reviewed"), nil)
	if code != http.StatusOK || m["reviewed"] != true {
		t.Errorf("reviewed: got %d %v", code, m)
	}

	// Delete removes the row and the photo's files.
	folder := w.sub(t, w.beaID).PhotoKey
	if !containsPrefix(w.app.MediaFiles(), folder+"/") {
		t.Fatalf("photo files of %s missing before delete: %v", folder, w.app.MediaFiles())
	}
	rec = c.PostForm(w.action(w.beaID, "delete"), url.Values{"next": {w.base() + "/review"}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("delete: got %d", rec.Code)
	}
	if _, err := w.app.Store.EventSubmission(t.Context(), w.ev.ID, w.beaID); err == nil {
		t.Errorf("the answer is still there after delete")
	}
	if containsPrefix(w.app.MediaFiles(), folder+"/") {
		t.Errorf("photo files left after delete: %v", w.app.MediaFiles())
	}
	code, m, _ = postJSON(c, w.action(w.cyID, "delete"), nil)
	if code != http.StatusOK || m["deleted"] != true {
		t.Errorf("delete as JSON: got %d %v", code, m)
	}
	if rec := c.PostForm(w.action(w.cyID, "hide"), nil); rec.Code != http.StatusNotFound {
		t.Errorf("hide a deleted answer: got %d, want 404", rec.Code)
	}
}

func containsPrefix(list []string, prefix string) bool {
	for _, s := range list {
		if strings.HasPrefix(s, prefix) {
			return true
		}
	}
	return false
}

// makeModerator gives an organizer the moderator role in an event.
func makeModerator(t *testing.T, app *handlertest.App, ev *models.Event, o *models.Organizer) {
	t.Helper()
	if err := app.Store.DB().Create(&models.EventOrganizer{EventID: ev.ID, OrganizerID: o.ID, Role: models.RoleModerator}).Error; err != nil {
		t.Fatal(err)
	}
}

func TestModeratorReviewsAndAwardsButCannotEditTheEvent(t *testing.T) {
	w := newModWorld(t)
	mo := w.app.Organizer("mo@example.com", "Mo")
	makeModerator(t, w.app, w.ev, mo)
	c := w.app.Client()
	c.SignIn("mo@example.com")
	for _, path := range []string{"/progress", "/progress/feed", "/review", "/review?view=grid", "/scores"} {
		if rec := c.Get(w.base() + path); rec.Code != http.StatusOK {
			t.Errorf("GET %s as moderator: got %d", path, rec.Code)
		}
	}
	for _, a := range []struct {
		what string
		form url.Values
	}{{"hide", nil}, {"unhide", nil}, {"star", nil}, {"reviewed", nil}, {"bonus", url.Values{"points": {"2"}}}} {
		if rec := c.PostForm(w.action(w.cyID, a.what), a.form); rec.Code != http.StatusSeeOther {
			t.Errorf("%s as moderator: got %d", a.what, rec.Code)
		}
	}
	if s := w.sub(t, w.cyID); !s.Starred || s.Hidden || s.BonusPoints != 2 {
		t.Errorf("after the moderator's actions: %+v", s)
	}
	if rec := c.PostForm(w.action(w.cyID, "delete"), nil); rec.Code != http.StatusSeeOther {
		t.Errorf("delete as moderator: got %d", rec.Code)
	}
	if rec := c.Get(w.base() + "/edit"); rec.Code != http.StatusForbidden {
		t.Errorf("edit the event as moderator: got %d, want 403", rec.Code)
	}
}

func TestModerationOfAnotherOrganizersEventIsNotFound(t *testing.T) {
	w := newModWorld(t)
	w.app.Organizer("bo@example.com", "Bo")
	bo := w.app.Client()
	bo.SignIn("bo@example.com")
	for _, path := range []string{"/progress", "/progress/feed", "/review", "/scores"} {
		if rec := bo.Get(w.base() + path); rec.Code != http.StatusNotFound {
			t.Errorf("GET %s as another organizer: got %d, want 404", path, rec.Code)
		}
	}
	for _, what := range []string{"hide", "star", "reviewed", "bonus", "delete"} {
		if rec := bo.PostForm(w.action(w.beaID, what), url.Values{"points": {"5"}}); rec.Code != http.StatusNotFound {
			t.Errorf("%s as another organizer: got %d, want 404", what, rec.Code)
		}
		if code, _, _ := postJSON(bo, w.action(w.beaID, what), url.Values{"points": {"5"}}); code != http.StatusNotFound {
			t.Errorf("%s as another organizer (JSON): got %d, want 404", what, code)
		}
	}
	// Bo's own event does not open Ana's answers either.
	bos, _ := w.app.Store.OrganizerByEmail(t.Context(), "bo@example.com")
	other := w.app.Event(bos, "Bo's hunt", "UTC")
	path := fmt.Sprintf("/dashboard/events/%d/submissions/%d/hide", other.ID, w.beaID)
	if rec := bo.PostForm(path, nil); rec.Code != http.StatusNotFound {
		t.Errorf("hide Ana's answer through Bo's event: got %d, want 404", rec.Code)
	}
	if s := w.sub(t, w.beaID); s.Hidden || s.Starred || s.BonusPoints != 0 || s.ReviewedAt != nil {
		t.Errorf("another organizer changed the answer: %+v", s)
	}
	// Signed out, the JSON endpoints answer 401 rather than a login page.
	anon := w.app.Client()
	anon.Accept = "application/json"
	if rec := anon.Get(w.base() + "/progress/feed"); rec.Code != http.StatusUnauthorized {
		t.Errorf("feed signed out: got %d, want 401", rec.Code)
	}
}

func TestModerationWithoutCSRFTokenIsRefused(t *testing.T) {
	w := newModWorld(t)
	for _, what := range []string{"hide", "star", "bonus", "delete"} {
		rec := w.ana.PostRaw(w.action(w.beaID, what), "application/x-www-form-urlencoded", strings.NewReader("points=4"))
		if rec.Code != http.StatusForbidden {
			t.Errorf("%s without a token: got %d, want 403", what, rec.Code)
		}
	}
	if s := w.sub(t, w.beaID); s.Hidden || s.Starred || s.BonusPoints != 0 || s.ReviewedAt != nil {
		t.Errorf("a request without a token changed the answer: %+v", s)
	}
}

func TestActivityFeedReturnsOnlyNewerAnswers(t *testing.T) {
	w := newModWorld(t)
	c := w.ana
	c.Accept = "application/json"
	var feed struct {
		Items []struct {
			ID       uint   `json:"id"`
			Name     string `json:"name"`
			Prompt   string `json:"prompt"`
			ThumbURL string `json:"thumb_url"`
			Text     string `json:"text"`
		} `json:"items"`
		LastID uint `json:"last_id"`
	}
	get := func(after string) int {
		t.Helper()
		rec := c.Get(w.base() + "/progress/feed" + after)
		feed.Items, feed.LastID = nil, 0
		if rec.Code == http.StatusOK {
			if err := json.Unmarshal(rec.Body.Bytes(), &feed); err != nil {
				t.Fatal(err)
			}
		}
		return rec.Code
	}
	if code := get(""); code != http.StatusOK || len(feed.Items) != 2 || feed.Items[0].ID != w.cyID || feed.LastID != w.cyID {
		t.Fatalf("feed from the start: %d %+v", code, feed)
	}
	if feed.Items[1].ThumbURL != fmt.Sprintf("%s/photos/%d/thumb", w.base(), w.beaID) || feed.Items[0].Text != "Knock knock" {
		t.Errorf("feed items: %+v", feed.Items)
	}
	if code := get(fmt.Sprintf("?after=%d", w.beaID)); code != http.StatusOK || len(feed.Items) != 1 || feed.Items[0].ID != w.cyID {
		t.Errorf("after Bea's: %d %+v", code, feed)
	}
	if get(fmt.Sprintf("?after=%d", w.cyID)); len(feed.Items) != 0 || feed.LastID != w.cyID {
		t.Errorf("after the newest: %+v, want nothing and the same cursor", feed)
	}
	// A new answer comes in: only it is returned.
	dee := w.app.Client()
	dee.Join(w.ev, "Dee")
	dee.PostForm(handlertest.AnswerPath(w.ev, w.text), url.Values{"text": {"Why did the chicken"}})
	if get(fmt.Sprintf("?after=%d", w.cyID)); len(feed.Items) != 1 || feed.Items[0].Name != "Dee" || feed.LastID <= w.cyID {
		t.Errorf("after a new answer: %+v", feed)
	}
	if code := get("?after=abc"); code != http.StatusBadRequest {
		t.Errorf("after=abc: got %d, want 400", code)
	}
}

func TestProgressGridShowsWhoDidWhat(t *testing.T) {
	w := newModWorld(t)
	rec := w.ana.Get(w.base() + "/progress")
	body := rec.Body.String()
	if rec.Code != http.StatusOK {
		t.Fatalf("progress: got %d", rec.Code)
	}
	for _, want := range []string{
		">Bea<", ">Cy<", "A picture of you on a swing", "Your best joke",
		fmt.Sprintf("/photos/%d/thumb", w.beaID), // Bea's thumbnail in the grid
		"Cy answered Your best joke: Knock knock",
		`data-feed-url="` + w.base() + `/progress/feed"`, fmt.Sprintf(`data-after="%d"`, w.cyID),
		`<td class="num">1/2</td>`, // each did one of two
		`<td class="num">10</td>`,  // and earned 10 points
	} {
		if !strings.Contains(body, want) {
			t.Errorf("progress page lacks %q", want)
		}
	}
	// Totals per prompt, in the footer: one answer each.
	foot := body[strings.Index(body, "<tfoot>"):]
	if n := strings.Count(foot[:strings.Index(foot, "</tfoot>")], `<td class="num">1</td>`); n != 2 {
		t.Errorf("per-prompt totals: %d prompts with 1 answer, want 2", n)
	}
}

var standingRE = regexp.MustCompile(`<td class="rank[^"]*">([^<]+)(?:<span[^>]*>[^<]*</span>)?</td>\s*<th scope="row">([^<]+?)\s*(?:<span|</th>)(?s:.*?)<td class="num points-cell">(-?\d+)</td>`)

// standings reads a leaderboard page's rows as "place name points".
func standings(body string) []string {
	var out []string
	for _, m := range standingRE.FindAllStringSubmatch(body, -1) {
		out = append(out, m[1]+" "+m[2]+" "+m[3])
	}
	return out
}

func TestScoresAreLiveForOrganizersAndFrozenForParticipants(t *testing.T) {
	w := newModWorld(t)
	// Both have 10 points: a tie.
	want := []string{"=1 Bea 10", "=1 Cy 10"}
	if got := standings(w.ana.Get(w.base() + "/scores").Body.String()); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("scores: got %q, want %q", got, want)
	}
	// Scores freeze now; then Cy gets a bonus and Bea a second answer.
	freeze := w.app.Clock.Now()
	if err := w.app.Store.DB().Model(&models.Event{}).Where("id = ?", w.ev.ID).Update("freeze_at", freeze).Error; err != nil {
		t.Fatal(err)
	}
	w.app.Clock.Advance(time.Minute)
	if rec := w.ana.PostForm(w.action(w.cyID, "bonus"), url.Values{"points": {"5"}, "reason": {"Best joke"}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("bonus: got %d", rec.Code)
	}
	w.bea.PostForm(handlertest.AnswerPath(w.ev, w.text), url.Values{"text": {"Two fish in a tank"}})

	live := []string{"1 Bea 20", "2 Cy 15"}
	body := w.ana.Get(w.base() + "/scores").Body.String()
	if got := standings(body); strings.Join(got, "|") != strings.Join(live, "|") {
		t.Errorf("organizer scores after the freeze: got %q, want live %q", got, live)
	}
	if !strings.Contains(body, "Participants see the standings as they were when scores froze") {
		t.Errorf("organizer scores do not say participants see frozen ones")
	}
	if got := standings(w.ana.Get(w.base() + "/scores?view=participants").Body.String()); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("organizer's view of participants' scores: got %q, want %q", got, want)
	}
	body = w.cy.Get(fmt.Sprintf("/e/%d/scores", w.ev.ID)).Body.String()
	if got := standings(body); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("participant scores after the freeze: got %q, want frozen %q", got, want)
	}
	if !strings.Contains(body, "Scores are frozen until the reveal") {
		t.Errorf("participant scores lack the freeze note")
	}
	// Cy does not see the bonus awarded after the freeze on the prompt either.
	body = w.cy.Get(fmt.Sprintf("/e/%d/prompts/%d", w.ev.ID, w.text.ID)).Body.String()
	if strings.Contains(body, "Best joke") || !strings.Contains(body, "10 points") {
		t.Errorf("Cy's prompt page after the freeze shows a bonus awarded after it:\n%s", body)
	}
}

// TestReviewDeleteAsksFirst: the delete button's form carries the question
// forms.js and review.js ask before deleting, naming whose answer goes.
func TestReviewDeleteAsksFirst(t *testing.T) {
	w := newModWorld(t)
	for _, view := range []string{"/review", "/review?view=grid"} {
		body := w.ana.Get(w.base() + view).Body.String()
		for id, question := range map[uint]string{
			w.beaID: "Delete this answer by Bea and its photo? This cannot be undone.",
			w.cyID:  "Delete this answer by Cy? This cannot be undone.",
		} {
			want := fmt.Sprintf(`action="%s" data-mod="delete" data-confirm="%s"`, w.action(id, "delete"), question)
			if !strings.Contains(body, want) {
				t.Errorf("%s: the delete form of answer %d lacks %s", view, id, want)
			}
		}
	}
}
