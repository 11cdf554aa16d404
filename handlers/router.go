// Package handlers builds the HTTP server: global middleware, the error
// boundary, static files, and then each area's routes. Nothing else.
package handlers

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	livehttp "retreat/handlers/live"
	"retreat/handlers/organizer"
	"retreat/handlers/overload"
	"retreat/handlers/participant"
	"retreat/handlers/web"
	"retreat/models"
	"retreat/models/jobs"
	"retreat/models/live"
	"retreat/models/mail"
	"retreat/models/media"
	"retreat/models/nudge"
	"retreat/static"
	"retreat/templates"
)

// Config is what the router needs from the command line.
type Config struct {
	// BaseURL is the public address links and QR codes point at
	// ("https://retreat.example.com"); empty means the request's own host.
	BaseURL string
	// SecureCookies marks cookies Secure (TLS, or a TLS-terminating proxy).
	SecureCookies bool
	// TrustProxy believes X-Forwarded-For and X-Forwarded-Proto from a
	// reverse proxy on a private or loopback address: the client address
	// (login rate limits, logs) comes from X-Forwarded-For, and cookies are
	// marked Secure when the proxy says the browser used https.
	TrustProxy bool
	// MaxFormBytes bounds every request body except photo uploads
	// (0: 1 MiB); uploads are bounded by the photo cap (Images' limits).
	MaxFormBytes int64
	// MinBodyRate is the slowest a request body may arrive once its first
	// BodyGrace has passed, in bytes a second (0: 1 KiB/s; negative: no
	// floor); BodyIdle is the longest it may pause (0: 30 s).
	MinBodyRate int64
	BodyGrace   time.Duration
	BodyIdle    time.Duration
	// JoinBurst and JoinEvery pace joins per client network per event;
	// StreamsPerSession bounds a session's live-reveal streams per event
	// (0: the areas' defaults).
	JoinBurst         int
	JoinEvery         time.Duration
	StreamsPerSession int
	// UploadDir holds uploads while they are processed.
	UploadDir string
	// SessionCleanup is how often expired sessions are purged (0: never).
	SessionCleanup time.Duration
	// JobInterval is how often scheduled nudges and photo retention run
	// (0: every minute).
	JobInterval time.Duration
	// SharedUploads keeps unfinished resumable uploads in the photo store
	// (S3) under database locks, so any of several instances can carry
	// one on; off, they are spooled in UploadDir on this machine.
	SharedUploads bool
	// Overload budgets open files and connections and sizes the photo
	// queue (zero: the process's raised limit and the defaults).
	Overload overload.Options
}

// Deps are the long-lived services the areas use.
type Deps struct {
	Store  *models.Store
	Photos media.Store
	Images *media.Processor
	Log    *slog.Logger
	// Mailer sends nudges by email; nil when no SMTP server is configured.
	Mailer *mail.Mailer
	// Hub fans the live reveal out to phones; nil is an in-process hub
	// (one instance). Several instances need a shared one.
	Hub live.Hub
}

// Server is the built router and what must be closed with it.
type Server struct {
	Echo        *echo.Echo
	sessions    *web.Sessions
	participant *participant.Handler
	reveal      *livehttp.Handler
	live        *live.Service
	jobs        *jobs.Runner
	jobInterval time.Duration
	guard       *overload.Guard
}

// Guard is the overload budget: wrap the listener with its Listen so that
// connections are counted and bounded.
func (s *Server) Guard() *overload.Guard { return s.guard }

// RunBackground runs the server's periodic housekeeping (removing
// abandoned uploads; scheduled nudges and photo retention under a lease)
// until ctx ends.
func (s *Server) RunBackground(ctx context.Context) {
	go s.jobs.Run(ctx, s.jobInterval)
	go s.sessions.RunCleanup(ctx)
	s.participant.SweepAbandonedUploads(ctx)
}

// Jobs is the background runner, for tests that run it once at a pinned time.
func (s *Server) Jobs() *jobs.Runner { return s.jobs }

