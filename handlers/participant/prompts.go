package participant

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"retreat/handlers/web"
	"retreat/models"
	"retreat/models/media"
)

// promptCard is one prompt as the participant sees it in the list.
type promptCard struct {
	ID          uint
	Kind        models.PromptKind
	Title       string
	Description string
	Points      int
	State       models.PromptState
	// When says "closes …" for open prompts, "opens …" for upcoming ones
	// and "closed …" for closed ones, in the participant's zone.
	When  string
	Until string
	Done  bool
	Late  bool
	Team  bool
	// LatePercent is what a late answer keeps of the points; Opens and
	// Closes are the window in the participant's zone, the event's beside.
	LatePercent int
	Opens       string
	Closes      string
	// Answerable is true while answers are taken (open, or late).
	Answerable bool
	ThumbURL   string
	Caption    string
	Text       string
	URL        string
	// Taken is when the photo was taken, from its EXIF, in the
	// participant's zone ("" when the file did not say).
	Taken string
	// Score is what the answer earns (see scores.go).
	Score answerScore
}

type promptsPage struct {
	web.Page
	Event       *models.Event
	Participant *models.Participant
	Open        []promptCard
	Upcoming    []promptCard
	Closed      []promptCard
	DoneCount   int
	Total       int
	ZoneNote    string
	// LiveURL is the reveal to follow along, while it is running.
	LiveURL string
}

func (h *Handler) photoURL(ev *models.Event, sub *models.Submission, size media.Size) string {
	return fmt.Sprintf("/e/%d/photos/%d/%s?v=%s", ev.ID, sub.ID, size, photoVersion(sub))
}

// photoVersion changes whenever the photo is replaced, so a cached old
// thumbnail is never shown after a new upload.
func photoVersion(sub *models.Submission) string {
	if i := strings.LastIndexByte(sub.PhotoKey, '/'); i >= 0 {
		return sub.PhotoKey[i+1:][:8]
	}
	return "0"
}

func (h *Handler) card(ev *models.Event, pa *models.Participant, p models.Prompt, sub *models.Submission) promptCard {
	now := h.store.Now()
	viewer, home := pa.Location(), ev.Location()
	opens, closes := p.Window(ev, viewer)
	c := promptCard{ID: p.ID, Kind: p.Kind, Title: p.Title, Description: p.Description, Points: p.Points,
		State: p.StateAt(ev, viewer, now), URL: fmt.Sprintf("/e/%d/prompts/%d", ev.ID, p.ID), Team: p.TeamPrompt}
	c.Answerable = c.State == models.StateOpen || c.State == models.StateLate
	c.LatePercent = p.LatePercent
	c.Opens, c.Closes = web.When(opens, viewer, home, now), web.When(closes, viewer, home, now)
	switch c.State {
	case models.StateOpen:
		c.When = "Closes " + web.When(closes, viewer, home, now)
		c.Until = "closes " + web.Until(closes, now)
	case models.StateLate:
		end := p.GraceEnds(closes)
		c.When = fmt.Sprintf("Closed, but late answers still count for %d%% until %s", p.LatePercent, web.When(end, viewer, home, now))
		c.Until = "late window ends " + web.Until(end, now)
	case models.StateUpcoming:
		c.When = "Opens " + web.When(opens, viewer, home, now)
		c.Until = "opens " + web.Until(opens, now)
	default:
		c.When = "Closed " + web.When(closes, viewer, home, now)
	}
	if sub != nil {
		c.Done = true
		c.Score = scoreOfAnswer(ev, &p, sub, now)
		c.Late = sub.Late
		c.Caption = sub.Caption
		c.Text = sub.Text
		if sub.HasPhoto() {
			c.ThumbURL = h.photoURL(ev, sub, media.Thumb)
		}
		if sub.TakenAt != nil {
			c.Taken = web.When(*sub.TakenAt, viewer, home, now)
		}
	}
	return c
}

func (h *Handler) showPrompts(c echo.Context) error {
	ctx := c.Request().Context()
	ev, pa := h.current(c)
	prompts, err := h.store.Prompts(ctx, ev.ID)
	if err != nil {
		return err
	}
	subs, err := h.store.ParticipantSubmissions(ctx, pa.ID)
	if err != nil {
		return err
	}
	page := promptsPage{Page: h.page(c, ev.Name), Event: ev, Participant: pa, Total: len(prompts)}
	if status, err := h.store.RevealStatusOf(ctx, ev.ID); err != nil {
		return err
	} else if status == models.RevealLive {
		page.LiveURL = fmt.Sprintf("/e/%d/live", ev.ID)
	}
	for _, p := range prompts {
		var sub *models.Submission
		if s, ok := subs[p.ID]; ok {
			sub = &s
			page.DoneCount++
		}
		card := h.card(ev, pa, p, sub)
		switch card.State {
		case models.StateOpen, models.StateLate:
			page.Open = append(page.Open, card)
		case models.StateUpcoming:
			page.Upcoming = append(page.Upcoming, card)
		default:
			page.Closed = append(page.Closed, card)
		}
	}
	page.ZoneNote = "Times are in your time zone (" + models.ZoneCity(pa.TimeZone) + ")."
	if pa.TimeZone != ev.TimeZone {
		page.ZoneNote += " The event runs on " + models.ZoneCity(ev.TimeZone) + " time."
	}
	return web.HTML(c, http.StatusOK, "participant/prompts", page)
}

