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
		"participant/join":      joinPage{Event: ev},
		"participant/prompts":   promptsPage{Event: ev, Participant: pa, Open: []promptCard{{}}, Upcoming: []promptCard{{}}, Closed: []promptCard{{Done: true}}},
		"participant/prompt":    promptPage{Event: ev},
		"participant/me":        mePage{Event: ev, Participant: pa},
		"participant/me#team":   mePage{Event: ev, Participant: pa, Team: teamPicker{Shown: true, Choices: []teamChoice{{}}, Error: "x"}},
		"participant/join#team": joinPage{Event: ev, Teams: []teamChoice{{}}},
		"participant/join#busy": joinPage{Event: ev, Errors: map[string]string{"form": "x"}},
		"participant/switch":    switchPage{},
		"participant/scores": scoresPage{Event: ev, Participant: pa, FrozenNote: "x",
			People: web.Standings{Rows: []web.StandingRow{{Mine: true}}}, Teams: web.Standings{Teams: true, Rows: []web.StandingRow{{}}}},
		"participant/gallery":      galleryPage{Event: ev, Photos: []galleryPhoto{{Mine: true}}, More: "x"},
		"participant/prompt#score": promptPage{Event: ev, Prompt: promptCard{Done: true, Score: answerScore{Points: "1", Bonus: "x", Hidden: "x"}}},
	}
	pages["participant/recap"] = recapPage{Event: ev, Recap: web.Recap{
		Awards: []web.RecapAward{{Photo: &web.RecapAnswer{}, Winners: []web.RecapWinner{{Count: "x"}}}},
		People: web.Standings{Rows: []web.StandingRow{{}}}, Teams: web.Standings{Teams: true, Rows: []web.StandingRow{{}}},
		Prompts: []web.RecapPrompt{{Spotlights: []web.RecapAnswer{{ThumbURL: "x"}, {Mine: true}}, Photos: []web.RecapAnswer{{Starred: true}}, Texts: []web.RecapAnswer{{Mine: true}}}, {}}}}
	pages["participant/recap#empty"] = recapPage{Event: ev}
	for name, data := range pages {
		// "page#case" renders the page again with other data.
		page, _, _ := strings.Cut(name, "#")
		if err := r.Execute(io.Discard, page, data); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	for _, name := range r.Pages() {
		if _, ok := pages[name]; !ok && strings.HasPrefix(name, "participant/") {
			t.Errorf("page %s is not covered by this test", name)
		}
	}
}
