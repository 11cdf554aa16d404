// Package organizer serves the dashboard organizers use from a laptop:
// first-run setup, login, events, prompts, the join link and QR code, and
// the submissions that come in.
package organizer

import (
	"log/slog"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"retreat/handlers/web"
	"retreat/models"
	"retreat/models/media"
	"retreat/models/nudge"
)

// Handler holds what the dashboard pages need.
type Handler struct {
	store    *models.Store
	photos   media.Store
	web      *web.Renderer
	sessions *web.Sessions
	log      *slog.Logger
	baseURL  string
	// nudges sends reminder emails (see SetNudges).
	nudges *nudge.Sender
	// limiter slows password guessing on the sign-in form.
	limiter *web.LoginLimiter
}

// New builds the dashboard handler. baseURL is the public address for join
// links; empty means the address the request came in on.
func New(s *models.Store, photos media.Store, r *web.Renderer, sess *web.Sessions, log *slog.Logger, baseURL string) *Handler {
	return &Handler{store: s, photos: photos, web: r, sessions: sess, log: log, baseURL: baseURL, limiter: web.NewLoginLimiter(s)}
}

// Register adds the organizer routes.
func (h *Handler) Register(g *echo.Group) {
	g.GET("/", h.showHome)
	g.GET("/setup", h.showSetup)
	g.POST("/setup", h.saveSetup)
	g.GET("/login", h.showLogin)
	g.POST("/login", h.login)
	g.POST("/logout", h.logout)
	h.registerInvites(g)

	d := g.Group("/dashboard", h.requireOrganizer)
	d.GET("", h.showEvents)
	d.GET("/events/new", h.showNewEvent)
	d.POST("/events", h.createEvent)
	d.GET("/events/:event", h.showEvent)
	d.GET("/events/:event/edit", h.showEditEvent)
	d.POST("/events/:event", h.updateEvent)
	d.GET("/events/:event/qr.png", h.showQRCode)
	d.POST("/events/:event/rotate-link", h.rotateJoinLink)

	d.GET("/events/:event/prompts/new", h.showNewPrompt)
	d.POST("/events/:event/prompts", h.createPrompt)
	d.GET("/events/:event/prompts/:prompt/edit", h.showEditPrompt)
	d.POST("/events/:event/prompts/:prompt", h.updatePrompt)
	d.POST("/events/:event/prompts/:prompt/delete", h.deletePrompt)
	h.registerPromptTools(d)

	d.GET("/events/:event/photos/:submission/:size", h.showPhoto)
	h.registerPeople(d)
	h.registerModeration(d)
	h.registerNudges(d)
	h.registerExport(d)
	h.registerRecap(d)
	h.registerShow(d)
}

const keyOrganizer = "organizer"

// requireOrganizer sends anyone not signed in to the login page (API
// callers get a 401), except a participant's phone asking for an event's
// pages, which gets 404 (see web.Sessions.RefuseParticipant).
func (h *Handler) requireOrganizer(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		id := h.sessions.OrganizerID(c)
		if id == 0 {
			if err := h.sessions.RefuseParticipant(c); err != nil {
				return err
			}
			if web.WantsJSON(c) {
				return web.NewError(http.StatusUnauthorized, "Sign in first.", nil)
			}
			return c.Redirect(http.StatusSeeOther, "/login?next="+urlQueryEscape(c.Request().URL.RequestURI()))
		}
		o, err := h.store.Organizer(c.Request().Context(), id)
		if err != nil {
			// The account is gone: drop the stale login.
			_ = h.sessions.SignOutOrganizer(c)
			return c.Redirect(http.StatusSeeOther, "/login")
		}
		c.Set(keyOrganizer, o)
		return next(c)
	}
}

func (h *Handler) organizer(c echo.Context) *models.Organizer {
	return c.Get(keyOrganizer).(*models.Organizer)
}

// page builds the shared data of a dashboard page.
func (h *Handler) page(c echo.Context, title string) web.Page {
	p := h.web.NewPage(c, h.sessions, "organizer", title)
	if o, ok := c.Get(keyOrganizer).(*models.Organizer); ok {
		p.OrganizerName = o.Name
	}
	return p
}

// event loads the event named in the URL, if the organizer may manage it.
func (h *Handler) event(c echo.Context) (*models.OrganizerEvent, error) {
	id, err := idParam(c, "event")
	if err != nil {
		return nil, err
	}
	return h.store.EventForOrganizer(c.Request().Context(), h.organizer(c).ID, id)
}

// editableEvent is event for actions that change it (moderators may not).
func (h *Handler) editableEvent(c echo.Context) (*models.OrganizerEvent, error) {
	ev, err := h.event(c)
	if err != nil {
		return nil, err
	}
	if !ev.Role.CanEdit() {
		return nil, web.NewError(http.StatusForbidden, "Moderators can review submissions but not change the event.", nil)
	}
	return ev, nil
}

func idParam(c echo.Context, name string) (uint, error) {
	n, err := strconv.ParseUint(c.Param(name), 10, 32)
	if err != nil || n == 0 {
		return 0, web.NewError(http.StatusNotFound, "We couldn't find that page. The link may be wrong or out of date.", err)
	}
	return uint(n), nil
}

// eventNav is what the section tabs of an event's dashboard need.
type eventNav struct {
	ID      uint
	Current string
	CanEdit bool
}

func navFor(ev *models.OrganizerEvent, current string) eventNav {
	return eventNav{ID: ev.ID, Current: current, CanEdit: ev.Role.CanEdit()}
}
