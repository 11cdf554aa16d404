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

// promptForm is the prompt editor's fields as typed.
type promptForm struct {
	Kind        string
	Title       string
	Description string
	Points      string
	OpensAt     string
	ClosesAt    string
}

func readPromptForm(c echo.Context) promptForm {
	return promptForm{
		Kind:        c.FormValue("kind"),
		Title:       c.FormValue("title"),
		Description: c.FormValue("description"),
		Points:      strings.TrimSpace(c.FormValue("points")),
		OpensAt:     c.FormValue("opens_at"),
		ClosesAt:    c.FormValue("closes_at"),
	}
}

// input reads the typed form in the event's zone; blank times mean the
// event's own start and end.
func (f promptForm) input(ev *models.Event) (models.PromptInput, *models.ValidationError) {
	var v models.ValidationError
	in := models.PromptInput{Kind: models.PromptKind(f.Kind), Title: f.Title, Description: f.Description}
	if f.Points != "" {
		n, err := strconv.Atoi(f.Points)
		if err != nil {
			v.Add("points", "Points must be a whole number.")
		}
		in.Points = n
	}
	loc := ev.Location()
	if t, ok := web.ParseLocalInput(f.OpensAt, loc); ok {
		in.OpensAt = t
	} else {
		v.Add("opens_at", "Enter the opening as a date and time, or leave it blank.")
	}
	if t, ok := web.ParseLocalInput(f.ClosesAt, loc); ok {
		in.ClosesAt = t
	} else {
		v.Add("closes_at", "Enter the closing as a date and time, or leave it blank.")
	}
	return in, &v
}

type promptFormPage struct {
	web.Page
	Event    *models.OrganizerEvent
	PromptID uint
	Form     promptForm
	Errors   map[string]string
	Starts   string
	Ends     string
}

func (h *Handler) renderPromptForm(c echo.Context, status int, ev *models.OrganizerEvent, promptID uint, f promptForm, errs map[string]string) error {
	title := "New prompt"
	if promptID != 0 {
		title = "Edit prompt"
	}
	loc := ev.Location()
	p := promptFormPage{Page: h.page(c, title), Event: ev, PromptID: promptID, Form: f, Errors: errs,
		Starts: web.LocalInput(&ev.StartsAt, loc), Ends: web.LocalInput(&ev.EndsAt, loc)}
	return web.HTML(c, status, "organizer/prompt_form", p)
}

func (h *Handler) showNewPrompt(c echo.Context) error {
	ev, err := h.editableEvent(c)
	if err != nil {
		return err
	}
	return h.renderPromptForm(c, http.StatusOK, ev, 0, promptForm{Kind: string(models.KindPhoto), Points: "10"}, nil)
}

// savePrompt validates the form and calls save, re-rendering the form with
// the messages and typed values when anything is wrong.
func (h *Handler) savePrompt(c echo.Context, ev *models.OrganizerEvent, promptID uint, save func(models.PromptInput) error) error {
	f := readPromptForm(c)
	in, formErrs := f.input(&ev.Event)
	var err error
	if formErrs.Err() == nil {
		err = save(in)
	} else {
		err = in.Validate(&ev.Event)
	}
	if formErrs.Err() != nil || err != nil {
		errs, ferr := saveErrors(formErrs, err)
		if ferr != nil {
			return ferr
		}
		return h.renderPromptForm(c, http.StatusUnprocessableEntity, ev, promptID, f, errs)
	}
	return nil
}

func (h *Handler) createPrompt(c echo.Context) error {
	ev, err := h.editableEvent(c)
	if err != nil {
		return err
	}
	saved := false
	err = h.savePrompt(c, ev, 0, func(in models.PromptInput) error {
		_, err := h.store.CreatePrompt(c.Request().Context(), &ev.Event, in)
		saved = err == nil
		return err
	})
	if err != nil || !saved {
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
	loc := ev.Location()
	f := promptForm{Kind: string(p.Kind), Title: p.Title, Description: p.Description, Points: strconv.Itoa(p.Points),
		OpensAt: web.LocalInput(p.OpensAt, loc), ClosesAt: web.LocalInput(p.ClosesAt, loc)}
	return h.renderPromptForm(c, http.StatusOK, ev, p.ID, f, nil)
}

func (h *Handler) updatePrompt(c echo.Context) error {
	ev, p, err := h.eventPrompt(c)
	if err != nil {
		return err
	}
	saved := false
	err = h.savePrompt(c, ev, p.ID, func(in models.PromptInput) error {
		err := h.store.UpdatePrompt(c.Request().Context(), &ev.Event, p, in)
		saved = err == nil
		return err
	})
	if err != nil || !saved {
		return err
	}
	h.sessions.Flash(c, "Prompt saved.")
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/dashboard/events/%d#prompts", ev.ID))
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
		return web.ServeOriginal(c, h.photos, sub, fmt.Sprintf("submission-%d", sub.ID))
	}
	return web.ServeRendition(c, h.photos, sub, c.Param("size"))
}
