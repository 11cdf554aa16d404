package organizer

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"retreat/handlers/web"
	"retreat/models"
)

// promptForm is the prompt editor's fields as typed.
type promptForm struct {
	Kind          string
	Title         string
	Description   string
	Points        string
	Schedule      string
	OpensAt       string
	ClosesAt      string
	DailyDay      string
	DailyTime     string
	DailyDays     string
	GraceMinutes  string
	LatePercent   string
	TeamPrompt    bool
	RemindMinutes string
}

// newPromptForm is what a new prompt starts as: a photo for 10 points,
// open the whole event; the daily fields are ready at breakfast on day 1.
func newPromptForm() promptForm {
	return promptForm{Kind: string(models.KindPhoto), Points: "10", Schedule: string(models.ScheduleEvent),
		DailyDay: "1", DailyTime: "09:00", DailyDays: "1", GraceMinutes: "0", LatePercent: "50", RemindMinutes: "0"}
}

// promptFormOf fills the form from a stored prompt, times in the event's zone.
func promptFormOf(ev *models.Event, p *models.Prompt) promptForm {
	f := newPromptForm()
	loc := ev.Location()
	f.Kind, f.Title, f.Description, f.Points = string(p.Kind), p.Title, p.Description, strconv.Itoa(p.Points)
	f.Schedule = string(p.Schedule)
	f.OpensAt, f.ClosesAt = web.LocalInput(p.OpensAt, loc), web.LocalInput(p.ClosesAt, loc)
	if p.Schedule == models.ScheduleDaily {
		f.DailyDay, f.DailyTime, f.DailyDays = strconv.Itoa(p.DailyDay), formatClock(p.DailyMinute), strconv.Itoa(p.DailyDays)
	}
	f.GraceMinutes, f.LatePercent = strconv.Itoa(p.GraceMinutes), strconv.Itoa(p.LatePercent)
	f.TeamPrompt, f.RemindMinutes = p.TeamPrompt, strconv.Itoa(p.RemindMinutes)
	return f
}

func readPromptForm(c echo.Context) promptForm {
	trim := func(name string) string { return strings.TrimSpace(c.FormValue(name)) }
	return promptForm{
		Kind:          c.FormValue("kind"),
		Title:         c.FormValue("title"),
		Description:   c.FormValue("description"),
		Points:        trim("points"),
		Schedule:      trim("schedule"),
		OpensAt:       trim("opens_at"),
		ClosesAt:      trim("closes_at"),
		DailyDay:      trim("daily_day"),
		DailyTime:     trim("daily_time"),
		DailyDays:     trim("daily_days"),
		GraceMinutes:  trim("grace_minutes"),
		LatePercent:   trim("late_percent"),
		TeamPrompt:    c.FormValue("team_prompt") == "on",
		RemindMinutes: trim("remind_minutes"),
	}
}

// formInt reads a whole number field; blank gives def.
func formInt(v *models.ValidationError, field, s string, def int, msg string) int {
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		v.Add(field, msg)
		return def
	}
	return n
}

// input reads the typed form. Only the fields of the chosen schedule are
// read (without scripts the page shows them all); window times are in the
// event's zone. A form without a schedule choice (an older page) gets a
// fixed window when a time is typed, else the whole event.
func (f promptForm) input(ev *models.Event) (models.PromptInput, *models.ValidationError) {
	var v models.ValidationError
	in := models.PromptInput{Kind: models.PromptKind(f.Kind), Title: f.Title, Description: f.Description,
		Schedule: models.ScheduleKind(f.Schedule), TeamPrompt: f.TeamPrompt}
	in.Points = formInt(&v, "points", f.Points, 0, "Points must be a whole number.")
	in.GraceMinutes = formInt(&v, "grace_minutes", f.GraceMinutes, 0, "Enter the late window in whole minutes (0 for none).")
	in.LatePercent = formInt(&v, "late_percent", f.LatePercent, 50, "Enter the late share as a whole percentage, like 50.")
	in.RemindMinutes = formInt(&v, "remind_minutes", f.RemindMinutes, 0, "Enter the reminder in whole minutes before the close (0 for none).")
	switch in.Schedule {
	case "", models.ScheduleWindow:
		loc := ev.Location()
		if t, ok := web.ParseLocalInput(f.OpensAt, loc); ok {
			in.OpensAt = t
		} else {
			v.Add("opens_at", "Enter the opening as a date and time, or leave it blank for the event's start.")
		}
		if t, ok := web.ParseLocalInput(f.ClosesAt, loc); ok {
			in.ClosesAt = t
		} else {
			v.Add("closes_at", "Enter the closing as a date and time, or leave it blank for the event's end.")
		}
	case models.ScheduleDaily:
		in.DailyDay = formInt(&v, "daily_day", f.DailyDay, 0, "Pick a day of the event.")
		in.DailyDays = formInt(&v, "daily_days", f.DailyDays, 1, "Enter for how many days it stays open, as a whole number.")
		if m, ok := parseClock(f.DailyTime); ok {
			in.DailyMinute = m
		} else {
			v.Add("daily_time", "Enter the time of day as HH:MM, between 00:00 and 23:59.")
		}
	}
	return in, &v
}

