package organizer

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"retreat/handlers/web"
	"retreat/models"
)

// importForm is the paste-a-list form as typed.
type importForm struct {
	List      string
	Kind      string
	Points    string
	Daily     bool
	DailyTime string
	DailyDays string
}

func readImportForm(c echo.Context) importForm {
	return importForm{
		List:      c.FormValue("list"),
		Kind:      c.FormValue("kind"),
		Points:    strings.TrimSpace(c.FormValue("points")),
		Daily:     c.FormValue("daily") != "",
		DailyTime: strings.TrimSpace(c.FormValue("daily_time")),
		DailyDays: strings.TrimSpace(c.FormValue("daily_days")),
	}
}

func (f importForm) options() (models.ImportOptions, *models.ValidationError) {
	var v models.ValidationError
	opt := models.ImportOptions{Kind: models.PromptKind(f.Kind), Daily: f.Daily}
	opt.Points = formInt(&v, "points", f.Points, 0, "Points must be a whole number.")
	if f.Daily {
		opt.DailyDays = formInt(&v, "daily_days", f.DailyDays, 1, "Enter for how many days each stays open, as a whole number.")
		if m, ok := parseClock(f.DailyTime); ok {
			opt.DailyMinute = m
		} else {
			v.Add("daily_time", "Enter the time of day as HH:MM, between 00:00 and 23:59.")
		}
	}
	return opt, &v
}

type importPage struct {
	web.Page
	Event  *models.OrganizerEvent
	Form   importForm
	Errors map[string]string
	// ListError is the list's message split into lines (one per bad line).
	ListError []string
	Days      int
}

func (h *Handler) renderImport(c echo.Context, status int, ev *models.OrganizerEvent, f importForm, errs map[string]string) error {
	p := importPage{Page: h.page(c, "Import prompts"), Event: ev, Form: f, Errors: errs, Days: ev.EventDays()}
	if msg := errs["list"]; msg != "" {
		p.ListError = strings.Split(msg, "\n")
	}
	return web.HTML(c, status, "organizer/prompt_import", p)
}

func (h *Handler) showImportPrompts(c echo.Context) error {
	ev, err := h.editableEvent(c)
	if err != nil {
		return err
	}
	f := importForm{Kind: string(models.KindPhoto), Points: "10", DailyTime: "09:00", DailyDays: "1"}
	return h.renderImport(c, http.StatusOK, ev, f, nil)
}

// importPrompts adds every prompt of a pasted list, or none: a bad line is
// named with its number and the typed list comes back to be fixed.
func (h *Handler) importPrompts(c echo.Context) error {
	ev, err := h.editableEvent(c)
	if err != nil {
		return err
	}
	f := readImportForm(c)
	opt, formErrs := f.options()
	var added []models.Prompt
	if formErrs.Err() == nil {
		added, err = h.store.ImportPrompts(c.Request().Context(), &ev.Event, f.List, opt)
	}
	if formErrs.Err() != nil || err != nil {
		errs, ferr := saveErrors(formErrs, err)
		if ferr != nil {
			return ferr
		}
		return h.renderImport(c, http.StatusUnprocessableEntity, ev, f, errs)
	}
	msg := fmt.Sprintf("Added %d prompts.", len(added))
	if len(added) == 1 {
		msg = "Added 1 prompt."
	}
	h.sessions.Flash(c, msg)
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/dashboard/events/%d#prompts", ev.ID))
}
