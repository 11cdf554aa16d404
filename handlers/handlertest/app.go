// Package handlertest builds the real application for tests: the real
// router and middleware on a SQLite file and a photo folder in a temporary
// directory, a pinned clock, and clients that keep cookies and CSRF tokens
// like a browser.
package handlertest

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"retreat/handlers"
	"retreat/models"
	"retreat/models/mail"
	"retreat/models/media"
)

// Clock is a settable clock shared by the app under test.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// Now returns the pinned time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Set pins the clock.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// Advance moves the clock forward.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// App is a running application under test.
type App struct {
	T      testing.TB
	Dir    string
	Store  *models.Store
	Photos *media.DiskStore
	Server *handlers.Server
	Echo   *echo.Echo
	Clock  *Clock
}

// Options change how New builds the app.
type Options struct {
	// Limits for the photo pipeline (default: media.DefaultLimits()).
	Limits *media.Limits
	// Log receives the app's log (default: discarded, or stderr with -v and RETREAT_TEST_LOG=1).
	Log *slog.Logger
	// Mailer sends email nudges (default: none, email off).
	Mailer *mail.Mailer
	// BaseURL is the public address (default: the request's host).
	BaseURL string
}

// Start is the instant the clock is pinned to by default: a Wednesday.
var Start = time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)

// New builds the app on a fresh database in t.TempDir().
func New(t testing.TB, opts ...Options) *App {
	t.Helper()
	var o Options
	if len(opts) > 0 {
		o = opts[0]
	}
	dir := t.TempDir()
	clock := &Clock{t: Start}
	log := o.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
		if os.Getenv("RETREAT_TEST_LOG") != "" {
			log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
		}
	}
	ctx := context.Background()
	store, err := models.Open(ctx, "sqlite://"+filepath.Join(dir, "retreat.db"), models.Options{Now: clock.Now, Log: log})
	if err != nil {
		t.Fatalf("open database: %v", err)
	}
	photos, err := media.NewDiskStore(filepath.Join(dir, "media"))
	if err != nil {
		t.Fatalf("open photo store: %v", err)
	}
	uploads := filepath.Join(dir, "uploads")
	if err := os.MkdirAll(uploads, 0o750); err != nil {
		t.Fatal(err)
	}
	limits := media.DefaultLimits()
	if o.Limits != nil {
		limits = *o.Limits
	}
	srv, err := handlers.New(handlers.Config{UploadDir: uploads, BaseURL: o.BaseURL}, handlers.Deps{
		Store: store, Photos: photos, Images: media.NewProcessor(runtime.NumCPU(), limits), Log: log,
		Mailer: o.Mailer,
	})
	if err != nil {
		t.Fatalf("build router: %v", err)
	}
	t.Cleanup(func() {
		srv.Close()
		store.Close()
	})
	return &App{T: t, Dir: dir, Store: store, Photos: photos, Server: srv, Echo: srv.Echo, Clock: clock}
}

// PhotoPath is the path of a sample photo in ../shared/testdata/photos,
// found from this source file so tests in any package can use it.
func PhotoPath(t testing.TB, name string) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	p := filepath.Join(filepath.Dir(file), "..", "..", "..", "shared", "testdata", "photos", name)
	if _, err := os.Stat(p); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("sample photo %s missing: ../shared must be beside the repository: %v", name, err)
		}
		t.Skipf("sample photo %s missing (../shared/testdata/photos not beside the repository)", name)
	}
	return p
}

// MediaFiles lists every file under the photo store, for tests that check
// nothing was stored (or left behind).
func (a *App) MediaFiles() []string {
	a.T.Helper()
	var files []string
	root := filepath.Join(a.Dir, "media")
	filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(root, p)
			files = append(files, filepath.ToSlash(rel))
		}
		return nil
	})
	return files
}

// UploadFiles lists the files left in the upload spool folders.
func (a *App) UploadFiles() []string {
	var files []string
	root := filepath.Join(a.Dir, "uploads")
	filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(root, p)
			files = append(files, filepath.ToSlash(rel))
		}
		return nil
	})
	return files
}

// SmallLimits are the default photo limits with a smaller byte cap.
func SmallLimits(maxBytes int64) media.Limits {
	l := media.DefaultLimits()
	l.MaxBytes = maxBytes
	return l
}
