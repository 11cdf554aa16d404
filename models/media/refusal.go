package media

import (
	"errors"
	"fmt"
	"time"
)

// Refusal reasons: short machine codes handlers and logs can branch on.
const (
	ReasonEmpty       = "empty"
	ReasonTruncated   = "truncated"
	ReasonNotImage    = "not-image"
	ReasonSVG         = "svg"
	ReasonTooLarge    = "too-large"
	ReasonTooManyPix  = "too-many-pixels"
	ReasonUnsupported = "unsupported-format"
	ReasonTooSlow     = "too-slow"
)

// Messages shown to participants. They say what to do next, because the
// person reading them is holding a phone, not reading a log.
const (
	msgEmpty     = "This file is empty. Pick the photo again and retry."
	msgNotImage  = "This file is not a photo we can read. Try a JPEG or PNG."
	msgDamaged   = "This photo seems to be damaged, so we can't read it. Try exporting it again as a JPEG."
	msgTruncated = "This photo is incomplete: the file or its upload was cut off. Please try again."
	msgSVG       = "SVG drawings can't be used as photos. Export it as a PNG or JPEG and try again."
	msgTooSlow   = "This photo took too long to read, so we stopped. Try a smaller version of the photo, or save it again as a standard JPEG."
)

// Refusal is an error whose Message can be shown to the participant as is
// ("This file is not a photo we can read. Try a JPEG or PNG."). Reason is a
// short machine code: "empty", "truncated", "not-image", "svg", "too-large",
// "too-many-pixels", "unsupported-format" or "too-slow".
type Refusal struct {
	Reason  string
	Message string
	cause   error // what the decoder said, for logs only
}

// Error describes the refusal for logs, including the underlying cause.
func (r *Refusal) Error() string {
	if r.cause != nil {
		return fmt.Sprintf("photo refused (%s): %v", r.Reason, r.cause)
	}
	return fmt.Sprintf("photo refused (%s): %s", r.Reason, r.Message)
}

// Unwrap returns the decoder error behind the refusal, if any.
func (r *Refusal) Unwrap() error { return r.cause }

// ErrPanicked is behind a refusal that a decoder's panic caused: the
// server carries on and the participant is told the file can't be read,
// but it is a bug to fix (the fuzz targets fail on it).
var ErrPanicked = errors.New("a decoder panicked")

// IsRefusal reports whether err is (or wraps) a Refusal, and returns it.
func IsRefusal(err error) (*Refusal, bool) {
	var r *Refusal
	if errors.As(err, &r) {
		return r, true
	}
	return nil, false
}

func refuse(reason, message string, cause error) *Refusal {
	return &Refusal{Reason: reason, Message: message, cause: cause}
}

// unsupported refuses a recognised format we do not decode, naming it.
func unsupported(name, advice string) *Refusal {
	return refuse(ReasonUnsupported, fmt.Sprintf("%s files can't be used here. %s", name, advice), nil)
}

// mb formats a byte count the way people read file sizes ("30 MB").
func mb(n int64) string {
	switch {
	case n < 1<<20:
		return fmt.Sprintf("%d KB", (n+1<<10-1)>>10)
	case n%(1<<20) == 0:
		return fmt.Sprintf("%d MB", n>>20)
	}
	return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
}

func tooLarge(size, limit int64) *Refusal {
	return refuse(ReasonTooLarge,
		fmt.Sprintf("This file is %s; photos can be at most %s. Try a smaller version of the photo.", mb(size), mb(limit)),
		nil)
}

func tooManyPixels(w, h int, limit int64) *Refusal {
	return refuse(ReasonTooManyPix,
		fmt.Sprintf("This picture is %d×%d pixels; we take at most %g megapixels. Try a smaller version of the photo.",
			w, h, float64(limit)/1e6),
		nil)
}

func tooManyScans() *Refusal {
	return refuse(ReasonUnsupported,
		fmt.Sprintf("This JPEG is saved in more than %d passes, which would take too long to read. Save it again as a standard JPEG and try again.", maxJPEGScans),
		nil)
}

func tooSlow(limit time.Duration) *Refusal {
	return refuse(ReasonTooSlow, msgTooSlow, fmt.Errorf("decoding and rendering took longer than %v", limit))
}
