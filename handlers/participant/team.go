package participant

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"retreat/handlers/web"
	"retreat/models"
)

// teamChoice is one option of a team select.
type teamChoice struct {
	ID       uint
	Name     string
	Selected bool
}

// teamPicker is the team part of the "You" page: the team they are in, or
// the teams they may pick while they have none.
type teamPicker struct {
	// Shown is false when the event does not use teams.
	Shown   bool
	Name    string
	Choices []teamChoice
	Error   string
}

// teamChoices lists the event's teams for a select, or nothing when the
// event does not use teams.
func (h *Handler) teamChoices(ctx context.Context, ev *models.Event, selected uint) ([]teamChoice, error) {
	if !ev.TeamsEnabled {
		return nil, nil
	}
	teams, err := h.store.Teams(ctx, ev.ID)
	if err != nil {
		return nil, err
	}
	choices := make([]teamChoice, 0, len(teams))
	for _, t := range teams {
		choices = append(choices, teamChoice{ID: t.ID, Name: t.Name, Selected: t.ID == selected})
	}
	return choices, nil
}

func (h *Handler) teamPicker(ctx context.Context, ev *models.Event, pa *models.Participant, msg string) (teamPicker, error) {
	tp := teamPicker{Shown: ev.TeamsEnabled, Error: msg}
	if !ev.TeamsEnabled {
		return tp, nil
	}
	if pa.TeamID != nil {
		t, err := h.store.EventTeam(ctx, ev.ID, *pa.TeamID)
		if err != nil {
			return tp, err
		}
		tp.Name = t.Name
		return tp, nil
	}
	var err error
	tp.Choices, err = h.teamChoices(ctx, ev, 0)
	return tp, err
}

// formTeamID reads the "team" field of a form; anything but a positive id
// is "no team".
func formTeamID(c echo.Context) uint {
	n, err := strconv.ParseUint(c.FormValue("team"), 10, 32)
	if err != nil {
		return 0
	}
	return uint(n)
}

// chooseTeam lets a participant without a team pick one (joined before the
// teams existed, or before teams were turned on).
func (h *Handler) chooseTeam(c echo.Context) error {
	ev, pa := h.current(c)
	err := h.store.ChooseTeam(c.Request().Context(), ev, pa, formTeamID(c))
	var ve *models.ValidationError
	if errors.As(err, &ve) {
		if web.WantsJSON(c) {
			return err
		}
		_, msg := web.Describe(err)
		return h.renderMe(c, http.StatusUnprocessableEntity, msg)
	}
	if err != nil {
		return err
	}
	t, err := h.store.EventTeam(c.Request().Context(), ev.ID, *pa.TeamID)
	if err != nil {
		return err
	}
	h.sessions.Flash(c, "You're in "+t.Name+". Team prompts now take one answer for all of you.")
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/e/%d", ev.ID))
}
