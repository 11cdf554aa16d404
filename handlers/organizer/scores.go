package organizer

import (
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"retreat/handlers/web"
	"retreat/models"
)

type scoresPage struct {
	web.Page
	Nav   eventNav
	Event *models.OrganizerEvent
	// Frozen says participants see the board as of the freeze; Participants
	// switches this page to what they see.
	Frozen       bool
	FrozenNote   string
	Participants bool
	LiveURL      string
	FrozenURL    string
	People       web.Standings
	Teams        web.Standings
}

// showScores shows the leaderboards live (organizers always see scores
// move), or with ?view=participants as participants see them after the
// freeze.
func (h *Handler) showScores(c echo.Context) error {
	ev, err := h.event(c)
	if err != nil {
		return err
	}
	now := h.store.Now()
	cutoff := ev.ScoreCutoff(now)
	page := scoresPage{
		Page: h.page(c, "Scores · "+ev.Name), Nav: navFor(ev, "scores"), Event: ev, Frozen: cutoff != nil,
		LiveURL:   fmt.Sprintf("/dashboard/events/%d/scores", ev.ID),
		FrozenURL: fmt.Sprintf("/dashboard/events/%d/scores?view=participants", ev.ID),
	}
	asOf, viewer := cutoff, viewerZone(c, &ev.Event)
	switch {
	case cutoff != nil:
		page.FrozenNote = "Participants see the standings as they were when scores froze, " +
			web.When(*cutoff, viewer, ev.Location(), now) + ". This page is live."
		page.Participants = c.QueryParam("view") == "participants"
	case ev.FreezeAt != nil:
		page.FrozenNote = "Scores freeze for participants " + web.When(*ev.FreezeAt, viewer, ev.Location(), now) +
			"; after that only organizers see them move."
	default:
		page.FrozenNote = "Participants see these scores live. Set a freeze time in the event's settings to keep the final standings a surprise until the reveal."
	}
	if !page.Participants {
		asOf = nil
	}
	board, err := h.store.Leaderboard(c.Request().Context(), ev.ID, asOf)
	if err != nil {
		return err
	}
	page.People, page.Teams = web.NewStandings(board.People, false, 0), web.NewStandings(board.Teams, true, 0)
	return web.HTML(c, http.StatusOK, "organizer/scores", page)
}
