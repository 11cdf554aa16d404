package participant

import (
	"io"
	"strings"
	"testing"

	"retreat/handlers/web"
	"retreat/models"
	"retreat/static"
	"retreat/templates"
)

// TestEveryParticipantPageRendersWithZeroValues renders each phone page
// with the zero value of its data.
func TestEveryParticipantPageRendersWithZeroValues(t *testing.T) {
	assets, _ := web.NewAssets(static.FS)
	r, err := web.NewRenderer(templates.FS, assets)
	if err != nil {
		t.Fatal(err)
	}
	ev, pa := &models.Event{}, &models.Participant{}
	pages := map[string]any{
		"participant/join":    joinPage{Event: ev},
		"participant/prompts": promptsPage{Event: ev, Participant: pa, Open: []promptCard{{}}, Upcoming: []promptCard{{}}, Closed: []promptCard{{Done: true}}},
		"participant/prompt":  promptPage{Event: ev},
		"participant/me":      mePage{Event: ev, Participant: pa},
	}
	for name, data := range pages {
		if err := r.Execute(io.Discard, name, data); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	for _, name := range r.Pages() {
		if _, ok := pages[name]; !ok && strings.HasPrefix(name, "participant/") {
			t.Errorf("page %s is not covered by this test", name)
		}
	}
}
