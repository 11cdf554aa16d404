package media

import (
	"bytes"
	"encoding/binary"
	"time"
)

// exifInfo is what the pipeline keeps from an EXIF block: how to turn the
// picture upright and when it was taken. Everything else (GPS above all) is
// dropped with the re-encode.
type exifInfo struct {
	orientation int // 1..8; 1 when absent or invalid
	takenAt     time.Time
	// takenLocal: the file gave no UTC offset, so takenAt is the camera's
	// wall clock, written down as if it were UTC.
	takenLocal bool
}

// capture is the capture time alone, for formats whose EXIF orientation
// does not apply (HEIF and WebP).
func (e exifInfo) capture() exifInfo {
	return exifInfo{orientation: 1, takenAt: e.takenAt, takenLocal: e.takenLocal}
}

// EXIF tags we read.
const (
	tagOrientation       = 0x0112
	tagExifIFD           = 0x8769
	tagDateTimeOriginal  = 0x9003
	tagDateTimeDigitized = 0x9004
	tagOffsetOriginal    = 0x9011
	tagOffsetDigitized   = 0x9012
)

// parseExif reads the orientation and capture time from a TIFF-structured
// EXIF block (starting "II*\0" or "MM\0*"); an "Exif\0\0" prefix is skipped.
//
// It is written by hand rather than with goexif because goexif follows IFD
// chains until they end: a file whose IFDs point at each other in a cycle
// of two spins it forever, and uploads are untrusted. This reader visits
// IFD0 and the Exif sub-IFD once each and bounds every offset.
func parseExif(b []byte) exifInfo {
	info := exifInfo{orientation: 1}
	if bytes.HasPrefix(b, []byte("Exif\x00")) && len(b) >= 6 {
		b = b[6:]
	}
	if len(b) < 8 {
		return info
	}
	var order binary.ByteOrder
	switch string(b[:4]) {
	case "II*\x00":
		order = binary.LittleEndian
	case "MM\x00*":
		order = binary.BigEndian
	default:
		return info
	}
	t := tiff{b: b, order: order}

	ifd0 := t.entries(order.Uint32(b[4:8]))
	if v, ok := ifd0.short(tagOrientation); ok && v >= 1 && v <= 8 {
		info.orientation = int(v)
	}
	if off, ok := ifd0.long(tagExifIFD); ok {
		sub := t.entries(off)
		info.takenAt, info.takenLocal = sub.time(tagDateTimeOriginal, tagOffsetOriginal)
		if info.takenAt.IsZero() {
			info.takenAt, info.takenLocal = sub.time(tagDateTimeDigitized, tagOffsetDigitized)
		}
	}
	return info
}

// tiff is a bounds-checked view of a TIFF structure.
type tiff struct {
	b     []byte
	order binary.ByteOrder
}

// ifd is one image file directory: its 12-byte entries, keyed by tag.
type ifd struct {
	t       tiff
	entries map[uint16][]byte
}

// maxIFDEntries caps a directory's size; real IFD0s hold a few dozen tags.
const maxIFDEntries = 512

// entries reads the directory at off; a bad offset gives an empty one.
func (t tiff) entries(off uint32) ifd {
	d := ifd{t: t, entries: map[uint16][]byte{}}
	if uint64(off)+2 > uint64(len(t.b)) {
		return d
	}
	n := int(t.order.Uint16(t.b[off:]))
	n = min(n, maxIFDEntries, (len(t.b)-int(off)-2)/12)
	for i := range n {
		e := t.b[int(off)+2+12*i:][:12]
		d.entries[t.order.Uint16(e)] = e
	}
	return d
}

// short returns the value of a SHORT tag.
func (d ifd) short(tag uint16) (uint16, bool) {
	e, ok := d.entries[tag]
	if !ok || d.t.order.Uint16(e[2:]) != 3 {
		return 0, false
	}
	return d.t.order.Uint16(e[8:]), true
}

// long returns the value of a LONG (or IFD) tag.
func (d ifd) long(tag uint16) (uint32, bool) {
	e, ok := d.entries[tag]
	if !ok {
		return 0, false
	}
	switch d.t.order.Uint16(e[2:]) {
	case 4, 13: // LONG, IFD
		return d.t.order.Uint32(e[8:]), true
	}
	return 0, false
}

// ascii returns the value of an ASCII tag without its NUL terminator.
func (d ifd) ascii(tag uint16) string {
	e, ok := d.entries[tag]
	if !ok || d.t.order.Uint16(e[2:]) != 2 {
		return ""
	}
	n := d.t.order.Uint32(e[4:])
	var v []byte
	if n <= 4 {
		v = e[8 : 8+n]
	} else {
		off := d.t.order.Uint32(e[8:])
		if uint64(off)+uint64(n) > uint64(len(d.t.b)) {
			return ""
		}
		v = d.t.b[off : off+n]
	}
	if i := bytes.IndexByte(v, 0); i >= 0 {
		v = v[:i]
	}
	return string(v)
}

// time parses an EXIF date ("2006:01:02 15:04:05") with its optional UTC
// offset tag ("+02:00"). Without an offset the wall-clock time is returned
// as if it were UTC, and local is true (see Result.TakenAtLocal).
func (d ifd) time(dateTag, offsetTag uint16) (t time.Time, local bool) {
	s := d.ascii(dateTag)
	if s == "" {
		return time.Time{}, false
	}
	if off := d.ascii(offsetTag); off != "" {
		if t, err := time.Parse("2006:01:02 15:04:05-07:00", s+off); err == nil {
			return t.UTC(), false
		}
	}
	t, err := time.Parse("2006:01:02 15:04:05", s)
	if err != nil {
		return time.Time{}, false
	}
	return t, true
}
