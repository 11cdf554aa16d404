package participant_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"

	"retreat/handlers/handlertest"
	"retreat/models"
)

// TestCalendarHasEachPromptOpeningInTheParticipantsZone downloads the .ics
// of a Tokyo and a New York participant and reads it back with the same
// library: the daily prompt opens at 08:00 on each one's own clock, the
// fixed one at the same instant for both, each written in their zone.
func TestCalendarHasEachPromptOpeningInTheParticipantsZone(t *testing.T) {
	app := handlertest.New(t)
	o := app.Organizer("owner@example.com", "Olga")
	ev := app.Event(o, "Spring hunt", "Europe/London") // from Tue 1 Dec 12:00 UTC
	ctx := context.Background()
	daily, err := app.Store.CreatePrompt(ctx, ev, models.PromptInput{Kind: models.KindPhoto, Title: "Breakfast view",
		Description: "Whatever is in front of you.", Schedule: models.ScheduleDaily, DailyDay: 2, DailyMinute: 8 * 60, DailyDays: 1})
	if err != nil {
		t.Fatal(err)
	}
	opens := time.Date(2026, 12, 3, 15, 0, 0, 0, time.UTC)
	fixed := app.Prompt(ev, models.KindText, "Your best joke", &opens, handlertest.Ptr(opens.Add(24*time.Hour)))

	for _, tc := range []struct {
		zone        string
		dailyStart  string // DTSTART as written, in the zone
		fixedStart  string
		dailyOpenAt time.Time
	}{
		{"Asia/Tokyo", "20261202T080000", "20261204T000000", time.Date(2026, 12, 1, 23, 0, 0, 0, time.UTC)},
		{"America/New_York", "20261202T080000", "20261203T100000", time.Date(2026, 12, 2, 13, 0, 0, 0, time.UTC)},
	} {
		t.Run(tc.zone, func(t *testing.T) {
			c := app.Client()
			if rec := c.PostForm("/j/"+ev.JoinToken, url.Values{"name": {tc.zone}, "time_zone": {tc.zone}}); rec.Code != http.StatusSeeOther {
				t.Fatalf("join: %d", rec.Code)
			}
			rec := c.Get(fmt.Sprintf("/e/%d/calendar.ics", ev.ID))
			if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/calendar") {
				t.Fatalf("calendar: %d %q\n%s", rec.Code, rec.Header().Get("Content-Type"), rec.Body.String())
			}
			cal, err := ics.ParseCalendar(bytes.NewReader(rec.Body.Bytes()))
			if err != nil {
				t.Fatalf("parse the calendar back: %v\n%s", err, rec.Body.String())
			}
			tzs := cal.Timezones()
			if len(tzs) != 1 || tzs[0].GetProperty(ics.ComponentPropertyTzid).Value != tc.zone {
				t.Errorf("VTIMEZONE: %d of them, want one for %s", len(tzs), tc.zone)
			}
			events := map[string]*ics.VEvent{}
			for _, e := range cal.Events() {
				events[e.GetProperty(ics.ComponentPropertySummary).Value] = e
			}
			if len(events) != 2 {
				t.Fatalf("calendar has %d events, want one per prompt", len(cal.Events()))
			}
			zone, _ := time.LoadLocation(tc.zone)
			for title, want := range map[string]struct {
				raw    string
				at     time.Time
				prompt *models.Prompt
			}{
				"Breakfast view": {tc.dailyStart, tc.dailyOpenAt, daily},
				"Your best joke": {tc.fixedStart, opens, fixed},
			} {
				e := events[title]
				if e == nil {
					t.Fatalf("no event %q", title)
				}
				start := e.GetProperty(ics.ComponentPropertyDtStart)
				if start.Value != want.raw || start.ICalParameters["TZID"][0] != tc.zone {
					t.Errorf("%s DTSTART %v %q, want TZID=%s:%s", title, start.ICalParameters, start.Value, tc.zone, want.raw)
				}
				got, err := e.GetStartAt()
				if err != nil || !got.Equal(want.at) {
					t.Errorf("%s starts %v (%v), want %v", title, got, err, want.at)
				}
				if wo, _ := want.prompt.Window(ev, zone); !wo.Equal(want.at) {
					t.Errorf("%s: the model opens it at %v", title, wo)
				}
				if u := e.GetProperty(ics.ComponentPropertyUrl).Value; u != fmt.Sprintf("http://retreat.test/e/%d/prompts/%d", ev.ID, want.prompt.ID) {
					t.Errorf("%s URL %q", title, u)
				}
			}
			if d := events["Breakfast view"].GetProperty(ics.ComponentPropertyDescription).Value; !strings.Contains(d, "Whatever is in front of you.") {
				t.Errorf("description %q", d)
			}
		})
	}
	if rec := app.Client().Get(fmt.Sprintf("/e/%d/calendar.ics", ev.ID)); rec.Code != http.StatusNotFound {
		t.Errorf("calendar without joining: %d, want 404", rec.Code)
	}
}

func TestEmailIsOptionalOnJoinAndEditable(t *testing.T) {
	app := handlertest.New(t)
	o := app.Organizer("owner@example.com", "Olga")
	ev := app.Event(o, "Spring hunt", "UTC")
	c := app.Client()
	rec := c.PostForm("/j/"+ev.JoinToken, url.Values{"name": {"Ana"}, "email": {"ana@gmail"}})
	if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), "look like an email address") ||
		!strings.Contains(rec.Body.String(), `value="ana@gmail"`) || !strings.Contains(rec.Body.String(), `value="Ana"`) {
		t.Fatalf("join with a bad email: %d\n%s", rec.Code, rec.Body.String())
	}
	if rec := c.PostForm("/j/"+ev.JoinToken, url.Values{"name": {"Ana"}, "email": {" Ana <ana@example.com> "}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("join with an email: %d\n%s", rec.Code, rec.Body.String())
	}
	email := func() string {
		list, err := app.Store.Participants(context.Background(), ev.ID)
		if err != nil || len(list) != 1 {
			t.Fatalf("participants: %v %v", list, err)
		}
		return list[0].Email
	}
	if got := email(); got != "ana@example.com" {
		t.Fatalf("stored email %q", got)
	}
	me := fmt.Sprintf("/e/%d/me", ev.ID)
	if body := c.Get(me).Body.String(); !strings.Contains(body, `value="ana@example.com"`) || !strings.Contains(body, "/calendar.ics") {
		t.Errorf("me page lacks the email or the calendar link")
	}
	rec = c.PostForm(me+"/email", url.Values{"email": {"not an email"}})
	if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), `value="not an email"`) {
		t.Fatalf("bad email on me: %d", rec.Code)
	}
	if got := email(); got != "ana@example.com" {
		t.Fatalf("a refused email changed the stored one to %q", got)
	}
	if rec := c.PostForm(me+"/email", url.Values{"email": {"ana@work.example"}}); rec.Code != http.StatusSeeOther || email() != "ana@work.example" {
		t.Fatalf("change email: %d, stored %q", rec.Code, email())
	}
	if rec := c.PostForm(me+"/email", url.Values{"email": {""}}); rec.Code != http.StatusSeeOther || email() != "" {
		t.Fatalf("remove email: %d, stored %q", rec.Code, email())
	}
	// Joining without one is fine.
	if rec := app.Client().PostForm("/j/"+ev.JoinToken, url.Values{"name": {"Bo"}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("join without email: %d", rec.Code)
	}
}