// parseClock reads a time of day as browsers and people type it: "8:00",
// "08:00", "08:00:00" (a time input with seconds), "8.30", "0830" or "8";
// it returns minutes after midnight, refusing anything past 23:59.
func parseClock(s string) (int, bool) {
	s = strings.TrimSpace(s)
	var hs, ms string
	switch {
	case strings.ContainsAny(s, ":."):
		parts := strings.FieldsFunc(s, func(r rune) bool { return r == ':' || r == '.' })
		if len(parts) < 2 || len(parts) > 3 || strings.Count(s, ":")+strings.Count(s, ".") != len(parts)-1 {
			return 0, false
		}
		hs, ms = parts[0], parts[1]
		if len(parts) == 3 && (len(parts[2]) != 2 || !allDigits(parts[2]) || parts[2] > "59") {
			return 0, false
		}
	case len(s) == 3 || len(s) == 4:
		hs, ms = s[:len(s)-2], s[len(s)-2:]
	case len(s) == 1 || len(s) == 2:
		hs, ms = s, "00"
	default:
		return 0, false
	}
	if len(hs) < 1 || len(hs) > 2 || len(ms) != 2 || !allDigits(hs) || !allDigits(ms) {
		return 0, false
	}
	h, _ := strconv.Atoi(hs)
	m, _ := strconv.Atoi(ms)
	if h > 23 || m > 59 {
		return 0, false
	}
	return h*60 + m, true
}

func allDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// formatClock prints minutes after midnight as HH:MM for a time input.
func formatClock(m int) string { return fmt.Sprintf("%02d:%02d", m/60, m%60) }

// dayOption is one day of the event in the daily prompt's day picker.
type dayOption struct {
	Value string
	Label string
}

// eventDays lists the event's days with their dates in its zone: "Day 2 · Wed 2 Dec".
func eventDays(ev *models.Event) []dayOption {
	loc := ev.Location()
	y, m, d := ev.StartsAt.In(loc).Date()
	n := ev.EventDays()
	days := make([]dayOption, 0, n)
	for i := range n {
		date := time.Date(y, m, d+i, 12, 0, 0, 0, loc)
		days = append(days, dayOption{Value: strconv.Itoa(i + 1), Label: fmt.Sprintf("Day %d · %s", i+1, date.Format("Mon 2 Jan"))})
	}
	return days
}

type promptFormPage struct {
	web.Page
	Event    *models.OrganizerEvent
	PromptID uint
	Form     promptForm
	Errors   map[string]string
	// Span is the event's own window, for the "whole event" choice.
	Span string
	// ZoneCity names the event's zone in labels: "in Lisbon time".
	ZoneCity string
	Days     []dayOption
	// Teams offers the team prompt box (the event has teams on).
	Teams bool
}

func (h *Handler) renderPromptForm(c echo.Context, status int, ev *models.OrganizerEvent, promptID uint, f promptForm, errs map[string]string) error {
	title := "New prompt"
	if promptID != 0 {
		title = "Edit prompt"
	}
	p := promptFormPage{Page: h.page(c, title), Event: ev, PromptID: promptID, Form: f, Errors: errs,
		Span: eventSpan(&ev.Event), ZoneCity: models.ZoneCity(ev.TimeZone), Days: eventDays(&ev.Event),
		Teams: ev.TeamsEnabled || f.TeamPrompt}
	return web.HTML(c, status, "organizer/prompt_form", p)
}

