package live

import (
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"retreat/handlers/web"
	"retreat/models"
)

// The presenter's notes window: a second page, kept on the organizer's own
// screen while the presenter tab is shared on the call (as Keynote and
// PowerPoint do). It shows the slide on screen and the next one, the notes,
// the clock against the show plan and the overview, and drives the reveal
// through the same POST routes as the presenter tab. static/js/live/notes.js
// follows the reveal on the same event stream; without it the page is a
// snapshot with the forms (they come back here: return=notes).

type notesPage struct {
	web.Page
	Event      *models.OrganizerEvent
	CanPresent bool
	// Status is "idle", "live" or "ended".
	Status string
	Seq    int64
	Index  int
	// Counter is "12 / 87"; Now and Next say what is on screen and what
	// comes after it.
	Counter string
	Now     string
	Next    string
	// Base is the presenter's URL: actions post under it.
	Base string
}

func (h *Handler) showNotes(c echo.Context) error {
	ev := h.organizerEvent(c)
	st, err := h.live.Load(c.Request().Context(), ev.ID)
	if err != nil {
		return err
	}
	page := notesPage{
		Page: h.web.NewPage(c, h.sessions, "organizer", "Notes · "+ev.Name), Event: ev, CanPresent: ev.Role.CanEdit(),
		Status: statusName(st.Status), Seq: st.Seq, Index: st.Index, Base: fmt.Sprintf("/dashboard/events/%d/reveal", ev.ID),
	}
	if st.Live() && st.Current() != nil {
		page.Counter = fmt.Sprintf("%d / %d", st.Index+1, len(st.Deck.Slides))
		page.Now = nextNote(&st.Deck, st.Index)
		page.Next = nextNote(&st.Deck, st.Index+1)
	}
	return web.HTML(c, http.StatusOK, "live/notes", page)
}
