package organizer

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	qrcode "github.com/skip2/go-qrcode"

	"retreat/handlers/web"
	"retreat/models"
	"retreat/models/media"
)

type eventsPage struct {
	web.Page
	Events []eventRow
}

type eventRow struct {
	ID    uint
	Name  string
	When  string
	Role  models.Role
	State string
}

func (h *Handler) showEvents(c echo.Context) error {
	list, err := h.store.EventsForOrganizer(c.Request().Context(), h.organizer(c).ID)
	if err != nil {
		return err
	}
	now := h.store.Now()
	rows := make([]eventRow, 0, len(list))
	for _, ev := range list {
		state := "running"
		switch {
		case now.Before(ev.StartsAt):
			state = "upcoming"
		case !now.Before(ev.EndsAt):
			state = "ended"
		}
		rows = append(rows, eventRow{ID: ev.ID, Name: ev.Name, Role: ev.Role, State: state, When: eventSpan(&ev.Event)})
	}
	return web.HTML(c, http.StatusOK, "organizer/events", eventsPage{Page: h.page(c, "Your events"), Events: rows})
}

// eventSpan prints an event's dates in its own zone: "Mon 7 Dec 09:00 – Fri 11 Dec 17:00 (Europe/Lisbon)".
func eventSpan(ev *models.Event) string {
	loc := ev.Location()
	return ev.StartsAt.In(loc).Format("Mon 2 Jan 2006 15:04") + " – " + ev.EndsAt.In(loc).Format("Mon 2 Jan 2006 15:04") + " (" + ev.TimeZone + ")"
}

// eventForm is the event editor's fields as typed.
type eventForm struct {
	Name        string
	Description string
	StartsAt    string
	EndsAt      string
	TimeZone    string
	GalleryOpen bool
	// Settings (see settings.go).
	TeamsEnabled  bool
	FreezeAt      string
	RevealAt      string
	RetentionDays string
}

func readEventForm(c echo.Context) eventForm {
	return eventForm{
		Name:          c.FormValue("name"),
		Description:   c.FormValue("description"),
		StartsAt:      c.FormValue("starts_at"),
		EndsAt:        c.FormValue("ends_at"),
		TimeZone:      strings.TrimSpace(c.FormValue("time_zone")),
		GalleryOpen:   c.FormValue("gallery_open") == "on",
		TeamsEnabled:  c.FormValue("teams_enabled") == "on",
		FreezeAt:      strings.TrimSpace(c.FormValue("freeze_at")),
		RevealAt:      strings.TrimSpace(c.FormValue("reveal_at")),
		RetentionDays: strings.TrimSpace(c.FormValue("retention_days")),
	}
}

// input turns the typed form into model input; dates are read in the
// chosen zone, so "09:00" means nine in the morning where the event is.
func (f eventForm) input() (models.EventInput, *models.ValidationError) {
	var v models.ValidationError
	in := models.EventInput{Name: f.Name, Description: f.Description, TimeZone: f.TimeZone, GalleryOpen: f.GalleryOpen}
	loc, err := models.LoadZone(f.TimeZone)
	if err != nil {
		v.Add("time_zone", "Pick a time zone from the list.")
		loc = time.UTC
	}
	if t, ok := web.ParseLocalInput(f.StartsAt, loc); !ok {
		v.Add("starts_at", "Enter the start as a date and time.")
	} else if t != nil {
		in.StartsAt = *t
	}
	if t, ok := web.ParseLocalInput(f.EndsAt, loc); !ok {
		v.Add("ends_at", "Enter the end as a date and time.")
	} else if t != nil {
		in.EndsAt = *t
	}
	f.settings(&in, loc, &v)
	return in, &v
}

type eventFormPage struct {
	web.Page
	// Nav is the event's section tabs, when editing one.
	Nav     *eventNav
	EventID uint
	Form    eventForm
	Errors  map[string]string
	Zones   []string
}

func (h *Handler) renderEventForm(c echo.Context, status int, title string, eventID uint, f eventForm, errs map[string]string) error {
	p := eventFormPage{Page: h.page(c, title), EventID: eventID, Form: f, Errors: errs, Zones: models.TimeZones()}
	if eventID != 0 {
		p.Nav = &eventNav{ID: eventID, Current: "settings", CanEdit: true}
	}
	return web.HTML(c, status, "organizer/event_form", p)
}

