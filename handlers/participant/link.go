package participant

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"retreat/handlers/web"
	"retreat/models"
)

// Personal links: /r/<token> brings a participant back on another phone or
// a cleared browser.

// participantByLink loads the participant a personal link belongs to.
func (h *Handler) participantByLink(c echo.Context) (*models.Participant, error) {
	p, err := h.store.ParticipantByReturnToken(c.Request().Context(), c.Param("token"))
	if errors.Is(err, models.ErrNotFound) {
		return nil, web.NewError(http.StatusNotFound, "This personal link doesn't work. Ask your organizer for the join link.", err)
	}
	return p, err
}

type switchPage struct {
	web.Page
	EventName string
	// Current is who this phone is in the event, Next whose link it is.
	Current, Next string
	Token         string
	StayURL       string
}

// returnWithLink signs this browser in as the participant a personal link
// belongs to (a second phone, a cleared browser). A phone that already is
// someone else in that event is asked first, and nothing changes on this
// GET: a link opened from another site or a chat must not quietly make a
// colleague's phone answer as somebody else.
func (h *Handler) returnWithLink(c echo.Context) error {
	p, err := h.participantByLink(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	cur := h.sessions.ParticipantID(c, p.EventID)
	if cur == 0 || cur == p.ID {
		return h.signInWithLink(c, p)
	}
	signedIn, err := h.store.EventParticipant(ctx, p.EventID, cur)
	if errors.Is(err, models.ErrNotFound) {
		return h.signInWithLink(c, p) // removed since: nobody to replace
	}
	if err != nil {
		return err
	}
	ev, err := h.store.Event(ctx, p.EventID)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return web.HTML(c, http.StatusOK, "participant/switch", switchPage{
		Page: h.page(c, "Continue as "+p.Name+"?"), EventName: ev.Name, Current: signedIn.Name, Next: p.Name,
		Token: p.ReturnToken, StayURL: fmt.Sprintf("/e/%d", ev.ID),
	})
}

// switchWithLink is the confirmation's form: this phone becomes the link's
// participant.
func (h *Handler) switchWithLink(c echo.Context) error {
	p, err := h.participantByLink(c)
	if err != nil {
		return err
	}
	return h.signInWithLink(c, p)
}

func (h *Handler) signInWithLink(c echo.Context, p *models.Participant) error {
	if err := h.sessions.SignInParticipant(c, p.EventID, p.ID); err != nil {
		return err
	}
	h.sessions.Flash(c, "Welcome back, "+p.Name+".")
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/e/%d", p.EventID))
}
