package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"retreat/handlers"
	"retreat/models"
	"retreat/models/mail"
	"retreat/models/media"
)

// shutdownGrace is how long SIGTERM waits for requests in flight (uploads
// being processed) before the server closes anyway.
const shutdownGrace = 60 * time.Second

func serveCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := parseServeConfig(args, stderr)
	if err != nil {
		return err
	}
	log := newLogger(cfg, stderr)
	log.Info("starting retreat", "config", cfg.describe())

	app, err := openApp(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer app.close()

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	// Connections are counted and bounded by the open-files budget (the
	// soft limit raised to the hard one): phones beyond it are refused,
	// the database keeps its files. See handlers/overload.
	guard := app.server.Guard()
	ln = guard.Listen(ln)
	log.Info("load budget", guard.Describe()...)
	srv := &http.Server{
		Handler:           app.server.Echo,
		ReadHeaderTimeout: cfg.HeaderTimeout,
		// No overall read timeout: a 12 MB photo over a slow phone link can
		// take minutes. Bodies are paced instead (--body-min-rate, see
		// handlers.Limits), and idle connections are closed.
		IdleTimeout: 120 * time.Second,
		ErrorLog:    slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	// Reveal streams never go idle: end them when shutdown begins, or
	// Shutdown would wait out its whole grace for them. Phones reconnect.
	srv.RegisterOnShutdown(app.server.StopStreams)
	go media.WarmUp() // pays the HEIC decoder's start-up cost off the request path
	log.Info("HEIC decoder", "heic", media.HEICDecoder())
	go app.server.RunBackground(ctx)

	printWelcome(ctx, stdout, cfg, ln.Addr(), app.store)

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down: waiting for requests in flight", "grace", shutdownGrace)
	sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shut down: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	log.Info("stopped")
	return nil
}

// bodyRate turns --body-min-rate into handlers.Config's: there, 0 is the
// default and a negative rate is no floor.
func bodyRate(flag int64) int64 {
	if flag == 0 {
		return -1
	}
	return flag
}

// app is the set of long-lived services one server runs on.
type app struct {
	store  *models.Store
	server *handlers.Server
	// closeHub stops the live hub (a no-op for the router's own).
	closeHub func()
}

func (a *app) close() {
	a.server.Close()
	a.closeHub()
	a.store.Close()
}

func openApp(ctx context.Context, cfg *config, log *slog.Logger) (*app, error) {
	store, err := models.Open(ctx, cfg.DatabaseURL, models.Options{Log: log, HashSlots: cfg.HashSlots,
		Uploads: models.UploadLimits{PerParticipant: cfg.UploadsPerParticipant, TotalBytes: cfg.UploadsTotalMB << 20, StaleAfter: cfg.UploadStaleAfter}})
	if err != nil {
		return nil, err
	}
	photos, err := openPhotoStore(ctx, cfg)
	if err != nil {
		store.Close()
		return nil, err
	}
	sweepPhotos(ctx, store, photos, log)
	uploadDir := filepath.Join(cfg.DataDir, "uploads")
	if err := resetUploadDir(uploadDir); err != nil {
		store.Close()
		return nil, err
	}
	limits, err := cfg.photoLimits()
	if err != nil {
		store.Close()
		return nil, err
	}
	var mailer *mail.Mailer
	if cfg.SMTP.Enabled() {
		if mailer, err = mail.New(cfg.SMTP); err != nil {
			store.Close()
			return nil, err
		}
	}
	hub, closeHub, err := openHub(ctx, cfg, store, log)
	if err != nil {
		store.Close()
		return nil, err
	}
	server, err := handlers.New(handlers.Config{
		BaseURL: cfg.BaseURL, SecureCookies: cfg.SecureCookies, TrustProxy: cfg.TrustProxy, UploadDir: uploadDir,
		SessionCleanup: 10 * time.Minute, SharedUploads: sharedUploads(store, photos),
		MinBodyRate: bodyRate(cfg.BodyMinRate), BodyIdle: cfg.BodyIdle,
		JoinBurst: cfg.JoinBurst, JoinEvery: cfg.JoinInterval, StreamsPerSession: cfg.StreamsPerSession,
	}, handlers.Deps{
		Store: store, Photos: photos, Images: media.NewProcessor(cfg.PhotoWorkers, limits), Log: log,
		Mailer: mailer, Hub: hub,
	})
	if err != nil {
		closeHub()
		store.Close()
		return nil, err
	}
	return &app{store: store, server: server, closeHub: closeHub}, nil
}

// resetUploadDir empties the folder uploads are spooled to: whatever is
// there was left by a process that died mid-upload and was never acknowledged.
func resetUploadDir(dir string) error {
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("clear upload folder: %w", err)
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return fmt.Errorf("create upload folder: %w", err)
	}
	return nil
}

func newLogger(cfg *config, w io.Writer) *slog.Logger {
	var level slog.Level
	if err := level.UnmarshalText([]byte(cfg.LogLevel)); err != nil {
		level = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// printWelcome tells a new user where the app is and, on first start, how
// to create the first organizer.
func printWelcome(ctx context.Context, w io.Writer, cfg *config, addr net.Addr, store *models.Store) {
	base := cfg.BaseURL
	if base == "" {
		host, port, _ := net.SplitHostPort(addr.String())
		if host == "" || host == "::" || host == "0.0.0.0" {
			host = "localhost"
		}
		base = "http://" + net.JoinHostPort(host, port)
	}
	base = strings.TrimRight(base, "/")
	fmt.Fprintf(w, "\nRetreat is running at %s\n", base)
	if n, err := store.OrganizerCount(ctx); err == nil && n == 0 {
		fmt.Fprintf(w, "\nFirst start: create the organizer account at %s/setup\n", base)
		fmt.Fprintf(w, "or from a shell: retreat create-organizer --email you@example.com --name \"Your Name\"\n")
	}
	fmt.Fprintf(w, "Data is kept in %s. Stop with Ctrl+C.\n\n", cfg.DataDir)
}