func (h *Handler) showNewEvent(c echo.Context) error {
	// A sensible default: tomorrow 09:00 for three days, in UTC until the
	// browser's script picks the organizer's own zone.
	now := h.store.Now().UTC()
	start := time.Date(now.Year(), now.Month(), now.Day()+1, 9, 0, 0, 0, time.UTC)
	f := eventForm{TimeZone: "UTC", StartsAt: web.LocalInput(&start, time.UTC), RetentionDays: "0"}
	end := start.AddDate(0, 0, 3).Add(8 * time.Hour)
	f.EndsAt = web.LocalInput(&end, time.UTC)
	return h.renderEventForm(c, http.StatusOK, "New event", 0, f, nil)
}

// saveErrors merges form-reading and model validation messages.
func saveErrors(formErrs *models.ValidationError, err error) (map[string]string, error) {
	var ve *models.ValidationError
	if err != nil && !errors.As(err, &ve) {
		return nil, err
	}
	merged := models.ValidationError{}
	for k, m := range formErrs.Fields {
		merged.Add(k, m)
	}
	if ve != nil {
		for k, m := range ve.Fields {
			merged.Add(k, m)
		}
	}
	return merged.Fields, nil
}

func (h *Handler) createEvent(c echo.Context) error {
	f := readEventForm(c)
	in, formErrs := f.input()
	var ev *models.Event
	var err error
	if formErrs.Err() == nil {
		ev, err = h.store.CreateEvent(c.Request().Context(), h.organizer(c).ID, in)
	} else {
		err = in.Validate()
	}
	if formErrs.Err() != nil || err != nil {
		errs, ferr := saveErrors(formErrs, err)
		if ferr != nil {
			return ferr
		}
		return h.renderEventForm(c, http.StatusUnprocessableEntity, "New event", 0, f, errs)
	}
	h.sessions.Flash(c, "Event created. Add its prompts, then share the join link.")
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/dashboard/events/%d", ev.ID))
}

func (h *Handler) showEditEvent(c echo.Context) error {
	ev, err := h.editableEvent(c)
	if err != nil {
		return err
	}
	loc := ev.Location()
	f := eventForm{
		Name: ev.Name, Description: ev.Description, TimeZone: ev.TimeZone, GalleryOpen: ev.GalleryOpen,
		StartsAt: web.LocalInput(&ev.StartsAt, loc), EndsAt: web.LocalInput(&ev.EndsAt, loc),
	}
	settingsForm(&f, &ev.Event)
	return h.renderEventForm(c, http.StatusOK, "Edit "+ev.Name, ev.ID, f, nil)
}

func (h *Handler) updateEvent(c echo.Context) error {
	ev, err := h.editableEvent(c)
	if err != nil {
		return err
	}
	f := readEventForm(c)
	in, formErrs := f.input()
	if formErrs.Err() == nil {
		err = h.store.UpdateEvent(c.Request().Context(), &ev.Event, in)
	} else {
		err = in.Validate()
	}
	if formErrs.Err() != nil || err != nil {
		errs, ferr := saveErrors(formErrs, err)
		if ferr != nil {
			return ferr
		}
		return h.renderEventForm(c, http.StatusUnprocessableEntity, "Edit "+ev.Name, ev.ID, f, errs)
	}
	h.sessions.Flash(c, "Event saved.")
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/dashboard/events/%d", ev.ID))
}

func (h *Handler) rotateJoinLink(c echo.Context) error {
	ev, err := h.editableEvent(c)
	if err != nil {
		return err
	}
	if err := h.store.RotateJoinToken(c.Request().Context(), &ev.Event); err != nil {
		return err
	}
	h.sessions.Flash(c, "The join link was replaced. The old link no longer works; people who already joined stay in.")
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/dashboard/events/%d", ev.ID))
}

// joinURL is the link participants open; it uses the configured public
// address so links work behind a proxy.
func (h *Handler) joinURL(c echo.Context, ev *models.Event) string {
	base := h.baseURL
	if base == "" {
		base = c.Scheme() + "://" + c.Request().Host
	}
	return strings.TrimRight(base, "/") + "/j/" + ev.JoinToken
}

