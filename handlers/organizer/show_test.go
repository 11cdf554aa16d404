package organizer_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"retreat/handlers/handlertest"
	"retreat/models"
	"retreat/models/live"
)

// showWorld is an event of 60 people who each answered two text prompts,
// and Ana, its owner, signed in.
type showWorld struct {
	*modWorld
	jokes, plans *models.Prompt
}

func newShowWorld(t *testing.T, people int) *showWorld {
	t.Helper()
	app := handlertest.New(t)
	o := app.Organizer("ana@example.com", "Ana")
	ev := app.Event(o, "Company retreat", "Europe/Lisbon")
	w := &showWorld{modWorld: &modWorld{app: app, ev: ev},
		jokes: app.Prompt(ev, models.KindText, "Your best joke", nil, nil),
		plans: app.Prompt(ev, models.KindText, "Weekend plans", nil, nil)}
	for i := range people {
		c := app.Client()
		c.Join(ev, fmt.Sprintf("Person %02d", i+1))
		for _, p := range []*models.Prompt{w.jokes, w.plans} {
			if rec := c.PostForm(handlertest.AnswerPath(ev, p), url.Values{"text": {fmt.Sprintf("%s by %d", p.Title, i+1)}}); rec.Code != http.StatusSeeOther {
				t.Fatalf("answer %d: %d %s", i+1, rec.Code, rec.Body.String())
			}
		}
	}
	w.ana = app.Client()
	w.ana.SignIn("ana@example.com")
	return w
}

func (w *showWorld) deck(t *testing.T) live.Deck {
	t.Helper()
	d, err := live.BuildDeck(t.Context(), w.app.Store, w.ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// inDeck counts how often each answer of the prompt is on a slide of the
// deck: its own (a spotlight) or a mosaic's tile.
func inDeck(d live.Deck, promptID uint) (spotlights, mosaics int, seen map[uint]int) {
	seen = map[uint]int{}
	for _, sl := range d.Slides {
		if sl.PromptID != promptID {
			continue
		}
		switch sl.Kind {
		case live.KindPhoto, live.KindText:
			spotlights++
			seen[sl.SubmissionID]++
		case live.KindMosaic:
			mosaics++
			for _, tile := range sl.Tiles {
				seen[tile.SubmissionID]++
			}
		}
	}
	return spotlights, mosaics, seen
}

func TestShowPlanPageSavesThePlanAndTheDeckFollowsIt(t *testing.T) {
	w := newShowWorld(t, 60)
	page := w.ana.Get(w.base() + "/show")
	if page.Code != http.StatusOK {
		t.Fatalf("show plan page: %d", page.Code)
	}
	body := page.Body.String()
	for _, want := range []string{"of 20:00 planned", "Your best joke", "60 answers in the show", "Save the plan"} {
		if !strings.Contains(body, want) {
			t.Errorf("the plan page does not say %q", want)
		}
	}
	// On the default plan every answer is on screen exactly once.
	d := w.deck(t)
	for _, p := range []*models.Prompt{w.jokes, w.plans} {
		if _, _, seen := inDeck(d, p.ID); len(seen) != 60 {
			t.Errorf("%q: %d of 60 answers in the deck", p.Title, len(seen))
		}
	}

	// Five minutes, two spotlights and ten to a screen for the jokes, the
	// weekend plans left out.
	form := url.Values{"minutes": {"5"},
		fmt.Sprintf("listed_%d", w.jokes.ID): {"1"}, fmt.Sprintf("in_%d", w.jokes.ID): {"1"},
		fmt.Sprintf("spotlights_%d", w.jokes.ID): {"2"}, fmt.Sprintf("tiles_%d", w.jokes.ID): {"10"},
		fmt.Sprintf("listed_%d", w.plans.ID): {"1"}}
	if rec := w.ana.PostForm(w.base()+"/show", form); rec.Code != http.StatusSeeOther {
		t.Fatalf("save the plan: %d %s", rec.Code, rec.Body.String())
	}
	d = w.deck(t)
	spot, mosaics, seen := inDeck(d, w.jokes.ID)
	if spot != 2 || mosaics != 6 || len(seen) != 60 {
		t.Errorf("jokes: %d spotlights, %d mosaic screens, %d answers; want 2, 6 (58 at 10 a screen), 60", spot, mosaics, len(seen))
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("answer %d is on %d slides, want 1", id, n)
		}
	}
	if _, _, seen := inDeck(d, w.plans.ID); len(seen) != 0 || d.Index(fmt.Sprintf("prompt-%d", w.plans.ID)) >= 0 {
		t.Errorf("the prompt left out still has %d answers (or its title) in the deck", len(seen))
	}
	body = w.ana.Get(w.base() + "/show").Body.String()
	if !strings.Contains(body, "of 5:00 planned") || !strings.Contains(body, "Left out of the show.") ||
		!strings.Contains(body, "2 spotlights, the other 58 on 6 mosaic screens of about 10") {
		t.Errorf("the plan page does not show the saved plan:\n%s", body)
	}

	// A wrong field refuses the whole form, says why, keeps what was typed.
	bad := url.Values{"minutes": {"0"},
		fmt.Sprintf("listed_%d", w.jokes.ID): {"1"}, fmt.Sprintf("in_%d", w.jokes.ID): {"1"},
		fmt.Sprintf("spotlights_%d", w.jokes.ID): {"lots"}, fmt.Sprintf("tiles_%d", w.jokes.ID): {"2"},
		fmt.Sprintf("listed_%d", w.plans.ID): {"1"}, fmt.Sprintf("in_%d", w.plans.ID): {"1"}}
	rec := w.ana.PostForm(w.base()+"/show", bad)
	if rec.Code != http.StatusUnprocessableEntity {
		t.Fatalf("a bad plan: %d", rec.Code)
	}
	for _, want := range []string{"Spotlights must be a whole number", `value="lots"`} {
		if !strings.Contains(rec.Body.String(), want) {
			t.Errorf("the refused form does not show %q", want)
		}
	}
	rec = w.ana.PostForm(w.base()+"/show", url.Values{"minutes": {"0"}, fmt.Sprintf("listed_%d", w.jokes.ID): {"1"},
		fmt.Sprintf("in_%d", w.jokes.ID): {"1"}, fmt.Sprintf("tiles_%d", w.jokes.ID): {"2"}})
	if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), "between 3 and 180 minutes") ||
		!strings.Contains(rec.Body.String(), "between 4 and 400 answers") {
		t.Errorf("minutes 0 and 2 to a screen: %d", rec.Code)
	}
	ev, err := w.app.Store.Event(t.Context(), w.ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	prompts, _ := w.app.Store.Prompts(t.Context(), w.ev.ID)
	if ev.ShowMinutes != 5 || prompts[0].ShowTiles != 10 || !prompts[1].ShowOut {
		t.Errorf("a refused form changed the plan: %d minutes, %d tiles, out %v", ev.ShowMinutes, prompts[0].ShowTiles, prompts[1].ShowOut)
	}
}

