package media

import (
	"encoding/binary"
	"fmt"
	"image"
	"image/color"
	"io/fs"
	"path/filepath"
	"testing"
	"time"
)

// sample is a pixel a rendition must have, at coordinates of that rendition.
type sample struct {
	size Size
	x, y int
	want [3]int
	tol  int
}

// golden is what the testdata README says a sample photo must become.
type golden struct {
	format string
	w, h   int // upright size of the source
	sizes  map[Size][2]int
	// samples are colours at given places; the README states them for the
	// test card (orient-*.jpg) and for adobe-rgb.jpg's green half.
	samples []sample
	// minChannel, if set, is the least any channel may be anywhere on a
	// grid of Full's pixels: photo-alpha.png is 70 % opaque, so flattened
	// onto white no channel goes under 0.3·255 (onto black none would
	// exceed 0.7·255).
	minChannel int
	gray       bool      // a single-channel source stays grey
	taken      time.Time // EXIF capture time, zero for none
}

// cardSamples are the orient-N.jpg test card's colours, where the README
// puts them, in a 480x320 Full and Phone and a 320x320 centre-cut Thumb.
func cardSamples(tol int) []sample {
	var s []sample
	for _, size := range []Size{Full, Phone} {
		s = append(s, sample{size, 20, 20, cardRed, tol}, sample{size, 400, 60, cardBlue, tol}, sample{size, 400, 260, cardGreen, tol})
	}
	return append(s, sample{Thumb, 160, 60, cardBlue, tol}, sample{Thumb, 160, 260, cardGreen, tol})
}

// goldens covers every file in ../shared/testdata/photos except bad/
// (TestProcessRefusesBadFiles); TestGoldenSamples fails on a file missing
// from it, so a new sample gets its expectations written down.
var goldens = func() map[string]golden {
	small := map[Size][2]int{Full: {480, 320}, Phone: {480, 320}, Thumb: {320, 320}}
	g := map[string]golden{
		"phone-12mp.jpg": {format: "jpeg", w: 3024, h: 4032,
			sizes: map[Size][2]int{Full: {1536, 2048}, Phone: {810, 1080}, Thumb: {320, 320}},
			taken: time.Date(2026, 6, 14, 17, 3, 22, 0, time.UTC)},
		"progressive.jpg": {format: "jpeg", w: 750, h: 1000,
			sizes: map[Size][2]int{Full: {750, 1000}, Phone: {750, 1000}, Thumb: {320, 320}}},
		"grayscale.jpg": {format: "jpeg", w: 1000, h: 750,
			sizes: map[Size][2]int{Full: {1000, 750}, Phone: {1000, 750}, Thumb: {320, 320}}, gray: true},
		"photo-alpha.png": {format: "png", w: 900, h: 600,
			sizes: map[Size][2]int{Full: {900, 600}, Phone: {900, 600}, Thumb: {320, 320}}, minChannel: 72},
		"still.gif": {format: "gif", w: 320, h: 240,
			sizes: map[Size][2]int{Full: {320, 240}, Phone: {320, 240}, Thumb: {240, 240}}},
		"photo.webp": {format: "webp", w: 1600, h: 1200,
			sizes: map[Size][2]int{Full: {1600, 1200}, Phone: {1080, 810}, Thumb: {320, 320}}},
		// Colour-managed, its green half is rgb(35,197,94); read as sRGB it
		// would be rgb(115,196,101), far outside the tolerance.
		"adobe-rgb.jpg": {format: "jpeg", w: 480, h: 320, sizes: small, samples: cardSamples(10)},
		"iphone.heic": {format: "heic", w: 1512, h: 2016,
			sizes: map[Size][2]int{Full: {1512, 2016}, Phone: {810, 1080}, Thumb: {320, 320}}},
	}
	for o := 1; o <= 8; o++ {
		g[fmt.Sprintf("orient-%d.jpg", o)] = golden{format: "jpeg", w: 480, h: 320, sizes: small, samples: cardSamples(30)}
	}
	return g
}()

