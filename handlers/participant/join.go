package participant

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"retreat/handlers/web"
	"retreat/models"
)

type joinPage struct {
	web.Page
	Event  *models.Event
	Token  string
	Name   string
	Email  string
	Errors map[string]string
	When   string
	// Teams to pick from, when the event uses teams and has some.
	Teams []teamChoice
}

// eventByToken loads the event of a join link, with a message that tells
// someone holding an old link what to do.
func (h *Handler) eventByToken(c echo.Context) (*models.Event, error) {
	ev, err := h.store.EventByJoinToken(c.Request().Context(), c.Param("token"))
	if errors.Is(err, models.ErrNotFound) {
		return nil, web.NewError(http.StatusNotFound, staleJoinLink, err)
	}
	return ev, err
}

const staleJoinLink = "This join link doesn't work (it may have been replaced). Ask your organizer for the current link."

// showStaleJoinLink answers an old join link opened on a phone that has
// joined events already (the organizer replaced the link after they
// joined): the 404 page, with a way to the phone's own prompts. Others,
// and API callers, get the plain 404.
func (h *Handler) showStaleJoinLink(c echo.Context, cause error) error {
	joined, err := h.store.JoinedEvents(c.Request().Context(), h.sessions.JoinedEvents(c))
	if err != nil {
		return err
	}
	if len(joined) == 0 || web.WantsJSON(c) {
		return cause
	}
	p := web.ErrorPage{Page: h.page(c, "Not found"), Status: http.StatusNotFound, Message: staleJoinLink, Joined: joined}
	return web.HTML(c, http.StatusNotFound, "public/error", p)
}

func (h *Handler) showJoin(c echo.Context) error {
	ev, err := h.eventByToken(c)
	if err != nil {
		if errors.Is(err, models.ErrNotFound) {
			return h.showStaleJoinLink(c, err)
		}
		return err
	}
	// Coming back on the same phone keeps them in.
	if h.sessions.ParticipantID(c, ev.ID) != 0 {
		if _, err := h.store.EventParticipant(c.Request().Context(), ev.ID, h.sessions.ParticipantID(c, ev.ID)); err == nil {
			return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/e/%d", ev.ID))
		}
	}
	p := joinPage{Page: h.page(c, "Join "+ev.Name), Event: ev, Token: ev.JoinToken, When: eventDates(ev)}
	if p.Teams, err = h.teamChoices(c.Request().Context(), ev, 0); err != nil {
		return err
	}
	return web.HTML(c, http.StatusOK, "participant/join", p)
}

func eventDates(ev *models.Event) string {
	loc := ev.Location()
	return ev.StartsAt.In(loc).Format("Mon 2 Jan") + " – " + ev.EndsAt.In(loc).Format("Mon 2 Jan 2006")
}

func (h *Handler) join(c echo.Context) error {
	ev, err := h.eventByToken(c)
	if err != nil {
		return err
	}
	in := models.JoinInput{Name: c.FormValue("name"), TimeZone: c.FormValue("time_zone"), TeamID: formTeamID(c), Email: c.FormValue("email")}
	p, err := h.store.Join(c.Request().Context(), ev, in)
	var ve *models.ValidationError
	if errors.As(err, &ve) {
		if web.WantsJSON(c) {
			return err
		}
		page := joinPage{Page: h.page(c, "Join "+ev.Name), Event: ev, Token: ev.JoinToken, Name: in.Name, Email: in.Email, Errors: ve.Fields, When: eventDates(ev)}
		if page.Teams, err = h.teamChoices(c.Request().Context(), ev, in.TeamID); err != nil {
			return err
		}
		return web.HTML(c, http.StatusUnprocessableEntity, "participant/join", page)
	}
	if err != nil {
		return err
	}
	if err := h.sessions.SignInParticipant(c, ev.ID, p.ID); err != nil {
		return err
	}
	h.sessions.Flash(c, "Welcome, "+p.Name+"! Here is what to do.")
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/e/%d", ev.ID))
}

// returnWithLink signs this browser in as the participant a personal link
// belongs to (a second phone, a cleared browser).
func (h *Handler) returnWithLink(c echo.Context) error {
	p, err := h.store.ParticipantByReturnToken(c.Request().Context(), c.Param("token"))
	if errors.Is(err, models.ErrNotFound) {
		return web.NewError(http.StatusNotFound, "This personal link doesn't work. Ask your organizer for the join link.", err)
	}
	if err != nil {
		return err
	}
	if err := h.sessions.SignInParticipant(c, p.EventID, p.ID); err != nil {
		return err
	}
	h.sessions.Flash(c, "Welcome back, "+p.Name+".")
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/e/%d", p.EventID))
}