func (h *Handler) showNewPrompt(c echo.Context) error {
	ev, err := h.editableEvent(c)
	if err != nil {
		return err
	}
	return h.renderPromptForm(c, http.StatusOK, ev, 0, newPromptForm(), nil)
}

// savePrompt validates the form and calls save, re-rendering the form with
// the messages and typed values when anything is wrong. It reports whether
// the prompt was saved.
func (h *Handler) savePrompt(c echo.Context, ev *models.OrganizerEvent, promptID uint, save func(models.PromptInput) error) (bool, error) {
	f := readPromptForm(c)
	in, formErrs := f.input(&ev.Event)
	var err error
	if formErrs.Err() == nil {
		err = save(in)
	} else {
		err = in.Validate(&ev.Event)
	}
	if formErrs.Err() == nil && err == nil {
		return true, nil
	}
	errs, ferr := saveErrors(formErrs, err)
	if ferr != nil {
		return false, ferr
	}
	return false, h.renderPromptForm(c, http.StatusUnprocessableEntity, ev, promptID, f, errs)
}

func (h *Handler) createPrompt(c echo.Context) error {
	ev, err := h.editableEvent(c)
	if err != nil {
		return err
	}
	saved, err := h.savePrompt(c, ev, 0, func(in models.PromptInput) error {
		_, err := h.store.CreatePrompt(c.Request().Context(), &ev.Event, in)
		return err
	})
	if !saved {
		return err
	}
	h.sessions.Flash(c, "Prompt added.")
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/dashboard/events/%d#prompts", ev.ID))
}

func (h *Handler) eventPrompt(c echo.Context) (*models.OrganizerEvent, *models.Prompt, error) {
	ev, err := h.editableEvent(c)
	if err != nil {
		return nil, nil, err
	}
	id, err := idParam(c, "prompt")
	if err != nil {
		return nil, nil, err
	}
	p, err := h.store.EventPrompt(c.Request().Context(), ev.ID, id)
	if err != nil {
		return nil, nil, err
	}
	return ev, p, nil
}

func (h *Handler) showEditPrompt(c echo.Context) error {
	ev, p, err := h.eventPrompt(c)
	if err != nil {
		return err
	}
	return h.renderPromptForm(c, http.StatusOK, ev, p.ID, promptFormOf(&ev.Event, p), nil)
}

func (h *Handler) updatePrompt(c echo.Context) error {
	ev, p, err := h.eventPrompt(c)
	if err != nil {
		return err
	}
	saved, err := h.savePrompt(c, ev, p.ID, func(in models.PromptInput) error {
		return h.store.UpdatePrompt(c.Request().Context(), &ev.Event, p, in)
	})
	if !saved {
		return err
	}
	h.sessions.Flash(c, "Prompt saved.")
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/dashboard/events/%d#prompt-%d", ev.ID, p.ID))
}

func (h *Handler) deletePrompt(c echo.Context) error {
	ev, p, err := h.eventPrompt(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	folders, err := h.store.DeletePrompt(ctx, p)
	if err != nil {
		return err
	}
	for _, f := range folders {
		if err := models.DeletePhotoFolder(ctx, h.photos, f); err != nil {
			h.log.Warn("remove photos of deleted prompt", "err", err)
		}
	}
	h.sessions.Flash(c, fmt.Sprintf("Prompt %q deleted, with its answers.", p.Title))
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/dashboard/events/%d#prompts", ev.ID))
}

// showPhoto serves a submission's photo to an organizer of its event.
func (h *Handler) showPhoto(c echo.Context) error {
	ev, err := h.event(c)
	if err != nil {
		return err
	}
	id, err := idParam(c, "submission")
	if err != nil {
		return err
	}
	sub, err := h.store.EventSubmission(c.Request().Context(), ev.ID, id)
	if err != nil {
		return err
	}
	if c.Param("size") == "original" {
		// Originals keep their metadata (location included): like the
		// export, they are for owners and organizers, not moderators.
		if !ev.Role.CanEdit() {
			return web.NewError(http.StatusForbidden, "Only the event's owners and organizers can download original photos.", nil)
		}
		return web.ServeOriginal(c, h.photos, sub, fmt.Sprintf("submission-%d", sub.ID))
	}
	return web.ServeRendition(c, h.photos, sub, c.Param("size"))
}
