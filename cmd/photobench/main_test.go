//go:build unix

package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestMissingVipsthumbnailExits2(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"-vipsthumbnail", filepath.Join(t.TempDir(), "vipsthumbnail")}, &stdout, &stderr)
	if code != 2 || !strings.Contains(stderr.String(), "apt-get install libvips-tools") {
		t.Fatalf("exit %d, stderr %q: want 2 and the apt-get hint", code, stderr.String())
	}
}

func TestBadFlagsExit2(t *testing.T) {
	for _, args := range [][]string{{"-rounds", "0"}, {"-rounds", "101"}, {"-timeout", "2h"}, {"extra"}} {
		var out bytes.Buffer
		if code := run(context.Background(), args, &out, &out); code != 2 {
			t.Errorf("%q: exit %d, want 2", args, code)
		}
	}
}

func TestMedian(t *testing.T) {
	ms := func(v ...int) []time.Duration {
		var d []time.Duration
		for _, x := range v {
			d = append(d, time.Duration(x)*time.Millisecond)
		}
		return d
	}
	for _, c := range []struct {
		in   []time.Duration
		want time.Duration
	}{
		{ms(5), 5 * time.Millisecond},
		{ms(9, 1, 5), 5 * time.Millisecond},
		{ms(4, 1, 3, 2), 2500 * time.Microsecond},
	} {
		in := slices.Clone(c.in)
		if got := median(c.in); got != c.want {
			t.Errorf("median(%v) = %v, want %v", c.in, got, c.want)
		}
		if !slices.Equal(in, c.in) {
			t.Errorf("median reordered its input: %v", c.in)
		}
	}
}

// TestVipsSide checks the chain asks for the pipeline's sizes and quality.
func TestVipsSide(t *testing.T) {
	s := vipsSide("vipsthumbnail", "/p/photo.jpg", "/o", false)
	if len(s.steps) != 3 || len(s.files) != 3 {
		t.Fatalf("%d steps, %d files: want 3 of each", len(s.steps), len(s.files))
	}
	want := []string{
		"/p/photo.jpg --size 2048x2048> -o /o/full.jpg[Q=82,strip]",
		"/p/photo.jpg --size 1080x1080> -o /o/phone.jpg[Q=82,strip]",
		"/p/photo.jpg --size 320x320> --smartcrop centre -o /o/thumb.jpg[Q=82,strip]",
	}
	for i, st := range s.steps {
		if got := strings.Join(st.args, " "); got != want[i] {
			t.Errorf("step %d: %s\nwant %s", i, got, want[i])
		}
	}
	// A source with an ICC profile is converted to sRGB, as ours does.
	s = vipsSide("vipsthumbnail", "/p/photo.jpg", "/o", true)
	if got := strings.Join(s.steps[0].args, " "); got != "/p/photo.jpg --size 2048x2048> -e srgb -o /o/full.jpg[Q=82,strip]" {
		t.Errorf("with a profile: %s", got)
	}
	r := retreatSide("retreat", "/p/photo.jpg", "/o")
	if got := strings.Join(r.files, " "); got != "/o/photo-full.jpg /o/photo-phone.jpg /o/photo-thumb.jpg" {
		t.Errorf("retreat's renditions: %s", got)
	}
}

func TestModuleRoot(t *testing.T) {
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "cmd", "photobench", "main.go")); err != nil {
		t.Errorf("module root %s: %v", root, err)
	}
	dir := t.TempDir()
	for mod, want := range map[string]bool{"module retreat\n\ngo 1.26\n": true, "module retreat/other\n": false, "module \"retreat\"\n": true} {
		if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte(mod), 0o600); err != nil {
			t.Fatal(err)
		}
		if got := isRetreatModule(dir); got != want {
			t.Errorf("isRetreatModule(%q) = %v", mod, got)
		}
	}
}

// TestRunOnce runs a real round on a small photo when vipsthumbnail is
// installed (it builds the retreat binary, so not with -short).
func TestRunOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("builds retreat; skipped with -short")
	}
	if _, err := exec.LookPath("vipsthumbnail"); err != nil {
		t.Skip("no vipsthumbnail (apt-get install libvips-tools)")
	}
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	photo := filepath.Join(root, "..", "shared", "testdata", "photos", "orient-6.jpg")
	if _, err := os.Stat(photo); err != nil {
		t.Skipf("no sample photo: %v", err)
	}
	var stdout, stderr bytes.Buffer
	if code := run(t.Context(), []string{"-file", photo, "-rounds", "1", "-timeout", "5m"}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d\n%s%s", code, stdout.String(), stderr.String())
	}
	out := stdout.String()
	for _, want := range []string{"retreat photo", "vipsthumbnail x3", "ratio of medians", "320x320"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "WARNING") {
		t.Errorf("sizes differ:\n%s", out)
	}
}
