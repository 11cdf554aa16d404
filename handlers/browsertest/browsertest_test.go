package browsertest

import (
	"fmt"
	"testing"
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
