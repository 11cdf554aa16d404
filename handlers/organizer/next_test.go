package organizer

import (
	"net/url"
	"strings"
	"testing"
)

func TestSafeNextKeepsRedirectsOnThisSite(t *testing.T) {
	for _, ok := range []string{"/dashboard", "/dashboard/events/3?tab=people", "/dashboard/events/3#prompts", "/e/1/prompts/2"} {
		if got := safeNext(ok); got != ok {
			t.Errorf("safeNext(%q) = %q, want it kept", ok, got)
		}
	}
	for _, bad := range []string{
		"", "dashboard", "https://evil.example/", "//evil.example", "/\\evil.example", "/\t/evil.example",
		"/\n/evil.example", "/\r\n/evil.example", "/ /evil.example", "\t//evil.example", "/%09/evil.example/..",
		"///evil.example", "/\x00/evil", "javascript:alert(1)", "/\u00a0/evil.example",
	} {
		if got := safeNext(bad); got != "/dashboard" && !isLocal(got) {
			t.Errorf("safeNext(%q) = %q, leaves the site", bad, got)
		}
	}
	// Tabs and newlines anywhere are refused, not only at the start.
	if got := safeNext("/dashboard\t/x"); got != "/dashboard" {
		t.Errorf("a tab inside the path: got %q", got)
	}
}

// isLocal reads target the way a browser does (dropping tabs and
// newlines, backslashes as slashes) and says whether it stays on the site.
func isLocal(target string) bool {
	clean := strings.NewReplacer("\t", "", "\n", "", "\r", "", "\\", "/").Replace(target)
	clean = strings.TrimLeft(clean, " \x00")
	u, err := url.Parse(clean)
	if err != nil {
		return false
	}
	return u.Scheme == "" && u.Host == "" && strings.HasPrefix(u.Path, "/") && !strings.HasPrefix(clean, "//")
}

func FuzzSafeNext(f *testing.F) {
	for _, s := range []string{"/dashboard", "//evil.example", "/\t/evil.example", "/\\evil", "https://x", "/e/1?next=//x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, next string) {
		got := safeNext(next)
		if got != "/dashboard" && got != next {
			t.Fatalf("safeNext(%q) = %q: neither kept nor home", next, got)
		}
		if !isLocal(got) {
			t.Fatalf("safeNext(%q) = %q, which a browser reads as another site", next, got)
		}
	})
}
