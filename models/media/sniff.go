package media

import (
	"bytes"
	"encoding/binary"
	"slices"
)

// sniffLen is how many leading bytes sniff needs to tell formats apart,
// including an SVG whose <svg> tag follows an XML prolog and comments.
const sniffLen = 1024

// sniff names the format of a file from its leading bytes (magic numbers;
// never the name or the client's content type). It returns one of "jpeg",
// "png", "gif", "webp" or "heic", or a refusal saying what the file is
// instead and what to do about it.
func sniff(b []byte) (string, *Refusal) {
	switch {
	case bytes.HasPrefix(b, []byte{0xFF, 0xD8, 0xFF}):
		return "jpeg", nil
	case bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")):
		return "png", nil
	case bytes.HasPrefix(b, []byte("GIF87a")), bytes.HasPrefix(b, []byte("GIF89a")):
		return "gif", nil
	case len(b) >= 12 && string(b[:4]) == "RIFF" && string(b[8:12]) == "WEBP":
		return sniffWebP(b)
	case len(b) >= 12 && string(b[4:8]) == "ftyp":
		return sniffISOBMFF(b)
	case bytes.HasPrefix(b, []byte("II*\x00")), bytes.HasPrefix(b, []byte("MM\x00*")):
		// DNG, CR2, NEF and ARW camera raw files are TIFF inside, too.
		return "", unsupported("TIFF and camera RAW", "Save the photo as a JPEG and try again.")
	case isBMP(b):
		return "", unsupported("BMP", "Save the picture as a PNG or JPEG and try again.")
	case bytes.HasPrefix(b, []byte("%PDF-")):
		return "", unsupported("PDF", "Take a screenshot or export the page as a JPEG, then try again.")
	case bytes.HasPrefix(b, []byte("8BPS")):
		return "", unsupported("Photoshop", "Export the picture as a JPEG and try again.")
	case bytes.HasPrefix(b, []byte{0xFF, 0x0A}), bytes.HasPrefix(b, []byte("\x00\x00\x00\x0cJXL \r\n\x87\n")):
		return "", unsupported("JPEG XL", "Save the photo as a regular JPEG and try again.")
	case bytes.HasPrefix(b, []byte("\x00\x00\x00\x0cjP  \r\n\x87\n")):
		return "", unsupported("JPEG 2000", "Save the photo as a regular JPEG and try again.")
	case isMarkup(b):
		if isSVG(b) {
			return "", refuse(ReasonSVG, msgSVG, nil)
		}
		return "", refuse(ReasonNotImage, msgNotImage, nil)
	}
	return "", refuse(ReasonNotImage, msgNotImage, nil)
}

// sniffWebP accepts still WebP and refuses animated ones: x/image/webp
// decodes neither animation nor, sensibly, a single frame of one.
func sniffWebP(b []byte) (string, *Refusal) {
	const vp8xFlags, animated = 20, 0x02
	if len(b) > vp8xFlags && string(b[12:16]) == "VP8X" && b[vp8xFlags]&animated != 0 {
		return "", unsupported("Animated WebP", "Pick a still photo, or save one frame as a JPEG, and try again.")
	}
	return "webp", nil
}

// HEIF brands whose primary image is HEVC-coded, which the decoder reads.
var heicBrands = []string{"heic", "heix", "heim", "heis", "hevc", "hevx", "hevm", "hevs"}

// sniffISOBMFF tells HEIC from the other formats that share the ISO base
// media file format: AVIF, Canon CR3 raw files and phone videos (a Live
// Photo's .mov is a common mistaken pick).
func sniffISOBMFF(b []byte) (string, *Refusal) {
	brands := []string{string(b[8:12])}
	end := min(int(binary.BigEndian.Uint32(b[:4])), len(b))
	for i := 16; i+4 <= end; i += 4 {
		brands = append(brands, string(b[i:i+4]))
	}
	major := brands[0]
	hasAny := func(set []string) bool {
		return slices.ContainsFunc(brands, func(s string) bool { return slices.Contains(set, s) })
	}
	avif := []string{"avif", "avis"}
	switch {
	case slices.Contains(heicBrands, major):
		return "heic", nil
	case slices.Contains(avif, major):
		return "", unsupported("AVIF", "Save the photo as a JPEG and try again.")
	case major == "crx ":
		return "", unsupported("Camera RAW", "Export the photo as a JPEG and try again.")
	case hasAny(heicBrands):
		return "heic", nil
	case hasAny(avif):
		return "", unsupported("AVIF", "Save the photo as a JPEG and try again.")
	case major == "mif1", major == "mif2", major == "msf1", major == "miaf":
		// A generic HEIF brand with no codec brand: let the decoder decide.
		return "heic", nil
	case hasAny([]string{"qt  ", "isom", "iso2", "mp41", "mp42", "avc1", "M4V ", "3gp4", "3gp5", "3g2a"}):
		return "", refuse(ReasonUnsupported, "Videos can't be used here. Pick a photo instead.", nil)
	}
	return "", refuse(ReasonNotImage, msgNotImage, nil)
}

// isBMP checks the "BM" magic and a known DIB header size, because "BM"
// alone also starts ordinary text.
func isBMP(b []byte) bool {
	if len(b) < 18 || string(b[:2]) != "BM" {
		return false
	}
	switch binary.LittleEndian.Uint32(b[14:18]) {
	case 12, 40, 52, 56, 64, 108, 124:
		return true
	}
	return false
}

// isMarkup reports whether b looks like XML or HTML: a '<' first, after an
// optional byte-order mark and whitespace.
func isMarkup(b []byte) bool {
	b = bytes.TrimPrefix(b, []byte("\xEF\xBB\xBF"))
	b = bytes.TrimLeft(b, " \t\r\n")
	return len(b) > 0 && b[0] == '<'
}

// isSVG looks for an <svg element in the leading markup. An SVG is refused
// by name because it can carry script: it must never be served as a photo.
func isSVG(b []byte) bool {
	return bytes.Contains(bytes.ToLower(b[:min(len(b), sniffLen)]), []byte("<svg"))
}
