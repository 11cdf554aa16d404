package organizer

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"retreat/handlers/web"
	"retreat/models"
	"retreat/models/live"
)

// registerShow adds the show plan: how long the reveal lasts and, per
// prompt, what is in it.
func (h *Handler) registerShow(d *echo.Group) {
	d.GET("/events/:event/show", h.showShowPlan)
	d.POST("/events/:event/show", h.saveShowPlan)
}

type showPage struct {
	web.Page
	Nav     eventNav
	Event   *models.OrganizerEvent
	CanEdit bool
	// Minutes is the target as typed; Planned and Target the deck's
	// length and the target as "m:ss".
	Minutes string
	Planned string
	Target  string
	Slides  int
	Fits    bool
	Over    string
	Prompts []showPrompt
	Errors  map[string]string
	BaseURL string
}

// showPrompt is one prompt's row of the plan.
type showPrompt struct {
	ID      uint
	Title   string
	Kind    string
	Out     bool
	Answers int
	// Spotlights and Tiles are the organizer's settings as typed ("" lets
	// the plan pick); AutoSpotlights and AutoTiles what the plan picks.
	Spotlights     string
	Tiles          string
	AutoSpotlights int
	AutoTiles      int
	Summary        string
	Planned        string
	Picks          []showPick
}

// showPick is a spotlighted answer, as a thumbnail.
type showPick struct {
	Name    string
	Starred bool
	Thumb   string
	Text    string
}

func (h *Handler) showShowPlan(c echo.Context) error {
	ev, err := h.event(c)
	if err != nil {
		return err
	}
	return h.renderShowPlan(c, ev, nil, nil)
}

// renderShowPlan prints the plan as it stands; typed and problems, after a
// refused save, keep what the organizer typed beside the messages.
func (h *Handler) renderShowPlan(c echo.Context, ev *models.OrganizerEvent, typed *showForm, problems *models.ValidationError) error {
	plan, err := live.ShowPlan(c.Request().Context(), h.store, ev.ID)
	if err != nil {
		return err
	}
	page := showPage{Page: h.page(c, "The show · "+ev.Name), Nav: navFor(ev, "show"), Event: ev, CanEdit: ev.Role.CanEdit(),
		Minutes: strconv.Itoa(plan.Minutes), Planned: clock(plan.Seconds), Target: clock(plan.Minutes * 60), Slides: plan.Slides,
		Fits: plan.Fits(), BaseURL: fmt.Sprintf("/dashboard/events/%d", ev.ID)}
	if !page.Fits {
		page.Over = clock(plan.Seconds - plan.Minutes*60)
	}
	for i := range plan.Prompts {
		pp := &plan.Prompts[i]
		p := pp.Prompt
		row := showPrompt{ID: p.ID, Title: p.Title, Kind: string(p.Kind), Out: pp.Out, Answers: pp.Answers,
			AutoSpotlights: len(pp.Spotlights), AutoTiles: pp.Tiles, Planned: clock(pp.Seconds)}
		if p.ShowSpotlights != nil {
			row.Spotlights = strconv.Itoa(*p.ShowSpotlights)
		}
		if p.ShowTiles != 0 {
			row.Tiles = strconv.Itoa(p.ShowTiles)
		}
		row.Summary = promptSummary(pp)
		for _, s := range pp.Spotlights {
			pick := showPick{Name: s.ParticipantName, Starred: s.Starred, Text: s.Text}
			if s.HasPhoto() {
				pick.Thumb = fmt.Sprintf("/dashboard/events/%d/photos/%d/thumb?v=%s", ev.ID, s.ID, live.PhotoVersion(s.PhotoKey))
			}
			row.Picks = append(row.Picks, pick)
		}
		page.Prompts = append(page.Prompts, row)
	}
	status := http.StatusOK
	if typed != nil {
		page.Minutes = typed.Minutes
		for i := range page.Prompts {
			row := &page.Prompts[i]
			f := typed.Prompts[row.ID]
			row.Out, row.Spotlights, row.Tiles = f.Out, f.Spotlights, f.Tiles
		}
	}
	if problems != nil {
		page.Errors = problems.Fields
		status = http.StatusUnprocessableEntity
	}
	return web.HTML(c, status, "organizer/show", page)
}

// promptSummary says in words what a prompt's part of the show is.
func promptSummary(pp *live.PromptPlan) string {
	if pp.Out {
		return "Left out of the show."
	}
	if pp.Answers == 0 {
		return "No answers to show yet: just its title."
	}
	spotlights := fmt.Sprintf("%d spotlights", len(pp.Spotlights))
	switch len(pp.Spotlights) {
	case 0:
		spotlights = "No spotlights"
	case 1:
		spotlights = "1 spotlight"
	}
	switch pages := len(pp.Mosaic); pages {
	case 0:
		return spotlights + "."
	case 1:
		return fmt.Sprintf("%s, the other %d on one mosaic.", spotlights, len(pp.Mosaic[0]))
	default:
		return fmt.Sprintf("%s, the other %d on %d mosaic screens of about %d.", spotlights, pp.Answers-len(pp.Spotlights), pages, len(pp.Mosaic[0]))
	}
}

// clock prints seconds as m:ss.
func clock(seconds int) string {
	if seconds < 0 {
		seconds = -seconds
	}
	return fmt.Sprintf("%d:%02d", seconds/60, seconds%60)
}

// showForm is the plan as typed.
type showForm struct {
	Minutes string
	Prompts map[uint]showPromptForm
}

type showPromptForm struct {
	Out        bool
	Spotlights string
	Tiles      string
}

// saveShowPlan stores the whole plan, or nothing when any field is wrong.
func (h *Handler) saveShowPlan(c echo.Context) error {
	ev, err := h.editableEvent(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	prompts, err := h.store.Prompts(ctx, ev.ID)
	if err != nil {
		return err
	}
	form := showForm{Minutes: strings.TrimSpace(c.FormValue("minutes")), Prompts: map[uint]showPromptForm{}}
	var v models.ValidationError
	minutes := formInt(&v, "minutes", form.Minutes, 0, "Enter the show's length in whole minutes.")
	plans := map[uint]models.PromptShow{}
	for _, p := range prompts {
		id := strconv.FormatUint(uint64(p.ID), 10)
		f := showPromptForm{Out: c.FormValue("in_"+id) == "", Spotlights: strings.TrimSpace(c.FormValue("spotlights_" + id)),
			Tiles: strings.TrimSpace(c.FormValue("tiles_" + id))}
		if c.FormValue("listed_"+id) == "" {
			continue // not on the page the organizer saw (added since): left as it is
		}
		form.Prompts[p.ID] = f
		ps := models.PromptShow{Out: f.Out}
		if f.Spotlights != "" {
			n := formInt(&v, "spotlights_"+id, f.Spotlights, 0, "Spotlights must be a whole number, or blank to let the plan pick.")
			ps.Spotlights = &n
		}
		ps.Tiles = formInt(&v, "tiles_"+id, f.Tiles, 0, "Answers per mosaic screen must be a whole number, or blank to let the plan pick.")
		plans[p.ID] = ps
	}
	if v.Err() == nil {
		err = h.store.SaveShowPlan(ctx, ev.ID, minutes, plans)
		var bad *models.ValidationError
		if errors.As(err, &bad) {
			v = *bad
		} else if err != nil {
			return err
		}
	}
	if v.Err() != nil {
		return h.renderShowPlan(c, ev, &form, &v)
	}
	h.sessions.Flash(c, "Show plan saved.")
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/dashboard/events/%d/show", ev.ID))
}
