package media

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"
)

// photosDir returns the shared sample photos folder. It skips the test when
// the folder is missing, except in CI, where that is a failure.
func photosDir(t testing.TB) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	dir := filepath.Join(filepath.Dir(file), "..", "..", "..", "shared", "testdata", "photos")
	if _, err := os.Stat(dir); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("sample photos missing at %s: %v", dir, err)
		}
		t.Skipf("sample photos missing at %s (expected ../shared beside the repo): %v", dir, err)
	}
	return dir
}

var (
	testProc = NewProcessor(2, DefaultLimits())
	cacheMu  sync.Mutex
	cache    = map[string]*processed{}
)

type processed struct {
	once sync.Once
	res  *Result
	err  error
}

// process runs the sample photo name through the pipeline once per test
// binary and shares the result: the 12 MP photo takes seconds under -race.
func process(t testing.TB, name string) (*Result, error) {
	t.Helper()
	path := filepath.Join(photosDir(t), name)
	cacheMu.Lock()
	p, ok := cache[path]
	if !ok {
		p = &processed{}
		cache[path] = p
	}
	cacheMu.Unlock()
	p.once.Do(func() { p.res, p.err = testProc.Process(context.Background(), path) })
	return p.res, p.err
}

func mustProcess(t testing.TB, name string) *Result {
	t.Helper()
	res, err := process(t, name)
	if err != nil {
		t.Fatalf("Process(%s): %v", name, err)
	}
	return res
}

// decodeRendition decodes one rendition, checking it is what it says.
func decodeRendition(t testing.TB, res *Result, s Size) image.Image {
	t.Helper()
	r, ok := res.Rendition(s)
	if !ok {
		t.Fatalf("no %s rendition", s)
	}
	img, err := jpeg.Decode(bytes.NewReader(r.Data))
	if err != nil {
		t.Fatalf("decode %s rendition: %v", s, err)
	}
	if b := img.Bounds(); b.Dx() != r.Width || b.Dy() != r.Height {
		t.Fatalf("%s rendition is %dx%d, Rendition says %dx%d", s, b.Dx(), b.Dy(), r.Width, r.Height)
	}
	return img
}

// rgbAt returns the 8-bit colour at (x, y).
func rgbAt(img image.Image, x, y int) [3]int {
	c := color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA)
	return [3]int{int(c.R), int(c.G), int(c.B)}
}

// near reports whether got is within tol of want on every channel.
func near(got, want [3]int, tol int) bool {
	for i := range got {
		if d := got[i] - want[i]; d > tol || d < -tol {
			return false
		}
	}
	return true
}

// The colours of the orient-N.jpg test card, read colour-managed.
var (
	cardRed   = [3]int{239, 68, 68}
	cardBlue  = [3]int{59, 130, 246}
	cardGreen = [3]int{35, 197, 94}
)

// checkCard checks a rendition of the test card: red square top-left, blue
// top half, green bottom half.
func checkCard(t *testing.T, img image.Image, tol int) {
	t.Helper()
	for _, p := range []struct {
		x, y int
		want [3]int
		name string
	}{{20, 20, cardRed, "red"}, {400, 60, cardBlue, "blue"}, {400, 260, cardGreen, "green"}} {
		if got := rgbAt(img, p.x, p.y); !near(got, p.want, tol) {
			t.Errorf("pixel (%d,%d) = rgb%v, want %s rgb%v ±%d", p.x, p.y, got, p.name, p.want, tol)
		}
	}
}

func checkSizes(t *testing.T, res *Result, want map[Size][2]int) {
	t.Helper()
	if len(res.Renditions) != len(Sizes) {
		t.Fatalf("got %d renditions, want %d", len(res.Renditions), len(Sizes))
	}
	for i, r := range res.Renditions {
		if r.Size != Sizes[i] {
			t.Errorf("rendition %d is %s, want %s (Sizes order)", i, r.Size, Sizes[i])
		}
		if w, ok := want[r.Size]; ok && (r.Width != w[0] || r.Height != w[1]) {
			t.Errorf("%s is %dx%d, want %dx%d", r.Size, r.Width, r.Height, w[0], w[1])
		}
		if r.Width < 1 || r.Height < 1 || len(r.Data) == 0 {
			t.Errorf("%s is empty: %dx%d, %d bytes", r.Size, r.Width, r.Height, len(r.Data))
		}
	}
}

func TestProcessOrientations(t *testing.T) {
	t.Parallel() // decodes run on one core, so heavy tests overlap
	small := map[Size][2]int{Full: {480, 320}, Phone: {480, 320}, Thumb: {320, 320}}
	for o := 1; o <= 8; o++ {
		name := fmt.Sprintf("orient-%d.jpg", o)
		t.Run(name, func(t *testing.T) {
			res := mustProcess(t, name)
			if res.Format != "jpeg" || res.Width != 480 || res.Height != 320 {
				t.Errorf("got %s %dx%d, want jpeg 480x320", res.Format, res.Width, res.Height)
			}
			checkSizes(t, res, small)
			checkCard(t, decodeRendition(t, res, Full), 30)
			checkCard(t, decodeRendition(t, res, Phone), 30)
			// The Thumb is the centre 320x320: no red, blue above green.
			thumb := decodeRendition(t, res, Thumb)
			if got := rgbAt(thumb, 160, 60); !near(got, cardBlue, 30) {
				t.Errorf("thumb top = rgb%v, want blue", got)
			}
			if got := rgbAt(thumb, 160, 260); !near(got, cardGreen, 30) {
				t.Errorf("thumb bottom = rgb%v, want green", got)
			}
		})
	}
}