type promptPage struct {
	web.Page
	Event      *models.Event
	Prompt     promptCard
	Caption    string
	Text       string
	Error      string
	Status     int
	ActionURL  string
	FullURL    string
	MaxMB      int64
	CaptionMax int
	TextMax    int
	// UploadKey is the idempotency key of this form's upload (see
	// idempotency.go): resending the same form stores nothing twice.
	UploadKey string
	// NotForLive is the answer's "keep it out of the live reveal" choice;
	// ConsentURL changes it afterwards (handlers/live).
	NotForLive bool
	ConsentURL string
}

func (h *Handler) loadPrompt(c echo.Context) (*models.Event, *models.Participant, *models.Prompt, error) {
	ev, pa := h.current(c)
	id, err := idParam(c, "prompt")
	if err != nil {
		return nil, nil, nil, err
	}
	p, err := h.store.EventPrompt(c.Request().Context(), ev.ID, id)
	if err != nil {
		return nil, nil, nil, err
	}
	return ev, pa, p, nil
}

// renderPrompt shows a prompt with its answer form, re-filled with what
// the participant typed when msg explains why it was refused.
func (h *Handler) renderPrompt(c echo.Context, status int, ev *models.Event, pa *models.Participant, p *models.Prompt, caption, text, msg string) error {
	subs, err := h.store.ParticipantSubmissions(c.Request().Context(), pa.ID)
	if err != nil {
		return err
	}
	var sub *models.Submission
	if s, ok := subs[p.ID]; ok {
		sub = &s
		if msg == "" {
			caption, text = s.Caption, s.Text
		}
	}
	page := promptPage{Page: h.page(c, p.Title), Event: ev, Prompt: h.card(ev, pa, *p, sub),
		Caption: caption, Text: text, Error: msg, Status: status,
		MaxMB: h.images.Limits().MaxBytes >> 20, CaptionMax: models.MaxCaptionLength, TextMax: models.MaxTextLength,
		UploadKey: models.NewUploadKey()}
	// The CSRF token rides in the action URL so checking it never needs the
	// multipart body parsed (uploads are streamed to disk instead).
	page.ActionURL = fmt.Sprintf("/e/%d/prompts/%d/answer?_csrf=%s", ev.ID, p.ID, url.QueryEscape(page.CSRF))
	if sub != nil {
		page.NotForLive = sub.NotForLive
		page.ConsentURL = fmt.Sprintf("/e/%d/prompts/%d/live-consent", ev.ID, p.ID)
	}
	if sub != nil && sub.HasPhoto() {
		page.FullURL = h.photoURL(ev, sub, media.Phone)
	}
	return web.HTML(c, status, "participant/prompt", page)
}

func (h *Handler) showPrompt(c echo.Context) error {
	ev, pa, p, err := h.loadPrompt(c)
	if err != nil {
		return err
	}
	return h.renderPrompt(c, http.StatusOK, ev, pa, p, "", "", "")
}

type mePage struct {
	web.Page
	Event       *models.Event
	Participant *models.Participant
	ReturnURL   string
	Zones       []string
	Team        teamPicker
	// Email is the reminder address form (see email.go).
	Email emailField
}

// showMe shows the participant's personal link, team and time zone.
func (h *Handler) showMe(c echo.Context) error {
	return h.renderMe(c, http.StatusOK, "")
}

// renderMe renders the "You" page; teamErr explains a refused team choice.
func (h *Handler) renderMe(c echo.Context, status int, teamErr string) error {
	ev, pa := h.current(c)
	page := mePage{Page: h.page(c, "You"), Event: ev, Participant: pa, Zones: models.TimeZones(),
		ReturnURL: c.Scheme() + "://" + c.Request().Host + "/r/" + pa.ReturnToken}
	page.Email = emailFieldFor(c, pa)
	var err error
	if page.Team, err = h.teamPicker(c.Request().Context(), ev, pa, teamErr); err != nil {
		return err
	}
	return web.HTML(c, status, "participant/me", page)
}

func (h *Handler) saveTimeZone(c echo.Context) error {
	ev, pa := h.current(c)
	if err := h.store.SetParticipantTimeZone(c.Request().Context(), pa, c.FormValue("time_zone")); err != nil {
		return err
	}
	h.sessions.Flash(c, "Times are now shown in "+models.ZoneCity(pa.TimeZone)+" time.")
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/e/%d", ev.ID))
}

// showPhoto serves a rendition the participant may see: their own, or
// others' once the organizer opened the gallery. Anything else is 404.
func (h *Handler) showPhoto(c echo.Context) error {
	ev, pa := h.current(c)
	id, err := idParam(c, "submission")
	if err != nil {
		return err
	}
	sub, err := h.store.EventSubmission(c.Request().Context(), ev.ID, id)
	if err != nil {
		return err
	}
	if !sub.MayParticipantSee(ev, pa) {
		return web.NewError(http.StatusNotFound, "We couldn't find that photo.", nil)
	}
	return web.ServeRendition(c, h.photos, sub, c.Param("size"))
}
