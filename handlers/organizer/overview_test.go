package organizer_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"retreat/handlers/handlertest"
	"retreat/models"
)

// TestOverviewShowsAnswerTimesInTheViewersZone: the overview says its
// times are in the organizer's zone, and the answers' times are too.
func TestOverviewShowsAnswerTimesInTheViewersZone(t *testing.T) {
	app, _, _, ev, base := lisbonHunt(t)
	joke := app.Prompt(ev, models.KindText, "Your best joke", nil, nil)
	bea := app.Client()
	bea.Join(ev, "Bea")
	if rec := bea.PostForm(handlertest.AnswerPath(ev, joke), url.Values{"text": {"Knock knock"}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("Bea's answer: %d", rec.Code)
	}
	ana := app.Client()
	ana.SignIn("ana@example.com")
	// Sent Wed 2 Dec 12:00 UTC: 12:00 in Lisbon, 07:00 in New York.
	for zone, want := range map[string]string{
		"":                 `<p class="small meta">today 12:00</p>`,
		"America/New_York": `<p class="small meta">today 07:00 · 12:00 in Lisbon</p>`,
	} {
		req, _ := http.NewRequest(http.MethodGet, base, nil)
		if zone != "" {
			req.AddCookie(&http.Cookie{Name: "tz", Value: zone})
		}
		body := ana.Do(req).Body.String()
		if !strings.Contains(body, want) {
			t.Errorf("overview in %q: lacks %s\n%s", zone, want, bodyBetween(t, body, `<ul class="submissions">`, "</ul>"))
		}
	}
}
