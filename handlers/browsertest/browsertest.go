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

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"
)

// Timeout bounds each test's browser, so a hung page fails the test
// instead of hanging the run. It is a whole test's budget, not one step's:
// the longest walks take half a minute alone, and twice that when the
// race detector and the PostgreSQL pass share two cores with other
// packages' tests. RETREAT_BROWSER_TIMEOUT (a Go duration, "5m")
// overrides it.
var Timeout = timeoutFromEnv(3 * time.Minute)

func timeoutFromEnv(def time.Duration) time.Duration {
	if d, err := time.ParseDuration(os.Getenv("RETREAT_BROWSER_TIMEOUT")); err == nil && d > 0 {
		return d
	}
	return def
}

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

// noChromium skips the test, or fails it when CI is set: a CI machine
// without a browser must not pass by skipping every browser test.
func noChromium(t testing.TB) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatal("browser tests need Chromium and CI is set: apt-get install chromium")
		return
	}
	t.Skip("browser tests need Chromium: apt-get install chromium")
}

// New starts a fresh headless Chromium for the test, with a profile of its
// own, and returns the context of its first tab, bounded by Timeout. The
// browser is killed and its profile removed when the test ends.
func New(t testing.TB) context.Context {
	t.Helper()
	path := FindChromium()
	if path == "" {
		noChromium(t)
		return nil // not reached: noChromium skips or fails the test
	}
	// Not t.TempDir: Chromium's helper processes can still be writing to
	// the profile for a moment after the browser is gone, which would fail
	// the test in TempDir's own cleanup. removeProfile retries instead.
	profile, err := os.MkdirTemp("", "retreat-chromium-")
	if err != nil {
		t.Fatal(err)
	}

	// The flags docs/RECIPES.md asks for, stated even where chromedp's
	// defaults already have them; the background-networking ones keep
	// Chromium from reaching out to the internet.
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
		cancelAlloc() // kills the browser and waits for it
		removeProfile(t, profile)
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

// removeProfile deletes a browser profile folder, retrying for a few
// seconds while the browser's last helper processes exit.
func removeProfile(t testing.TB, dir string) {
	var err error
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if err = os.RemoveAll(dir); err == nil {
			return
		}
	}
	t.Logf("leaving browser profile %s behind: %v", dir, err)
}

// NewWindow opens a window in the same browser with its own cookies and
// storage (a separate browser context, like a private window): a second
// person on a second device. It closes when the test ends.
func NewWindow(t testing.TB, ctx context.Context) context.Context {
	t.Helper()
	c := chromedp.FromContext(ctx)
	if c == nil || c.Browser == nil {
		t.Fatal("NewWindow needs a context from New")
	}
	// chromedp.WithNewBrowserContext asks for a tab, which headless
	// Chromium refuses in a context that has no window yet; ask for a window.
	browser := cdp.WithExecutor(ctx, c.Browser)
	bc, err := target.CreateBrowserContext().WithDisposeOnDetach(true).Do(browser)
	if err != nil {
		t.Fatalf("create a browser context: %v", err)
	}
	id, err := target.CreateTarget("about:blank").WithBrowserContextID(bc).WithNewWindow(true).Do(browser)
	if err != nil {
		t.Fatalf("open a window: %v", err)
	}
	win, cancel := chromedp.NewContext(ctx, chromedp.WithTargetID(id))
	t.Cleanup(func() {
		cancel()
		_ = target.DisposeBrowserContext(bc).Do(browser)
	})
	if err := chromedp.Run(win); err != nil {
		t.Fatalf("attach to the new window: %v", err)
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

// PhotoChosen waits, after a file was set on a prompt page's photo input,
// until the page shows the choice and its preview has loaded (or failed,
// for a format the browser cannot show). The preview appears above the
// Upload button and moves it down, so a click aimed before it settles can
// land on the preview instead: on a loaded machine the 12 MP preview takes
// long enough to catch a test that way.
func PhotoChosen() chromedp.Action {
	return chromedp.Tasks{
		chromedp.WaitVisible(`[data-chosen]`, chromedp.ByQuery),
		chromedp.Poll(`(() => {
  const p = document.querySelector("form[data-upload] [data-preview]");
  return !p || (p.complete && (!p.hidden || p.naturalWidth === 0));
})()`, nil, chromedp.WithPollingTimeout(30*time.Second)),
	}
}

// ClickToLoad clicks sel, a button or link that leads to another page
// (a plain form post and its redirect), and waits until that page has
// loaded. Waiting instead on what the post wrote and then navigating
// races the form's own navigation, still in flight once the row is
// written: one of the two is dropped, and chromedp.Navigate can wait for
// a load that never comes (that failed a run).
func ClickToLoad(sel string) chromedp.Action {
	return chromedp.Tasks{
		// The page being left carries a mark; the next one does not.
		chromedp.Evaluate(`document.documentElement.dataset.leaving = "1"`, nil),
		chromedp.Click(sel, chromedp.ByQuery),
		Until(`document.readyState === "complete" && !("leaving" in document.documentElement.dataset)`, 30*time.Second),
	}
}

// SubmitToLoad submits the form of the element sel names the way a
// script's form.submit() does (no submit event: a plain page load, not a
// script's fetch) and waits until the page it leads to has loaded, as
// ClickToLoad does for a click.
func SubmitToLoad(sel string) chromedp.Action {
	return chromedp.Tasks{
		chromedp.Evaluate(`document.documentElement.dataset.leaving = "1"`, nil),
		chromedp.Submit(sel, chromedp.ByQuery),
		Until(`document.readyState === "complete" && !("leaving" in document.documentElement.dataset)`, 30*time.Second),
	}
}

// Until evaluates js, a boolean expression, every 50 ms until it is true,
// failing after within. Unlike chromedp.Poll, whose page context dies
// with the page, it keeps asking through a navigation or a reload:
// between two pages there is no context to evaluate in, and the call
// fails until the next one is there.
func Until(js string, within time.Duration) chromedp.Action {
	return chromedp.ActionFunc(func(ctx context.Context) error {
		for deadline := time.Now().Add(within); ; {
			var done bool
			err := chromedp.Evaluate(js, &done).Do(ctx)
			if err == nil && done {
				return nil
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("not true in %v (last error: %v): %s", within, err, js)
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(50 * time.Millisecond):
			}
		}
	})
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
	// Let the page settle first: a full-page capture shows what is below
	// the fold, so load lazy images as a scrolling user would, and wait
	// for images (again after a viewport change) and fonts to be decoded.
	// No timers or animation frames: they never fire with scripts off.
	// Best effort: a page that never settles is still captured.
	settle, cancel := context.WithTimeout(ctx, 3*time.Second)
	_ = chromedp.Run(settle, chromedp.Evaluate(settleJS, nil, func(p *runtime.EvaluateParams) *runtime.EvaluateParams {
		return p.WithAwaitPromise(true)
	}))
	cancel()
	var png []byte
	if err := chromedp.Run(ctx, chromedp.FullScreenshot(&png, 100)); err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	file := filepath.Join(d, slug(t.Name())+"-"+slug(name)+".png")
	if err := os.WriteFile(file, png, 0o644); err != nil {
		t.Fatalf("save screenshot: %v", err)
	}
}

const settleJS = `(async () => {
  for (const img of document.images) img.loading = "eager";
  await Promise.all([...document.images].map((img) => img.decode().catch(() => {})));
  await document.fonts.ready;
})()`

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
