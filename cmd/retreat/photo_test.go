package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// photoTestDir returns the shared sample photos folder, skipping the test
// when it is missing, except in CI.
func photoTestDir(t *testing.T) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	dir := filepath.Join(filepath.Dir(file), "..", "..", "..", "shared", "testdata", "photos")
	if _, err := os.Stat(dir); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("sample photos missing: %v", err)
		}
		t.Skipf("sample photos missing: %v", err)
	}
	return dir
}

// samplePaths lists the files (not folders, not the README) in dir.
func samplePaths(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, e := range entries {
		if !e.IsDir() && e.Name() != "README.md" {
			paths = append(paths, filepath.Join(dir, e.Name()))
		}
	}
	if len(paths) == 0 {
		t.Fatalf("no sample photos in %s", dir)
	}
	return paths
}

func TestPhotoCommandAcceptsGoodPhotos(t *testing.T) {
	files := samplePaths(t, photoTestDir(t))
	out := filepath.Join(t.TempDir(), "renditions")
	var stdout, stderr bytes.Buffer
	err := photoCommand(context.Background(), append([]string{"--out", out}, files...), &stdout, &stderr)
	if err != nil {
		t.Fatalf("photoCommand: %v\nstdout:\n%s\nstderr:\n%s", err, &stdout, &stderr)
	}
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	if len(lines) != len(files) {
		t.Fatalf("got %d lines for %d files:\n%s", len(lines), len(files), &stdout)
	}
	for i, line := range lines {
		if !strings.HasPrefix(line, files[i]+": ") || !strings.Contains(line, ": full ") ||
			!strings.Contains(line, ", phone ") || !strings.Contains(line, ", thumb ") {
			t.Errorf("line %q does not describe %s's renditions", line, files[i])
		}
	}
	if want := filepath.Join(photoTestDir(t), "phone-12mp.jpg") +
		": jpeg 3024x4032 taken 2026-06-14T17:03:22Z: full 1536x2048 "; !slices.ContainsFunc(lines, func(l string) bool {
		return strings.HasPrefix(l, want)
	}) {
		t.Errorf("no line starting %q in:\n%s", want, &stdout)
	}
	written, err := os.ReadDir(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(written) != 3*len(files) {
		t.Errorf("wrote %d files, want %d (three per photo)", len(written), 3*len(files))
	}
	if _, err := os.Stat(filepath.Join(out, "orient-6-thumb.jpg")); err != nil {
		t.Errorf("renditions not named <base>-<size>.jpg: %v", err)
	}
}

func TestPhotoCommandRefusesBadFiles(t *testing.T) {
	for _, file := range samplePaths(t, filepath.Join(photoTestDir(t), "bad")) {
		t.Run(filepath.Base(file), func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			out := filepath.Join(t.TempDir(), "out")
			err := photoCommand(context.Background(), []string{"--out", out, file}, &stdout, &stderr)
			if err == nil {
				t.Errorf("photoCommand accepted %s:\n%s", file, &stdout)
			}
			if !strings.HasPrefix(stdout.String(), file+": refused: ") {
				t.Errorf("stdout = %q, want %q followed by the participant-facing message", stdout.String(), file+": refused: ")
			}
			if entries, _ := os.ReadDir(out); len(entries) != 0 {
				t.Errorf("wrote %d files for a refused photo", len(entries))
			}
		})
	}
}

func TestPhotoCommandUsage(t *testing.T) {
	for _, args := range [][]string{nil, {"--no-such-flag", "x.jpg"}, {"--out"}} {
		var stdout, stderr bytes.Buffer
		if err := photoCommand(context.Background(), args, &stdout, &stderr); err == nil {
			t.Errorf("photoCommand(%q) succeeded", args)
		}
		if !strings.Contains(stderr.String(), "Usage: retreat photo") && !strings.Contains(stderr.String(), "flag needs an argument") {
			t.Errorf("photoCommand(%q) stderr = %q, want usage", args, stderr.String())
		}
	}
	var stdout, stderr bytes.Buffer
	err := photoCommand(context.Background(), []string{filepath.Join(t.TempDir(), "missing.jpg")}, &stdout, &stderr)
	if err == nil || !strings.Contains(stdout.String(), ": error: ") {
		t.Errorf("missing file: err = %v, stdout = %q; want an error line", err, stdout.String())
	}
}
