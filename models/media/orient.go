package media

import (
	"image"

	"github.com/disintegration/imaging"
)

// orient turns img, stored as the file stores it, upright for EXIF
// orientation o (1-8). It is applied to renditions, never to the full
// decode: rotating a 3 MP Full costs a few milliseconds, a 12 MP source
// tens of them and another 48 MB.
func orient(img *image.NRGBA, o int) *image.NRGBA {
	switch o {
	case 2: // mirrored
		return imaging.FlipH(img)
	case 3: // upside down
		return imaging.Rotate180(img)
	case 4: // mirrored upside down
		return imaging.FlipV(img)
	case 5: // mirrored, on its side
		return imaging.Transpose(img)
	case 6: // turned 90° clockwise to display: the usual portrait phone photo
		return imaging.Rotate270(img)
	case 7:
		return imaging.Transverse(img)
	case 8: // turned 90° counter-clockwise to display
		return imaging.Rotate90(img)
	}
	return img
}

// swapsAxes reports whether orientation o turns the picture on its side, so
// that its upright width is its stored height.
func swapsAxes(o int) bool { return o >= 5 && o <= 8 }

// upright returns the displayed size of a w×h stored image.
func upright(w, h, o int) (int, int) {
	if swapsAxes(o) {
		return h, w
	}
	return w, h
}
