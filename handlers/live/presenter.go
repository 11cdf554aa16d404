package live

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"retreat/handlers/web"
	"retreat/models"
	"retreat/models/live"
)

type presenterPage struct {
	web.Page
	Event      *models.OrganizerEvent
	CanPresent bool
	// Status is "idle" (not started), "live" or "ended"; Preview pages the
	// deck in this tab only, phones seeing nothing.
	Status  string
	Preview bool
	Slide   *slideView
	Index   int
	Total   int
	Seq     int64
	// Counter is "12 / 87". The presenter's notes are in their own window
	// (notes.go), never drawn over the slide this tab shares.
	Counter string
	// Plan says how long the show is planned to last (before the start),
	// PlanURL where it is changed.
	Plan    string
	PlanURL string
	// Base is the presenter's URL; actions post under it.
	Base    string
	BackURL string
	JoinURL string
	QRURL   string
}

func (h *Handler) showPresenter(c echo.Context) error {
	ev := h.organizerEvent(c)
	st, err := h.live.Load(c.Request().Context(), ev.ID)
	if err != nil {
		return err
	}
	base := fmt.Sprintf("/dashboard/events/%d/reveal", ev.ID)
	page := presenterPage{
		Page: h.web.NewPage(c, h.sessions, "organizer", "Reveal · "+ev.Name), Event: ev, CanPresent: ev.Role.CanEdit(),
		Status: statusName(st.Status), Preview: c.QueryParam("preview") != "", Index: st.Index, Total: len(st.Deck.Slides),
		Seq: st.Seq, Base: base, BackURL: fmt.Sprintf("/dashboard/events/%d", ev.ID),
		JoinURL: h.joinURL(c, &ev.Event), QRURL: fmt.Sprintf("/dashboard/events/%d/qr.png", ev.ID),
	}
	if st.Live() && !page.Preview {
		if cur := st.Current(); cur != nil {
			page.Slide = newSlideView(presenterSlide(&st.Deck, st.Index), st.Named[cur.Key])
			page.Counter = fmt.Sprintf("%d / %d", st.Index+1, len(st.Deck.Slides))
		}
	} else if page.CanPresent && !page.Preview {
		// Before the start: what the show will be, beside the button.
		plan, err := live.ShowPlan(c.Request().Context(), h.store, ev.ID)
		if err != nil {
			return err
		}
		page.Plan = fmt.Sprintf("Plan: %d:%02d of %d min · %d slides", plan.Seconds/60, plan.Seconds%60, plan.Minutes, plan.Slides)
		page.PlanURL = fmt.Sprintf("/dashboard/events/%d/show", ev.ID)
	}
	return web.HTML(c, http.StatusOK, "live/presenter", page)
}

func statusName(s models.RevealStatus) string {
	if s == models.RevealIdle {
		return "idle"
	}
	return string(s)
}

// nextNote says what slide i is, for the presenter's notes.
func nextNote(d *live.Deck, i int) string {
	if i >= len(d.Slides) {
		return "The end of the deck."
	}
	s := &d.Slides[i]
	switch s.Kind {
	case live.KindPrompt:
		return "Prompt: " + s.Title
	case live.KindPhoto:
		return "Photo by " + s.Author
	case live.KindText:
		return "Answer by " + s.Author
	case live.KindMosaic:
		return fmt.Sprintf("Mosaic: %s, page %d of %d (%s)", s.PromptTitle, s.Page, s.Pages, countAnswers(len(s.Tiles)))
	case live.KindScores:
		return s.Title
	case live.KindAward:
		if !s.Decided {
			return "Award: " + s.Title + " (" + s.Subtitle + "), decided when it comes on screen"
		}
		return "Award: " + s.Title + " (" + s.Subtitle + ")"
	}
	return s.Title
}

func countAnswers(n int) string {
	if n == 1 {
		return "1 answer"
	}
	return fmt.Sprintf("%d answers", n)
}

// joinURL is the follow link: the event's join link, which brings a phone
// that already joined to its prompt list and the "follow along" banner.
func (h *Handler) joinURL(c echo.Context, ev *models.Event) string {
	base := h.baseURL
	if base == "" {
		base = c.Scheme() + "://" + c.Request().Host
	}
	return strings.TrimRight(base, "/") + "/j/" + ev.JoinToken
}

// deckJSON is what the presenter's scripts page through: every slide
// (authors included, shown only once revealed), and the state it is at.
// StartedAt and Now (the server's clock) time the show: the scripts count
// from StartedAt by the server's clock, whatever the laptop's says.
type deckJSON struct {
	Version   int             `json:"version"`
	Preview   bool            `json:"preview"`
	State     json.RawMessage `json:"state"`
	StartedAt *time.Time      `json:"started_at,omitempty"`
	Now       time.Time       `json:"now"`
	Slides    []deckSlide     `json:"slides"`
}