func TestProcessPhone12MP(t *testing.T) {
	t.Parallel()
	res := mustProcess(t, "phone-12mp.jpg")
	if res.Format != "jpeg" || res.Width != 3024 || res.Height != 4032 {
		t.Errorf("got %s %dx%d, want jpeg 3024x4032 (EXIF orientation 6: portrait)", res.Format, res.Width, res.Height)
	}
	checkSizes(t, res, map[Size][2]int{Full: {1536, 2048}, Phone: {810, 1080}, Thumb: {320, 320}})
	if want := time.Date(2026, 6, 14, 17, 3, 22, 0, time.UTC); !res.TakenAt.Equal(want) || !res.TakenAtLocal {
		t.Errorf("TakenAt = %v (local %t), want the camera's clock %v with no zone", res.TakenAt, res.TakenAtLocal, want)
	}
	budget := map[Size]int{Full: 600 << 10, Phone: 250 << 10, Thumb: 40 << 10}
	for _, r := range res.Renditions {
		if len(r.Data) > budget[r.Size] {
			t.Errorf("%s is %d bytes, over its %d budget", r.Size, len(r.Data), budget[r.Size])
		}
	}
}

// TestRenditionsCarryNoMetadata proves the re-encode drops EXIF (and GPS),
// XMP and ICC: a rendition has no APPn or COM segment at all.
func TestRenditionsCarryNoMetadata(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"phone-12mp.jpg", "adobe-rgb.jpg", "orient-6.jpg", "iphone.heic"} {
		res := mustProcess(t, name)
		for _, r := range res.Renditions {
			markers, header := jpegMarkers(t, r.Data)
			for _, m := range markers {
				if m >= 0xE0 && m <= 0xEF || m == 0xFE {
					t.Errorf("%s %s: has metadata segment 0x%X", name, r.Size, m)
				}
			}
			for _, s := range []string{"Exif", "GPS", "http://ns.adobe.com/xap", "ICC_PROFILE", "JFIF"} {
				if bytes.Contains(header, []byte(s)) {
					t.Errorf("%s %s: header contains %q", name, r.Size, s)
				}
			}
			// Outside the header, entropy-coded data could hold three
			// random bytes spelling "GPS"; the longer markers cannot.
			for _, s := range []string{"Exif\x00", "ICC_PROFILE\x00", "http://ns.adobe.com/xap"} {
				if bytes.Contains(r.Data, []byte(s)) {
					t.Errorf("%s %s: contains %q", name, r.Size, s)
				}
			}
		}
	}
}

// jpegMarkers lists the markers of a JPEG up to its first scan, and returns
// the bytes before it.
func jpegMarkers(t *testing.T, b []byte) ([]byte, []byte) {
	t.Helper()
	var markers []byte
	i := 2
	for i+4 <= len(b) {
		if b[i] != 0xFF {
			t.Fatalf("no marker at %d", i)
		}
		m := b[i+1]
		markers = append(markers, m)
		if m == 0xDA {
			return markers, b[:i]
		}
		i += 2 + (int(b[i+2])<<8 | int(b[i+3]))
	}
	t.Fatal("no start of scan")
	return nil, nil
}

func TestProcessFormats(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		format string
		w, h   int
		sizes  map[Size][2]int
	}{
		{"progressive.jpg", "jpeg", 750, 1000, map[Size][2]int{Full: {750, 1000}, Phone: {750, 1000}, Thumb: {320, 320}}},
		{"grayscale.jpg", "jpeg", 1000, 750, map[Size][2]int{Full: {1000, 750}, Phone: {1000, 750}, Thumb: {320, 320}}},
		{"photo-alpha.png", "png", 900, 600, map[Size][2]int{Full: {900, 600}, Phone: {900, 600}, Thumb: {320, 320}}},
		{"still.gif", "gif", 320, 240, map[Size][2]int{Full: {320, 240}, Phone: {320, 240}, Thumb: {240, 240}}},
		{"photo.webp", "webp", 1600, 1200, map[Size][2]int{Full: {1600, 1200}, Phone: {1080, 810}, Thumb: {320, 320}}},
		{"adobe-rgb.jpg", "jpeg", 480, 320, map[Size][2]int{Full: {480, 320}, Phone: {480, 320}, Thumb: {320, 320}}},
		{"iphone.heic", "heic", 1512, 2016, map[Size][2]int{Full: {1512, 2016}, Phone: {810, 1080}, Thumb: {320, 320}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := mustProcess(t, tt.name)
			if res.Format != tt.format || res.Width != tt.w || res.Height != tt.h {
				t.Errorf("got %s %dx%d, want %s %dx%d", res.Format, res.Width, res.Height, tt.format, tt.w, tt.h)
			}
			checkSizes(t, res, tt.sizes)
			for _, s := range Sizes {
				decodeRendition(t, res, s)
			}
		})
	}
}

