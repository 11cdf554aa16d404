package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"retreat/models/media"
)

// photoCommand runs the upload pipeline on local files, as
// `retreat photo [--out DIR] FILE...`: the same Processor and limits an
// upload gets (--max-upload-mb, --max-megapixels and --photo-timeout, or their RETREAT_*
// variables, as the server reads them), so it answers "why was my photo
// refused?" and "what do the renditions look like?" without a browser. It
// prints one line per file and fails if any file was refused.
func photoCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg := &config{}
	fs := flag.NewFlagSet("photo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "", "write the renditions into this folder as NAME-SIZE.jpg (default: write nothing)")
	cfg.registerPhotoLimits(fs)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: retreat photo [--out DIR] [--max-upload-mb N] [--max-megapixels N] [--photo-timeout D] FILE...")
		fmt.Fprintln(stderr, "Runs the photo upload pipeline on each FILE and prints what it made of it.")
		fs.PrintDefaults()
	}
	files, err := parseFlagsAndArgs(fs, args)
	if err != nil {
		return err
	}
	if len(files) == 0 {
		fs.Usage()
		return errors.New("photo: no files given")
	}
	limits, err := cfg.photoLimits()
	if err != nil {
		return fmt.Errorf("photo: %w", err)
	}
	if *out != "" {
		if err := os.MkdirAll(*out, 0o750); err != nil {
			return fmt.Errorf("photo: %w", err)
		}
	}

	p := media.NewProcessor(runtime.NumCPU(), limits)
	failed := 0
	for _, file := range files {
		if err := ctx.Err(); err != nil {
			return err
		}
		res, err := p.Process(ctx, file)
		if r, ok := media.IsRefusal(err); ok {
			failed++
			fmt.Fprintf(stdout, "%s: refused: %s\n", file, r.Message)
			continue
		}
		if err != nil {
			failed++
			fmt.Fprintf(stdout, "%s: error: %v\n", file, err)
			continue
		}
		fmt.Fprintf(stdout, "%s: %s\n", file, describe(res))
		if *out != "" {
			if err := writeRenditions(*out, file, res); err != nil {
				return fmt.Errorf("photo: %w", err)
			}
		}
	}
	if failed > 0 {
		return fmt.Errorf("photo: %d of %d files refused or unreadable", failed, len(files))
	}
	return nil
}

// describe summarises a result on one line:
// "jpeg 3024x4032 taken 2026-06-14T17:03:22 (camera clock, no zone): full
// 1536x2048 412345 B, ...".
func describe(res *media.Result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %dx%d", res.Format, res.Width, res.Height)
	switch {
	case res.TakenAtLocal:
		// No zone in the file: the camera's clock, as it showed.
		fmt.Fprintf(&b, " taken %s (camera clock, no zone)", res.TakenAt.Format("2006-01-02T15:04:05"))
	case !res.TakenAt.IsZero():
		fmt.Fprintf(&b, " taken %s", res.TakenAt.Format(time.RFC3339))
	}
	for i, r := range res.Renditions {
		sep := ", "
		if i == 0 {
			sep = ": "
		}
		fmt.Fprintf(&b, "%s%s %dx%d %d B", sep, r.Size, r.Width, r.Height, len(r.Data))
	}
	return b.String()
}

// writeRenditions writes res's renditions into dir as <base>-<size>.jpg,
// where base is file's name without its extension.
func writeRenditions(dir, file string, res *media.Result) error {
	base := strings.TrimSuffix(filepath.Base(file), filepath.Ext(file))
	for _, r := range res.Renditions {
		name := filepath.Join(dir, fmt.Sprintf("%s-%s.jpg", base, r.Size))
		if err := os.WriteFile(name, r.Data, 0o640); err != nil {
			return fmt.Errorf("write rendition: %w", err)
		}
	}
	return nil
}
