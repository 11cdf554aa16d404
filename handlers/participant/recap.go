package participant

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"retreat/handlers/web"
	"retreat/models"
	"retreat/models/live"
	"retreat/models/media"
)

type recapPage struct {
	web.Page
	Event *models.Event
	Recap web.Recap
}

// showRecap shows the winners and every answer the reveal could show, once
// the organizer has opened the recap; until then there is no such page
// (404), as for a closed gallery.
func (h *Handler) showRecap(c echo.Context) error {
	ev, pa := h.current(c)
	if !ev.RecapOpen {
		return web.NewError(http.StatusNotFound, "The recap isn't open yet. Your organizer opens it after the reveal.", nil)
	}
	r, err := live.LoadRecap(c.Request().Context(), h.store, ev.ID)
	if err != nil {
		return err
	}
	v := web.RecapViewer{
		MaySee:        func(sub *models.Submission) bool { return sub.MayParticipantSee(ev, pa) },
		PhotoURL:      func(sub *models.Submission, size media.Size) string { return h.photoURL(ev, sub, size) },
		ParticipantID: pa.ID,
	}
	if pa.TeamID != nil {
		v.TeamID = *pa.TeamID
	}
	page := recapPage{Page: h.page(c, "Recap"), Event: ev, Recap: web.NewRecap(r, v)}
	return web.HTML(c, http.StatusOK, "participant/recap", page)
}
