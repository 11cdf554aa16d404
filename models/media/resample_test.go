package media

import (
	"image"
	"math/rand/v2"
	"testing"

	"github.com/disintegration/imaging"
)

func TestKernelWeightsSumToOne(t *testing.T) {
	for _, c := range []struct{ n, m int }{{4032, 2048}, {2016, 1024}, {100, 300}, {1, 5}, {5, 1}, {7, 7}, {12000, 2048}} {
		for _, f := range []imaging.ResampleFilter{imaging.CatmullRom, imaging.Linear, imaging.Lanczos} {
			k := newKernel(c.n, c.m, f)
			for i := range c.m {
				var sum int32
				for _, w := range k.w[i*k.taps : (i+1)*k.taps] {
					sum += w
				}
				if sum != 1<<weightBits || k.start[i] < 0 || k.start[i]+k.taps > c.n {
					t.Fatalf("%d->%d output %d: weights sum %d, window [%d,%d) of %d",
						c.n, c.m, i, sum, k.start[i], k.start[i]+k.taps, c.n)
				}
			}
		}
	}
}

// TestResizeImageMatchesImaging checks the plane resampler against
// imaging's on YCbCr and grey sources: same filter, same geometry, so the
// results differ only by rounding and chroma handling.
func TestResizeImageMatchesImaging(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const w, h = 301, 203
	for _, ratio := range []image.YCbCrSubsampleRatio{image.YCbCrSubsampleRatio420, image.YCbCrSubsampleRatio444, image.YCbCrSubsampleRatio422} {
		src := image.NewYCbCr(image.Rect(0, 0, w, h), ratio)
		// Smooth content plus noise, like a photo.
		for y := range h {
			for x := range w {
				src.Y[y*src.YStride+x] = uint8(x*200/w + rng.IntN(40))
			}
		}
		for i := range src.Cb {
			src.Cb[i], src.Cr[i] = uint8(100+rng.IntN(20)), uint8(150+rng.IntN(20))
		}
		for _, size := range [][2]int{{150, 101}, {301, 203}, {97, 300}, {1, 1}} {
			got := resizeImage(src, size[0], size[1], imaging.CatmullRom)
			want := imaging.Resize(src, size[0], size[1], imaging.CatmullRom)
			// Chroma is filtered at its own resolution here and after
			// upsampling in imaging, which moves noisy chroma a little.
			if d := meanAbsDiff(got, want); d > 4 {
				t.Errorf("%v to %v: mean difference from imaging %.2f levels", ratio, size, d)
			}
		}
	}
	gray := image.NewGray(image.Rect(0, 0, w, h))
	for i := range gray.Pix {
		gray.Pix[i] = uint8(i % 251)
	}
	got := resizeImage(gray, 120, 80, imaging.Linear)
	want := imaging.Resize(gray, 120, 80, imaging.Linear)
	if d := meanAbsDiff(got, want); d > 1 {
		t.Errorf("grey: mean difference from imaging %.2f levels", d)
	}
}

func meanAbsDiff(a, b *image.NRGBA) float64 {
	if a.Rect != b.Rect {
		return 255
	}
	var sum int
	for i := range a.Pix {
		d := int(a.Pix[i]) - int(b.Pix[i])
		sum += max(d, -d)
	}
	return float64(sum) / float64(len(a.Pix))
}

func TestClamp16(t *testing.T) {
	for _, c := range []struct {
		in   int32
		want uint8
	}{{-1 << 20, 0}, {0, 0}, {128 << 16, 128}, {255 << 16, 255}, {300 << 16, 255}} {
		if got := clamp16(c.in); got != c.want {
			t.Errorf("clamp16(%d) = %d, want %d", c.in, got, c.want)
		}
	}
}
