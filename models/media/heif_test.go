package media

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"image"
	"io"
	"os"
	"testing"
	"time"
)

// warmup.heic is orient-1.jpg's test card made into a HEIC by libvips, with
// the EXIF of phone-12mp.jpg (capture time, GPS) as its Exif item.

func TestProcessTinyHEIC(t *testing.T) {
	t.Parallel() // decodes run on one core, so heavy tests overlap
	res, err := testProc.Process(context.Background(), "warmup.heic")
	if err != nil {
		t.Fatal(err)
	}
	if res.Format != "heic" || res.Width != 480 || res.Height != 320 {
		t.Errorf("got %s %dx%d, want heic 480x320", res.Format, res.Width, res.Height)
	}
	if want := time.Date(2026, 6, 14, 17, 3, 22, 0, time.UTC); !res.TakenAt.Equal(want) {
		t.Errorf("TakenAt = %v, want %v (from the Exif item)", res.TakenAt, want)
	}
	checkCard(t, decodeRendition(t, res, Full), 30)
}

// withProperty returns warmup.heic with its pixi property (16 bytes at
// offset 352, associated with the image) overwritten by a 16-byte irot or
// imir box. libheif reads the one payload byte and skips the padding.
func withProperty(t *testing.T, typ string, v byte) []byte {
	t.Helper()
	b, err := os.ReadFile("warmup.heic")
	if err != nil {
		t.Fatal(err)
	}
	const at = 352
	if string(b[at+4:at+8]) != "pixi" || b[at+3] != 16 {
		t.Fatalf("warmup.heic changed: no 16-byte pixi box at %d", at)
	}
	b = bytes.Clone(b)
	copy(b[at+4:], typ)
	for i := at + 8; i < at+16; i++ {
		b[i] = 0
	}
	b[at+8] = v
	return b
}

// TestProcessHEIFTransforms pins down that the decoder (libheif) applies
// the HEIF irot and imir transforms itself, so the pipeline must not apply
// them again; a file's EXIF orientation is ignored, as HEIF requires.
func TestProcessHEIFTransforms(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		typ        string
		v          byte
		w, h       int
		red, green image.Point // where the card's red square and green half end up
	}{
		// irot 1 turns the picture 90° anticlockwise: top-left goes bottom-left.
		{"irot 90", "irot", 1, 320, 480, image.Pt(20, 460), image.Pt(300, 20)},
		{"irot 270", "irot", 3, 320, 480, image.Pt(300, 20), image.Pt(20, 460)},
		{"irot 180", "irot", 2, 480, 320, image.Pt(460, 300), image.Pt(240, 20)},
		// libheif reads imir axis 0 as a top-bottom flip, axis 1 as left-right.
		{"imir 0", "imir", 0, 480, 320, image.Pt(20, 300), image.Pt(240, 20)},
		{"imir 1", "imir", 1, 480, 320, image.Pt(460, 20), image.Pt(240, 300)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := testProc.Process(context.Background(), writeTemp(t, "x.heic", withProperty(t, tt.typ, tt.v)))
			if err != nil {
				t.Fatal(err)
			}
			if res.Width != tt.w || res.Height != tt.h {
				t.Errorf("got %dx%d, want %dx%d", res.Width, res.Height, tt.w, tt.h)
			}
			full := decodeRendition(t, res, Full)
			if got := rgbAt(full, tt.red.X, tt.red.Y); !near(got, cardRed, 30) {
				t.Errorf("pixel %v = rgb%v, want red", tt.red, got)
			}
			if got := rgbAt(full, tt.green.X, tt.green.Y); !near(got, cardGreen, 30) {
				t.Errorf("pixel %v = rgb%v, want green", tt.green, got)
			}
		})
	}
}

func TestScanHEIF(t *testing.T) {
	b, err := os.ReadFile("warmup.heic")
	if err != nil {
		t.Fatal(err)
	}
	info, err := scanHEIF(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	if info.width != 480 || info.height != 320 || info.icc != nil || len(info.exif) == 0 {
		t.Errorf("scanHEIF = %dx%d icc %d B exif %d B; want 480x320, no icc, some exif",
			info.width, info.height, len(info.icc), len(info.exif))
	}
	// Every prefix is either read or refused, never a panic; the ones cut
	// inside the image data say truncated.
	for n := range len(b) {
		if _, err := scanHEIF(bytes.NewReader(b[:n]), int64(n)); err == nil && n > 420 {
			t.Errorf("scanHEIF of the first %d of %d bytes: no error", n, len(b))
		}
	}
}

func TestWarmUp(t *testing.T) {
	WarmUp() // must not panic, and leaves the decoder ready
	WarmUp()
}

// isoBox builds an ISO BMFF box.
func isoBox(typ string, body ...[]byte) []byte {
	b := []byte{0, 0, 0, 0}
	b = append(b, typ...)
	for _, p := range body {
		b = append(b, p...)
	}
	binary.BigEndian.PutUint32(b, uint32(len(b)))
	return b
}

// TestScanHEIFMeta reads a hand-built meta box: the largest ispe wins, the
// primary item's colr profile is found, and item data beyond the end of
// the file means the file was cut off.
func TestScanHEIFMeta(t *testing.T) {
	icc := buildICC(p3Colorants)
	ispe := func(w, h uint32) []byte {
		return isoBox("ispe", []byte{0, 0, 0, 0}, binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint32(nil, w), h))
	}
	build := func(dataEnd uint32) []byte {
		iloc := []byte{0, 0, 0, 0, 0x44, 0x00, 0, 1} // v0, 4-byte offsets and lengths, one item
		iloc = append(iloc, 0, 1, 0, 0, 0, 1)        // item 1, data ref 0, one extent
		iloc = binary.BigEndian.AppendUint32(iloc, 0)
		iloc = binary.BigEndian.AppendUint32(iloc, dataEnd)
		meta := isoBox("meta", []byte{0, 0, 0, 0},
			isoBox("pitm", []byte{0, 0, 0, 0, 0, 1}),
			isoBox("iloc", iloc),
			isoBox("iprp",
				isoBox("ipco", ispe(160, 120), ispe(4000, 3000), isoBox("colr", []byte("prof"), icc)),
				// item 1 -> properties 2 and 3; item 2 (a thumbnail) -> property 1
				isoBox("ipma", []byte{0, 0, 0, 0, 0, 0, 0, 2, 0, 1, 2, 0x82, 0x03, 0, 2, 1, 0x81})))
		return append(append(ftyp("heic", "mif1", "heic")[:24], meta...), make([]byte, 100)...)
	}
	b := build(50)
	info, err := scanHEIF(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	if info.width != 4000 || info.height != 3000 || !bytes.Equal(info.icc, icc) {
		t.Errorf("scanHEIF = %dx%d, icc %d bytes; want 4000x3000 and the %d-byte profile",
			info.width, info.height, len(info.icc), len(icc))
	}
	b = build(1 << 20)
	if _, err := scanHEIF(bytes.NewReader(b), int64(len(b))); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("item data past the end: %v, want a truncation error", err)
	}
}
