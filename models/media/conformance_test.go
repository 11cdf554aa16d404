package media

import (
	"bufio"
	"bytes"
	"errors"
	"image/jpeg"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/disintegration/imaging"
	"github.com/gen2brain/heic"
)

// Files others wrote: the public conformance corpora in
// ../shared/testdata/external, with what each must give (expect.tsv; its
// README says how the references were made).

// conformance is one row of expect.tsv.
type conformance struct {
	corpus, file, expect string
}

func externalDir(t testing.TB) string {
	t.Helper()
	return filepath.Join(filepath.Dir(photosDir(t)), "external")
}

func conformanceFiles(t testing.TB, corpus string) []conformance {
	t.Helper()
	f, err := os.Open(filepath.Join(externalDir(t), "expect.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []conformance
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		cols := strings.Split(sc.Text(), "\t")
		if len(cols) == 3 && cols[0] == corpus {
			out = append(out, conformance{cols[0], cols[1], cols[2]})
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(out) == 0 {
		t.Fatalf("expect.tsv lists no %s files", corpus)
	}
	return out
}

// heifWebAssemblyLimits are the HEIF conformance files libheif reads
// (expect "accept") that the WebAssembly libheif we embed (gen2brain/heic
// 0.4.5) cannot: there they must be refused clearly, nothing more. A build
// that loads the system's libheif.so (libheif 1.15 tried) reads both, and
// then must accept them. The test fails when one of them starts to decode
// in WebAssembly, so this list stays true.
var heifWebAssemblyLimits = map[string]string{
	"C021.heic": "its primary image (hvc1, beside an overlay item) fails to decode; the cause is inside the WebAssembly build",
	"C044.heic": "mif2 file with a predictively coded image (tyco 'pred'); the WebAssembly build faults reading it",
}

// maxHEIFDiff bounds how far a HEIF conformance file's rendition may be
// from its reference. Read as full range, the video-range ones (34 of
// the 45 accepted in WebAssembly) were 4.5 to 8.7 off; stretched
// (hevc.go), all are within 3.
const maxHEIFDiff = 4

// TestHEIFConformance runs every file of the HEIF conformance set through
// the pipeline. Each file libheif reads is accepted, with colours near the
// reference's, whatever its major brand (mif1, msf1, mif2, heic): libheif
// and Android's HEIF writer use mif1, which the decoder's wrapper refused
// until decode handed it over as heic. Files the reference decoders
// disagree on are accepted or refused with a clear message; none crashes.
func TestHEIFConformance(t *testing.T) {
	limits := map[string]string{}
	if heic.Dynamic() != nil {
		limits = heifWebAssemblyLimits
	}
	runConformance(t, "heifconf", limits, maxHEIFDiff)
}

// TestWebPConformance runs libwebp's test files through the pipeline:
// every one is accepted, and looks like libvips's rendering of it within
// maxWebPDiff. Lossy WebP stores video-range YCbCr; read as full range
// (as Go's decoder hands it over) every lossy file came out about
// 15 + 0.865 x the right value.
func TestWebPConformance(t *testing.T) {
	runConformance(t, "webp", nil, maxWebPDiff)
}

// maxWebPDiff is what a right decode may differ from the reference by:
// ours went through a JPEG and the reference did not. Washed out (video
// range read as full), 25 of libwebp's 130 files were further off than
// this, up to 12; now none is.
const maxWebPDiff = 5

// runConformance processes each file of corpus and checks it against
// expect.tsv: "accept" is accepted and within maxDiff of its reference
// (unless limits names it: then it must be refused, and the test fails
// when it is not, so the list stays true); "refuse" is refused with a
// message; "either" may be either. Nothing may fail any other way.
func runConformance(t *testing.T, corpus string, limits map[string]string, maxDiff float64) {
	dir := filepath.Join(externalDir(t), corpus)
	accepted := 0
	for _, c := range conformanceFiles(t, corpus) {
		t.Run(c.file, func(t *testing.T) {
			res, err := testProc.Process(t.Context(), filepath.Join(dir, c.file))
			var refusal *Refusal
			if err != nil && !errors.As(err, &refusal) {
				t.Fatalf("not a refusal: %v", err)
			}
			if refusal != nil && refusal.Message == "" {
				t.Fatalf("refused without a message: %v", err)
			}
			limit, isLimit := limits[c.file]
			switch {
			case c.expect == "accept" && isLimit:
				if err == nil {
					t.Fatalf("now decodes: take it off the list of limits (%s)", limit)
				}
				return
			case c.expect == "accept" && err != nil:
				t.Fatalf("refused: %v", err)
			case c.expect == "refuse" && err == nil:
				t.Fatal("accepted a file that must be refused")
			case err != nil:
				return // a clear refusal is right
			}
			accepted++
			full, ok := res.Rendition(Full)
			if !ok {
				t.Fatal("no full rendition")
			}
			img, err := jpeg.Decode(bytes.NewReader(full.Data))
			if err != nil {
				t.Fatalf("full rendition: %v", err)
			}
			if b := img.Bounds(); b.Dx() != full.Width || b.Dy() != full.Height {
				t.Errorf("full rendition is %v, says %dx%d", b, full.Width, full.Height)
			}
			if maxDiff == acceptanceOnly {
				return
			}
			ref, err := imaging.Open(filepath.Join(dir, "ref", c.file+".png"))
			if err != nil {
				if c.expect == "accept" {
					t.Fatalf("reference: %v", err)
				}
				return
			}
			// Both shrunk to 8x8 (the reference is 64x64, aspect not kept):
			// averaged that far, how each was resampled no longer matters
			// (tiny test patterns and noise differ by 20 levels and more
			// at 64x64), while a colour shift stays whole. meanAbsDiff
			// averages RGBA, both opaque here. A wrong decode (stripes, a
			// wrong plane order) is 40 and more.
			// A source under 64 pixels a side (PngSuite's 32x32 test
			// patterns, 1-bit checkerboards among them) loses its detail
			// to the JPEG's halved chroma and its smallest blocks: only
			// its average colour is compared.
			side := 8
			if res.Width < 64 || res.Height < 64 {
				side = 1
			}
			if d := meanAbsDiff(imaging.Resize(img, side, side, imaging.Box), imaging.Resize(ref, side, side, imaging.Box)); d > maxDiff {
				t.Errorf("differs from the reference by %.1f levels on average, want at most %g", d, maxDiff)
			}
		})
	}
	if accepted == 0 {
		t.Errorf("no %s conformance file was accepted", corpus)
	}
}

// TestVideoRangeTables: video range's ends land on full range's (chroma
// is centred on 128, so its low end is 1), and
// what lies beyond them (encoders do write it) is clamped.
func TestVideoRangeTables(t *testing.T) {
	for _, c := range []struct {
		table    *[256]byte
		in, want byte
	}{
		{&lumaFull, 16, 0}, {&lumaFull, 235, 255}, {&lumaFull, 126, 128}, {&lumaFull, 0, 0}, {&lumaFull, 255, 255},
		{&chromaFull, 16, 1}, {&chromaFull, 240, 255}, {&chromaFull, 128, 128}, {&chromaFull, 0, 0}, {&chromaFull, 255, 255},
	} {
		if got := c.table[c.in]; got != c.want {
			t.Errorf("%d became %d, want %d", c.in, got, c.want)
		}
	}
}

// TestPNGSuiteConformance: PngSuite, every colour type, bit depth,
// interlacing, gamma and chunk accepted, and its corrupt files (x*.png)
// refused with a message. Its 32x32 synthetic patterns are checked for
// that only (acceptanceOnly): shrunk to their average colour, the RGB
// gamma set (g*n2c08) is still 5.2-5.8 from libvips's and the 3x3 ones
// 6.8, which is the JPEG's loss on a few pixels more than a decode error.
func TestPNGSuiteConformance(t *testing.T) {
	runConformance(t, "pngsuite", nil, acceptanceOnly)
}

// acceptanceOnly, as runConformance's maxDiff, skips the colour check.
const acceptanceOnly = -1

// TestEXIFOrientationConformance: the eight EXIF orientations, landscape
// and portrait, come out upright.
func TestEXIFOrientationConformance(t *testing.T) {
	runConformance(t, "exiforient", nil, maxWebPDiff)
}
