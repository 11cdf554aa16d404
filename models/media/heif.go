package media

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/bits"
)

// heifInfo is what scanHEIF reads from a HEIF file's meta box.
type heifInfo struct {
	width, height int    // the largest ispe (image spatial extent) in the file
	icc           []byte // primary image's colr box of type prof/rICC
	exif          []byte // the Exif item's TIFF block
	// videoRange says the pictures are video-range YCbCr, to be
	// stretched to full range after decoding (see hevc.go).
	videoRange bool
}

// maxMetaSize bounds the meta box we read; an iPhone's, with a 48-tile
// grid, thumbnail and depth map, is well under 100 KB.
const maxMetaSize = 4 << 20

var errHEIFTruncated = fmt.Errorf("heif: item data beyond end of file: %w", io.ErrUnexpectedEOF)

// scanHEIF reads a HEIF file's meta box. gen2brain/heic's DecodeConfig
// hands only the first 32 KB to libheif, so it cannot be trusted to see
// the whole meta box; and the pixel cap must hold for every image in the
// file, so the largest ispe is what is checked. It also reports a file cut
// off before the end of its item data as truncated, which libheif would
// only call a failed decode.
func scanHEIF(r io.ReaderAt, size int64) (heifInfo, error) {
	var info heifInfo
	meta, err := findBox(r, size, "meta")
	if err != nil {
		return info, err
	}
	if len(meta) < 4 {
		return info, errors.New("heif: short meta box")
	}
	var (
		primary uint32
		props   []box
		assoc   map[uint32][]int // item ID -> 1-based property indexes
		items   map[uint32]string
		locs    map[uint32]extent
	)
	for _, b := range boxes(meta[4:]) {
		switch b.typ {
		case "pitm":
			primary = itemID(b.body, 4)
		case "iprp":
			for _, c := range boxes(b.body) {
				switch c.typ {
				case "ipco":
					props = boxes(c.body)
				case "ipma":
					assoc = parseIPMA(c.body)
				}
			}
		case "iinf":
			items = parseIINF(b.body)
		case "iloc":
			if locs, err = parseILOC(b.body, size); err != nil {
				return info, err
			}
		}
	}

	var area uint64
	for _, p := range props {
		if p.typ != "ispe" || len(p.body) < 12 {
			continue
		}
		w, h := binary.BigEndian.Uint32(p.body[4:]), binary.BigEndian.Uint32(p.body[8:])
		if a := uint64(w) * uint64(h); a > area { // two uint32s cannot overflow a uint64
			area, info.width, info.height = a, int(w), int(h)
		}
	}
	nclx := false
	for _, i := range assoc[primary] {
		if i < 1 || i > len(props) {
			continue
		}
		if p := props[i-1]; p.typ == "colr" && len(p.body) > 4 {
			switch t := string(p.body[:4]); {
			case (t == "prof" || t == "rICC") && len(p.body) <= maxICCSize:
				info.icc = p.body[4:]
			case t == "nclx" && len(p.body) >= 11:
				nclx, info.videoRange = true, p.body[10]&0x80 == 0
			}
		}
	}
	if !nclx {
		// A grid's tiles share one configuration: the first will do.
		for _, p := range props {
			if p.typ == "hvcC" {
				full, ok := hevcFullRange(p.body)
				info.videoRange = ok && !full
				break
			}
		}
	}
	for id, typ := range items {
		if typ != "Exif" {
			continue
		}
		if e, ok := locs[id]; ok && e.length > 8 && e.length <= maxICCSize {
			p := make([]byte, e.length)
			if _, err := r.ReadAt(p, int64(e.offset)); err != nil {
				return info, fmt.Errorf("read exif item: %w", err)
			}
			// The item starts with the offset of the TIFF header.
			if skip := uint64(binary.BigEndian.Uint32(p)); skip+4 < uint64(len(p)) {
				info.exif = p[4+skip:]
			}
		}
		break
	}
	return info, nil
}

// box is one ISO BMFF box: its type and its body after the header.
type box struct {
	typ  string
	body []byte
}

// boxes splits b into consecutive boxes, stopping at the first malformed one.
func boxes(b []byte) []box {
	var out []box
	for len(b) >= 8 {
		n := uint64(binary.BigEndian.Uint32(b))
		typ, hdr := string(b[4:8]), uint64(8)
		switch n {
		case 0: // extends to the end
			n = uint64(len(b))
		case 1: // 64-bit size follows the type
			if len(b) < 16 {
				return out
			}
			n, hdr = binary.BigEndian.Uint64(b[8:]), 16
		}
		if n < hdr || n > uint64(len(b)) {
			return out
		}
		out = append(out, box{typ: typ, body: b[hdr:n]})
		b = b[n:]
	}
	return out
}

// findBox returns the body of the first top-level box of type typ.
func findBox(r io.ReaderAt, size int64, typ string) ([]byte, error) {
	var off int64
	for range 64 {
		if off == size {
			break // every box read, none of them typ
		}
		var hdr [16]byte
		if _, err := r.ReadAt(hdr[:8], off); err != nil {
			return nil, err
		}
		n, h := int64(binary.BigEndian.Uint32(hdr[:])), int64(8)
		switch n {
		case 0:
			n = size - off
		case 1:
			if _, err := r.ReadAt(hdr[8:], off+8); err != nil {
				return nil, err
			}
			n, h = int64(binary.BigEndian.Uint64(hdr[8:])&(1<<62-1)), 16
		}
		if n < h {
			return nil, fmt.Errorf("heif: bad box size %d", n)
		}
		if string(hdr[4:8]) == typ {
			if n-h > maxMetaSize {
				return nil, fmt.Errorf("heif: %s box of %d bytes", typ, n)
			}
			if off+n > size {
				return nil, errHEIFTruncated
			}
			b := make([]byte, n-h)
			if _, err := r.ReadAt(b, off+h); err != nil {
				return nil, err
			}
			return b, nil
		}
		off += n
	}
	return nil, fmt.Errorf("heif: no %s box", typ)
}

