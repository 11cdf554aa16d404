package participant

import (
	"errors"
	"fmt"
	"net/http"
	"time"

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
	undo, wait, ok := h.joins.reserve(ev.ID, c.RealIP(), h.store.Now())
	if !ok {
		c.Response().Header().Set("Retry-After", retryAfter(wait))
		msg := fmt.Sprintf("Lots of people are joining from your network right now. Wait %s and tap Join again.", humanSeconds(wait))
		if web.WantsJSON(c) {
			return web.NewError(http.StatusTooManyRequests, msg, nil)
		}
		return h.showJoinAgain(c, ev, in, map[string]string{"form": msg}, http.StatusTooManyRequests)
	}
	p, err := h.store.Join(c.Request().Context(), ev, in)
	var ve *models.ValidationError
	if errors.As(err, &ve) {
		undo() // nobody joined: the form does not count
		if web.WantsJSON(c) {
			return err
		}
		return h.showJoinAgain(c, ev, in, ve.Fields, http.StatusUnprocessableEntity)
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

// showJoinAgain re-renders the join form with what the person typed and
// what stopped it.
func (h *Handler) showJoinAgain(c echo.Context, ev *models.Event, in models.JoinInput, problems map[string]string, status int) error {
	page := joinPage{Page: h.page(c, "Join "+ev.Name), Event: ev, Token: ev.JoinToken, Name: in.Name, Email: in.Email, Errors: problems, When: eventDates(ev)}
	var err error
	if page.Teams, err = h.teamChoices(c.Request().Context(), ev, in.TeamID); err != nil {
		return err
	}
	return web.HTML(c, status, "participant/join", page)
}

// humanSeconds says a short wait in words.
func humanSeconds(d time.Duration) string {
	if s := retryAfter(d); s != "1" {
		return s + " seconds"
	}
	return "a second"
}
