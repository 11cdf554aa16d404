package organizer_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"retreat/handlers/handlertest"
	"retreat/models"
)

// lateBadge is how the dashboard marks an answer sent in a prompt's grace
// window (the prompts below keep half the points).
const lateBadge = `<span class="badge late" title="late: 50% of the points">late</span>`

// bodyBetween returns the part of body from the first start to the next end
// after it, failing if either is missing.
func bodyBetween(t *testing.T, body, start, end string) string {
	t.Helper()
	i := strings.Index(body, start)
	if i < 0 {
		t.Fatalf("page has no %q", start)
	}
	j := strings.Index(body[i:], end)
	if j < 0 {
		t.Fatalf("page has no %q after %q", end, start)
	}
	return body[i : i+j]
}

// TestLateAnswersAreMarkedOnEveryDashboardPage: Bea answers a prompt in
// its grace window (it closed an hour ago and takes late answers at half
// points for three hours) and another one on time; Cy answers on time.
// The grid, the activity feed (page and JSON), the overview and the
// review queue mark Bea's late answer, and only it.
func TestLateAnswersAreMarkedOnEveryDashboardPage(t *testing.T) {
	app := handlertest.New(t)
	o := app.Organizer("ana@example.com", "Ana")
	ev := app.Event(o, "Spring hunt", "Europe/Lisbon")
	now := app.Clock.Now()
	sunrise, err := app.Store.CreatePrompt(t.Context(), ev, models.PromptInput{Kind: models.KindText, Title: "Describe the sunrise",
		Points: 10, ClosesAt: handlertest.Ptr(now.Add(-time.Hour)), GraceMinutes: 180, LatePercent: 50})
	if err != nil {
		t.Fatal(err)
	}
	joke := app.Prompt(ev, models.KindText, "Your best joke", nil, nil)
	bea, cy := app.Client(), app.Client()
	bea.Join(ev, "Bea")
	cy.Join(ev, "Cy")
	for _, a := range []struct {
		c    *handlertest.Client
		p    *models.Prompt
		text string
	}{{bea, joke, "Knock knock"}, {bea, sunrise, "Pink over the river"}, {cy, joke, "Why did the chicken"}} {
		app.Clock.Advance(time.Minute)
		if rec := a.c.PostForm(handlertest.AnswerPath(ev, a.p), url.Values{"text": {a.text}}); rec.Code != http.StatusSeeOther {
			t.Fatalf("answer %q: got %d\n%s", a.text, rec.Code, rec.Body.String())
		}
	}
	id := func(name string, p *models.Prompt) uint {
		t.Helper()
		list, err := app.Store.ReviewQueue(t.Context(), ev.ID, models.ReviewFilter{PromptID: p.ID})
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
	lateID, beaJoke, cyJoke := id("Bea", sunrise), id("Bea", joke), id("Cy", joke)
	if s, err := app.Store.EventSubmission(t.Context(), ev.ID, lateID); err != nil || !s.Late {
		t.Fatalf("Bea's sunrise answer is not stored as late: %+v %v", s, err)
	}
	ana := app.Client()
	ana.SignIn("ana@example.com")
	base := fmt.Sprintf("/dashboard/events/%d", ev.ID)

	t.Run("progress grid", func(t *testing.T) {
		body := ana.Get(base + "/progress").Body.String()
		grid := bodyBetween(t, body, `<table class="progress-grid">`, "</table>")
		if n := strings.Count(grid, lateBadge); n != 1 {
			t.Errorf("grid has %d late badges, want 1 (Bea's sunrise)", n)
		}
		// The badge sits in Bea's sunrise cell, which says so to screen readers.
		cell := bodyBetween(t, grid, "Bea answered Describe the sunrise", "</td>")
		if !strings.Contains(cell, lateBadge) || !strings.Contains(cell, "Pink over the river (late: 50% of the points)") {
			t.Errorf("Bea's sunrise cell is not marked late:\n%s", cell)
		}
		if !strings.Contains(body, "marks an answer sent in the grace window") {
			t.Errorf("the grid's legend does not explain the late badge")
		}
		// The feed as the page first shows it.
		feed := bodyBetween(t, body, "<ol class=\"feed\"", "</ol>")
		if n := strings.Count(feed, lateBadge); n != 1 {
			t.Errorf("feed on the page has %d late badges, want 1", n)
		}
		item := bodyBetween(t, feed, fmt.Sprintf("#sub-%d", lateID), "</li>")
		if !strings.Contains(item, lateBadge) {
			t.Errorf("Bea's late answer in the feed lacks the badge:\n%s", item)
		}
	})

	t.Run("feed JSON", func(t *testing.T) {
		for _, after := range []uint{0, beaJoke} {
			c := app.Client()
			c.SignIn("ana@example.com")
			c.Accept = "application/json"
			rec := c.Get(fmt.Sprintf("%s/progress/feed?after=%d", base, after))
			var feed struct {
				Items []struct {
					ID       uint   `json:"id"`
					Late     bool   `json:"late"`
					LateNote string `json:"late_note"`
				} `json:"items"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &feed); err != nil || rec.Code != http.StatusOK {
				t.Fatalf("feed after %d: %d %v\n%s", after, rec.Code, err, rec.Body.String())
			}
			seen := 0
			for _, it := range feed.Items {
				want := it.ID == lateID
				if it.Late != want || (it.LateNote == "late: 50% of the points") != want {
					t.Errorf("feed after %d: answer %d late %v %q, want late %v", after, it.ID, it.Late, it.LateNote, want)
				}
				if it.ID == lateID || it.ID == cyJoke {
					seen++
				}
			}
			if seen != 2 {
				t.Errorf("feed after %d: %d items, want Bea's late answer and Cy's", after, len(feed.Items))
			}
		}
	})

	t.Run("overview", func(t *testing.T) {
		body := ana.Get(base).Body.String()
		late := bodyBetween(t, body, fmt.Sprintf(`id="prompt-%d"`, sunrise.ID), "</article>")
		if !strings.Contains(late, lateBadge) {
			t.Errorf("overview: Bea's late answer is not marked:\n%s", late)
		}
		if onTime := bodyBetween(t, body, fmt.Sprintf(`id="prompt-%d"`, joke.ID), "</article>"); strings.Contains(onTime, "badge late") {
			t.Errorf("overview marks on-time answers late:\n%s", onTime)
		}
	})

	t.Run("review queue", func(t *testing.T) {
		body := ana.Get(base + "/review").Body.String()
		item := bodyBetween(t, body, fmt.Sprintf(`id="sub-%d"`, lateID), "</li>")
		if !strings.Contains(item, `<span class="late-note">late: 50% of the points</span>`) || !strings.Contains(item, "5 points") {
			t.Errorf("review queue: Bea's late answer is not marked (or not at half points):\n%s", item)
		}
		for _, id := range []uint{beaJoke, cyJoke} {
			if item := bodyBetween(t, body, fmt.Sprintf(`id="sub-%d"`, id), "</li>"); strings.Contains(item, "late-note") {
				t.Errorf("review queue marks on-time answer %d late", id)
			}
		}
	})
}
