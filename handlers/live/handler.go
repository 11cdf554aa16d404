// Package live serves the reveal: the presenter's full-screen slideshow
// and its controls on the dashboard, the page phones follow it on, and the
// Server-Sent Events stream that keeps both in step.
//
// Who may do what: any organizer of the event (moderators too) may open
// the presenter view, which follows the reveal; starting, moving, revealing
// names and ending need an owner or organizer (Role.CanEdit), like every
// other change to the event. Phones need the event's participant session.
package live

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"retreat/handlers/web"
	"retreat/models"
	"retreat/models/live"
	"retreat/models/media"
)

// Handler holds what the reveal's pages and streams need.
type Handler struct {
	store    *models.Store
	photos   media.Store
	web      *web.Renderer
	sessions *web.Sessions
	live     *live.Service
	log      *slog.Logger
	baseURL  string

	// done closes when the server shuts down, ending every stream.
	done     chan struct{}
	stopOnce sync.Once
	// photoGate bounds how many phones' photo requests read the database
	// at once (see showFollowerPhoto); shown knows which answers were on
	// screen, on their own slide or on a mosaic.
	photoGate chan struct{}
	shown     *live.ShownAnswers
	// preload says which photos of the slides coming up phones may fetch
	// ahead (see followerPhoto).
	preload *live.PreloadGate
	// viewers remembers which sessions are the event's participants.
	viewers *viewers
	// reactions counts phones' emoji; reactLimits paces each phone.
	reactions   *live.Reactor
	reactLimits *rateLimits
	// streams counts the event streams each browser session holds open.
	streams *streamCounts
}

// Deps are the reveal handler's dependencies.
type Deps struct {
	Store    *models.Store
	Photos   media.Store
	Web      *web.Renderer
	Sessions *web.Sessions
	Live     *live.Service
	Log      *slog.Logger
	// BaseURL is the public address for the follow link ("": the request's).
	BaseURL string
	// MaxStreamsPerSession is how many event streams (phone and presenter
	// alike) one browser session may hold open per event; one more is
	// refused with 429. 0 is the default, 4 (see streamlimit.go).
	MaxStreamsPerSession int
}

// New builds the reveal handler.
func New(d Deps) *Handler {
	return &Handler{store: d.Store, photos: d.Photos, web: d.Web, sessions: d.Sessions, live: d.Live, log: d.Log,
		baseURL: d.BaseURL, done: make(chan struct{}), photoGate: make(chan struct{}, photoReaders), shown: live.NewShownAnswers(d.Live),
		preload: live.NewPreloadGate(d.Live), viewers: newViewers(),
		reactions: live.NewReactor(d.Live, d.Store, d.Log, 0), reactLimits: newRateLimits(reactEvery, reactBurst),
		streams: newStreamCounts(d.MaxStreamsPerSession)}
}

// Register adds the presenter routes (under /dashboard) and the phone
// routes (under /e/:event/live) to g, which carries sessions and CSRF; the
// phones' photos go on root, outside the session middleware, which would
// save every phone's session on every photo (a database write each).
func (h *Handler) Register(root *echo.Echo, g *echo.Group) {
	p := g.Group("/dashboard/events/:event/reveal", h.requireOrganizer)
	p.GET("", h.showPresenter)
	p.GET("/notes", h.showNotes)
	p.GET("/deck.json", h.showDeck)
	p.GET("/offline.zip", h.downloadOfflineDeck)
	p.GET("/stream", h.streamPresenter)
	p.POST("/start", h.startReveal)
	p.POST("/next", h.nextSlide)
	p.POST("/prev", h.prevSlide)
	p.POST("/goto", h.gotoSlide)
	p.POST("/name", h.revealName)
	p.POST("/refresh", h.refreshDeck)
	p.POST("/end", h.endReveal)

	f := g.Group("/e/:event/live", h.requireFollower)
	f.GET("", h.showFollower)
	f.GET("/stream", h.streamFollower)
	f.GET("/state.json", h.showFollowerState)
	f.GET("/slides/:index", h.showFollowerSlide)
	f.POST("/react", h.react)
	f.POST("/vote", h.voteAnswer)
	f.POST("/guess", h.guessAuthor)
	g.POST("/e/:event/prompts/:prompt/live-consent", h.saveConsent, h.requireFollower)
	root.GET("/e/:event/live/photos/:submission", h.showFollowerPhoto)
}

