package browsertest

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// recorder is a testing.TB that notes Skip and Fatal instead of acting.
type recorder struct {
	testing.TB
	skipped, failed string
}

func (r *recorder) Helper()             {}
func (r *recorder) Skip(args ...any)    { r.skipped = fmt.Sprint(args...) }
func (r *recorder) Fatal(args ...any)   { r.failed = fmt.Sprint(args...) }
func (r *recorder) Name() string        { return "recorder" }
func (r *recorder) Logf(string, ...any) {}

func TestMissingChromiumSkipsLocallyAndFailsOnCI(t *testing.T) {
	for _, tc := range []struct {
		name, ci   string
		skip, fail bool
	}{
		{name: "local", ci: "", skip: true},
		{name: "CI", ci: "true", fail: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("CI", tc.ci)
			r := &recorder{TB: t}
			noChromium(r)
			if (r.skipped != "") != tc.skip || (r.failed != "") != tc.fail {
				t.Errorf("CI=%q: skipped %q, failed %q; want skip %v, fail %v", tc.ci, r.skipped, r.failed, tc.skip, tc.fail)
			}
		})
	}
}

func TestSlugKeepsFileNamesPlain(t *testing.T) {
	if got, want := slug("TestX/sub case-01.png"), "TestX-sub-case-01.png"; got != want {
		t.Errorf("slug: got %q, want %q", got, want)
	}
}

// TestUntilAsksThroughAReload: a page that reloads itself once, and only
// then says it is ready. chromedp.Poll fails on such a page ("Cannot find
// context"); Until must wait it out, and still give up in time.
func TestUntilAsksThroughAReload(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<!doctype html><title>first</title><script>
if (sessionStorage.getItem("loaded")) document.title = "second";
else { sessionStorage.setItem("loaded", "1"); setTimeout(() => location.reload(), 100); }
</script>`)
	}))
	t.Cleanup(srv.Close)
	ctx := New(t)
	if err := chromedp.Run(ctx, chromedp.Navigate(srv.URL), Until(`document.title === "second"`, 10*time.Second)); err != nil {
		t.Fatalf("waiting through the reload: %v", err)
	}
	err := chromedp.Run(ctx, Until(`document.title === "third"`, 200*time.Millisecond))
	if err == nil || !strings.Contains(err.Error(), "not true in 200ms") {
		t.Errorf("a condition that never holds: %v, want a refusal after 200ms", err)
	}
}