func TestProcessGrayscaleStaysSingleChannel(t *testing.T) {
	res := mustProcess(t, "grayscale.jpg")
	for _, r := range res.Renditions {
		cfg, err := jpeg.DecodeConfig(bytes.NewReader(r.Data))
		if err != nil {
			t.Fatal(err)
		}
		if cfg.ColorModel != color.GrayModel {
			t.Errorf("%s colour model = %v, want grey (a single-channel JPEG is smaller)", r.Size, cfg.ColorModel)
		}
	}
}

// TestProcessAlphaOnWhite checks photo-alpha.png (every pixel 70 % opaque)
// comes out composited onto white: each channel is 0.7·c + 0.3·255.
func TestProcessAlphaOnWhite(t *testing.T) {
	t.Parallel()
	res := mustProcess(t, "photo-alpha.png")
	f, err := os.Open(filepath.Join(photosDir(t), "photo-alpha.png"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	src, _, err := image.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	full := decodeRendition(t, res, Full)
	onWhite := func(c color.Color) [3]int {
		n := color.NRGBAModel.Convert(c).(color.NRGBA)
		a := float64(n.A) / 255
		return [3]int{int(float64(n.R)*a + 255*(1-a)), int(float64(n.G)*a + 255*(1-a)), int(float64(n.B)*a + 255*(1-a))}
	}
	plain := func(c color.Color) [3]int {
		n := color.NRGBAModel.Convert(c).(color.NRGBA)
		return [3]int{int(n.R), int(n.G), int(n.B)}
	}
	// Compare 9x9 means: the photo is noisy, and JPEG's chroma subsampling
	// moves single pixels more than the tolerance.
	for _, p := range []image.Point{{100, 100}, {450, 300}, {800, 500}, {50, 550}} {
		want, got := mean(src, p, onWhite), mean(full, p, plain)
		if !near(got, want, 6) {
			t.Errorf("around %v: rgb%v, want rgb%v (source flattened onto white)", p, got, want)
		}
	}
}

// mean averages f over the 9x9 pixels around p.
func mean(img image.Image, p image.Point, f func(color.Color) [3]int) [3]int {
	var sum [3]int
	for y := p.Y - 4; y <= p.Y+4; y++ {
		for x := p.X - 4; x <= p.X+4; x++ {
			c := f(img.At(x, y))
			for i := range sum {
				sum[i] += c[i]
			}
		}
	}
	for i := range sum {
		sum[i] /= 81
	}
	return sum
}

func TestProcessAdobeRGB(t *testing.T) {
	res := mustProcess(t, "adobe-rgb.jpg")
	for _, s := range []Size{Full, Phone} {
		checkCard(t, decodeRendition(t, res, s), 10)
	}
}

func TestProcessHEIC(t *testing.T) {
	t.Parallel()
	res := mustProcess(t, "iphone.heic")
	// iphone.heic has no irot/imir and no EXIF: stored as shown, portrait,
	// bright sky-like blues at the top and warm reds at the bottom.
	full := decodeRendition(t, res, Full)
	top, bottom := rgbAt(full, 756, 100), rgbAt(full, 756, 1900)
	if !(top[2] > top[0] && bottom[0] > bottom[2]) {
		t.Errorf("top = rgb%v, bottom = rgb%v: want blue above red (upright)", top, bottom)
	}
}

func TestProcessRefusesBadFiles(t *testing.T) {
	tests := map[string]string{
		"zero-bytes.jpg": ReasonEmpty,
		"cut-off.jpg":    ReasonTruncated,
		"notes-as.jpg":   ReasonNotImage,
		"page-as.png":    ReasonNotImage,
		"noise.png":      ReasonNotImage,
		"script.svg":     ReasonSVG,
		"bomb-50k.png":   ReasonTooManyPix,
	}
	entries, err := os.ReadDir(filepath.Join(photosDir(t), "bad"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		t.Run(e.Name(), func(t *testing.T) {
			want, ok := tests[e.Name()]
			if !ok {
				t.Fatalf("no expected reason for bad/%s: add it to the table", e.Name())
			}
			_, err := process(t, filepath.Join("bad", e.Name()))
			r, ok := IsRefusal(err)
			if !ok {
				t.Fatalf("err = %v, want a refusal (%s)", err, want)
			}
			if r.Reason != want {
				t.Errorf("reason = %q (%v), want %q", r.Reason, err, want)
			}
			if r.Message == "" || r.Message == r.Reason {
				t.Errorf("message %q is not for people", r.Message)
			}
		})
	}
}

func TestProcessMissingFileIsNotARefusal(t *testing.T) {
	_, err := testProc.Process(context.Background(), filepath.Join(t.TempDir(), "gone.jpg"))
	if _, ok := IsRefusal(err); ok || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("err = %v, want a plain not-exist error (the server's problem)", err)
	}
}