func TestNotInTheShowKeepsPointsAndGallery(t *testing.T) {
	w := newModWorld(t)
	before := w.sub(t, w.beaID)
	rec := w.ana.PostForm(fmt.Sprintf("%s/submissions/%d/out-of-show", w.base(), w.beaID), url.Values{"next": {w.base() + "/review"}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("keep out of the show: %d %s", rec.Code, rec.Body.String())
	}
	after := w.sub(t, w.beaID)
	if !after.OutOfShow || after.Hidden || after.BonusPoints != before.BonusPoints {
		t.Errorf("kept out: %+v", after)
	}
	d, err := live.BuildDeck(t.Context(), w.app.Store, w.ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	_, _, seen := inDeck(d, w.photo.ID)
	if seen[w.beaID] != 0 {
		t.Error("an answer kept out of the show is in the deck")
	}
	board, err := w.app.Store.Leaderboard(t.Context(), w.ev.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range board.People {
		if st.Name == "Bea" && st.Answers != 1 {
			t.Errorf("Bea's answer no longer scores: %+v", st)
		}
	}
	if !strings.Contains(w.ana.Get(w.base()+"/review").Body.String(), "Back in the show") {
		t.Error("the review page does not offer to put it back")
	}
	if rec := w.ana.PostForm(fmt.Sprintf("%s/submissions/%d/in-show", w.base(), w.beaID), nil); rec.Code != http.StatusSeeOther || w.sub(t, w.beaID).OutOfShow {
		t.Errorf("back in the show: %d", rec.Code)
	}
}
