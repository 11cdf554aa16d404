package organizer

import (
	"io"
	"strings"
	"testing"

	"retreat/handlers/web"
	"retreat/models"
	"retreat/static"
	"retreat/templates"
)

// TestEveryOrganizerPageRendersWithZeroValues renders each dashboard page
// with the zero value of its data, so a template that dereferences
// something optional fails here instead of in front of an organizer.
func TestEveryOrganizerPageRendersWithZeroValues(t *testing.T) {
	assets, _ := web.NewAssets(static.FS)
	r, err := web.NewRenderer(templates.FS, assets)
	if err != nil {
		t.Fatal(err)
	}
	pages := map[string]any{
		"organizer/setup":       setupPage{},
		"organizer/login":       loginPage{},
		"organizer/events":      eventsPage{},
		"organizer/event_form":  eventFormPage{Nav: &eventNav{}},
		"organizer/prompt_form": promptFormPage{Event: &models.OrganizerEvent{}},
		"organizer/event":       eventPage{Event: &models.OrganizerEvent{}, Prompts: []promptView{{Submissions: []submissionView{{}}}}},
		"public/home":           homePage{},
		"organizer/people": peoplePage{Event: &models.OrganizerEvent{}, CanEdit: true, TeamsEnabled: true,
			Participants: []participantRow{{Teams: []teamOption{{}}}}, Teams: []teamRow{{}},
			Organizers: []organizerRow{{Removable: true}}, Invites: []inviteRow{{}, {Expired: true}}},
		"organizer/invite":        invitePage{},
		"organizer/prompt_import": importPage{Event: &models.OrganizerEvent{}, ListError: []string{"Line 1"}},
		"organizer/progress": progressPage{Event: &models.OrganizerEvent{}, Prompts: []progressPrompt{{}},
			Rows: []progressRow{{Cells: []progressCell{{}, {Done: true}}}}, Feed: []feedItem{{}}},
		"organizer/review": reviewPage{Event: &models.OrganizerEvent{}, Filters: []filterLink{{}}, Prompts: []promptOption{{}},
			Items: []reviewItem{{}, {PhotoURL: "x", BonusError: "x"}}, Prev: "x", Next: "x"},
		"organizer/scores": scoresPage{Event: &models.OrganizerEvent{}, Frozen: true,
			People: web.Standings{Rows: []web.StandingRow{{Tied: true}}}, Teams: web.Standings{Teams: true, Rows: []web.StandingRow{{}}}},
	}
	pages["organizer/recap"] = recapPage{Event: &models.OrganizerEvent{}, CanEdit: true,
		Recap: web.Recap{Awards: []web.RecapAward{{Winners: []web.RecapWinner{{}}}}, Prompts: []web.RecapPrompt{{Spotlights: []web.RecapAnswer{{}, {ThumbURL: "x"}}, Photos: []web.RecapAnswer{{}}}}}}
	pages["organizer/show"] = showPage{Event: &models.OrganizerEvent{}, CanEdit: true, Errors: map[string]string{"minutes": "x"},
		Prompts: []showPrompt{{Picks: []showPick{{}, {Thumb: "x", Starred: true}}}, {Out: true}}}
	pages["organizer/nudges"] = nudgesPage{Event: &models.OrganizerEvent{}, CanSend: true, EmailOn: true,
		Prompts: []nudgePrompt{{People: []nudgePerson{{}, {Checked: true, Night: true, Link: "x"}}}}}
	for name, data := range pages {
		if err := r.Execute(io.Discard, name, data); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	for _, name := range r.Pages() {
		if _, ok := pages[name]; !ok && (strings.HasPrefix(name, "organizer/") || name == "public/home") {
			t.Errorf("page %s is not covered by this test", name)
		}
	}
}
