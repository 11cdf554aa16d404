package organizer_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"retreat/handlers/handlertest"
	"retreat/models"
)

// nudgeWorld is an event in Lisbon time with two open prompts and three
// participants: Ana (email), Bo (no email) and Cy (email, has answered the
// text prompt).
type nudgeWorld struct {
	app        *handlertest.App
	smtp       *handlertest.SMTPServer
	owner      *handlertest.Client
	ev         *models.Event
	swing      *models.Prompt
	joke       *models.Prompt
	ana, bo    *models.Participant
	cy         *models.Participant
	nudgesPath string
}

func newNudgeWorld(t *testing.T, withEmail bool) *nudgeWorld {
	t.Helper()
	w := &nudgeWorld{}
	var opts handlertest.Options
	if withEmail {
		w.smtp = handlertest.StartSMTP(t)
		opts.Mailer = w.smtp.Mailer(t)
	}
	w.app = handlertest.New(t, opts)
	o := w.app.Organizer("owner@example.com", "Olga")
	w.ev = w.app.Event(o, "Spring hunt", "Europe/Lisbon")
	w.swing = w.app.Prompt(w.ev, models.KindPhoto, "A picture of you on a swing", nil, nil)
	w.joke = w.app.Prompt(w.ev, models.KindText, "Your best joke", nil, nil)
	w.ana = w.join(t, "Ana", "ana@example.com", "Asia/Tokyo")
	w.bo = w.join(t, "Bo", "", "America/New_York")
	w.cy = w.join(t, "Cy", "cy@example.com", "Europe/Lisbon")
	if _, _, err := w.app.Store.SaveTextAnswer(context.Background(), w.ev, w.joke, w.cy, "Knock knock"); err != nil {
		t.Fatal(err)
	}
	w.owner = w.app.Client()
	w.owner.SignIn("owner@example.com")
	w.nudgesPath = fmt.Sprintf("/dashboard/events/%d/nudges", w.ev.ID)
	return w
}

