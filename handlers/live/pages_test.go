package live

import (
	"strings"
	"testing"

	"retreat/handlers/web"
	"retreat/models"
	"retreat/models/live"
	"retreat/static"
	"retreat/templates"
)

// TestEveryRevealPageRendersWithZeroValues renders each reveal page with
// zero values and with every kind of slide, in the slideshow layout.
func TestEveryRevealPageRendersWithZeroValues(t *testing.T) {
	assets, _ := web.NewAssets(static.FS)
	r, err := web.NewRenderer(templates.FS, assets)
	if err != nil {
		t.Fatal(err)
	}
	oe, ev, bare := &models.OrganizerEvent{}, &models.Event{}, r.BarePage("x")
	slides := []*live.FollowerSlide{
		{Kind: live.KindCover}, {Kind: live.KindPrompt}, {Kind: live.KindPhoto, HasAuthor: true},
		{Kind: live.KindText, HasAuthor: true, Author: "x"}, {Kind: live.KindScores, Hidden: 2, Rows: []live.ScoreRow{{Rank: 1}}},
		{Kind: "award"},
	}
	pages := map[string]any{
		"live/presenter":        presenterPage{Page: bare, Event: oe},
		"live/presenter#ended":  presenterPage{Page: bare, Event: oe, Status: "ended", CanPresent: true},
		"live/presenter#follow": presenterPage{Page: bare, Event: oe, Status: "live"},
		"live/presenter#prev":   presenterPage{Page: bare, Event: oe, Preview: true, CanPresent: true},
		"live/notes":            notesPage{Page: bare, Event: oe},
		"live/notes#live":       notesPage{Page: bare, Event: oe, Status: "live", CanPresent: true, Now: "x", Next: "y"},
		"live/notes#ended":      notesPage{Page: bare, Event: oe, Status: "ended", CanPresent: true},
		"live/notes#follow":     notesPage{Page: bare, Event: oe, Status: "live"},
		"live/follower":         followerPage{Page: bare, Event: ev},
		"live/follower#ended":   followerPage{Page: bare, Event: ev, Status: "ended"},
	}
	for i, s := range slides {
		pages["live/presenter#slide"+string(rune('a'+i))] = presenterPage{Page: bare, Event: oe, Status: "live", CanPresent: true, Slide: newSlideView(s, true)}
		pages["live/follower#slide"+string(rune('a'+i))] = followerPage{Page: bare, Event: ev, Status: "live", Slide: newSlideView(s, false)}
	}
	for name, data := range pages {
		page, _, _ := strings.Cut(name, "#")
		var b strings.Builder
		if err := r.Execute(&b, page, data); err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		out := b.String()
		if !strings.Contains(out, "css/live.css") || strings.Contains(out, "css/app.css") {
			t.Errorf("%s is not in the slideshow layout", name)
		}
		if strings.Contains(out, "/static/missing/") {
			t.Errorf("%s links a static file that does not exist", name)
		}
	}
	for _, name := range r.Pages() {
		if _, ok := pages[name]; !ok && strings.HasPrefix(name, "live/") {
			t.Errorf("page %s is not covered by this test", name)
		}
	}
}
