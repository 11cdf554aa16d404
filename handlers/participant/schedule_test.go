package participant_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"retreat/handlers/handlertest"
	"retreat/models"
)

// section is the part of a prompt list page under heading, up to the next one.
func section(body, heading string) string {
	i := strings.Index(body, "<h2>"+heading+"</h2>")
	if i < 0 {
		return ""
	}
	rest := body[i+len(heading)+9:]
	if j := strings.Index(rest, "<h2>"); j >= 0 {
		rest = rest[:j]
	}
	return rest
}

// joinIn joins the event from a browser in zone.
func joinIn(t *testing.T, app *handlertest.App, ev *models.Event, name, zone string) *handlertest.Client {
	t.Helper()
	c := app.Client()
	rec := c.PostForm("/j/"+ev.JoinToken, url.Values{"name": {name}, "time_zone": {zone}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("join as %s: %d\n%s", name, rec.Code, rec.Body.String())
	}
	return c
}

// TestDailyPromptOpensAtEachParticipantsBreakfast: at 12:00 UTC on Wed 2
// Dec, a "day 2 at 08:00" prompt has opened in Tokyo (23:00 UTC the day
// before) but not yet in New York (13:00 UTC), through the real pages.
func TestDailyPromptOpensAtEachParticipantsBreakfast(t *testing.T) {
	app := handlertest.New(t)
	o := app.Organizer("ana@example.com", "Ana")
	ev := app.Event(o, "Spring hunt", "Europe/Lisbon") // Tue 1 Dec 12:00 to Sat 5 Dec 12:00 Lisbon (UTC)
	p, err := app.Store.CreatePrompt(t.Context(), ev, models.PromptInput{Kind: models.KindText, Title: "Your breakfast",
		Schedule: models.ScheduleDaily, DailyDay: 2, DailyMinute: 8 * 60, DailyDays: 1, LatePercent: 50})
	if err != nil {
		t.Fatal(err)
	}
	tokyo := joinIn(t, app, ev, "Kenji", "Asia/Tokyo")
	newYork := joinIn(t, app, ev, "Nora", "America/New_York")
	list := fmt.Sprintf("/e/%d", ev.ID)
	page := fmt.Sprintf("/e/%d/prompts/%d", ev.ID, p.ID)

	body := tokyo.Get(list).Body.String()
	if s := section(body, "Open now"); !strings.Contains(s, "Your breakfast") {
		t.Errorf("Tokyo: the prompt is not open now:\n%s", body)
	}
	// Closes Thu 08:00 in Tokyo, which is 23:00 Wednesday in Lisbon.
	if !strings.Contains(body, "Closes tomorrow 08:00 · 23:00 Wed in Lisbon") {
		t.Errorf("Tokyo: closing time not shown in both zones:\n%s", body)
	}
	rec := tokyo.Get(page)
	if !strings.Contains(rec.Body.String(), "Opens today 08:00 · 23:00 Tue in Lisbon") || !strings.Contains(rec.Body.String(), `name="text"`) {
		t.Errorf("Tokyo: prompt page does not show the window and the answer form:\n%s", rec.Body.String())
	}

	body = newYork.Get(list).Body.String()
	if s := section(body, "Coming up"); !strings.Contains(s, "Your breakfast") || !strings.Contains(s, "Opens today 08:00 · 13:00 in Lisbon") {
		t.Errorf("New York: the prompt is not coming up at 08:00 local:\n%s", body)
	}
	if strings.Contains(section(body, "Open now"), "Your breakfast") {
		t.Error("New York: the prompt is open before breakfast")
	}
	rec = newYork.PostForm(page+"/answer", url.Values{"text": {"Too early"}})
	if rec.Code != http.StatusConflict || !strings.Contains(rec.Body.String(), "not open yet") {
		t.Errorf("New York answering early: %d, want 409 not open yet", rec.Code)
	}
	if rec := tokyo.PostForm(page+"/answer", url.Values{"text": {"Rice and miso"}}); rec.Code != http.StatusSeeOther {
		t.Errorf("Tokyo answering: %d\n%s", rec.Code, rec.Body.String())
	}

	// An hour later it is 08:00 in New York.
	app.Clock.Advance(time.Hour)
	body = newYork.Get(list).Body.String()
	if s := section(body, "Open now"); !strings.Contains(s, "Your breakfast") {
		t.Errorf("New York at 08:00: the prompt is not open:\n%s", body)
	}
}

// TestLateAnswersAreShownAsLate: in the grace window the prompt says late
// answers count for half, and an answer sent then carries a "late" badge.
func TestLateAnswersAreShownAsLate(t *testing.T) {
	app := handlertest.New(t)
	o := app.Organizer("ana@example.com", "Ana")
	ev := app.Event(o, "Spring hunt", "Europe/Lisbon")
	closes := app.Clock.Now().Add(-30 * time.Minute)
	opens := closes.Add(-24 * time.Hour)
	p, err := app.Store.CreatePrompt(t.Context(), ev, models.PromptInput{Kind: models.KindText, Title: "Your desk",
		Points: 10, OpensAt: &opens, ClosesAt: &closes, GraceMinutes: 60, LatePercent: 50})
	if err != nil {
		t.Fatal(err)
	}
	c := joinIn(t, app, ev, "Bea", "Europe/Lisbon")
	list := fmt.Sprintf("/e/%d", ev.ID)
	page := fmt.Sprintf("/e/%d/prompts/%d", ev.ID, p.ID)

	body := c.Get(list).Body.String()
	if s := section(body, "Open now"); !strings.Contains(s, "Your desk") || !strings.Contains(s, `<span class="badge late">Late · 50%</span>`) ||
		!strings.Contains(s, "late answers still count for 50% until today 12:30") {
		t.Errorf("list in the grace window:\n%s", body)
	}
	body = c.Get(page).Body.String()
	if !strings.Contains(body, `<span class="badge late">late · 50%</span>`) || !strings.Contains(body, `name="text"`) {
		t.Errorf("prompt page in the grace window:\n%s", body)
	}
	if rec := c.PostForm(page+"/answer", url.Values{"text": {"Messy"}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("late answer: %d\n%s", rec.Code, rec.Body.String())
	}
	subs, _ := app.Store.ParticipantSubmissions(t.Context(), 1)
	if !subs[p.ID].Late {
		t.Fatal("the answer in the grace window is not marked late")
	}
	body = c.Get(list).Body.String()
	if !strings.Contains(body, `<span class="badge done">Done</span> <span class="badge late">Late · 50%</span>`) {
		t.Errorf("list after a late answer has no late badge:\n%s", body)
	}
	body = c.Get(page).Body.String()
	if !strings.Contains(body, "Sent after the close, so it counts for 50% of the points.") {
		t.Errorf("prompt page after a late answer:\n%s", body)
	}
	// After the grace window: closed, and the answer stays marked late.
	app.Clock.Advance(31 * time.Minute)
	body = c.Get(list).Body.String()
	if s := section(body, "Closed"); !strings.Contains(s, "Your desk") || !strings.Contains(s, "Late · 50%") {
		t.Errorf("list after the grace window:\n%s", body)
	}
}
