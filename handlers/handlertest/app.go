// Package handlertest builds the real application for tests: the real
// router and middleware on a SQLite file and a photo folder in a temporary
// directory (or, with RETREAT_TEST_BACKEND=postgres, a PostgreSQL database
// and an S3 bucket of the test's own: see models/backendtest), a pinned
// clock, and clients that keep cookies and CSRF tokens like a browser.
package handlertest

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/alexedwards/argon2id"
	"github.com/labstack/echo/v4"

	"retreat/handlers"
	"retreat/models"
	"retreat/models/backendtest"
	"retreat/models/live"
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
	T   testing.TB
	Dir string
	// DatabaseURL is the app's database: a SQLite file, or a PostgreSQL
	// database of the test's own.
	DatabaseURL string
	Store       *models.Store
	// Photos is a DiskStore under Dir/media, or an S3 bucket of the test's own.
	Photos media.Store
	// S3 is the bucket's configuration (nil for a DiskStore).
	S3     *media.S3Config
	Server *handlers.Server
	Echo   *echo.Echo
	Clock  *Clock
}

// Options change how New builds the app.
type Options struct {
	// Limits for the photo pipeline (default: media.DefaultLimits()).
	Limits *media.Limits
	// Uploads bounds unfinished resumable uploads (zero fields: the
	// defaults of models.DefaultUploadLimits).
	Uploads models.UploadLimits
	// Log receives the app's log (default: discarded, or stderr with -v and RETREAT_TEST_LOG=1).
	Log *slog.Logger
	// Mailer sends email nudges (default: none, email off).
	Mailer *mail.Mailer
	// BaseURL is the public address (default: the request's host).
	BaseURL string
	// SecureCookies and TrustProxy are handlers.Config's.
	SecureCookies, TrustProxy bool
	// SameBackendAs builds another instance of that app: its database and
	// photo store, its own router, sessions and live hub, as a second
	// server behind a load balancer would be.
	SameBackendAs *App
	// Scaled builds on PostgreSQL and S3 whatever RETREAT_TEST_BACKEND
	// says (the test skips without those servers, or fails under CI).
	Scaled bool
	// RealHashing hashes passwords with the server's Argon2id parameters
	// (64 MiB) instead of the cheap ones every other test uses.
	RealHashing bool
	// Configure changes the router's configuration before it is built
	// (request limits, body pacing).
	Configure func(*handlers.Config)
	// Embedded builds on SQLite and disk whatever RETREAT_TEST_BACKEND
	// says: Dir is then a data folder (retreat.db, media/) as the server
	// keeps it.
	Embedded bool
}

// cheapHashing are Argon2id parameters for tests: the same algorithm and
// checks with 64 KiB instead of 64 MiB, which under the race detector
// takes microseconds instead of seconds (every test signs someone in).
// The sign-in memory test runs the real binary with the real parameters.
var cheapHashing = &argon2id.Params{Memory: 64, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32}

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
	dbURL, photos, s3cfg := openBackend(t, dir, o)
	if o.SameBackendAs != nil {
		clock = o.SameBackendAs.Clock
	}
	hashing := cheapHashing
	if o.RealHashing {
		hashing = nil
	}
	store, err := models.Open(ctx, dbURL, models.Options{Now: clock.Now, Log: log, Uploads: o.Uploads, HashParams: hashing})
	if err != nil {
		t.Fatalf("open database: %v", err)
	}
	uploads := filepath.Join(dir, "uploads")
	if err := os.MkdirAll(uploads, 0o750); err != nil {
		t.Fatal(err)
	}
	limits := media.DefaultLimits()
	if o.Limits != nil {
		limits = *o.Limits
	}
	// On PostgreSQL live events go through LISTEN/NOTIFY, as in production.
	var hub live.Hub
	closeHub := func() {}
	if store.IsPostgres() {
		h, err := live.NewPostgresHub(ctx, store, dbURL, log)
		if err != nil {
			t.Fatalf("open live hub: %v", err)
		}
		hub, closeHub = h, h.Close
	}
	cfg := handlers.Config{UploadDir: uploads, BaseURL: o.BaseURL, SecureCookies: o.SecureCookies, TrustProxy: o.TrustProxy,
		SharedUploads: s3cfg != nil && store.IsPostgres()}
	if o.Configure != nil {
		o.Configure(&cfg)
	}
	srv, err := handlers.New(cfg, handlers.Deps{
		Store: store, Photos: photos, Images: media.NewProcessor(runtime.NumCPU(), limits), Log: log,
		Mailer: o.Mailer, Hub: hub,
	})
	if err != nil {
		t.Fatalf("build router: %v", err)
	}
	t.Cleanup(func() {
		srv.Close()
		closeHub()
		store.Close()
	})
	return &App{T: t, Dir: dir, DatabaseURL: dbURL, Store: store, Photos: photos, S3: s3cfg, Server: srv, Echo: srv.Echo, Clock: clock}
}

// openBackend picks the database and photo store: shared with another
// app, or new ones on the back end the environment chooses.
func openBackend(t testing.TB, dir string, o Options) (string, media.Store, *media.S3Config) {
	t.Helper()
	shared := o.SameBackendAs
	switch {
	case shared != nil && shared.S3 != nil:
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		photos, err := media.NewS3Store(ctx, *shared.S3)
		if err != nil {
			t.Fatalf("open photo store: %v", err)
		}
		return shared.DatabaseURL, photos, shared.S3
	case shared != nil:
		return shared.DatabaseURL, shared.Photos, nil
	case o.Scaled || !o.Embedded && backendtest.Scaled():
		cfg := backendtest.S3Config(t)
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		photos, err := media.NewS3Store(ctx, cfg)
		if err != nil {
			t.Fatalf("open photo store: %v", err)
		}
		return backendtest.PostgresURL(t), photos, &cfg
	}
	photos, err := media.NewDiskStore(filepath.Join(dir, "media"))
	if err != nil {
		t.Fatalf("open photo store: %v", err)
	}
	t.Cleanup(func() { photos.Close() })
	return "sqlite://" + filepath.Join(dir, "retreat.db"), photos, nil
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
	if a.S3 != nil {
		if err := a.Photos.List(context.Background(), "", func(key string) error {
			files = append(files, key)
			return nil
		}); err != nil {
			a.T.Fatalf("list photo store: %v", err)
		}
		return files
	}
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

// ReadMedia returns the bytes stored under a photo store key.
func (a *App) ReadMedia(key string) ([]byte, error) {
	rc, err := a.Photos.Open(context.Background(), key)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(rc)
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
