package organizer_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"retreat/handlers/handlertest"
	"retreat/models"
)

// TestRotatingTheJoinLinkStopsOnlyTheOldLink: after "Replace link" the old
// join link is a 404 that says it may have been replaced (as a page, for
// the phone that opens it), the new link joins, and everyone who already
// joined carries on, on their phone and with their personal link.
func TestRotatingTheJoinLinkStopsOnlyTheOldLink(t *testing.T) {
	app, ana, _, ev, base := lisbonHunt(t)
	joke := app.Prompt(ev, models.KindText, "Your best joke", nil, nil)
	bea := app.Client()
	bea.Join(ev, "Bea")
	old := ev.JoinToken
	list := eventParticipants(t, app, ev)
	if len(list) != 1 {
		t.Fatalf("participants: %v", list)
	}
	personal := "/r/" + list[0].ReturnToken

	// Without the CSRF token nothing changes.
	if rec := ana.PostRaw(base+"/rotate-link", "application/x-www-form-urlencoded", strings.NewReader("")); rec.Code != http.StatusForbidden {
		t.Errorf("rotate without a token: got %d, want 403", rec.Code)
	}
	rec := ana.PostForm(base+"/rotate-link", nil)
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != base {
		t.Fatalf("rotate: got %d %q", rec.Code, rec.Header().Get("Location"))
	}
	stored, err := app.Store.Event(t.Context(), ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	fresh := stored.JoinToken
	if fresh == old || fresh == "" {
		t.Fatalf("join token after rotating: %q (was %q)", fresh, old)
	}
	body := ana.Get(base).Body.String()
	if !strings.Contains(body, "The join link was replaced") || !strings.Contains(body, "/j/"+fresh) || strings.Contains(body, "/j/"+old) {
		t.Errorf("overview after rotating: want the flash and only the new link")
	}

	// The old link, opened or posted to, is a page saying what happened.
	stranger := app.Client()
	for _, r := range []struct {
		what string
		do   func() (int, string, string)
	}{
		{"open the old link", func() (int, string, string) {
			rec := stranger.Get("/j/" + old)
			return rec.Code, rec.Header().Get("Content-Type"), rec.Body.String()
		}},
		{"join through the old link", func() (int, string, string) {
			rec := stranger.PostForm("/j/"+old, url.Values{"name": {"Cy"}, "time_zone": {"UTC"}})
			return rec.Code, rec.Header().Get("Content-Type"), rec.Body.String()
		}},
		{"Bea opens the old link again", func() (int, string, string) {
			rec := bea.Get("/j/" + old)
			return rec.Code, rec.Header().Get("Content-Type"), rec.Body.String()
		}},
	} {
		code, ctype, body := r.do()
		if code != http.StatusNotFound || !strings.HasPrefix(ctype, "text/html") ||
			!strings.Contains(body, "This join link doesn&#39;t work (it may have been replaced). Ask your organizer for the current link.") {
			t.Errorf("%s: got %d %s, want a 404 page saying it may have been replaced\n%s", r.what, code, ctype, body)
		}
	}
	if n := len(eventParticipants(t, app, ev)); n != 1 {
		t.Errorf("%d participants after joining through the old link, want 1", n)
	}
	// Bea's phone, which joined before, is shown the way to its prompts;
	// the stranger's is not.
	if body := bea.Get("/j/" + old).Body.String(); !strings.Contains(body, fmt.Sprintf(`href="/e/%d"`, ev.ID)) || !strings.Contains(body, "as Bea") {
		t.Errorf("the old link on Bea's phone does not lead to her prompts:\n%s", body)
	}
	if body := stranger.Get("/j/" + old).Body.String(); strings.Contains(body, "On this phone") {
		t.Errorf("the old link on a stranger's phone lists events:\n%s", body)
	}

	// The new link joins.
	cy := app.Client()
	if rec := cy.Get("/j/" + fresh); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "Spring hunt") {
		t.Errorf("open the new link: got %d", rec.Code)
	}
	rec = cy.PostForm("/j/"+fresh, url.Values{"name": {"Cy"}, "time_zone": {"UTC"}})
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != fmt.Sprintf("/e/%d", ev.ID) {
		t.Fatalf("join through the new link: got %d %q", rec.Code, rec.Header().Get("Location"))
	}

	// Bea's phone is still in: it shows her prompts and takes her answer.
	list1 := fmt.Sprintf("/e/%d", ev.ID)
	if rec := bea.Get(list1); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "Hi Bea") {
		t.Errorf("Bea's prompt list after rotating: got %d", rec.Code)
	}
	if rec := bea.PostForm(handlertest.AnswerPath(ev, joke), url.Values{"text": {"Knock knock"}}); rec.Code != http.StatusSeeOther {
		t.Errorf("Bea answers after rotating: got %d", rec.Code)
	}
	// Her personal link signs her in on another device.
	laptop := app.Client()
	rec = laptop.Get(personal)
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != list1 {
		t.Fatalf("personal link after rotating: got %d %q", rec.Code, rec.Header().Get("Location"))
	}
	if rec := laptop.Get(list1); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "Hi Bea") {
		t.Errorf("prompt list through the personal link: got %d", rec.Code)
	}
	if n := len(eventParticipants(t, app, ev)); n != 2 {
		t.Errorf("%d participants, want Bea and Cy", n)
	}
}

func eventParticipants(t *testing.T, app *handlertest.App, ev *models.Event) []models.Participant {
	t.Helper()
	list, err := app.Store.Participants(t.Context(), ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	return list
}
