package media

import (
	"encoding/binary"
	"image"
	"math"
	"runtime"
	"sync"
)

// colourTransform converts 8-bit RGB in a matrix/TRC profile's space (Adobe
// RGB, Display P3, ...) to sRGB: linearise each channel with the profile's
// tone curve, mix with one 3x3 matrix (source primaries -> XYZ D50 -> linear
// sRGB), and re-apply the sRGB curve. Renditions carry no profile, and
// browsers show untagged JPEGs as sRGB, so without this Adobe RGB photos come
// out dull and P3 ones washed out.
//
// No Go colour-management library was a good fit (the maintained ones wrap
// lcms2 through cgo), and photos in the wild carry matrix/TRC profiles, so
// this small conversion does. LUT-based, CMYK, grey and Lab profiles are
// left alone.
type colourTransform struct {
	lin [3][256]int64 // encoded value -> linear light, 0..linMax
	m   [9]int64      // linear source RGB -> linear sRGB, fixed point (matFrac bits)
}

const (
	linMax  = 1<<16 - 1
	matFrac = 14 // matrix fixed-point fraction bits
)

// srgbEncode maps linear light 0..linMax to an 8-bit sRGB value.
var srgbEncode = sync.OnceValue(func() *[linMax + 1]uint8 {
	var t [linMax + 1]uint8
	for i := range t {
		v := float64(i) / linMax
		if v <= 0.0031308 {
			v *= 12.92
		} else {
			v = 1.055*math.Pow(v, 1/2.4) - 0.055
		}
		t[i] = uint8(math.Round(v * 255))
	}
	return &t
})

// xyzD50ToSRGB is the XYZ (D50, the ICC connection space) to linear sRGB
// matrix, Bradford-adapted from D65 as lcms and browsers do.
var xyzD50ToSRGB = [9]float64{
	3.1338561, -1.6168667, -0.4906146,
	-0.9787684, 1.9161415, 0.0334540,
	0.0719453, -0.2289914, 1.4052427,
}

// newColourTransform parses an ICC profile and returns the transform to
// sRGB, or nil when there is nothing to do: no profile, one we don't
// handle, or one that is sRGB already (within a rounding step).
func newColourTransform(icc []byte) *colourTransform {
	if len(icc) < 132 || string(icc[16:20]) != "RGB " || string(icc[20:24]) != "XYZ " || string(icc[36:40]) != "acsp" {
		return nil
	}
	tags := map[string][]byte{}
	n := int(binary.BigEndian.Uint32(icc[128:]))
	for i := range min(n, (len(icc)-132)/12) {
		e := icc[132+12*i:]
		off, size := uint64(binary.BigEndian.Uint32(e[4:])), uint64(binary.BigEndian.Uint32(e[8:]))
		if off+size <= uint64(len(icc)) {
			tags[string(e[:4])] = icc[off : off+size]
		}
	}
	var src [9]float64 // columns: the red, green and blue colorants in XYZ D50
	for c, sig := range []string{"rXYZ", "gXYZ", "bXYZ"} {
		t := tags[sig]
		if len(t) < 20 || string(t[:4]) != "XYZ " {
			return nil
		}
		for k := range 3 {
			src[3*k+c] = s15f16(t[8+4*k:])
		}
	}
	var t colourTransform
	identity := true
	for c, sig := range []string{"rTRC", "gTRC", "bTRC"} {
		curve := parseTRC(tags[sig])
		if curve == nil {
			return nil
		}
		for v := range 256 {
			x := float64(v) / 255
			l := math.Round(clamp01(curve(x)) * linMax)
			t.lin[c][v] = int64(l)
			if math.Abs(l-srgbDecode(x)*linMax) > linMax/255 {
				identity = false
			}
		}
	}
	for r := range 3 {
		for c := range 3 {
			var s float64
			for k := range 3 {
				s += xyzD50ToSRGB[3*r+k] * src[3*k+c]
			}
			if math.Abs(s) > 4 {
				return nil // not a plausible RGB profile
			}
			if want := b2f(r == c); math.Abs(s-want) > 0.01 {
				identity = false
			}
			t.m[3*r+c] = int64(math.Round(s * (1 << matFrac)))
		}
	}
	if identity {
		return nil
	}
	return &t
}

