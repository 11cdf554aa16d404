package organizer

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"retreat/handlers/web"
	"retreat/models"
)

// registerPromptTools adds reordering, importing a list of prompts and
// duplicating an event.
func (h *Handler) registerPromptTools(d *echo.Group) {
	d.POST("/events/:event/prompts/:prompt/move", h.movePrompt)
	d.GET("/events/:event/prompts/import", h.showImportPrompts)
	d.POST("/events/:event/prompts/import", h.importPrompts)
	d.POST("/events/:event/duplicate", h.duplicateEvent)
}

// movePrompt moves a prompt one place ("direction" up or down, the arrow
// buttons) or to a place ("to", a 0-based index: the drag-and-drop script
// posts the same form with it). Scripts asking for JSON get 204.
func (h *Handler) movePrompt(c echo.Context) error {
	ev, p, err := h.eventPrompt(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	if to := strings.TrimSpace(c.FormValue("to")); to != "" {
		n, perr := strconv.Atoi(to)
		if perr != nil || n < 0 {
			return web.NewError(http.StatusUnprocessableEntity, "Choose where to move the prompt.", perr)
		}
		err = h.store.MovePromptTo(ctx, &ev.Event, p.ID, n)
	} else {
		switch c.FormValue("direction") {
		case "up":
			err = h.store.MovePrompt(ctx, &ev.Event, p.ID, models.Up)
		case "down":
			err = h.store.MovePrompt(ctx, &ev.Event, p.ID, models.Down)
		default:
			return web.NewError(http.StatusUnprocessableEntity, "Choose to move the prompt up or down.", nil)
		}
	}
	if err != nil {
		return err
	}
	if web.WantsJSON(c) {
		return c.NoContent(http.StatusNoContent)
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/dashboard/events/%d#prompt-%d", ev.ID, p.ID))
}