// itemID reads a 16-bit (version 0) or 32-bit item ID at off, after the
// full-box version byte at b[0].
func itemID(b []byte, off int) uint32 {
	switch {
	case len(b) > 0 && b[0] == 0 && len(b) >= off+2:
		return uint32(binary.BigEndian.Uint16(b[off:]))
	case len(b) >= off+4:
		return binary.BigEndian.Uint32(b[off:])
	}
	return 0
}

// parseIPMA maps item IDs to their 1-based property indexes.
func parseIPMA(b []byte) map[uint32][]int {
	out := map[uint32][]int{}
	if len(b) < 8 {
		return out
	}
	version, wide := b[0], b[3]&1 == 1
	n := binary.BigEndian.Uint32(b[4:])
	p := b[8:]
	for range min(n, 1<<16) {
		idLen := 2
		if version >= 1 {
			idLen = 4
		}
		if len(p) < idLen+1 {
			break
		}
		var id uint32
		if idLen == 2 {
			id = uint32(binary.BigEndian.Uint16(p))
		} else {
			id = binary.BigEndian.Uint32(p)
		}
		count := int(p[idLen])
		p = p[idLen+1:]
		for range count {
			switch {
			case wide && len(p) >= 2:
				out[id] = append(out[id], int(binary.BigEndian.Uint16(p)&0x7FFF))
				p = p[2:]
			case !wide && len(p) >= 1:
				out[id] = append(out[id], int(p[0]&0x7F))
				p = p[1:]
			default:
				return out
			}
		}
	}
	return out
}

// parseIINF maps item IDs to their item types ("hvc1", "grid", "Exif", ...).
func parseIINF(b []byte) map[uint32]string {
	out := map[uint32]string{}
	if len(b) < 6 {
		return out
	}
	skip := 6
	if b[0] != 0 {
		skip = 8
	}
	if len(b) < skip {
		return out
	}
	for _, e := range boxes(b[skip:]) {
		// infe version 2 has a 16-bit item ID, version 3 a 32-bit one;
		// earlier versions predate item types.
		if e.typ != "infe" || len(e.body) < 4 || e.body[0] < 2 {
			continue
		}
		idLen := 2
		if e.body[0] >= 3 {
			idLen = 4
		}
		if len(e.body) < 4+idLen+2+4 {
			continue
		}
		var id uint32
		if idLen == 2 {
			id = uint32(binary.BigEndian.Uint16(e.body[4:]))
		} else {
			id = binary.BigEndian.Uint32(e.body[4:])
		}
		t := 4 + idLen + 2 // after item_protection_index
		out[id] = string(e.body[t : t+4])
	}
	return out
}

// extent is where an item's data lies in the file.
type extent struct{ offset, length uint64 }

// parseILOC returns the first extent of every item stored in this file, and
// errHEIFTruncated if any extent ends beyond size.
func parseILOC(b []byte, size int64) (map[uint32]extent, error) {
	out := map[uint32]extent{}
	if len(b) < 8 {
		return out, nil
	}
	version := b[0]
	offSize, lenSize := int(b[4]>>4), int(b[4]&0xF)
	baseSize, idxSize := int(b[5]>>4), int(b[5]&0xF)
	if version == 0 {
		idxSize = 0
	}
	p := b[6:]
	read := func(n int) (uint64, bool) {
		if n != 0 && n != 2 && n != 4 && n != 8 || len(p) < n {
			return 0, false
		}
		var v uint64
		for _, c := range p[:n] {
			v = v<<8 | uint64(c)
		}
		p = p[n:]
		return v, true
	}
	idLen := 2
	if version >= 2 {
		idLen = 4
	}
	count, ok := read(idLen)
	for i := uint64(0); ok && i < min(count, 1<<16); i++ {
		var id, method, dataRef, base, extents uint64
		if id, ok = read(idLen); !ok {
			break
		}
		if version >= 1 {
			if method, ok = read2(&p); !ok {
				break
			}
			method &= 0xF
		}
		if dataRef, ok = read2(&p); !ok {
			break
		}
		if base, ok = read(baseSize); !ok {
			break
		}
		if extents, ok = read2(&p); !ok {
			break
		}
		for j := uint64(0); j < extents; j++ {
			var off, length uint64
			if _, ok = read(idxSize); !ok {
				break
			}
			if off, ok = read(offSize); !ok {
				break
			}
			if length, ok = read(lenSize); !ok {
				break
			}
			if method != 0 || dataRef != 0 {
				continue // data in another item or file: not ours to check
			}
			start, carry := bits.Add64(base, off, 0)
			end, carry2 := bits.Add64(start, length, 0)
			if carry != 0 || carry2 != 0 || end > uint64(size) {
				return nil, errHEIFTruncated
			}
			if j == 0 {
				out[uint32(id)] = extent{offset: start, length: length}
			}
		}
	}
	return out, nil
}

// read2 consumes a 16-bit big-endian value from *p.
func read2(p *[]byte) (uint64, bool) {
	if len(*p) < 2 {
		return 0, false
	}
	v := uint64(binary.BigEndian.Uint16(*p))
	*p = (*p)[2:]
	return v, true
}
