package organizer_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// TestHomeLeadsAPhoneBackToItsEvents: a participant who lost their tab and
// opens the site finds the events their phone joined on the start page,
// each linking to their prompts; a stranger's start page lists none, and
// an event the phone was removed from drops off.
func TestHomeLeadsAPhoneBackToItsEvents(t *testing.T) {
	app, ana, org, ev, base := lisbonHunt(t)
	summit := app.Event(org, "Winter summit", "Asia/Tokyo")
	bea := app.Client()
	bea.Join(ev, "Bea")
	bea.Join(summit, "Bea T.")

	rec := bea.Get("/")
	wantResponse(t, "Bea's start page", rec, http.StatusOK, "On this phone",
		fmt.Sprintf(`href="/e/%d"`, ev.ID), "Spring hunt", "as Bea ",
		fmt.Sprintf(`href="/e/%d"`, summit.ID), "Winter summit", "as Bea T.")
	if body := app.Client().Get("/").Body.String(); strings.Contains(body, "On this phone") || strings.Contains(body, "Spring hunt") {
		t.Errorf("a stranger's start page lists events:\n%s", body)
	}

	list := eventParticipants(t, app, ev)
	if rec := ana.PostForm(fmt.Sprintf("%s/people/%d/remove", base, list[0].ID), nil); rec.Code != http.StatusSeeOther {
		t.Fatalf("remove Bea: %d", rec.Code)
	}
	body := bea.Get("/").Body.String()
	if strings.Contains(body, fmt.Sprintf(`href="/e/%d"`, ev.ID)) || !strings.Contains(body, "Winter summit") {
		t.Errorf("after Bea's removal from Spring hunt, her start page should list only Winter summit:\n%s", body)
	}
}
