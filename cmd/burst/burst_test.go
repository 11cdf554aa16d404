package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
)

// TestBurstSmoke runs the tool small: a few participants with a small
// photo against the real binary, and checks it reports no errors.
func TestBurstSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and starts the real binary")
	}
	photo := filepath.Join(filepath.Dir(defaultPhoto()), "progressive.jpg")
	var out, errOut bytes.Buffer
	err := run(t.Context(), []string{"-participants", "6", "-in-flight", "3", "-photo", photo, "-photo-workers", "1"}, &out, &errOut)
	if err != nil {
		t.Fatalf("burst: %v\n%s\n%s", err, out.String(), errOut.String())
	}
	for _, want := range []string{"6 ok", "errors                    0", "0 in replies, 0 in the server log", "peak RSS (server)"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
	if err := run(t.Context(), []string{"-participants", "0"}, &out, &errOut); err == nil {
		t.Error("-participants 0 was accepted")
	}
}
