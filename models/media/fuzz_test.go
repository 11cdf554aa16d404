package media

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"runtime/metrics"
	"testing"
)

// FuzzProcess feeds arbitrary bytes through the whole pipeline: whatever
// arrives, Process returns renditions or a refusal, never a panic or
// another kind of error. Run it with
//
//	go test -run '^$' -fuzz FuzzProcess -fuzzminimizetime 10s ./models/media/
//
// Small limits keep a mutated header from asking for gigabytes, and every
// call must stay within allocBudget of them: a decoder that allocates from
// anything but the size the cap checked (a HEIC's coded size, say, rather
// than its ispe) is caught here.
func FuzzProcess(f *testing.F) {
	for _, s := range pipelineSeeds(f) {
		f.Add(s)
	}

	limits := Limits{MaxBytes: 4 << 20, MaxPixels: 4_000_000}
	p := NewProcessor(1, limits)
	budget := allocBudget(limits)
	allocs := []metrics.Sample{{Name: "/gc/heap/allocs:bytes"}}
	f.Fuzz(func(t *testing.T, b []byte) {
		path := filepath.Join(t.TempDir(), "upload")
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		metrics.Read(allocs)
		before := allocs[0].Value.Uint64()
		res, err := p.Process(context.Background(), path)
		metrics.Read(allocs)
		if n := allocs[0].Value.Uint64() - before; n > budget {
			t.Fatalf("Process allocated %.1f MiB, over the %.1f MiB a %d-pixel cap allows (err %v)",
				float64(n)/(1<<20), float64(budget)/(1<<20), limits.MaxPixels, err)
		}
		if errors.Is(err, ErrPanicked) {
			t.Fatalf("the pipeline panicked (recovered, but a bug): %v", err)
		}
		if err != nil {
			mustBeRefusal(t, err)
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

// FuzzReadHeader is FuzzProcess without the decoders: the sniffer and the
// parsers every upload meets before any pixel is decoded (JPEG segments and
// its scan count, PNG and WebP chunks, HEIF boxes, EXIF, the ICC profile
// behind the colour transform). Each input costs microseconds instead of a
// decode, so these parsers, which see hostile bytes first, get hundreds of
// times FuzzProcess's inputs. Run it with
//
//	go test -run '^$' -fuzz FuzzReadHeader ./models/media/
func FuzzReadHeader(f *testing.F) {
	for _, s := range pipelineSeeds(f) {
		f.Add(s)
	}
	allocs := []metrics.Sample{{Name: "/gc/heap/allocs:bytes"}}
	f.Fuzz(func(t *testing.T, b []byte) {
		format, refusal := sniff(b[:min(len(b), sniffLen)])
		if refusal != nil {
			mustBeRefusal(t, refusal)
			return
		}
		metrics.Read(allocs)
		before := allocs[0].Value.Uint64()
		h, err := readHeader(bytes.NewReader(b), int64(len(b)), format)
		if err == nil {
			newColourTransform(h.icc)
		}
		metrics.Read(allocs)
		// Only the EXIF block (64 KB at most) and the ICC profile (1 MiB)
		// are ever copied out of the file.
		if n := allocs[0].Value.Uint64() - before; n > 8<<20 {
			t.Fatalf("reading a %d-byte header allocated %.1f MiB", len(b), float64(n)/(1<<20))
		}
		if err != nil {
			mustBeRefusal(t, err)
			return
		}
		if h.format != format || h.width <= 0 || h.height <= 0 {
			t.Fatalf("accepted header %s %dx%d", h.format, h.width, h.height)
		}
		if o := h.exif.orientation; o < 1 || o > 8 {
			t.Fatalf("orientation %d", o)
		}
		if len(h.icc) > maxICCSize {
			t.Fatalf("ICC profile of %d bytes", len(h.icc))
		}
	})
}

// mustBeRefusal fails unless err is a refusal a participant can read.
func mustBeRefusal(t *testing.T, err error) {
	t.Helper()
	r, ok := IsRefusal(err)
	if !ok {
		t.Fatalf("not a refusal: %v", err)
	}
	if r.Reason == "" || r.Message == "" {
		t.Fatalf("refusal without reason or message: %#v", r)
	}
}

// pipelineSeeds are the fuzz seeds of the photo pipeline: every sample
// decoder's happy path and every bad file, capped at 48 KB (bomb-50k.png
// keeps its lying header) because the fuzzer minimises every interesting
// input byte by byte; the big samples give their headers (phone-12mp.jpg's
// EXIF and tables, iphone.heic's meta box) and the start of their data.
func pipelineSeeds(f *testing.F) [][]byte {
	f.Helper()
	dir := photosDir(f)
	files, _ := filepath.Glob(filepath.Join(dir, "orient-*.jpg"))
	bad, _ := filepath.Glob(filepath.Join(dir, "bad", "*"))
	files = append(files, bad...)
	// Every decoder's happy path too: an ICC profile (adobe-rgb.jpg), a
	// PNG with alpha, a WebP, grayscale and progressive JPEGs.
	files = append(files, filepath.Join(dir, "still.gif"), "warmup.heic", filepath.Join(dir, "adobe-rgb.jpg"),
		filepath.Join(dir, "photo-alpha.png"), filepath.Join(dir, "photo.webp"), filepath.Join(dir, "grayscale.jpg"),
		filepath.Join(dir, "progressive.jpg"))
	var seeds [][]byte
	for _, s := range files {
		b, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		seeds = append(seeds, b[:min(len(b), 48<<10)])
	}
	seeds = append(seeds, bmpHeader(), ftyp("heic", "mif1", "heic"), manyScanJPEG(64, 64, 3))
	return append(seeds, headerSeeds(f, dir)...)
}

// allocBudget is the most one Process call may allocate under limits: 128
// bytes per allowed pixel and 64 MiB besides. Measured: a 3 MP iPhone HEIC
// allocates 66 bytes per pixel in all (libheif's WebAssembly memory grows
// by copying), a JPEG 6 to 12, a PNG 19; the first HEIC also compiles the
// decoder (about 45 MiB). Generous on purpose, so it never flakes, yet a
// decode sized by anything but the checked header goes far over it.
func allocBudget(l Limits) uint64 {
	return 128*uint64(l.MaxPixels) + 64<<20
}

// headerSeeds are the headers of the big samples and the first 4 KB of
// their image data: phone-12mp.jpg up to its scan (with its EXIF, GPS
// included), again with its frame size made 2016x1512 so that it passes
// the fuzz cap and reaches the decoder, and iphone.heic's ftyp and meta
// boxes.
func headerSeeds(f *testing.F, dir string) [][]byte {
	f.Helper()
	jpg, err := os.ReadFile(filepath.Join(dir, "phone-12mp.jpg"))
	if err != nil {
		f.Fatal(err)
	}
	sof, sos := -1, -1
	for i := 2; i+4 <= len(jpg) && jpg[i] == 0xFF; {
		n := int(binary.BigEndian.Uint16(jpg[i+2:]))
		switch jpg[i+1] {
		case 0xC0, 0xC2:
			sof = i
		case 0xDA:
			sos = i + 2 + n
		}
		if sos > 0 {
			break
		}
		i += 2 + n
	}
	if sof < 0 || sos < 0 {
		f.Fatal("phone-12mp.jpg: no frame or scan header")
	}
	head := bytes.Clone(jpg[:min(len(jpg), sos+4<<10)])
	smaller := bytes.Clone(head)
	binary.BigEndian.PutUint16(smaller[sof+5:], 1512) // height
	binary.BigEndian.PutUint16(smaller[sof+7:], 2016) // width

	heic, err := os.ReadFile(filepath.Join(dir, "iphone.heic"))
	if err != nil {
		f.Fatal(err)
	}
	end := 0
	for _, b := range boxes(heic) {
		end += 8 + len(b.body)
		if b.typ == "meta" {
			break
		}
	}
	return [][]byte{head, smaller, heic[:min(len(heic), end+4<<10)]}
}
