// Package browsertest runs the app's pages in headless Chromium for tests:
// it finds and starts the browser, sets phone and laptop viewports, and
// saves screenshots for people to look at.
//
// Tests skip when no Chromium is installed, and fail instead when CI is
// set, so a CI machine without a browser cannot pass by skipping.
package browsertest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// Timeout bounds each test's browser, so a hung page fails the test
// instead of hanging the run.
var Timeout = 60 * time.Second

// candidates are the browser commands looked up on PATH, then fixed paths.
var candidates = []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "/usr/bin/chromium"}

// FindChromium returns the path of a Chromium-family browser, or "".
// RETREAT_CHROMIUM names one explicitly.
func FindChromium() string {
	if p := os.Getenv("RETREAT_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range candidates {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// New starts a fresh headless Chromium for the test (its own profile in
// t.TempDir()) and returns the context of its first tab, bounded by
// Timeout. Everything is shut down when the test ends.
func New(t testing.TB) context.Context {
	t.Helper()
	path := FindChromium()
	if path == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("browser tests need Chromium and CI is set: apt-get install chromium")
		}
		t.Skip("browser tests need Chromium: apt-get install chromium")
	}
	profile := t.TempDir()

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.DisableGPU,
		chromedp.NoSandbox,
		chromedp.NoFirstRun,
		chromedp.UserDataDir(profile),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-breakpad", true),
		chromedp.Flag("disable-crash-reporter", true),
		chromedp.Flag("no-default-browser-check", true),
		chromedp.Flag("lang", "en-US"),
		chromedp.WindowSize(1280, 800),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)

	// chromedp reports protocol messages it does not understand (a newer
	// Chromium than its generated bindings) through these; keep them out
	// of the test output unless the test fails.
	logs := &quietLog{}
	ctx, cancelTab := chromedp.NewContext(allocCtx,
		chromedp.WithErrorf(logs.printf), chromedp.WithLogf(logs.printf))
	t.Cleanup(func() {
		cancelTab()
		cancelAlloc()
		if t.Failed() {
			logs.dump(t)
		}
	})
	// Start the browser on the tab's own context (not a derived one, whose
	// end would take the browser down with it).
	if err := chromedp.Run(ctx); err != nil {
		t.Fatalf("start %s: %v", path, err)
	}
	ctx, cancel := context.WithTimeout(ctx, Timeout)
	t.Cleanup(cancel)
	return ctx
}

// NewWindow opens another tab in the same browser with its own cookies and
// storage (a separate browser context, like a private window): a second
// person on a second device.
func NewWindow(t testing.TB, ctx context.Context) context.Context {
	t.Helper()
	win, cancel := chromedp.NewContext(ctx, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Run(win); err != nil {
		t.Fatalf("open a new browser window: %v", err)
	}
	return win
}

type quietLog struct {
	mu    sync.Mutex
	lines []string
}

func (l *quietLog) printf(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.lines) < 200 {
		l.lines = append(l.lines, fmt.Sprintf(format, args...))
	}
}

func (l *quietLog) dump(t testing.TB) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, line := range l.lines {
		t.Logf("chromedp: %s", line)
	}
}

// Phone emulates a 390x844 phone at 3x with touch (an iPhone 12-15).
func Phone(ctx context.Context) error {
	return chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(3), chromedp.EmulateMobile, chromedp.EmulateTouch).Do(ctx)
}

// Laptop emulates a 1280x800 laptop screen at 1x, no touch.
func Laptop(ctx context.Context) error {
	return chromedp.EmulateViewport(1280, 800).Do(ctx)
}

// TimeZone makes the browser report zone as its own (Intl and Date).
func TimeZone(zone string) chromedp.Action {
	return emulation.SetTimezoneOverride(zone)
}

// NoScript turns page scripts off (true) or back on for the tab, as in a
// browser with JavaScript disabled. It applies to the next page load.
func NoScript(off bool) chromedp.Action {
	return emulation.SetScriptExecutionDisabled(off)
}

var (
	dirOnce sync.Once
	dir     string
	dirErr  error
)

// Dir is the screenshot folder: RETREAT_SCREENSHOTS, or
// retreat-screenshots in the system temp folder. It is created if missing.
func Dir() (string, error) {
	dirOnce.Do(func() {
		dir = os.Getenv("RETREAT_SCREENSHOTS")
		if dir == "" {
			dir = filepath.Join(os.TempDir(), "retreat-screenshots")
		}
		if dir, dirErr = filepath.Abs(dir); dirErr == nil {
			dirErr = os.MkdirAll(dir, 0o755)
		}
	})
	return dir, dirErr
}

var logged sync.Map

// Screenshot saves a full-page PNG of the tab as <test>-<name>.png in Dir.
func Screenshot(t testing.TB, ctx context.Context, name string) {
	t.Helper()
	d, err := Dir()
	if err != nil {
		t.Fatalf("screenshot folder: %v", err)
	}
	if _, seen := logged.LoadOrStore(t.Name(), true); !seen {
		t.Logf("screenshots in %s", d)
	}
	var png []byte
	if err := chromedp.Run(ctx, chromedp.FullScreenshot(&png, 100)); err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	file := filepath.Join(d, slug(t.Name())+"-"+slug(name)+".png")
	if err := os.WriteFile(file, png, 0o644); err != nil {
		t.Fatalf("save screenshot: %v", err)
	}
}

// slug keeps letters, digits, dots and dashes, for file names.
func slug(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '.':
			return r
		}
		return '-'
	}, s)
}