// TestGoldenSamples runs every sample photo through the pipeline and checks
// its renditions against goldens: sizes, colours where the README gives
// them, grey staying grey, the capture time, and no metadata segment in any
// rendition's bytes.
func TestGoldenSamples(t *testing.T) {
	t.Parallel() // the 12 MP photo and the HEIC take seconds; overlap them with other tests
	dir := photosDir(t)
	seen := map[string]bool{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		switch {
		case d.IsDir() && rel == "bad":
			return filepath.SkipDir // refusals: TestProcessRefusesBadFiles
		case d.IsDir() || rel == "README.md":
			return nil
		}
		seen[rel] = true
		t.Run(rel, func(t *testing.T) {
			g, ok := goldens[rel]
			if !ok {
				t.Fatalf("no expectations for sample %s: add it to goldens (README says what it must become)", rel)
			}
			checkGolden(t, rel, g)
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for name := range goldens {
		if !seen[name] {
			t.Errorf("sample %s is in goldens but not in %s", name, dir)
		}
	}
}

func checkGolden(t *testing.T, name string, g golden) {
	res := mustProcess(t, name)
	if res.Format != g.format || res.Width != g.w || res.Height != g.h {
		t.Errorf("got %s %dx%d, want %s %dx%d", res.Format, res.Width, res.Height, g.format, g.w, g.h)
	}
	if !res.TakenAt.Equal(g.taken) {
		t.Errorf("TakenAt = %v, want %v", res.TakenAt, g.taken)
	}
	checkSizes(t, res, g.sizes)
	for _, r := range res.Renditions {
		for _, m := range jpegSegments(t, r.Data) {
			switch m {
			case 0xE1, 0xE2, 0xED, 0xFE:
				t.Errorf("%s has a %s segment", r.Size, metadataMarkers[m])
			}
		}
		img := decodeRendition(t, res, r.Size)
		if g.gray && !isGray(img) {
			t.Errorf("%s is %T, want a grey image from a single-channel source", r.Size, img)
		}
		for _, s := range g.samples {
			if s.size != r.Size {
				continue
			}
			if got := rgbAt(img, s.x, s.y); !near(got, s.want, s.tol) {
				t.Errorf("%s pixel (%d,%d) = rgb%v, want rgb%v ±%d", r.Size, s.x, s.y, got, s.want, s.tol)
			}
		}
		if g.minChannel > 0 && r.Size == Full {
			// 9x9 means: JPEG's chroma subsampling moves single pixels
			// at sharp colour edges by more than the margin.
			b := img.Bounds()
			plain := func(c color.Color) [3]int { return rgbAt(image.NewUniform(c), 0, 0) }
			for y := b.Min.Y + 4; y < b.Max.Y-4; y += 9 {
				for x := b.Min.X + 4; x < b.Max.X-4; x += 9 {
					if c := mean(img, image.Pt(x, y), plain); min(c[0], c[1], c[2]) < g.minChannel {
						t.Fatalf("%s around (%d,%d) = rgb%v: a channel under %d, so not flattened onto white", r.Size, x, y, c, g.minChannel)
					}
				}
			}
		}
	}
}

// metadataMarkers are the JPEG segments that carry metadata.
var metadataMarkers = map[byte]string{0xE1: "APP1 (EXIF/XMP)", 0xE2: "APP2 (ICC)", 0xED: "APP13 (IPTC)", 0xFE: "COM"}

// jpegSegments lists every marker of a JPEG from SOI to EOI, stepping over
// each segment by its length and through entropy-coded data (where 0xFF00
// is a stuffed byte and RSTn a restart), so a segment after a scan (as
// progressive files have between scans) is seen too.
func jpegSegments(t *testing.T, b []byte) []byte {
	t.Helper()
	if len(b) < 4 || b[0] != 0xFF || b[1] != 0xD8 {
		t.Fatalf("no JPEG start of image")
	}
	var markers []byte
	i := 2
	for {
		if i+2 > len(b) || b[i] != 0xFF {
			t.Fatalf("no marker at byte %d of %d", i, len(b))
		}
		for i+2 < len(b) && b[i+1] == 0xFF { // fill bytes
			i++
		}
		m := b[i+1]
		i += 2
		markers = append(markers, m)
		if m == 0xD9 {
			return markers
		}
		if m == 0x01 || m >= 0xD0 && m <= 0xD7 {
			continue // no length
		}
		if i+2 > len(b) {
			t.Fatalf("segment 0x%X cut off", m)
		}
		n := int(binary.BigEndian.Uint16(b[i:]))
		if n < 2 || i+n > len(b) {
			t.Fatalf("segment 0x%X at %d has a bad length %d", m, i-2, n)
		}
		i += n
		if m != 0xDA {
			continue
		}
		for ; i+1 < len(b); i++ {
			if b[i] != 0xFF {
				continue
			}
			if next := b[i+1]; next != 0x00 && next != 0xFF && (next < 0xD0 || next > 0xD7) {
				break // a real marker ends the scan
			}
		}
	}
}

// TestJPEGSegmentsSeesMetadata makes sure the walker is not vacuous: it
// finds the EXIF of phone-12mp.jpg, the ICC profile of adobe-rgb.jpg and a
// comment, and walks a progressive file to its end.
func TestJPEGSegmentsSeesMetadata(t *testing.T) {
	has := func(markers []byte, m byte) bool {
		for _, x := range markers {
			if x == m {
				return true
			}
		}
		return false
	}
	for name, want := range map[string]byte{"phone-12mp.jpg": 0xE1, "adobe-rgb.jpg": 0xE2, "progressive.jpg": 0xD9} {
		if markers := jpegSegments(t, readSample(t, name)); !has(markers, want) {
			t.Errorf("%s: no 0x%X among %X", name, want, markers)
		}
	}
	// A comment after the first scan, where a walker that stops at SOS
	// would not look.
	b := flatJPEG(16, 16)
	b = append(b[:len(b)-2:len(b)-2], 0xFF, 0xFE, 0x00, 0x04, 'h', 'i', 0xFF, 0xD9)
	if markers := jpegSegments(t, b); !has(markers, 0xFE) {
		t.Errorf("comment after the scan not seen: %X", markers)
	}
}
