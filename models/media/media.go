// Package media turns uploaded photo files into upright, metadata-free JPEG renditions and stores photo files.
//
// The pipeline (Processor.Process) never trusts a file's name: it sniffs the
// real type from the bytes, checks the pixel count from the header before
// decoding anything, decodes once, and renders Full, Phone and Thumb in a
// chain from largest to smallest. Orientation, alpha flattening and colour
// conversion are applied to the rendition-sized images, never to the
// multi-megapixel decode. Re-encoding as JPEG drops every piece of metadata
// (EXIF, GPS, XMP, ICC), so location data never reaches a page.
//
// Store and DiskStore hold the files themselves: originals and renditions,
// under validated slash-separated keys.
package media

import "time"

// Size names one rendition of a photo.
type Size string

// The renditions every accepted photo gets.
const (
	Thumb Size = "thumb" // square-cropped, 320x320, for grids/lists
	Phone Size = "phone" // ~1080 px long edge, for a phone full view
	Full  Size = "full"  // ~2048 px long edge, for full-screen slides
)

// Sizes lists the renditions from largest to smallest, the order in which
// they are produced (each from the one before it) and returned in Result.
var Sizes = []Size{Full, Phone, Thumb}

// Edge lengths of the renditions, in pixels.
const (
	fullEdge  = 2048 // long edge of Full
	phoneEdge = 1080 // long edge of Phone
	thumbSide = 320  // side of the square Thumb
)

// Limits bounds what Process accepts.
type Limits struct {
	MaxBytes  int64 // refuse files larger than this (default 30 MiB)
	MaxPixels int64 // refuse images whose header claims more pixels than this (default 50 megapixels)
	// MaxProcessTime is how long one photo may take to decode and render
	// once it has a worker (default 60 s; the 12 MP sample takes 0.4 s and
	// a 3 MP HEIC 1.5 s on two cores).
	MaxProcessTime time.Duration
}

// DefaultLimits returns the limits uploads get unless configured otherwise:
// 30 MiB covers any phone photo (a 48 MP HEIC is ~10 MB), and 50 megapixels
// covers the largest phone sensors while keeping one decode under ~200 MB.
func DefaultLimits() Limits {
	return Limits{MaxBytes: 30 << 20, MaxPixels: 50_000_000, MaxProcessTime: time.Minute}
}

// withDefaults fills zero or negative fields from DefaultLimits.
func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	if l.MaxBytes <= 0 {
		l.MaxBytes = d.MaxBytes
	}
	if l.MaxPixels <= 0 {
		l.MaxPixels = d.MaxPixels
	}
	if l.MaxProcessTime <= 0 {
		l.MaxProcessTime = d.MaxProcessTime
	}
	return l
}

// Rendition is one encoded JPEG of a photo.
type Rendition struct {
	Size          Size
	Width, Height int
	Data          []byte // encoded JPEG, no metadata at all
}

// Result is what Process makes of an accepted photo.
type Result struct {
	Format        string // "jpeg", "png", "gif", "webp", "heic"
	Width, Height int    // upright dimensions of the source
	// TakenAt is the EXIF capture time (DateTimeOriginal, else
	// DateTimeDigitized), or zero if the file has none. When the file also
	// records its UTC offset (OffsetTimeOriginal, EXIF 2.31) it is the exact
	// instant, in UTC. Most cameras and many phones write no offset: then
	// TakenAtLocal is true and TakenAt holds the camera's wall clock as if
	// it were UTC, for the caller to place in the photographer's zone.
	TakenAt      time.Time
	TakenAtLocal bool
	Renditions   []Rendition // one per Size, in Sizes order
}

// Rendition returns the rendition of size s, or false if r has none.
func (r *Result) Rendition(s Size) (Rendition, bool) {
	for _, rd := range r.Renditions {
		if rd.Size == s {
			return rd, true
		}
	}
	return Rendition{}, false
}

// Ext returns the file extension for an original of that format (".jpg",
// ".png", ".gif", ".webp", ".heic"), or ".bin" for a format Process never
// reports.
func Ext(format string) string {
	switch format {
	case "jpeg":
		return ".jpg"
	case "png", "gif", "webp", "heic":
		return "." + format
	}
	return ".bin"
}
