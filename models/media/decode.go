package media

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"io/fs"

	"github.com/gen2brain/heic"
	"golang.org/x/image/webp"
)

// decode decodes the whole image with the standard (or x/image, or heic)
// decoder for format. The decoders are called directly rather than through
// image.Decode or imaging.Open so that the format sniffed is the format
// decoded, and their errors reach decodeError unchanged: imaging.Decode
// hides which failure was a truncated file.
func decode(r io.ReaderAt, size int64, h header) (image.Image, error) {
	format := h.format
	br := bufio.NewReaderSize(io.NewSectionReader(r, 0, size), 64<<10)
	var (
		img image.Image
		err error
	)
	switch format {
	case "jpeg":
		img, err = jpeg.Decode(br)
	case "png":
		img, err = png.Decode(br)
	case "gif":
		// The first frame: a still of an animated GIF is a fair photo.
		img, err = gif.Decode(br)
	case "webp":
		if img, err = webp.Decode(br); err == nil {
			expandVideoRange(img)
		}
	case "heic":
		// libheif applies the irot/imir/clap transforms itself, so what
		// comes back is upright.
		// The WebAssembly libheif hands the planes over as coded; a system
		// libheif (1.15 tried, heic.Dynamic() == nil) stretches them to
		// full range itself. TestHEIFConformance holds both to the
		// references.
		if img, err = heic.Decode(heicBranded(br)); err == nil && h.videoRange && heic.Dynamic() != nil {
			expandVideoRange(img)
		}
	default:
		return nil, fmt.Errorf("decode: unknown format %q", format)
	}
	if err != nil {
		if !errors.As(err, new(*fs.PathError)) && looksCut(r, size, format) {
			// Decoders report a cut-off file in their own words (Go's JPEG
			// decoder says "short Huffman data"); the missing end says it
			// plainly.
			return nil, refuse(ReasonTruncated, msgTruncated, fmt.Errorf("decode %s: %w", format, err))
		}
		return nil, decodeError(format, err)
	}
	if b := img.Bounds(); b.Empty() {
		return nil, refuse(ReasonNotImage, msgDamaged, fmt.Errorf("decode %s: empty image %v", format, b))
	}
	return img, nil
}

// decodeError turns a decoder's error into a refusal the participant can act
// on, or passes a failure to read the file through as a plain error, which is
// ours to log and not theirs to fix.
func decodeError(format string, err error) error {
	var pathErr *fs.PathError
	var (
		jpegUnsupported jpeg.UnsupportedError
		pngUnsupported  png.UnsupportedError
	)
	switch {
	case errors.As(err, &pathErr):
		return fmt.Errorf("decode %s: %w", format, err)
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return refuse(ReasonTruncated, msgTruncated, fmt.Errorf("decode %s: %w", format, err))
	case errors.As(err, &jpegUnsupported), errors.As(err, &pngUnsupported):
		return refuse(ReasonUnsupported,
			"This photo uses a feature of its format we can't read. Save it again as a standard JPEG and try again.",
			fmt.Errorf("decode %s: %w", format, err))
	}
	return refuse(ReasonNotImage, msgDamaged, fmt.Errorf("decode %s: %w", format, err))
}

// looksCut reports whether a file lacks the ending its format requires: the
// JPEG end-of-image marker, the PNG IEND chunk, the GIF trailer, or the
// length a WebP's RIFF header announces. (A cut HEIC is caught earlier, from
// its item locations.)
func looksCut(r io.ReaderAt, size int64, format string) bool {
	var tail [64]byte
	n := min(size, int64(len(tail)))
	if _, err := r.ReadAt(tail[:n], size-n); err != nil {
		return false
	}
	t := tail[:n]
	switch format {
	case "jpeg":
		return !bytes.Contains(t, []byte{0xFF, 0xD9}) // encoders may pad after EOI
	case "png":
		return !bytes.Contains(t, []byte("IEND"))
	case "gif":
		return !bytes.Contains(t, []byte{0x3B})
	case "webp":
		var hdr [8]byte
		if _, err := r.ReadAt(hdr[:], 0); err != nil {
			return false
		}
		return int64(binary.LittleEndian.Uint32(hdr[4:]))+8 > size
	}
	return false
}

// heicBranded hands the decoder a HEIF file whose major brand is a generic
// one (mif1, msf1, miaf: what libheif, Android and most cameras write) as
// if it said "heic". The decoder's wrapper refuses before parsing any file
// whose brand libheif's heif_check_filetype does not call "supported",
// and for the generic brands it only says "maybe". sniffISOBMFF already
// decided the file is HEIF to decode as HEVC; libheif itself then reads
// what the file holds, whatever its brand. Only the four bytes of the major
// brand change, in the stream: the file is not rewritten.
func heicBranded(br *bufio.Reader) io.Reader {
	head, err := br.Peek(12)
	if err != nil || string(head[4:8]) != "ftyp" {
		return br
	}
	switch string(head[8:12]) {
	case "heic", "heix":
		return br
	}
	patched := append([]byte(nil), head...)
	copy(patched[8:12], "heic")
	if _, err := br.Discard(12); err != nil {
		return br
	}
	return io.MultiReader(bytes.NewReader(patched), br)
}

// expandVideoRange stretches, in place, the planes of a lossy WebP or a
// video-range HEVC to full range. Both store BT.601-style "video range"
// YCbCr (luma 16-235, chroma 16-240), as libwebp and libheif read them;
// the decoders hand the planes over as an image.YCbCr, whose colour model
// is JPEG's full range, so those photos came out washed out: black as 16,
// white as 235 (https://go.dev/issue/40173). With the planes stretched,
// the full-range conversion gives what libwebp and libheif do. A lossless
// WebP decodes to RGB and is left alone.
func expandVideoRange(img image.Image) {
	var y, cb, cr []byte
	switch m := img.(type) {
	case *image.YCbCr:
		y, cb, cr = m.Y, m.Cb, m.Cr
	case *image.NYCbCrA:
		y, cb, cr = m.Y, m.Cb, m.Cr
	case *image.Gray: // a monochrome HEVC's luma
		y = m.Pix
	default:
		return
	}
	for i, v := range y {
		y[i] = lumaFull[v]
	}
	for i, v := range cb {
		cb[i] = chromaFull[v]
	}
	for i, v := range cr {
		cr[i] = chromaFull[v]
	}
}

// lumaFull and chromaFull map video-range values to full range, rounded
// and clamped: (Y-16)·255/219 and (C-128)·255/224+128.
var lumaFull, chromaFull = func() (l, c [256]byte) {
	for v := range 256 {
		l[v] = byte(min(max((float64(v)-16)*255/219+0.5, 0), 255))
		c[v] = byte(min(max((float64(v)-128)*255/224+128.5, 0), 255))
	}
	return l, c
}()
