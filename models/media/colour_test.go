package media

import (
	"encoding/binary"
	"image"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// buildICC makes a minimal matrix/TRC RGB display profile with the given
// D50 colorants and the sRGB tone curve as a parametric curve.
func buildICC(colorants [3][3]float64) []byte {
	s15 := func(b []byte, v float64) []byte {
		return binary.BigEndian.AppendUint32(b, uint32(int32(math.Round(v*65536))))
	}
	var tags [][2]any // signature, data
	for i, sig := range []string{"rXYZ", "gXYZ", "bXYZ"} {
		d := []byte("XYZ \x00\x00\x00\x00")
		for _, v := range colorants[i] {
			d = s15(d, v)
		}
		tags = append(tags, [2]any{sig, d})
	}
	trc := []byte("para\x00\x00\x00\x00\x00\x03\x00\x00")
	for _, v := range []float64{2.4, 1 / 1.055, 0.055 / 1.055, 1 / 12.92, 0.04045} {
		trc = s15(trc, v)
	}
	for _, sig := range []string{"rTRC", "gTRC", "bTRC"} {
		tags = append(tags, [2]any{sig, trc})
	}

	hdr := make([]byte, 128)
	copy(hdr[12:], "mntrRGB XYZ ")
	copy(hdr[36:], "acsp")
	b := binary.BigEndian.AppendUint32(hdr, uint32(len(tags)))
	off := 128 + 4 + 12*len(tags)
	var data []byte
	for _, tg := range tags {
		d := tg[1].([]byte)
		b = append(b, tg[0].(string)...)
		b = binary.BigEndian.AppendUint32(b, uint32(off+len(data)))
		b = binary.BigEndian.AppendUint32(b, uint32(len(d)))
		data = append(data, d...)
	}
	b = append(b, data...)
	binary.BigEndian.PutUint32(b, uint32(len(b)))
	return b
}

var (
	srgbColorants = [3][3]float64{{0.4361, 0.2225, 0.0139}, {0.3851, 0.7169, 0.0971}, {0.1431, 0.0606, 0.7141}}
	p3Colorants   = [3][3]float64{{0.5151, 0.2412, -0.0011}, {0.2920, 0.6922, 0.0419}, {0.1571, 0.0666, 0.7841}}
)

func convert(t *testing.T, ct *colourTransform, rgb [3]uint8) [3]int {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, 1, 1))
	copy(img.Pix, []uint8{rgb[0], rgb[1], rgb[2], 255})
	ct.apply(img)
	return [3]int{int(img.Pix[0]), int(img.Pix[1]), int(img.Pix[2])}
}

func TestColourTransformSRGBIsSkipped(t *testing.T) {
	if ct := newColourTransform(buildICC(srgbColorants)); ct != nil {
		t.Errorf("sRGB profile gave a transform %+v, want nil (nothing to do)", ct.m)
	}
}

func TestColourTransformDisplayP3(t *testing.T) {
	ct := newColourTransform(buildICC(p3Colorants))
	if ct == nil {
		t.Fatal("Display P3 profile gave no transform")
	}
	tests := []struct {
		in   [3]uint8
		want [3]int
	}{
		{[3]uint8{128, 128, 128}, [3]int{128, 128, 128}}, // same white point: greys stay grey
		{[3]uint8{255, 255, 255}, [3]int{255, 255, 255}},
		{[3]uint8{0, 0, 0}, [3]int{0, 0, 0}},
		{[3]uint8{255, 0, 0}, [3]int{255, 0, 0}},      // P3 red is beyond sRGB: clipped
		{[3]uint8{200, 100, 50}, [3]int{215, 93, 31}}, // more saturated in sRGB numbers
	}
	for _, tt := range tests {
		if got := convert(t, ct, tt.in); !near(got, tt.want, 2) {
			t.Errorf("P3 rgb%v -> sRGB rgb%v, want rgb%v", tt.in, got, tt.want)
		}
	}
}

// TestColourTransformAdobeRGB reads the profile embedded in adobe-rgb.jpg.
func TestColourTransformAdobeRGB(t *testing.T) {
	f, err := os.Open(filepath.Join(photosDir(t), "adobe-rgb.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	_, icc, _, err := scanJPEG(f, maxJPEGScans)
	if err != nil {
		t.Fatal(err)
	}
	ct := newColourTransform(icc)
	if ct == nil {
		t.Fatalf("no transform for the %d-byte Adobe RGB profile", len(icc))
	}
	// The card's green, as Adobe RGB numbers, is sRGB's rgb(35,197,94).
	if got := convert(t, ct, [3]uint8{115, 196, 101}); !near(got, cardGreen, 4) {
		t.Errorf("Adobe rgb(115,196,101) -> sRGB rgb%v, want about rgb%v", got, cardGreen)
	}
}

func TestColourTransformRejectsOddProfiles(t *testing.T) {
	p3 := buildICC(p3Colorants)
	gray := buildICC(p3Colorants)
	copy(gray[16:], "GRAY")
	if newColourTransform(gray) != nil {
		t.Error("grey profile gave a transform")
	}
	lut := buildICC(p3Colorants)
	copy(lut[128+4+3*12:], "XXXX") // rename rTRC: a profile without it is LUT-based
	if newColourTransform(lut) != nil {
		t.Error("profile without rTRC gave a transform")
	}
	for n := range len(p3) {
		newColourTransform(p3[:n]) // never panics
	}
}