// apply converts img's pixels in place, in horizontal bands across the
// available cores; alpha is untouched.
func (t *colourTransform) apply(img *image.NRGBA) {
	enc := srgbEncode()
	h := img.Rect.Dy()
	workers := min(runtime.GOMAXPROCS(0), max(h/64, 1))
	var wg sync.WaitGroup
	for w := range workers {
		y0, y1 := h*w/workers, h*(w+1)/workers
		wg.Go(func() {
			for y := y0; y < y1; y++ {
				row := img.Pix[y*img.Stride : y*img.Stride+4*img.Rect.Dx()]
				for i := 0; i+3 < len(row); i += 4 {
					r, g, b := t.lin[0][row[i]], t.lin[1][row[i+1]], t.lin[2][row[i+2]]
					row[i] = enc[clampLin((t.m[0]*r+t.m[1]*g+t.m[2]*b)>>matFrac)]
					row[i+1] = enc[clampLin((t.m[3]*r+t.m[4]*g+t.m[5]*b)>>matFrac)]
					row[i+2] = enc[clampLin((t.m[6]*r+t.m[7]*g+t.m[8]*b)>>matFrac)]
				}
			}
		})
	}
	wg.Wait()
}

func clampLin(v int64) int64 { return min(max(v, 0), linMax) }

func clamp01(v float64) float64 { return min(max(v, 0), 1) }

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// s15f16 reads an ICC s15Fixed16Number.
func s15f16(b []byte) float64 { return float64(int32(binary.BigEndian.Uint32(b))) / 65536 }

// srgbDecode is the sRGB tone curve, encoded 0..1 to linear 0..1.
func srgbDecode(v float64) float64 {
	if v <= 0.04045 {
		return v / 12.92
	}
	return math.Pow((v+0.055)/1.055, 2.4)
}

// parseTRC returns a profile tone curve (curveType or parametricCurveType)
// as a function from encoded 0..1 to linear 0..1, or nil if unreadable.
func parseTRC(t []byte) func(float64) float64 {
	if len(t) < 12 {
		return nil
	}
	switch string(t[:4]) {
	case "curv":
		n := int(binary.BigEndian.Uint32(t[8:]))
		switch {
		case n == 0:
			return func(x float64) float64 { return x }
		case n == 1 && len(t) >= 14:
			g := float64(binary.BigEndian.Uint16(t[12:])) / 256
			return func(x float64) float64 { return math.Pow(x, g) }
		case n > 1 && len(t) >= 12+2*n:
			table := t[12 : 12+2*n]
			return func(x float64) float64 {
				// Linear interpolation between the table's samples.
				p := x * float64(n-1)
				i := min(int(p), n-2)
				a := float64(binary.BigEndian.Uint16(table[2*i:]))
				b := float64(binary.BigEndian.Uint16(table[2*i+2:]))
				return (a + (b-a)*(p-float64(i))) / 65535
			}
		}
	case "para":
		return parametricCurve(t)
	}
	return nil
}

// parametricCurve reads an ICC parametricCurveType (function types 0-4).
func parametricCurve(t []byte) func(float64) float64 {
	counts := [...]int{1, 3, 4, 5, 7}
	fn := int(binary.BigEndian.Uint16(t[8:]))
	if fn >= len(counts) || len(t) < 12+4*counts[fn] {
		return nil
	}
	var p [7]float64
	for i := range counts[fn] {
		p[i] = s15f16(t[12+4*i:])
	}
	g, a, b, c, d, e, f := p[0], p[1], p[2], p[3], p[4], p[5], p[6]
	pow := func(x float64) float64 { return math.Pow(max(x, 0), g) }
	switch fn {
	case 0:
		return func(x float64) float64 { return pow(x) }
	case 1:
		return func(x float64) float64 {
			if a == 0 || x < -b/a {
				return 0
			}
			return pow(a*x + b)
		}
	case 2:
		return func(x float64) float64 {
			if a == 0 || x < -b/a {
				return c
			}
			return pow(a*x+b) + c
		}
	case 3:
		return func(x float64) float64 {
			if x < d {
				return c * x
			}
			return pow(a*x + b)
		}
	default:
		return func(x float64) float64 {
			if x < d {
				return c*x + f
			}
			return pow(a*x+b) + e
		}
	}
}