// showQRCode serves the join link as a PNG QR code, for a screen or a poster.
func (h *Handler) showQRCode(c echo.Context) error {
	ev, err := h.event(c)
	if err != nil {
		return err
	}
	png, err := qrcode.Encode(h.joinURL(c, &ev.Event), qrcode.Medium, 512)
	if err != nil {
		return fmt.Errorf("encode QR code: %w", err)
	}
	c.Response().Header().Set("Cache-Control", "private, no-cache")
	if c.QueryParam("download") != "" {
		c.Response().Header().Set("Content-Disposition", `attachment; filename="retreat-join-qr.png"`)
	}
	return c.Blob(http.StatusOK, "image/png", png)
}

type eventPage struct {
	web.Page
	Nav              eventNav
	Event            *models.OrganizerEvent
	CanEdit          bool
	When             string
	JoinURL          string
	QRURL            string
	ParticipantCount int
	SubmissionCount  int
	Prompts          []promptView
	// ViewerZone is the zone dashboard times are in (the browser's, else
	// the event's); ZoneNote says so.
	ViewerZone string
	ZoneNote   string
}

type promptView struct {
	models.Prompt
	promptSchedule // when it opens and closes (prompt_view.go)
	Submissions    []submissionView
}

type submissionView struct {
	ID          uint
	Name        string
	Caption     string
	Text        string
	ThumbURL    string
	PhoneURL    string
	OriginalURL string
	When        string
	// Taken is the photo's EXIF capture time ("" when it has none).
	Taken string
	// Late says what a late answer earns ("" if sent on time).
	Late    string
	Hidden  bool
	Starred bool
}

func (h *Handler) showEvent(c echo.Context) error {
	ctx := c.Request().Context()
	ev, err := h.event(c)
	if err != nil {
		return err
	}
	prompts, err := h.store.Prompts(ctx, ev.ID)
	if err != nil {
		return err
	}
	subs, err := h.store.EventSubmissions(ctx, ev.ID)
	if err != nil {
		return err
	}
	participants, err := h.store.Participants(ctx, ev.ID)
	if err != nil {
		return err
	}
	now, viewer := h.store.Now(), viewerZone(c, &ev.Event)
	loc := ev.Location()
	latePercent := make(map[uint]int, len(prompts))
	for _, p := range prompts {
		latePercent[p.ID] = p.LatePercent
	}
	byPrompt := map[uint][]submissionView{}
	base := fmt.Sprintf("/dashboard/events/%d/photos/", ev.ID)
	for _, s := range subs {
		v := submissionView{ID: s.ID, Name: s.ParticipantName, Caption: s.Caption, Text: s.Text,
			Hidden: s.Hidden, Starred: s.Starred, When: web.When(s.UpdatedAt, viewer, loc, now)}
		if s.Late {
			v.Late = lateNote(latePercent[s.PromptID])
		}
		if s.TakenAt != nil {
			v.Taken = web.When(*s.TakenAt, viewer, loc, now)
		}
		if s.HasPhoto() {
			v.ThumbURL = fmt.Sprintf("%s%d/%s", base, s.ID, media.Thumb)
			v.PhoneURL = fmt.Sprintf("%s%d/%s", base, s.ID, media.Phone)
			if ev.Role.CanEdit() { // originals keep their location data: not for moderators
				v.OriginalURL = fmt.Sprintf("%s%d/original", base, s.ID)
			}
		}
		byPrompt[s.PromptID] = append(byPrompt[s.PromptID], v)
	}
	views := make([]promptView, 0, len(prompts))
	for i, p := range prompts {
		views = append(views, promptView{
			Prompt: p, promptSchedule: scheduleOf(&ev.Event, &p, viewer, now, i, len(prompts)),
			Submissions: byPrompt[p.ID],
		})
	}
	page := eventPage{
		Page: h.page(c, ev.Name), Nav: navFor(ev, "overview"), Event: ev, CanEdit: ev.Role.CanEdit(), When: eventSpan(&ev.Event),
		JoinURL: h.joinURL(c, &ev.Event), QRURL: fmt.Sprintf("/dashboard/events/%d/qr.png", ev.ID),
		ParticipantCount: len(participants), SubmissionCount: len(subs), Prompts: views,
		ViewerZone: viewer.String(), ZoneNote: zoneNote(viewer, &ev.Event),
	}
	return web.HTML(c, http.StatusOK, "organizer/event", page)
}
