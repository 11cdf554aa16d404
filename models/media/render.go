package media

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/jpeg"
	"math"

	"github.com/disintegration/imaging"
)

// jpegQuality keeps a typical 12 MP phone photo's Full near 400 KB and its
// Phone near 100 KB (budgets: 600 KB and 250 KB) with no visible artefacts.
const jpegQuality = 82

// Resampling filters, chosen by measuring on the 12 MP sample (2 cores) and
// on gratings just above and below the new Nyquist limit of a ~2x step:
//   - source -> Full, the big step: CatmullRom, 62 ms with resizeImage's
//     plane resampler. Lanczos (92 ms) is barely sharper (it keeps 100 %
//     of the contrast of an 8 px grating to CatmullRom's 95 %); Linear
//     (43 ms) visibly softens (85 %); Box aliases, keeping 91 % of a
//     2.5 px grating that should have gone to flat grey as moiré.
//   - Full -> Phone: CatmullRom, 32 ms against Linear's 24: Phone is the
//     view people look at most, where softness shows.
//   - Thumb: Linear; at 320 px in a grid the softness does not show.
var (
	fullFilter  = imaging.CatmullRom
	phoneFilter = imaging.CatmullRom
	thumbFilter = imaging.Linear
)

// pipeline is one photo on its way from decoded pixels to renditions.
type pipeline struct {
	orientation int
	colour      *colourTransform // nil when the source is sRGB already
	gray        bool             // single-channel source: encode single-channel JPEGs
}

// fit scales w×h down so its long edge is at most edge, never up, keeping
// at least one pixel on each side (a 1x4000 strip stays 1 wide).
func fit(w, h, edge int) (int, int) {
	if w <= edge && h <= edge {
		return w, h
	}
	if w >= h {
		return edge, max(1, int(math.Round(float64(h)*float64(edge)/float64(w))))
	}
	return max(1, int(math.Round(float64(w)*float64(edge)/float64(h)))), edge
}

// render makes the renditions of src in Sizes order: Full from the source,
// Phone from Full, Thumb from Phone, so the expensive filter runs once over
// the source and every later step works on a small image. Orientation,
// alpha and colour are fixed on Full (3 MP), not on the source (12 MP+).
func (p pipeline) render(ctx context.Context, src image.Image) ([]Rendition, error) {
	sb := src.Bounds()
	uw, uh := upright(sb.Dx(), sb.Dy(), p.orientation)
	fw, fh := fit(uw, uh, fullEdge)
	pw, ph := fit(uw, uh, phoneEdge)
	side := min(thumbSide, uw, uh)

	// A Thumb is cut from the smallest rendition still at least side
	// pixels high and wide. A panorama wider than 2048/320 = 6.4:1 has no
	// such rendition, so its Thumb comes from the source, before that is
	// released.
	var thumb *image.NRGBA
	if min(fw, fh) < side {
		thumb = p.finish(imaging.Fill(src, side, side, imaging.Center, thumbFilter))
	}

	sw, sh := upright(fw, fh, p.orientation) // Full's size as stored
	// src is not used past here, so the GC may reclaim the decode (the
	// largest thing we hold) while the renditions are encoded.
	full := p.finish(resizeImage(src, sw, sh, fullFilter))
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	// Encoding is single-threaded; Full's (the longest) runs while Phone and
	// Thumb are resized on the other cores.
	var fullData []byte
	var fullErr error
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer func() {
			if v := recover(); v != nil {
				fullErr = fmt.Errorf("%w: %v", ErrPanicked, v)
			}
		}()
		fullData, fullErr = p.encode(full)
	}()

	phone := full
	if pw != fw || ph != fh {
		phone = imaging.Resize(full, pw, ph, phoneFilter)
	}
	if thumb == nil {
		base := phone
		if min(pw, ph) < side {
			base = full
		}
		thumb = imaging.Fill(base, side, side, imaging.Center, thumbFilter)
	}
	phoneData, err := p.encode(phone)
	if err != nil {
		return nil, fmt.Errorf("encode %s: %w", Phone, err)
	}
	thumbData, err := p.encode(thumb)
	if err != nil {
		return nil, fmt.Errorf("encode %s: %w", Thumb, err)
	}
	<-done
	if fullErr != nil {
		return nil, fmt.Errorf("encode %s: %w", Full, fullErr)
	}
	return []Rendition{
		{Size: Full, Width: fw, Height: fh, Data: fullData},
		{Size: Phone, Width: pw, Height: ph, Data: phoneData},
		{Size: Thumb, Width: side, Height: side, Data: thumbData},
	}, nil
}

// finish turns a freshly resized image (still as the file stores it) into
// upright, opaque sRGB.
func (p pipeline) finish(img *image.NRGBA) *image.NRGBA {
	flatten(img)
	if p.colour != nil {
		p.colour.apply(img)
	}
	return orient(img, p.orientation)
}

// flatten composites img onto white in place. JPEG has no alpha, and
// dropping it would show whatever colour the transparent pixels happen to
// hold, usually black.
func flatten(img *image.NRGBA) {
	for i := 3; i < len(img.Pix); i += 4 {
		a := uint32(img.Pix[i])
		if a == 0xFF {
			continue
		}
		for c := i - 3; c < i; c++ {
			img.Pix[c] = uint8((uint32(img.Pix[c])*a + 0xFF*(0xFF-a) + 0x7F) / 0xFF)
		}
		img.Pix[i] = 0xFF
	}
}

// encode writes img, which flatten made opaque, as a baseline JPEG. The
// encoder writes no EXIF, XMP or ICC segments at all.
func (p pipeline) encode(img *image.NRGBA) ([]byte, error) {
	var m image.Image
	if p.gray {
		g := image.NewGray(img.Rect)
		w := img.Rect.Dx()
		for y := range img.Rect.Dy() {
			src, dst := img.Pix[y*img.Stride:], g.Pix[y*g.Stride:]
			for x := range w {
				dst[x] = src[4*x+1] // R = G = B in a grey picture flattened onto white
			}
		}
		m = g
	} else {
		// Opaque NRGBA and RGBA share a layout; the encoder has a fast
		// path for *image.RGBA and reads anything else pixel by pixel.
		m = &image.RGBA{Pix: img.Pix, Stride: img.Stride, Rect: img.Rect}
	}
	var buf bytes.Buffer
	buf.Grow(img.Rect.Dx() * img.Rect.Dy() / 6)
	if err := jpeg.Encode(&buf, m, &jpeg.Options{Quality: jpegQuality}); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
