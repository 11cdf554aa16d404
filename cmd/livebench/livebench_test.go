package main

import (
	"context"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestLivebenchSmoke runs the load tool small (20 phones, two moves per
// phase) as a user would, built and run as its own binary (it re-runs
// itself for the phones): every phase reports, the reactions phase really
// sends reactions and they are taken, and the verdict lines are printed.
func TestLivebenchSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the load tool")
	}
	bin := filepath.Join(t.TempDir(), "livebench")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, bin, "-followers", "20", "-moves", "2", "-interval", "100ms",
		"-churn", "20", "-react", "20", "-timeout", "2m").CombinedOutput()
	report := string(out)
	if err != nil {
		t.Fatalf("livebench: %v\n%s", err, report)
	}
	for _, want := range []string{"quiet, 2 slide changes", "20 phone requests/s, 2 slide changes", "20 reactions/s, 2 slide changes",
		"per phone:", "delivery p99", "slowed by reactions:"} {
		if !strings.Contains(report, want) {
			t.Errorf("the report lacks %q:\n%s", want, report)
		}
	}
	m := regexp.MustCompile(`reactions\s+\d+/s done \((\d+), (\d+) errors\)`).FindStringSubmatch(report)
	if m == nil {
		t.Fatalf("no reactions line in the report:\n%s", report)
	}
	if done, _ := strconv.Atoi(m[1]); done == 0 {
		t.Errorf("no reaction was taken:\n%s", report)
	}
	if m[2] != "0" {
		t.Errorf("%s reactions were refused:\n%s", m[2], report)
	}
}
