package organizer

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"retreat/handlers/web"
	"retreat/models"
)

// teamsOn refuses team changes while the event does not use teams; the
// People page hides the team forms then, so only a stale page gets here.
func teamsOn(ev *models.OrganizerEvent) error {
	if !ev.TeamsEnabled {
		return web.NewError(http.StatusConflict, "Teams are off for this event. Turn them on in the event's settings first.", nil)
	}
	return nil
}

func (h *Handler) createTeam(c echo.Context) error {
	ev, err := h.editableEvent(c)
	if err != nil {
		return err
	}
	if err := teamsOn(ev); err != nil {
		return err
	}
	typed := c.FormValue("name")
	t, err := h.store.CreateTeam(c.Request().Context(), &ev.Event, typed)
	if msg, ok := validationMessage(err, "team_name"); ok {
		return h.refusePeople(c, ev, http.StatusUnprocessableEntity, func(p *peoplePage) {
			p.NewTeam = fieldValue{Value: typed, Error: msg}
		})
	}
	if err != nil {
		return err
	}
	h.sessions.Flash(c, "Team "+t.Name+" added.")
	return c.Redirect(http.StatusSeeOther, h.peopleURL(ev, "teams"))
}

// eventTeam loads the team in the URL, from this event only.
func (h *Handler) eventTeam(c echo.Context, ev *models.OrganizerEvent) (*models.Team, error) {
	id, err := idParam(c, "team")
	if err != nil {
		return nil, err
	}
	return h.store.EventTeam(c.Request().Context(), ev.ID, id)
}

func (h *Handler) renameTeam(c echo.Context) error {
	ev, err := h.editableEvent(c)
	if err != nil {
		return err
	}
	t, err := h.eventTeam(c, ev)
	if err != nil {
		return err
	}
	if err := teamsOn(ev); err != nil {
		return err
	}
	typed := c.FormValue("name")
	old := t.Name
	err = h.store.RenameTeam(c.Request().Context(), t, typed)
	if msg, ok := validationMessage(err, "team_name"); ok {
		return h.refusePeople(c, ev, http.StatusUnprocessableEntity, func(p *peoplePage) {
			for i := range p.Teams {
				if p.Teams[i].ID == t.ID {
					p.Teams[i].Rename = fieldValue{Value: typed, Error: msg}
				}
			}
		})
	}
	if err != nil {
		return err
	}
	if old != t.Name {
		h.sessions.Flash(c, fmt.Sprintf("Team %s is now called %s.", old, t.Name))
	}
	return c.Redirect(http.StatusSeeOther, h.peopleURL(ev, "teams"))
}

func (h *Handler) deleteTeam(c echo.Context) error {
	ev, err := h.editableEvent(c)
	if err != nil {
		return err
	}
	t, err := h.eventTeam(c, ev)
	if err != nil {
		return err
	}
	err = h.store.DeleteTeam(c.Request().Context(), t)
	var inUse *models.TeamInUseError
	if errors.As(err, &inUse) {
		return h.refusePeople(c, ev, http.StatusConflict, func(p *peoplePage) {
			p.TeamError = inUse.Message()
		})
	}
	if err != nil {
		return err
	}
	h.sessions.Flash(c, "Team "+t.Name+" deleted.")
	return c.Redirect(http.StatusSeeOther, h.peopleURL(ev, "teams"))
}
