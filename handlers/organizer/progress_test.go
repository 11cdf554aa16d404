package organizer_test

import (
	"net/http"
	"net/url"
	"regexp"
	"testing"
	"time"

	"retreat/handlers/handlertest"
	"retreat/models"
)

var activityRE = regexp.MustCompile(`(?s)<th scope="row" class="who">([^<]+)(?:<span[^>]*>[^<]*</span>)?</th>.*?<td class="activity">([^<]*)</td>`)

// activities reads the progress grid's "last activity" column by name.
func activities(body string) map[string]string {
	out := map[string]string{}
	for _, m := range activityRE.FindAllStringSubmatch(body, -1) {
		out[m[1]] = m[2]
	}
	return out
}

// TestProgressShowsLastActivity: a person's last activity is their latest
// answer or page view, whichever came last, in the organizer's zone with
// the event's beside it when they differ.
func TestProgressShowsLastActivity(t *testing.T) {
	app, ana, _, ev, base := lisbonHunt(t)
	joke := app.Prompt(ev, models.KindText, "Your best joke", nil, nil)
	// The clock is Wed 2 Dec 12:00 UTC, 12:00 in Lisbon.
	bea, cy, dee := app.Client(), app.Client(), app.Client()
	bea.Join(ev, "Bea")
	if rec := bea.PostForm(handlertest.AnswerPath(ev, joke), url.Values{"text": {"Knock knock"}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("Bea's answer: %d", rec.Code)
	}
	app.Clock.Advance(2*time.Hour + 15*time.Minute)
	cy.Join(ev, "Cy")
	app.Clock.Advance(5 * time.Minute)
	if rec := cy.PostForm(handlertest.AnswerPath(ev, joke), url.Values{"text": {"Why did the chicken"}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("Cy's answer: %d", rec.Code)
	}
	// Dee joins and only looks around, a while later.
	app.Clock.Advance(25 * time.Minute)
	dee.Join(ev, "Dee")
	app.Clock.Advance(10 * time.Minute)
	dee.Get("/e/" + itoa(ev.ID))
	app.Clock.Advance(time.Hour)

	rec := ana.Get(base + "/progress")
	if rec.Code != http.StatusOK {
		t.Fatalf("progress: %d", rec.Code)
	}
	want := map[string]string{"Bea": "today 12:00", "Cy": "today 14:20", "Dee": "today 14:55"}
	got := activities(rec.Body.String())
	for name, w := range want {
		if got[name] != w {
			t.Errorf("last activity of %s: got %q, want %q", name, got[name], w)
		}
	}
	if len(got) != len(want) {
		t.Errorf("activity rows: %v, want %v", got, want)
	}

	// An organizer whose browser is in Tokyo reads it in Tokyo time, with
	// Lisbon's beside it: it is already Thursday there.
	tokyo := app.Client()
	tokyo.SignIn("ana@example.com")
	req, _ := http.NewRequest(http.MethodGet, base+"/progress", nil)
	req.AddCookie(&http.Cookie{Name: "tz", Value: "Asia/Tokyo"})
	if got, want := activities(tokyo.Do(req).Body.String())["Cy"], "yesterday 23:20 · 14:20 in Lisbon"; got != want {
		t.Errorf("Cy's last activity in Tokyo: got %q, want %q", got, want)
	}
}
