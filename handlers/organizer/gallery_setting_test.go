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

// TestGalleryOpensAndClosesFromTheSettingsForm: the "participants see each
// other's photos" box on the event's settings form is what opens the
// participants' gallery, and unticking it closes it again.
func TestGalleryOpensAndClosesFromTheSettingsForm(t *testing.T) {
	app, ana, _, ev, base := lisbonHunt(t)
	photo := app.Prompt(ev, models.KindPhoto, "A picture of you on a swing", nil, nil)
	bea, cy := app.Client(), app.Client()
	bea.Join(ev, "Bea")
	cy.Join(ev, "Cy")
	if rec := bea.Upload(handlertest.AnswerPath(ev, photo), "On the swing", handlertest.PhotoPath(t, "orient-1.jpg")); rec.Code != http.StatusSeeOther {
		t.Fatalf("Bea's upload: %d\n%s", rec.Code, rec.Body.String())
	}
	list, err := app.Store.ReviewQueue(t.Context(), ev.ID, models.ReviewFilter{})
	if err != nil || len(list) != 1 {
		t.Fatalf("answers: %v %v", list, err)
	}
	gallery := fmt.Sprintf("/e/%d/gallery", ev.ID)
	thumb := fmt.Sprintf("/e/%d/photos/%d/thumb", ev.ID, list[0].ID)
	closed := func(when string) {
		t.Helper()
		if rec := cy.Get(gallery); rec.Code != http.StatusNotFound {
			t.Errorf("%s: Cy's gallery got %d, want 404", when, rec.Code)
		}
		if rec := cy.Get(thumb); rec.Code != http.StatusNotFound {
			t.Errorf("%s: Bea's photo for Cy got %d, want 404", when, rec.Code)
		}
		if strings.Contains(cy.Get(fmt.Sprintf("/e/%d", ev.ID)).Body.String(), gallery) {
			t.Errorf("%s: Cy's prompt list links to the gallery", when)
		}
	}
	closed("by default")
	wantResponse(t, "settings page", ana.Get(base+"/edit"), http.StatusOK, `<input type="checkbox" name="gallery_open">`)

	// The event's settings as they are, plus the box.
	form := url.Values{"name": {"Spring hunt"}, "time_zone": {"Europe/Lisbon"}, "starts_at": {"2026-12-01T12:00"},
		"ends_at": {"2026-12-05T12:00"}, "retention_days": {"0"}, "gallery_open": {"on"}}
	if rec := ana.PostForm(base, form); rec.Code != http.StatusSeeOther {
		t.Fatalf("save with the gallery open: %d\n%s", rec.Code, rec.Body.String())
	}
	if stored, _ := app.Store.Event(t.Context(), ev.ID); !stored.GalleryOpen {
		t.Fatalf("gallery_open not stored")
	}
	wantResponse(t, "settings page after opening", ana.Get(base+"/edit"), http.StatusOK, `name="gallery_open" checked`)
	wantResponse(t, "Cy's prompt list", cy.Get(fmt.Sprintf("/e/%d", ev.ID)), http.StatusOK, `href="`+gallery+`"`)
	wantResponse(t, "Cy's gallery", cy.Get(gallery), http.StatusOK, thumb)
	if rec := cy.Get(thumb); rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "image/jpeg" {
		t.Errorf("Bea's photo for Cy with the gallery open: %d %s", rec.Code, rec.Header().Get("Content-Type"))
	}

	// A form without the box (unticked) closes it again.
	form.Del("gallery_open")
	if rec := ana.PostForm(base, form); rec.Code != http.StatusSeeOther {
		t.Fatalf("save with the gallery closed: %d\n%s", rec.Code, rec.Body.String())
	}
	closed("after closing")
}