// Live is the reveal's service, for tests and the load tool.
func (s *Server) Live() *live.Service { return s.live }

// StopStreams ends the reveal's open event streams; pass it to
// http.Server.RegisterOnShutdown, or a graceful shutdown waits for them.
func (s *Server) StopStreams() { s.reveal.Shutdown() }

// Close releases the router's background work.
func (s *Server) Close() {
	s.reveal.Shutdown()
	s.jobs.Wait(10 * time.Second)
	s.sessions.Close()
}

// New builds the router with every route registered.
func New(cfg Config, d Deps) (*Server, error) {
	limits := cfg.limits(d.Images)
	assets, err := web.NewAssets(static.FS)
	if err != nil {
		return nil, err
	}
	renderer, err := web.NewRenderer(templates.FS, assets)
	if err != nil {
		return nil, err
	}
	sessions, err := web.NewSessions(d.Store.DB(), web.SessionOptions{Secure: cfg.SecureCookies, CleanupInterval: cfg.SessionCleanup})
	if err != nil {
		return nil, err
	}

	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	e.Renderer = renderer
	e.HTTPErrorHandler = web.ErrorHandler(renderer, sessions, d.Log)
	e.IPExtractor = echo.ExtractIPDirect()
	// Links (calendars, invites, QR codes) take the scheme the browser
	// used: X-Forwarded-Proto counts only from a proxy we were told to
	// trust (echo's default believes any client).
	e.SchemeExtractor = func(r *http.Request) string {
		if web.IsSecureRequest(r, cfg.TrustProxy) {
			return "https"
		}
		return "http"
	}
	if cfg.TrustProxy {
		// Only hops on loopback, link-local and private addresses are
		// believed: a client cannot claim another address through a
		// public proxy it controls.
		e.IPExtractor = echo.ExtractIPFromXFFHeader()
	}

	// First: a request shed under overload costs no session read, no
	// database, no log line.
	if cfg.Overload.Log == nil {
		cfg.Overload.Log = d.Log
	}
	guard := overload.New(cfg.Overload)
	e.Use(guard.Middleware(classifyRoute))
	e.Use(middleware.RequestID())
	e.Use(requestLogger(d.Log))
	e.Use(recoverer(d.Log))
	e.Use(securityHeaders(strings.HasPrefix(strings.ToLower(cfg.BaseURL), "https://")))
	e.Use(web.SecureCookies(cfg.SecureCookies, cfg.TrustProxy))
	// Every body is bounded, paced and its spool files removed before any
	// middleware below (sessions, CSRF) or handler reads it.
	e.Use(removeMultipartFiles)
	e.Use(paceBodies(limits))
	e.Use(bodyLimit(limits))

	e.GET("/healthz", health(d.Store))
	e.GET("/static/:hash/*", assets.Serve)

	// Everything below has a session and CSRF protection: a request
	// without this browser's token is refused before its body is read.
	csrf, err := sessions.CSRF(web.CSRFOptions{
		BaseURL: cfg.BaseURL,
		Message: "This form has expired or did not come from this site. Go back, reload the page and try again.",
	})
	if err != nil {
		sessions.Close()
		return nil, fmt.Errorf("csrf: %w", err)
	}
	g := e.Group("", sessions.Middleware(), csrf)

	nudges := nudge.New(d.Store, d.Mailer, cfg.BaseURL, d.Log)
	if d.Mailer != nil && cfg.BaseURL == "" {
		d.Log.Warn("scheduled nudges are off until --base-url is set: their emails need a public address for links")
	}
	dashboard := organizer.New(d.Store, d.Photos, renderer, sessions, d.Log, cfg.BaseURL)
	dashboard.SetNudges(nudges)
	dashboard.Register(g)
	phones := participant.New(participant.Deps{
		Store: d.Store, Photos: d.Photos, Images: d.Images, Web: renderer, Sessions: sessions,
		Log: d.Log, UploadDir: cfg.UploadDir, SharedUploads: cfg.SharedUploads,
		JoinBurst: cfg.JoinBurst, JoinEvery: cfg.JoinEvery,
	})
	if err := phones.Register(g); err != nil {
		sessions.Close()
		return nil, err
	}
	hub := d.Hub
	if hub == nil {
		hub = live.NewMemoryHub(0)
	}
	liveService := live.NewService(d.Store, hub, d.Log)
	reveal := livehttp.New(livehttp.Deps{Store: d.Store, Photos: d.Photos, Web: renderer, Sessions: sessions,
		Live: liveService, Log: d.Log, BaseURL: cfg.BaseURL, MaxStreamsPerSession: cfg.StreamsPerSession})
	reveal.Register(e, g)

	if cfg.JobInterval == 0 {
		cfg.JobInterval = time.Minute
	}
	return &Server{Echo: e, sessions: sessions, participant: phones, reveal: reveal, live: liveService,
		jobs: jobs.New(d.Store, nudges, d.Photos, d.Log), jobInterval: cfg.JobInterval, guard: guard}, nil
}

