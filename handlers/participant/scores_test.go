package participant_test

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"retreat/handlers/handlertest"
	"retreat/models"
)

// answerID returns the id of name's answer to p.
func answerID(t *testing.T, app *handlertest.App, ev *models.Event, p *models.Prompt, name string) uint {
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

func setGallery(t *testing.T, app *handlertest.App, ev *models.Event, open bool) {
	t.Helper()
	if err := app.Store.DB().Model(&models.Event{}).Where("id = ?", ev.ID).Update("gallery_open", open).Error; err != nil {
		t.Fatal(err)
	}
}

func TestHiddenPhotosVanishForOthersAndTheGalleryFollowsTheSetting(t *testing.T) {
	app, ev, photo, _ := hunt(t)
	bea, cy := app.Client(), app.Client()
	bea.Join(ev, "Bea")
	cy.Join(ev, "Cy")
	for _, u := range []struct {
		c    *handlertest.Client
		file string
	}{{bea, "orient-1.jpg"}, {cy, "grayscale.jpg"}} {
		if rec := u.c.Upload(handlertest.AnswerPath(ev, photo), "mine", handlertest.PhotoPath(t, u.file)); rec.Code != http.StatusSeeOther {
			t.Fatalf("upload: got %d\n%s", rec.Code, rec.Body.String())
		}
	}
	beaID, cyID := answerID(t, app, ev, photo, "Bea"), answerID(t, app, ev, photo, "Cy")
	gallery := fmt.Sprintf("/e/%d/gallery", ev.ID)
	thumb := func(id uint) string { return fmt.Sprintf("/e/%d/photos/%d/thumb", ev.ID, id) }

	// Closed by default: no gallery, no link to it, and nobody else's photo.
	if rec := cy.Get(gallery); rec.Code != http.StatusNotFound {
		t.Errorf("gallery while closed: got %d, want 404", rec.Code)
	}
	if body := cy.Get(fmt.Sprintf("/e/%d", ev.ID)).Body.String(); strings.Contains(body, gallery) {
		t.Errorf("the prompt list links to a closed gallery")
	}
	if rec := cy.Get(thumb(beaID)); rec.Code != http.StatusNotFound {
		t.Errorf("another's photo while the gallery is closed: got %d, want 404", rec.Code)
	}

	setGallery(t, app, ev, true)
	body := cy.Get(gallery).Body.String()
	if !strings.Contains(body, fmt.Sprintf("/photos/%d/thumb", beaID)) || !strings.Contains(body, fmt.Sprintf("/photos/%d/thumb", cyID)) {
		t.Fatalf("open gallery lacks the photos:\n%s", body)
	}
	if rec := cy.Get(thumb(beaID)); rec.Code != http.StatusOK {
		t.Errorf("another's photo with the gallery open: got %d, want 200", rec.Code)
	}

	// Ana hides Bea's photo: it is gone for Cy everywhere, URL included.
	if _, err := app.Store.SetHidden(t.Context(), ev.ID, beaID, true); err != nil {
		t.Fatal(err)
	}
	body = cy.Get(gallery).Body.String()
	if strings.Contains(body, fmt.Sprintf("/photos/%d/", beaID)) {
		t.Errorf("the gallery still shows a hidden photo")
	}
	for _, size := range []string{"thumb", "phone", "full"} {
		if rec := cy.Get(fmt.Sprintf("/e/%d/photos/%d/%s", ev.ID, beaID, size)); rec.Code != http.StatusNotFound {
			t.Errorf("hidden photo %s for another participant: got %d, want 404", size, rec.Code)
		}
	}
	// Bea still sees her own, marked hidden and scoring nothing.
	if rec := bea.Get(thumb(beaID)); rec.Code != http.StatusOK {
		t.Errorf("Bea's own hidden photo: got %d, want 200", rec.Code)
	}
	body = bea.Get(fmt.Sprintf("/e/%d/prompts/%d", ev.ID, photo.ID)).Body.String()
	if !strings.Contains(body, "Hidden by the organizer") || !strings.Contains(body, "<strong>0 points</strong>") {
		t.Errorf("Bea's prompt page does not say her photo is hidden:\n%s", body)
	}
	if body := bea.Get(gallery).Body.String(); strings.Contains(body, fmt.Sprintf("/photos/%d/", beaID)) {
		t.Errorf("the gallery shows Bea her own hidden photo among everyone's")
	}

	// Another event's participant sees nothing of this one.
	o2 := app.Organizer("bo@example.com", "Bo")
	ev2 := app.Event(o2, "Other", "UTC")
	dee := app.Client()
	dee.Join(ev2, "Dee")
	for _, path := range []string{gallery, thumb(cyID), fmt.Sprintf("/e/%d/scores", ev.ID), fmt.Sprintf("/e/%d/photos/%d/thumb", ev2.ID, cyID)} {
		if rec := dee.Get(path); rec.Code != http.StatusNotFound {
			t.Errorf("GET %s from another event: got %d, want 404", path, rec.Code)
		}
	}
}

func TestParticipantSeesPointsEarnedLateAndBonus(t *testing.T) {
	app, ev, _, text := hunt(t)
	now := app.Clock.Now()
	// A prompt that closed an hour ago, taking late answers for two more
	// hours at half points.
	late, err := app.Store.CreatePrompt(t.Context(), ev, models.PromptInput{Kind: models.KindText, Title: "Yesterday's sunrise",
		Points: 15, ClosesAt: handlertest.Ptr(now.Add(-time.Hour)), GraceMinutes: 180, LatePercent: 50})
	if err != nil {
		t.Fatal(err)
	}
	bea := app.Client()
	bea.Join(ev, "Bea")
	for _, p := range []*models.Prompt{text, late} {
		if rec := bea.PostForm(handlertest.AnswerPath(ev, p), url.Values{"text": {"an answer"}}); rec.Code != http.StatusSeeOther {
			t.Fatalf("answer %q: got %d\n%s", p.Title, rec.Code, rec.Body.String())
		}
	}
	if _, err := app.Store.AwardBonus(t.Context(), ev.ID, answerID(t, app, ev, text, "Bea"), models.Bonus{Points: 3, Reason: "Made us laugh"}); err != nil {
		t.Fatal(err)
	}
	// Templates escape "+" as "&#43;": read the pages as text.
	page := func(path string) string { return html.UnescapeString(bea.Get(path).Body.String()) }
	list := page(fmt.Sprintf("/e/%d", ev.ID))
	for _, want := range []string{"13 pts · +3 bonus", "7 pts · late"} {
		if !strings.Contains(list, want) {
			t.Errorf("prompt list lacks %q", want)
		}
	}
	body := page(fmt.Sprintf("/e/%d/prompts/%d", ev.ID, late.ID))
	if !strings.Contains(body, "7 points (late: half points)") {
		t.Errorf("late prompt page lacks the half points:\n%s", body)
	}
	body = page(fmt.Sprintf("/e/%d/prompts/%d", ev.ID, text.ID))
	if !strings.Contains(body, "13 points") || !strings.Contains(body, "+3 bonus: Made us laugh") {
		t.Errorf("prompt page lacks the bonus and its reason:\n%s", body)
	}
	body = page(fmt.Sprintf("/e/%d/scores", ev.ID))
	if !strings.Contains(body, "You are 1st of 1 with 20 points.") || strings.Contains(body, "frozen") {
		t.Errorf("scores page:\n%s", body)
	}
}
