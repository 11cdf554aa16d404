// Package participant serves the pages participants use from their phones:
// joining an event, the prompt list, answering with a photo or text, and
// their own photos.
package participant

import (
	"log/slog"
	"net/http"
	"path/filepath"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"retreat/handlers/web"
	"retreat/models"
	"retreat/models/media"
)

// Handler holds what the participant pages need.
type Handler struct {
	store     *models.Store
	photos    media.Store
	images    *media.Processor
	web       *web.Renderer
	sessions  *web.Sessions
	log       *slog.Logger
	uploadDir string
	tusStore  tusStore
	tusDir    string
	// sharedUploads and shared: resumable uploads kept in the photo store.
	sharedUploads bool
	shared        *sharedTusStore
	// keys serialises retries of one upload (see idempotency.go).
	keys keyLocks
	// joins paces joins per client network per event (see joinlimit.go).
	joins *joinLimiter
}

// Deps are the participant handler's dependencies.
type Deps struct {
	Store     *models.Store
	Photos    media.Store
	Images    *media.Processor
	Web       *web.Renderer
	Sessions  *web.Sessions
	Log       *slog.Logger
	UploadDir string
	// SharedUploads keeps unfinished resumable uploads in Photos (S3) and
	// locks them with database leases, so that any instance can carry on
	// an upload another one started (several instances, no sticky
	// sessions). Otherwise they are spooled in UploadDir.
	SharedUploads bool
	// JoinBurst joins at once from one client network (an IPv4 address or
	// an IPv6 /64) into one event, then one every JoinEvery; at most
	// JoinLimitEntries networks are remembered. Zero values are the
	// defaults: 100, 1 s, 10000 (see joinlimit.go).
	JoinBurst        int
	JoinEvery        time.Duration
	JoinLimitEntries int
}

// New builds the participant handler.
func New(d Deps) *Handler {
	return &Handler{store: d.Store, photos: d.Photos, images: d.Images, web: d.Web, sessions: d.Sessions, log: d.Log, uploadDir: d.UploadDir,
		sharedUploads: d.SharedUploads, joins: newJoinLimiter(d.JoinBurst, d.JoinEvery, d.JoinLimitEntries)}
}

// Register adds the participant routes.
func (h *Handler) Register(g *echo.Group) error {
	if err := h.registerTus(g, filepath.Join(h.uploadDir, "resumable")); err != nil {
		return err
	}
	g.GET("/j/:token", h.showJoin)
	g.POST("/j/:token", h.join)
	g.GET("/r/:token", h.returnWithLink)
	g.POST("/r/:token", h.switchWithLink)

	e := g.Group("/e/:event", h.requireParticipant)
	e.GET("", h.showPrompts)
	e.GET("/prompts/:prompt", h.showPrompt)
	e.POST("/prompts/:prompt/answer", h.submitAnswer)
	e.GET("/photos/:submission/:size", h.showPhoto)
	e.GET("/me", h.showMe)
	e.POST("/me/time-zone", h.saveTimeZone)
	e.POST("/me/email", h.saveEmail)
	e.GET("/calendar.ics", h.downloadCalendar)
	e.POST("/me/team", h.chooseTeam)
	e.GET("/scores", h.showScores)
	e.GET("/gallery", h.showGallery)
	e.GET("/recap", h.showRecap)
	return nil
}

const (
	keyEvent       = "event"
	keyParticipant = "participant"
)

// requireParticipant loads the event in the URL and the participant this
// browser is in it. Anyone else gets 404, so event ids reveal nothing.
func (h *Handler) requireParticipant(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		eventID, err := idParam(c, "event")
		if err != nil {
			return err
		}
		pid := h.sessions.ParticipantID(c, eventID)
		if pid == 0 {
			return notJoined()
		}
		ctx := c.Request().Context()
		p, err := h.store.EventParticipant(ctx, eventID, pid)
		if err != nil {
			h.sessions.ForgetParticipant(c, eventID)
			return notJoined()
		}
		ev, err := h.store.Event(ctx, eventID)
		if err != nil {
			return err
		}
		if err := h.store.TouchParticipant(ctx, p); err != nil {
			h.log.Warn("record participant activity", "err", err)
		}
		c.Set(keyEvent, ev)
		c.Set(keyParticipant, p)
		return next(c)
	}
}

func notJoined() error {
	return web.NewError(http.StatusNotFound, "This phone hasn't joined that event. Open the join link your organizer shared, or your personal link.", nil)
}

func (h *Handler) current(c echo.Context) (*models.Event, *models.Participant) {
	return c.Get(keyEvent).(*models.Event), c.Get(keyParticipant).(*models.Participant)
}

func (h *Handler) page(c echo.Context, title string) web.Page {
	return h.web.NewPage(c, h.sessions, "participant", title)
}

func idParam(c echo.Context, name string) (uint, error) {
	n, err := strconv.ParseUint(c.Param(name), 10, 32)
	if err != nil || n == 0 {
		return 0, web.NewError(http.StatusNotFound, "We couldn't find that page. The link may be wrong or out of date.", err)
	}
	return uint(n), nil
}
