package media

import (
	"bufio"
	"image/jpeg"
	"os"
	"path/filepath"
	"testing"

	"github.com/disintegration/imaging"
)

func BenchmarkScratchFull(b *testing.B) {
	f, _ := os.Open(filepath.Join(photosDir(b), "phone-12mp.jpg"))
	img, _ := jpeg.Decode(bufio.NewReader(f))
	full := resizeImage(img, 2048, 1536, imaging.CatmullRom)
	for _, c := range []struct {
		n string
		f imaging.ResampleFilter
	}{{"lanczos", imaging.Lanczos}, {"catmull", imaging.CatmullRom}, {"linear", imaging.Linear}} {
		b.Run("planes-"+c.n, func(b *testing.B) {
			for b.Loop() {
				resizeImage(img, 2048, 1536, c.f)
			}
		})
		b.Run("imaging-"+c.n, func(b *testing.B) {
			for b.Loop() {
				imaging.Resize(img, 2048, 1536, c.f)
			}
		})
		b.Run("phone-"+c.n, func(b *testing.B) {
			for b.Loop() {
				imaging.Resize(full, 1080, 810, c.f)
			}
		})
	}
	b.Run("decode", func(b *testing.B) {
		for b.Loop() {
			f.Seek(0, 0)
			jpeg.Decode(bufio.NewReader(f))
		}
	})
	p := pipeline{}
	b.Run("encode-full", func(b *testing.B) {
		for b.Loop() {
			p.encode(full)
		}
	})
}
