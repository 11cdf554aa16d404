package organizer

import (
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"
)

// duplicateEvent copies the event with its prompts (not its people or
// answers) and opens the copy's settings, where the organizer moves the dates.
func (h *Handler) duplicateEvent(c echo.Context) error {
	ev, err := h.editableEvent(c)
	if err != nil {
		return err
	}
	cp, err := h.store.DuplicateEvent(c.Request().Context(), h.organizer(c).ID, &ev.Event)
	if err != nil {
		return err
	}
	h.sessions.Flash(c, fmt.Sprintf("This is a copy of %q with its prompts and a new join link. Set its dates, then check the prompts' times.", ev.Name))
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/dashboard/events/%d/edit", cp.ID))
}
