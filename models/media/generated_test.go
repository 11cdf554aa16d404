package media

import (
	"bytes"
	"context"
	"encoding/binary"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"testing"
)

// writeTemp writes b to a file in a test temp dir and returns its path.
func writeTemp(t testing.TB, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func readSample(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(photosDir(t), name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// bmpHeader is the start of a 1x1 24-bit BMP.
func bmpHeader() []byte {
	b := make([]byte, 58)
	copy(b, "BM")
	binary.LittleEndian.PutUint32(b[2:], 58)
	binary.LittleEndian.PutUint32(b[10:], 54)
	binary.LittleEndian.PutUint32(b[14:], 40) // BITMAPINFOHEADER
	binary.LittleEndian.PutUint32(b[18:], 1)
	binary.LittleEndian.PutUint32(b[22:], 1)
	return b
}

// ftyp returns an ISO BMFF file type box with the given brands.
func ftyp(major string, compat ...string) []byte {
	b := binary.BigEndian.AppendUint32(nil, uint32(16+4*len(compat)))
	b = append(b, "ftyp"+major+"\x00\x00\x00\x00"...)
	for _, c := range compat {
		b = append(b, c...)
	}
	return append(b, make([]byte, 64)...)
}

func TestSniff(t *testing.T) {
	animated := []byte("RIFF\x00\x00\x00\x00WEBPVP8X\x0a\x00\x00\x00\x02\x00\x00\x00")
	tests := []struct {
		name   string
		b      []byte
		format string
		reason string
	}{
		{"jpeg", []byte("\xFF\xD8\xFF\xE0"), "jpeg", ""},
		{"png", []byte("\x89PNG\r\n\x1a\n"), "png", ""},
		{"gif", []byte("GIF89a"), "gif", ""},
		{"webp", []byte("RIFF\x00\x00\x00\x00WEBPVP8 "), "webp", ""},
		{"animated webp", animated, "", ReasonUnsupported},
		{"heic", ftyp("heic", "mif1", "heic"), "heic", ""},
		{"heif mif1+heic", ftyp("mif1", "mif1", "heic"), "heic", ""},
		{"avif", ftyp("avif", "mif1", "miaf"), "", ReasonUnsupported},
		{"avif under mif1", ftyp("mif1", "mif1", "avif"), "", ReasonUnsupported},
		{"quicktime", ftyp("qt  ", "qt  "), "", ReasonUnsupported},
		{"mp4", ftyp("isom", "isom", "mp42"), "", ReasonUnsupported},
		{"tiff le", []byte("II*\x00\x08\x00\x00\x00"), "", ReasonUnsupported},
		{"tiff be", []byte("MM\x00*\x00\x00\x00\x08"), "", ReasonUnsupported},
		{"bmp", bmpHeader(), "", ReasonUnsupported},
		{"text starting BM", []byte("BMW service notes, nothing else"), "", ReasonNotImage},
		{"pdf", []byte("%PDF-1.7\n"), "", ReasonUnsupported},
		{"svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg"/>`), "", ReasonSVG},
		{"svg after prolog", []byte("\xEF\xBB\xBF<?xml version=\"1.0\"?>\n<!-- drawn -->\n<SVG>"), "", ReasonSVG},
		{"xml", []byte(`<?xml version="1.0"?><note/>`), "", ReasonNotImage},
		{"html", []byte("  <!doctype html><p>hi"), "", ReasonNotImage},
		{"text", []byte("hello"), "", ReasonNotImage},
		{"one byte", []byte{0xFF}, "", ReasonNotImage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			format, r := sniff(tt.b)
			reason := ""
			if r != nil {
				reason = r.Reason
				if r.Message == "" {
					t.Error("refusal without a message")
				}
			}
			if format != tt.format || reason != tt.reason {
				t.Errorf("sniff = %q, %q; want %q, %q", format, reason, tt.format, tt.reason)
			}
		})
	}
}

func TestProcessRefusesGenerated(t *testing.T) {
	tests := []struct {
		name   string
		b      []byte
		reason string
	}{
		{"x.tiff", append([]byte("II*\x00\x08\x00\x00\x00"), make([]byte, 100)...), ReasonUnsupported},
		{"x.bmp", bmpHeader(), ReasonUnsupported},
		{"x.svg", []byte(`<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`), ReasonSVG},
		{"x.jpg", []byte("%PDF-1.4\n%âãÏÓ\n"), ReasonUnsupported},
		{"x.heic", ftyp("avif", "mif1"), ReasonUnsupported},
		{"fake.jpg", append([]byte("\xFF\xD8\xFF"), bytes.Repeat([]byte{0x42}, 500)...), ReasonNotImage},
		{"fake.heic", ftyp("heic", "mif1", "heic"), ReasonNotImage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := testProc.Process(context.Background(), writeTemp(t, tt.name, tt.b))
			if r, ok := IsRefusal(err); !ok || r.Reason != tt.reason {
				t.Errorf("err = %v, want refusal %q", err, tt.reason)
			}
		})
	}
}

// TestProcessRefusesCutOff cuts each format off half-way.
func TestProcessRefusesCutOff(t *testing.T) {
	t.Parallel() // decodes run on one core, so heavy tests overlap
	for _, name := range []string{"progressive.jpg", "photo-alpha.png", "still.gif", "photo.webp", "iphone.heic", "orient-6.jpg"} {
		t.Run(name, func(t *testing.T) {
			b := readSample(t, name)
			_, err := testProc.Process(context.Background(), writeTemp(t, name, b[:len(b)/2]))
			if r, ok := IsRefusal(err); !ok || r.Reason != ReasonTruncated {
				t.Errorf("err = %v, want refusal %q", err, ReasonTruncated)
			}
		})
	}
}

func TestProcessTooLarge(t *testing.T) {
	p := NewProcessor(1, Limits{MaxBytes: 1000})
	_, err := p.Process(context.Background(), filepath.Join(photosDir(t), "progressive.jpg"))
	r, ok := IsRefusal(err)
	if !ok || r.Reason != ReasonTooLarge {
		t.Fatalf("err = %v, want refusal %q", err, ReasonTooLarge)
	}
	if want := "at most 1 KB"; !bytes.Contains([]byte(r.Message), []byte(want)) {
		t.Errorf("message %q does not name the cap (%q)", r.Message, want)
	}
	r = tooLarge(31<<20, 30<<20)
	if want := "This file is 31 MB; photos can be at most 30 MB."; !bytes.HasPrefix([]byte(r.Message), []byte(want)) {
		t.Errorf("message = %q, want it to start %q", r.Message, want)
	}
}

// flatJPEG builds a w×h mid-grey baseline JPEG by hand: one component,
// Huffman tables whose only codes are a 1-bit "DC unchanged" and a 1-bit
// "end of block", so each 8x8 block is two zero bits. Encoding a 24 MP
// picture with image/jpeg takes seconds under -race; this takes nothing.
func flatJPEG(w, h int) []byte {
	seg := func(b []byte, marker byte, body []byte) []byte {
		b = append(b, 0xFF, marker)
		b = binary.BigEndian.AppendUint16(b, uint16(len(body)+2))
		return append(b, body...)
	}
	b := []byte{0xFF, 0xD8}
	b = seg(b, 0xDB, append([]byte{0}, bytes.Repeat([]byte{1}, 64)...)) // quantisation: all ones
	sof := []byte{8}
	sof = binary.BigEndian.AppendUint16(sof, uint16(h))
	sof = binary.BigEndian.AppendUint16(sof, uint16(w))
	b = seg(b, 0xC0, append(sof, 1, 1, 0x11, 0))
	oneCode := append([]byte{1}, make([]byte, 15)...)                // one code of length 1...
	b = seg(b, 0xC4, append(append([]byte{0x00}, oneCode...), 0x00)) // DC: category 0
	b = seg(b, 0xC4, append(append([]byte{0x10}, oneCode...), 0x00)) // AC: end of block
	b = seg(b, 0xDA, []byte{1, 1, 0x00, 0, 63, 0})
	blocks := ((w + 7) / 8) * ((h + 7) / 8)
	b = append(b, make([]byte, (2*blocks+7)/8)...)
	return append(b, 0xFF, 0xD9)
}

// TestProcessExtremeShapes checks shapes that make naive scaling produce a
// zero-width side or a thumbnail from too small a rendition.
func TestProcessExtremeShapes(t *testing.T) {
	t.Parallel()
	strip := image.NewGray(image.Rect(0, 0, 1, 4000))
	for i := range strip.Pix {
		strip.Pix[i] = uint8(i)
	}
	var stripPNG bytes.Buffer
	if err := png.Encode(&stripPNG, strip); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		b     []byte
		sizes map[Size][2]int
		grey  bool
	}{
		{"panorama 12000x2000", flatJPEG(12000, 2000), map[Size][2]int{Full: {2048, 341}, Phone: {1080, 180}, Thumb: {320, 320}}, true},
		{"panorama 4000x500", flatJPEG(4000, 500), map[Size][2]int{Full: {2048, 256}, Phone: {1080, 135}, Thumb: {320, 320}}, true},
		{"strip 1x4000", stripPNG.Bytes(), map[Size][2]int{Full: {1, 2048}, Phone: {1, 1080}, Thumb: {1, 1}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := testProc.Process(context.Background(), writeTemp(t, "x", tt.b))
			if err != nil {
				t.Fatal(err)
			}
			checkSizes(t, res, tt.sizes)
			for _, s := range Sizes {
				img := decodeRendition(t, res, s)
				if got := rgbAt(img, 0, 0); tt.grey && !near(got, [3]int{128, 128, 128}, 2) {
					t.Errorf("%s pixel (0,0) = rgb%v, want mid-grey", s, got)
				}
			}
		})
	}
}

func TestFit(t *testing.T) {
	tests := []struct{ w, h, edge, wantW, wantH int }{
		{4032, 3024, 2048, 2048, 1536},
		{3024, 4032, 1080, 810, 1080},
		{480, 320, 2048, 480, 320}, // never upscale
		{2048, 2048, 2048, 2048, 2048},
		{12000, 2000, 2048, 2048, 341},
		{1, 4000, 2048, 1, 2048},
		{100000, 2, 1080, 1080, 1}, // never zero
	}
	for _, tt := range tests {
		if w, h := fit(tt.w, tt.h, tt.edge); w != tt.wantW || h != tt.wantH {
			t.Errorf("fit(%d, %d, %d) = %d, %d; want %d, %d", tt.w, tt.h, tt.edge, w, h, tt.wantW, tt.wantH)
		}
	}
}

func TestFlatten(t *testing.T) {
	img := image.NewNRGBA(image.Rect(0, 0, 3, 1))
	img.SetNRGBA(0, 0, color.NRGBA{0, 0, 0, 0})       // fully transparent: white
	img.SetNRGBA(1, 0, color.NRGBA{0, 0, 0, 255})     // opaque black stays
	img.SetNRGBA(2, 0, color.NRGBA{200, 100, 0, 128}) // half: halfway to white
	flatten(img)
	want := []uint8{255, 255, 255, 255, 0, 0, 0, 255, 227, 177, 127, 255}
	if !bytes.Equal(img.Pix, want) {
		t.Errorf("flatten = %v, want %v", img.Pix, want)
	}
}

// TestProcessCMYK checks a CMYK JPEG (testdata/cmyk.jpg: the test card
// converted by libvips, Adobe APP14 marker) decodes. image/jpeg converts
// CMYK without a colour profile, so only the hues are checked.
func TestProcessCMYK(t *testing.T) {
	res, err := testProc.Process(context.Background(), filepath.Join("testdata", "cmyk.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	checkSizes(t, res, map[Size][2]int{Full: {480, 320}, Phone: {480, 320}, Thumb: {320, 320}})
	full := decodeRendition(t, res, Full)
	for _, p := range []struct {
		x, y, channel int
		name          string
	}{{20, 20, 0, "red"}, {400, 260, 1, "green"}, {400, 60, 2, "blue"}} {
		c := rgbAt(full, p.x, p.y)
		if c[p.channel] < 200 || c[p.channel] < c[(p.channel+1)%3]+60 || c[p.channel] < c[(p.channel+2)%3]+60 {
			t.Errorf("pixel (%d,%d) = rgb%v, want %s", p.x, p.y, c, p.name)
		}
	}
}