// join makes a participant join through the join form, with an email.
func (w *nudgeWorld) join(t *testing.T, name, email, zone string) *models.Participant {
	t.Helper()
	c := w.app.Client()
	rec := c.PostForm("/j/"+w.ev.JoinToken, url.Values{"name": {name}, "email": {email}, "time_zone": {zone}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("join as %s: %d\n%s", name, rec.Code, rec.Body.String())
	}
	list, err := w.app.Store.Participants(context.Background(), w.ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	for i := range list {
		if list[i].Name == name {
			if list[i].Email != email {
				t.Fatalf("%s joined with email %q, stored %q", name, email, list[i].Email)
			}
			return &list[i]
		}
	}
	t.Fatalf("%s did not join", name)
	return nil
}

func key(p *models.Prompt, pa *models.Participant) string { return fmt.Sprintf("%d:%d", p.ID, pa.ID) }

func nudges(t *testing.T, app *handlertest.App, eventID uint) []models.Nudge {
	t.Helper()
	var list []models.Nudge
	if err := app.Store.DB().Where("event_id = ?", eventID).Order("id").Find(&list).Error; err != nil {
		t.Fatal(err)
	}
	return list
}

func TestNudgesPageListsWhoHasNotAnsweredEachOpenPrompt(t *testing.T) {
	w := newNudgeWorld(t, true)
	rec := w.owner.Get(w.nudgesPath)
	body := rec.Body.String()
	if rec.Code != http.StatusOK {
		t.Fatalf("nudges page: %d\n%s", rec.Code, body)
	}
	swing := section(t, body, fmt.Sprintf(`id="nudge-prompt-%d"`, w.swing.ID))
	joke := section(t, body, fmt.Sprintf(`id="nudge-prompt-%d"`, w.joke.ID))
	for _, want := range []string{"Ana", "Bo", "Cy", "no email",
		fmt.Sprintf(`value="%s" form="nudge-form" checked`, key(w.swing, w.ana)),
		fmt.Sprintf(`value="%s" form="nudge-form" disabled`, key(w.swing, w.bo)),
		"http://retreat.test/r/" + w.bo.ReturnToken, "21:00 in Tokyo", "07:00 in New York · night there"} {
		if !strings.Contains(swing, want) {
			t.Errorf("swing prompt section lacks %q:\n%s", want, swing)
		}
	}
	if strings.Contains(joke, ">Cy<") || !strings.Contains(joke, ">Ana<") {
		t.Errorf("joke section should list Ana and Bo but not Cy, who answered:\n%s", joke)
	}
	if !strings.Contains(body, "<strong>3</strong> of 5") {
		t.Errorf("summary: want 3 of 5 sendable (Bo has no email)")
	}
	if !strings.Contains(body, `aria-current="page">Nudges</a>`) {
		t.Errorf("the Nudges tab is not marked current")
	}
}

// section returns the HTML from the element with attr to the next </section>.
func section(t *testing.T, body, attr string) string {
	t.Helper()
	i := strings.Index(body, attr)
	if i < 0 {
		t.Fatalf("page has no %s", attr)
	}
	j := strings.Index(body[i:], "</section>")
	return body[i : i+j]
}

func TestSendingANudgeEmailsEachPersonOnceWithTheirLink(t *testing.T) {
	w := newNudgeWorld(t, true)
	w.owner.Get(w.nudgesPath)
	rec := w.owner.PostForm(w.nudgesPath, url.Values{"nudge": {key(w.swing, w.ana), key(w.joke, w.ana), key(w.swing, w.bo), key(w.swing, w.cy)}})
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != w.nudgesPath {
		t.Fatalf("send: %d %q\n%s", rec.Code, rec.Header().Get("Location"), rec.Body.String())
	}
	page := w.owner.Get(w.nudgesPath).Body.String()
	for _, want := range []string{"Sent 3 reminders in 2 emails.", "1 person has no email"} {
		if !strings.Contains(page, want) {
			t.Errorf("flash lacks %q", want)
		}
	}
	msgs := w.smtp.Messages()
	if len(msgs) != 2 {
		t.Fatalf("delivered %d messages, want 2 (Ana with two prompts, Cy with one)", len(msgs))
	}
	var ana handlertest.Email
	for _, m := range msgs {
		if len(m.To) != 1 {
			t.Fatalf("message to %v, want one recipient each", m.To)
		}
		if m.To[0] == "ana@example.com" {
			ana = handlertest.ParseEmail(t, m)
		}
		if m.From != "retreat@example.com" {
			t.Errorf("envelope from %q", m.From)
		}
	}
	link := "http://retreat.test/r/" + w.ana.ReturnToken
	if ana.Subject != "2 prompts are waiting for you in Spring hunt" {
		t.Errorf("subject %q", ana.Subject)
	}
	for _, want := range []string{"Hi Ana", "A picture of you on a swing", "Your best joke", link, "your time (Tokyo)"} {
		if !strings.Contains(ana.Text, want) {
			t.Errorf("plain text lacks %q:\n%s", want, ana.Text)
		}
	}
	for _, want := range []string{`href="` + link + `"`, "Hi Ana", "Open my prompts"} {
		if !strings.Contains(ana.HTML, want) {
			t.Errorf("HTML lacks %q:\n%s", want, ana.HTML)
		}
	}
	if got := ana.Header.Get("To"); !strings.Contains(got, "ana@example.com") {
		t.Errorf("To header %q", got)
	}
	recorded := nudges(t, w.app, w.ev.ID)
	if len(recorded) != 3 {
		t.Fatalf("recorded %d nudges, want 3", len(recorded))
	}
	for _, n := range recorded {
		if n.Status != models.NudgeSent || n.Channel != models.ChannelEmail || n.Kind != models.NudgeManual || !n.SentAt.Equal(handlertest.Start) {
			t.Errorf("recorded nudge %+v", n)
		}
	}

	// Within 12 hours nobody is nudged twice about the same prompt.
	w.app.Clock.Advance(11 * time.Hour)
	if page := w.owner.Get(w.nudgesPath).Body.String(); !strings.Contains(page, "emailed 11 h ago") {
		t.Errorf("page does not say Ana was emailed 11 h ago")
	}
	w.owner.PostForm(w.nudgesPath, url.Values{"nudge": {key(w.swing, w.ana)}})
	if page := w.owner.Get(w.nudgesPath).Body.String(); !strings.Contains(page, "1 was nudged about that prompt in the last 12 hours") {
		t.Errorf("second nudge within 12 h was not refused:\n%s", page)
	}
	if n := len(w.smtp.Messages()); n != 2 {
		t.Fatalf("a second nudge within 12 h was delivered (%d messages)", n)
	}
	w.app.Clock.Advance(2 * time.Hour)
	w.owner.PostForm(w.nudgesPath, url.Values{"nudge": {key(w.swing, w.ana)}})
	if n := len(w.smtp.Messages()); n != 3 {
		t.Fatalf("after 13 h a nudge should go again (%d messages)", n)
	}
}

func TestRefusedNudgeIsRecordedAsFailedAndCanBeRetried(t *testing.T) {
	w := newNudgeWorld(t, true)
	w.smtp.Reject("ana@example.com")
	w.owner.PostForm(w.nudgesPath, url.Values{"nudge": {key(w.swing, w.ana), key(w.swing, w.cy)}})
	page := w.owner.Get(w.nudgesPath).Body.String()
	if !strings.Contains(page, "Sent 1 reminder in 1 email.") || !strings.Contains(page, "1 could not be sent") {
		t.Errorf("flash after a refusal:\n%s", page)
	}
	var failed models.Nudge
	if err := w.app.Store.DB().Where("participant_id = ?", w.ana.ID).First(&failed).Error; err != nil {
		t.Fatal(err)
	}
	if failed.Status != models.NudgeFailed || !strings.Contains(failed.Error, "no such user") {
		t.Errorf("refused nudge recorded as %s %q", failed.Status, failed.Error)
	}
	// A failed nudge does not count against the 12 hours.
	if !strings.Contains(page, fmt.Sprintf(`value="%s" form="nudge-form" checked`, key(w.swing, w.ana))) {
		t.Errorf("Ana cannot be nudged again after a failure")
	}
}

func TestModeratorsSeeWhoIsMissingButNoLinksAndCannotSend(t *testing.T) {
	w := newNudgeWorld(t, true)
	mod := w.app.Organizer("mo@example.com", "Mo")
	if err := w.app.Store.DB().Create(&models.EventOrganizer{EventID: w.ev.ID, OrganizerID: mod.ID, Role: models.RoleModerator}).Error; err != nil {
		t.Fatal(err)
	}
	c := w.app.Client()
	c.SignIn("mo@example.com")
	rec := c.Get(w.nudgesPath)
	body := rec.Body.String()
	if rec.Code != http.StatusOK || !strings.Contains(body, ">Bo<") {
		t.Fatalf("moderator's nudges page: %d\n%s", rec.Code, body)
	}
	if strings.Contains(body, "/r/") || strings.Contains(body, `name="nudge"`) || strings.Contains(body, "nudge-form") {
		t.Errorf("moderator sees personal links or the send form:\n%s", body)
	}
	rec = c.PostForm(w.nudgesPath, url.Values{"nudge": {key(w.swing, w.ana)}})
	if rec.Code != http.StatusForbidden || len(w.smtp.Messages()) != 0 {
		t.Fatalf("moderator sending: %d, %d messages; want 403 and none", rec.Code, len(w.smtp.Messages()))
	}
	// Another event's id is not found, as everywhere on the dashboard.
	other := w.app.Event(mod, "Mo's own", "UTC")
	if rec := w.owner.Get(fmt.Sprintf("/dashboard/events/%d/nudges", other.ID)); rec.Code != http.StatusNotFound {
		t.Errorf("nudges of someone else's event: %d, want 404", rec.Code)
	}
}

func TestWithoutSMTPTheNudgesPageOffersLinksOnly(t *testing.T) {
	w := newNudgeWorld(t, false)
	body := w.owner.Get(w.nudgesPath).Body.String()
	if !strings.Contains(body, "Email is off") || !strings.Contains(body, "http://retreat.test/r/"+w.ana.ReturnToken) {
		t.Errorf("page without SMTP:\n%s", body)
	}
	if strings.Contains(body, "checked") {
		t.Errorf("checkboxes are ticked although email is off")
	}
	rec := w.owner.PostForm(w.nudgesPath, url.Values{"nudge": {key(w.swing, w.ana)}})
	if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), "Email is not set up") {
		t.Fatalf("send without SMTP: %d\n%s", rec.Code, rec.Body.String())
	}
	if n := len(nudges(t, w.app, w.ev.ID)); n != 0 {
		t.Errorf("recorded %d nudges without SMTP", n)
	}
}

func TestSendingNudgesWithNobodyTickedIsRefused(t *testing.T) {
	w := newNudgeWorld(t, true)
	for name, form := range map[string]url.Values{
		"nothing ticked": nil,
		"unreadable":     {"nudge": {"", "swing:ana", ":"}},
	} {
		rec := w.owner.PostForm(w.nudgesPath, form)
		body := rec.Body.String()
		// The page comes back with the message and the list to tick from.
		if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(body, "Tick at least one person to nudge.") ||
			!strings.Contains(body, fmt.Sprintf(`value="%s" form="nudge-form"`, key(w.swing, w.ana))) {
			t.Errorf("%s: got %d, want 422 with the message and the list\n%s", name, rec.Code, body)
		}
	}
	if n, m := len(nudges(t, w.app, w.ev.ID)), len(w.smtp.Messages()); n != 0 || m != 0 {
		t.Errorf("%d nudges recorded and %d emails sent, want none", n, m)
	}
}
