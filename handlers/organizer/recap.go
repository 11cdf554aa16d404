package organizer

import (
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"retreat/handlers/web"
	"retreat/models"
	"retreat/models/live"
	"retreat/models/media"
)

// registerRecap adds the recap's preview and its open/close switch.
func (h *Handler) registerRecap(d *echo.Group) {
	d.GET("/events/:event/recap", h.showRecap)
	d.POST("/events/:event/recap", h.saveRecapOpen)
}

type recapPage struct {
	web.Page
	Nav     eventNav
	Event   *models.OrganizerEvent
	CanEdit bool
	Recap   web.Recap
}

// showRecap previews the recap exactly as participants get it (what the
// reveal could show, the winners), open or not, for any organizer role.
func (h *Handler) showRecap(c echo.Context) error {
	ev, err := h.event(c)
	if err != nil {
		return err
	}
	r, err := live.LoadRecap(c.Request().Context(), h.store, ev.ID)
	if err != nil {
		return err
	}
	v := web.RecapViewer{
		// The recap's answers are already only those the reveal may show:
		// the same for every participant.
		MaySee: func(*models.Submission) bool { return true },
		PhotoURL: func(sub *models.Submission, size media.Size) string {
			return fmt.Sprintf("/dashboard/events/%d/photos/%d/%s?v=%s", ev.ID, sub.ID, size, live.PhotoVersion(sub.PhotoKey))
		},
	}
	page := recapPage{Page: h.page(c, "Recap of "+ev.Name), Nav: navFor(ev, "overview"), Event: ev, CanEdit: ev.Role.CanEdit(),
		Recap: web.NewRecap(r, v)}
	return web.HTML(c, http.StatusOK, "organizer/recap", page)
}

// saveRecapOpen opens the recap to the event's participants ("open" 1) or
// closes it again (0). Owners and organizers only, as for other settings.
func (h *Handler) saveRecapOpen(c echo.Context) error {
	ev, err := h.editableEvent(c)
	if err != nil {
		return err
	}
	var open bool
	switch c.FormValue("open") {
	case "1":
		open = true
	case "0":
	default:
		return web.NewError(http.StatusUnprocessableEntity, "Choose to open or close the recap.", nil)
	}
	if err := h.store.SetRecapOpen(c.Request().Context(), &ev.Event, open); err != nil {
		return err
	}
	if open {
		h.sessions.Flash(c, "The recap is open: participants find it on their prompt list.")
	} else {
		h.sessions.Flash(c, "The recap is closed: participants no longer see it.")
	}
	// Back to the page the button was on (only these two).
	back := fmt.Sprintf("/dashboard/events/%d", ev.ID)
	if c.FormValue("back") == "recap" {
		back += "/recap"
	}
	return c.Redirect(http.StatusSeeOther, back)
}
