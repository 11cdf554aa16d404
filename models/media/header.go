package media

import (
	"bufio"
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"

	"golang.org/x/image/webp"
)

// header is what the pipeline learns about a file before decoding it: enough
// to refuse it cheaply, and the metadata the renditions need.
type header struct {
	format        string
	width, height int // as stored, before orientation
	exif          exifInfo
	icc           []byte // embedded ICC profile, nil if none
	// videoRange: the decoded planes are video-range YCbCr (hevc.go).
	videoRange bool
}

// maxJPEGScans bounds the scans (passes over the image) of a JPEG. Each
// scan costs the decoder a walk over every 8x8 block of the image however
// few bytes it takes in the file: a 26 KB file of 1000 scans of a 12 MP
// image takes 4 s to decode, and 30 MB of them over an hour. Encoders write
// 1 to 3 scans for a baseline JPEG and about 10 for a progressive one
// (libjpeg's default progression; mozjpeg's searched ones stay near it),
// so 100 refuses nothing a camera or an editor makes and keeps the worst
// case near the cost of an ordinary decode. libjpeg-turbo's djpeg has the
// same guard as -maxscans.
const maxJPEGScans = 100

// maxICCSize bounds an embedded colour profile; real ones are 0.5–60 KB.
const maxICCSize = 1 << 20

// readHeader reads dimensions and metadata of a file already sniffed as
// format, without decoding pixels. It returns a *Refusal for a file whose
// header is damaged or cut off, or a plain error if reading failed.
func readHeader(r io.ReaderAt, size int64, format string) (header, error) {
	h := header{format: format, exif: exifInfo{orientation: 1}}
	section := func() io.Reader { return bufio.NewReaderSize(io.NewSectionReader(r, 0, size), 32<<10) }

	var (
		cfg image.Config
		err error
	)
	switch format {
	case "jpeg":
		if cfg, err = jpeg.DecodeConfig(section()); err == nil {
			var exif []byte
			var scans int
			// scanJPEG buffers its own reads, wider than section's.
			exif, h.icc, scans, err = scanJPEG(io.NewSectionReader(r, 0, size), maxJPEGScans)
			h.exif = parseExif(exif)
			if err == nil && scans > maxJPEGScans {
				return h, tooManyScans()
			}
		}
	case "png":
		if cfg, err = png.DecodeConfig(section()); err == nil {
			h.icc, err = scanPNG(r, size)
		}
	case "gif":
		cfg, err = gif.DecodeConfig(section())
	case "webp":
		if cfg, err = webp.DecodeConfig(section()); err == nil {
			var exif []byte
			exif, h.icc, err = scanWebP(r, size)
			// Only the capture time: browsers do not rotate WebP by its
			// EXIF orientation, so neither do we.
			h.exif = parseExif(exif).capture()
		}
	case "heic":
		var hi heifInfo
		if hi, err = scanHEIF(r, size); err == nil {
			cfg.Width, cfg.Height, h.icc, h.videoRange = hi.width, hi.height, hi.icc, hi.videoRange
			// HEIF carries its rotation in irot/imir boxes, which the
			// decoder applies; the EXIF copy of it must be ignored.
			h.exif = parseExif(hi.exif).capture()
		}
	default:
		return h, fmt.Errorf("read header: unknown format %q", format)
	}
	if err != nil {
		return h, decodeError(format, err)
	}
	h.width, h.height = cfg.Width, cfg.Height
	if h.width <= 0 || h.height <= 0 {
		return h, refuse(ReasonNotImage, msgDamaged, fmt.Errorf("%s header: size %dx%d", format, h.width, h.height))
	}
	return h, nil
}