// deckSlide is a slide for the presenter with, for a photo, the URL of its
// thumbnail (the overview loads hundreds of those, not full-screen photos).
type deckSlide struct {
	*live.FollowerSlide
	Thumb string `json:"thumb,omitempty"`
}

// presenterThumbURL is the thumbnail beside presenterPhotoURL's
// full-screen rendition.
func presenterThumbURL(eventID uint, s *live.Slide) string {
	return fmt.Sprintf("/dashboard/events/%d/photos/%d/thumb?v=%s", eventID, s.SubmissionID, s.Version)
}

func (h *Handler) showDeck(c echo.Context) error {
	ctx := c.Request().Context()
	ev := h.organizerEvent(c)
	out := deckJSON{Preview: c.QueryParam("preview") != "", Now: h.store.Now().UTC()}
	var deck live.Deck
	if out.Preview {
		// A rehearsal: a fresh deck nobody else sees; nothing is saved.
		var err error
		if deck, err = h.live.Builder.Build(ctx, h.store, ev.ID); err != nil {
			return err
		}
		out.State = json.RawMessage(`{"seq":0,"status":"preview","index":0,"named":false}`)
	} else {
		st, err := h.live.Load(ctx, ev.ID)
		if err != nil {
			return err
		}
		deck, out.Version, out.StartedAt = st.Deck, st.DeckVersion, st.StartedAt
		msg, err := h.live.Current(ctx, ev.ID)
		if err != nil {
			return err
		}
		out.State = msg.Data
	}
	out.Slides = make([]deckSlide, len(deck.Slides))
	for i := range deck.Slides {
		out.Slides[i] = deckSlide{FollowerSlide: presenterSlide(&deck, i)}
		if out.Slides[i].Photo != "" {
			out.Slides[i].Thumb = presenterThumbURL(ev.ID, &deck.Slides[i])
		}
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, out)
}

func (h *Handler) streamPresenter(c echo.Context) error {
	return h.stream(c, h.organizerEvent(c).ID)
}

// act runs a presenter action and answers with the new state: the
// follower message as JSON for the script, or back to the page for a form
// (the notes window's forms say "return=notes" to come back to it).
func (h *Handler) act(c echo.Context, do func(eventID uint) (*live.State, error)) error {
	ev, err := h.presentingEvent(c)
	if err != nil {
		return err
	}
	st, err := do(ev.ID)
	if errors.Is(err, live.ErrNotLive) {
		return web.NewError(http.StatusConflict, "The reveal is not running. Start it first.", err)
	}
	if err != nil {
		return err
	}
	if web.WantsJSON(c) {
		c.Response().Header().Set("Cache-Control", "no-store")
		return c.JSONBlob(http.StatusOK, st.Msg.Data)
	}
	back := fmt.Sprintf("/dashboard/events/%d/reveal", ev.ID)
	if c.FormValue("return") == "notes" {
		back += "/notes"
	}
	return c.Redirect(http.StatusSeeOther, back)
}

func (h *Handler) startReveal(c echo.Context) error {
	return h.act(c, func(id uint) (*live.State, error) { return h.live.Start(detached(c), id) })
}

func (h *Handler) nextSlide(c echo.Context) error {
	return h.act(c, func(id uint) (*live.State, error) { return h.live.Step(detached(c), id, 1) })
}

func (h *Handler) prevSlide(c echo.Context) error {
	return h.act(c, func(id uint) (*live.State, error) { return h.live.Step(detached(c), id, -1) })
}

func (h *Handler) gotoSlide(c echo.Context) error {
	i, err := strconv.Atoi(c.FormValue("index"))
	if err != nil {
		return web.NewError(http.StatusBadRequest, "Say which slide to show.", err)
	}
	return h.act(c, func(id uint) (*live.State, error) { return h.live.Goto(detached(c), id, i) })
}

// revealName shows the current slide's author ("named" 1), hides it again
// ("named" 0), or toggles it (no value: the form button).
func (h *Handler) revealName(c echo.Context) error {
	return h.act(c, func(id uint) (*live.State, error) {
		ctx := detached(c)
		named := c.FormValue("named")
		if named == "" {
			st, err := h.live.Load(ctx, id)
			if err != nil {
				return nil, err
			}
			cur := st.Current()
			named = "1"
			if cur != nil && st.Named[cur.Key] {
				named = "0"
			}
		}
		return h.live.SetNamed(ctx, id, named == "1" || named == "on" || named == "true")
	})
}

func (h *Handler) refreshDeck(c echo.Context) error {
	return h.act(c, func(id uint) (*live.State, error) { return h.live.Refresh(detached(c), id) })
}

func (h *Handler) endReveal(c echo.Context) error {
	return h.act(c, func(id uint) (*live.State, error) { return h.live.End(detached(c), id) })
}