// Shutdown ends every open stream (phones reconnect to another instance,
// or to this one when it is back) and saves the reactions counted so far;
// call it when the server stops.
func (h *Handler) Shutdown() {
	h.stopOnce.Do(func() {
		close(h.done)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := h.reactions.Close(ctx); err != nil && h.log != nil {
			h.log.Warn("save reactions on shutdown", "err", err)
		}
	})
}

const (
	keyOrganizerEvent = "live_organizer_event"
	keyEvent          = "live_event"
	keyParticipant    = "live_participant"
)

// requireOrganizer loads the event in the URL for a signed-in organizer of
// it; anyone else is sent to sign in, and another organizer's event (or a
// participant's phone) gets 404.
func (h *Handler) requireOrganizer(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		id := h.sessions.OrganizerID(c)
		if id == 0 {
			if err := h.sessions.RefuseParticipant(c); err != nil {
				return err
			}
			if web.WantsJSON(c) || c.Request().Method != http.MethodGet || strings.HasSuffix(c.Path(), "/stream") {
				return web.NewError(http.StatusUnauthorized, "Sign in first.", nil)
			}
			return c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape(c.Request().URL.RequestURI()))
		}
		eventID, err := idParam(c, "event")
		if err != nil {
			return err
		}
		ev, err := h.store.EventForOrganizer(c.Request().Context(), id, eventID)
		if err != nil {
			return err
		}
		c.Set(keyOrganizerEvent, ev)
		return next(c)
	}
}

func (h *Handler) organizerEvent(c echo.Context) *models.OrganizerEvent {
	return c.Get(keyOrganizerEvent).(*models.OrganizerEvent)
}

// presentingEvent is organizerEvent for the controls: owners and organizers
// only.
func (h *Handler) presentingEvent(c echo.Context) (*models.OrganizerEvent, error) {
	ev := h.organizerEvent(c)
	if !ev.Role.CanEdit() {
		return nil, web.NewError(http.StatusForbidden, "Only the event's owners and organizers can present the reveal. You can follow it here.", nil)
	}
	return ev, nil
}

// requireFollower loads the event in the URL and the participant this
// browser is in it. Anyone else gets 404, so event ids reveal nothing. It
// reads the database only here, never while a stream is open.
func (h *Handler) requireFollower(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		eventID, err := idParam(c, "event")
		if err != nil {
			return err
		}
		notJoined := web.NewError(http.StatusNotFound, "This phone hasn't joined that event. Open the join link your organizer shared, or your personal link.", nil)
		pid := h.sessions.ParticipantID(c, eventID)
		if pid == 0 {
			return notJoined
		}
		ctx := c.Request().Context()
		pa, err := h.store.EventParticipant(ctx, eventID, pid)
		if err != nil {
			return notJoined
		}
		ev, err := h.store.Event(ctx, eventID)
		if err != nil {
			return err
		}
		c.Set(keyEvent, ev)
		c.Set(keyParticipant, pa)
		return next(c)
	}
}

func (h *Handler) follower(c echo.Context) (*models.Event, *models.Participant) {
	return c.Get(keyEvent).(*models.Event), c.Get(keyParticipant).(*models.Participant)
}

func idParam(c echo.Context, name string) (uint, error) {
	n, err := strconv.ParseUint(c.Param(name), 10, 32)
	if err != nil || n == 0 {
		return 0, web.NewError(http.StatusNotFound, "We couldn't find that page. The link may be wrong or out of date.", err)
	}
	return uint(n), nil
}

// detached is a context for work that must finish once started (a state
// change being published) even if the presenter's tab hangs up.
func detached(c echo.Context) context.Context {
	return context.WithoutCancel(c.Request().Context())
}