// routeClasses are the routes that are not ordinary pages under overload
// (see package overload): the presenter's actions and the health check
// are never shed, event streams only when no connection is left, photos
// first. TestRouteClassesAreRoutes keeps this list true to the routes.
var routeClasses = map[string]overload.Class{
	"/healthz":                                          overload.Critical,
	"/dashboard/events/:event/reveal":                   overload.Critical,
	"/dashboard/events/:event/reveal/notes":             overload.Critical,
	"/dashboard/events/:event/reveal/deck.json":         overload.Critical,
	"/dashboard/events/:event/reveal/start":             overload.Critical,
	"/dashboard/events/:event/reveal/next":              overload.Critical,
	"/dashboard/events/:event/reveal/prev":              overload.Critical,
	"/dashboard/events/:event/reveal/goto":              overload.Critical,
	"/dashboard/events/:event/reveal/name":              overload.Critical,
	"/dashboard/events/:event/reveal/refresh":           overload.Critical,
	"/dashboard/events/:event/reveal/end":               overload.Critical,
	"/dashboard/events/:event/reveal/stream":            overload.Stream,
	"/e/:event/live/stream":                             overload.Stream,
	"/e/:event/live/photos/:submission":                 overload.Photo,
	"/e/:event/photos/:submission/:size":                overload.Photo,
	"/dashboard/events/:event/photos/:submission/:size": overload.Photo,
}

// RouteClasses lists the routes that are not ordinary pages under
// overload, for the test that keeps the list true.
func RouteClasses() map[string]overload.Class { return maps.Clone(routeClasses) }

func classifyRoute(c echo.Context) overload.Class {
	return routeClasses[c.Path()] // Page when absent
}

// limits fills in the request limits' defaults.
func (cfg Config) limits(images *media.Processor) Limits {
	l := Limits{FormBytes: cfg.MaxFormBytes, MinBodyRate: cfg.MinBodyRate, BodyGrace: cfg.BodyGrace, BodyIdle: cfg.BodyIdle}
	if l.FormBytes <= 0 {
		l.FormBytes = 1 << 20
	}
	l.UploadBytes = l.FormBytes
	if images != nil {
		l.UploadBytes = images.Limits().MaxBytes + uploadOverhead
	}
	if l.MinBodyRate == 0 {
		l.MinBodyRate = 1 << 10
	}
	if l.BodyGrace <= 0 {
		l.BodyGrace = 10 * time.Second
	}
	if l.BodyIdle <= 0 {
		l.BodyIdle = 30 * time.Second
	}
	return l
}

func health(s *models.Store) echo.HandlerFunc {
	return func(c echo.Context) error {
		if err := s.Ping(c.Request().Context()); err != nil {
			return c.JSON(http.StatusServiceUnavailable, map[string]string{"status": "database unavailable"})
		}
		return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
	}
}
