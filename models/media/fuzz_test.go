package media

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzProcess feeds arbitrary bytes through the whole pipeline: whatever
// arrives, Process returns renditions or a refusal, never a panic or
// another kind of error. Run it with
//
//	go test -run '^$' -fuzz FuzzProcess -fuzzminimizetime 10s ./models/media/
//
// Small limits keep a mutated header from asking for gigabytes. Seeds are
// capped at 48 KB (bomb-50k.png keeps its lying header) because the fuzzer
// minimises every interesting input byte by byte.
func FuzzProcess(f *testing.F) {
	dir := photosDir(f)
	seeds, _ := filepath.Glob(filepath.Join(dir, "orient-*.jpg"))
	bad, _ := filepath.Glob(filepath.Join(dir, "bad", "*"))
	seeds = append(seeds, bad...)
	// Every decoder's happy path too: an ICC profile (adobe-rgb.jpg), a
	// PNG with alpha, a WebP, grayscale and progressive JPEGs.
	seeds = append(seeds, filepath.Join(dir, "still.gif"), "warmup.heic", filepath.Join(dir, "adobe-rgb.jpg"),
		filepath.Join(dir, "photo-alpha.png"), filepath.Join(dir, "photo.webp"), filepath.Join(dir, "grayscale.jpg"),
		filepath.Join(dir, "progressive.jpg"))
	for _, s := range seeds {
		b, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b[:min(len(b), 48<<10)])
	}
	f.Add(bmpHeader())
	f.Add(ftyp("heic", "mif1", "heic"))

	p := NewProcessor(1, Limits{MaxBytes: 4 << 20, MaxPixels: 4_000_000})
	f.Fuzz(func(t *testing.T, b []byte) {
		path := filepath.Join(t.TempDir(), "upload")
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		res, err := p.Process(context.Background(), path)
		if errors.Is(err, ErrPanicked) {
			t.Fatalf("the pipeline panicked (recovered, but a bug): %v", err)
		}
		if err != nil {
			r, ok := IsRefusal(err)
			if !ok {
				t.Fatalf("not a refusal: %v", err)
			}
			if r.Reason == "" || r.Message == "" {
				t.Fatalf("refusal without reason or message: %#v", r)
			}
			return
		}
		if len(res.Renditions) != len(Sizes) {
			t.Fatalf("%d renditions", len(res.Renditions))
		}
		for _, r := range res.Renditions {
			if r.Width < 1 || r.Height < 1 || len(r.Data) == 0 {
				t.Fatalf("empty %s rendition %dx%d", r.Size, r.Width, r.Height)
			}
		}
	})
}
