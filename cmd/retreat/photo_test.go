package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
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
		": jpeg 3024x4032 taken 2026-06-14T17:03:22 (camera clock, no zone): full 1536x2048 "; !slices.ContainsFunc(lines, func(l string) bool {
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

// TestPhotoCommandHonoursLimits checks `retreat photo` reads the upload
// limits as the server does: flags, else RETREAT_* variables, else the
// defaults, and refuses with the message a participant would get.
func TestPhotoCommandHonoursLimits(t *testing.T) {
	big := filepath.Join(photoTestDir(t), "phone-12mp.jpg") // 4032x3024, 3.9 MB
	tooManyPixels := big + ": refused: This picture is 4032×3024 pixels; we take at most 1 megapixels. Try a smaller version of the photo.\n"
	tooLarge := big + ": refused: This file is 3.9 MB; photos can be at most 1 MB. Try a smaller version of the photo.\n"
	for _, tc := range []struct {
		name   string
		env    map[string]string
		args   []string
		stdout string // "" for accepted
	}{
		{name: "megapixels flag", args: []string{"--max-megapixels", "1"}, stdout: tooManyPixels},
		{name: "megapixels from the environment", env: map[string]string{"RETREAT_MAX_MEGAPIXELS": "1"}, stdout: tooManyPixels},
		{name: "upload size flag", args: []string{"--max-upload-mb", "1"}, stdout: tooLarge},
		{name: "upload size from the environment", env: map[string]string{"RETREAT_MAX_UPLOAD_MB": "1"}, stdout: tooLarge},
		{name: "flag over the environment", env: map[string]string{"RETREAT_MAX_MEGAPIXELS": "1"}, args: []string{"--max-megapixels", "13"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clearRetreatEnv(t)
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			var stdout, stderr bytes.Buffer
			err := photoCommand(context.Background(), append(tc.args, big), &stdout, &stderr)
			if tc.stdout == "" {
				if err != nil || !strings.HasPrefix(stdout.String(), big+": jpeg 3024x4032 ") {
					t.Errorf("err = %v, stdout = %q; want the photo accepted", err, stdout.String())
				}
				return
			}
			if err == nil {
				t.Error("photoCommand succeeded, want an error (exit status 1)")
			}
			if stdout.String() != tc.stdout {
				t.Errorf("stdout = %q, want %q", stdout.String(), tc.stdout)
			}
		})
	}
	clearRetreatEnv(t)
	var stdout, stderr bytes.Buffer
	if err := photoCommand(context.Background(), []string{"--max-megapixels", "0", big}, &stdout, &stderr); err == nil || stdout.Len() != 0 {
		t.Errorf("--max-megapixels 0: err = %v, stdout = %q; want refused before any photo", err, stdout.String())
	}
	stdout.Reset()
	if err := photoCommand(context.Background(), []string{"--photo-timeout", "500ms", big}, &stdout, &stderr); err == nil || stdout.Len() != 0 {
		t.Errorf("--photo-timeout 500ms: err = %v, stdout = %q; want refused before any photo", err, stdout.String())
	}
}

// TestPhotoCommandExitStatus runs the real binary: a photo over a small
// megapixel cap exits with status 1 and prints the participant's message.
func TestPhotoCommandExitStatus(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the real binary")
	}
	bin, err := buildBinary()
	if err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(photoTestDir(t), "phone-12mp.jpg")
	cmd := exec.Command(bin, "photo", "--max-megapixels", "1", big)
	for _, kv := range os.Environ() { // no limits from the caller's environment
		if !strings.HasPrefix(kv, "RETREAT_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Fatalf("exit: %v, want status 1\nstdout: %s\nstderr: %s", err, &stdout, &stderr)
	}
	want := big + ": refused: This picture is 4032×3024 pixels; we take at most 1 megapixels. Try a smaller version of the photo.\n"
	if stdout.String() != want {
		t.Errorf("stdout = %q, want %q", stdout.String(), want)
	}
}