// scanJPEG walks a JPEG's marker segments by their lengths. It returns
// the EXIF block (APP1 "Exif") and the ICC profile (APP2 "ICC_PROFILE",
// reassembled from its numbered chunks) found before the first scan, and
// counts the scans (start-of-scan segments) of the whole file, stopping
// once past scanLimit. Following lengths means an EXIF thumbnail (a JPEG
// with its own scans) inside APP1 is not counted; entropy-coded data is
// skipped to the next marker with ReadSlice (bytes.IndexByte), so a 30 MB
// file costs a few milliseconds. A file cut before its first scan is an
// error (its header is incomplete); one cut later is counted as far as it
// goes, and the decoder says what is wrong with it.
func scanJPEG(r io.Reader, scanLimit int) (exif, icc []byte, scans int, err error) {
	br := bufio.NewReaderSize(r, 64<<10)
	var soi [2]byte
	if _, err := io.ReadFull(br, soi[:]); err != nil {
		return nil, nil, 0, err
	}
	chunks := map[byte][]byte{}
	var count byte
	var iccBytes int
	end := func(err error) ([]byte, []byte, int, error) {
		if err != nil && scans == 0 {
			return nil, nil, 0, err
		}
		return exif, assembleICC(chunks, count), scans, nil
	}
	for {
		// The next 0xFF: the start of a marker, or a byte inside
		// entropy-coded data (stuffed 0xFF00, a restart marker).
		if _, err := br.ReadSlice(0xFF); err != nil {
			if errors.Is(err, bufio.ErrBufferFull) {
				continue
			}
			return end(err)
		}
		m, err := br.ReadByte()
		if err != nil {
			return end(err)
		}
		switch {
		case m == 0xFF:
			_ = br.UnreadByte() // fill bytes: the next one may start the marker
			continue
		case m == 0x00 || m == 0x01 || (m >= 0xD0 && m <= 0xD8):
			continue // stuffed byte, TEM, RSTn, SOI: no length follows
		case m == 0xD9: // end of image
			return end(nil)
		}
		var l [2]byte
		if _, err := io.ReadFull(br, l[:]); err != nil {
			return end(err)
		}
		n := int(binary.BigEndian.Uint16(l[:])) - 2
		if n < 0 {
			return end(errors.New("jpeg: bad segment length"))
		}
		if m == 0xDA {
			if scans++; scans > scanLimit {
				return end(nil)
			}
		}
		// Read only the segments we keep; the rest (thumbnails, XMP,
		// maker notes, a second EXIF, scan headers) are skipped without
		// allocating.
		prefix, _ := br.Peek(min(n, 14))
		keep := scans == 0 && (m == 0xE1 && exif == nil && bytes.HasPrefix(prefix, []byte("Exif\x00")) ||
			m == 0xE2 && n > 14 && bytes.HasPrefix(prefix, []byte("ICC_PROFILE\x00")) && iccBytes+n <= maxICCSize)
		if !keep {
			if _, err := br.Discard(n); err != nil {
				return end(err)
			}
			continue
		}
		p := make([]byte, n)
		if _, err := io.ReadFull(br, p); err != nil {
			return end(err)
		}
		if m == 0xE1 {
			exif = p
			continue
		}
		chunks[p[12]] = p[14:]
		count = p[13]
		iccBytes += n
	}
}

// assembleICC joins ICC chunks 1..count, or returns nil if any is missing
// or the whole is implausibly large.
func assembleICC(chunks map[byte][]byte, count byte) []byte {
	if count == 0 {
		return nil
	}
	var b []byte
	for i := byte(1); i <= count && i != 0; i++ {
		c, ok := chunks[i]
		if !ok || len(b)+len(c) > maxICCSize {
			return nil
		}
		b = append(b, c...)
	}
	return b
}

// scanPNG returns the ICC profile of a PNG's iCCP chunk, if any. It stops
// at the first IDAT: the PNG spec puts iCCP before the image data.
func scanPNG(r io.ReaderAt, size int64) ([]byte, error) {
	off := int64(8)
	for range 1000 {
		var hdr [8]byte
		if _, err := r.ReadAt(hdr[:], off); err != nil {
			return nil, err
		}
		n := int64(binary.BigEndian.Uint32(hdr[:4]))
		switch string(hdr[4:]) {
		case "IDAT", "IEND":
			return nil, nil
		case "iCCP":
			if n > maxICCSize || off+8+n > size {
				return nil, nil
			}
			p := make([]byte, n)
			if _, err := r.ReadAt(p, off+8); err != nil {
				return nil, err
			}
			// name, NUL, compression method (0 = zlib), compressed profile
			i := bytes.IndexByte(p, 0)
			if i < 0 || i+2 > len(p) || p[i+1] != 0 {
				return nil, nil
			}
			zr, err := zlib.NewReader(bytes.NewReader(p[i+2:]))
			if err != nil {
				return nil, nil
			}
			icc, err := io.ReadAll(io.LimitReader(zr, maxICCSize))
			if err != nil {
				return nil, nil // a damaged profile is ignored, not fatal
			}
			return icc, nil
		}
		off += 12 + n
	}
	return nil, nil
}

// scanWebP returns the EXIF and ICCP chunks of an extended WebP file.
func scanWebP(r io.ReaderAt, size int64) (exif, icc []byte, err error) {
	off := int64(12)
	for range 64 {
		var hdr [8]byte
		if _, err := r.ReadAt(hdr[:], off); err != nil {
			if errors.Is(err, io.EOF) {
				return exif, icc, nil
			}
			return nil, nil, err
		}
		n := int64(binary.LittleEndian.Uint32(hdr[4:]))
		typ := string(hdr[:4])
		if (typ == "EXIF" || typ == "ICCP") && n <= maxICCSize && off+8+n <= size {
			p := make([]byte, n)
			if _, err := r.ReadAt(p, off+8); err != nil {
				return nil, nil, err
			}
			if typ == "EXIF" {
				exif = p
			} else {
				icc = p
			}
		}
		off += 8 + n + n&1 // chunks are padded to an even size
	}
	return exif, icc, nil
}
