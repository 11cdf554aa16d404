package media

import (
	"encoding/binary"
	"testing"
	"time"
)

// tiffEntry is one IFD entry for buildTIFF; ASCII values longer than four
// bytes are placed after the directories.
type tiffEntry struct {
	tag, typ uint16
	value    uint32 // SHORT or LONG
	ascii    string
}

// buildTIFF lays out IFD0 at offset 8 and, if sub is not nil, the Exif IFD
// after it, pointed at by tag 0x8769.
func buildTIFF(order binary.AppendByteOrder, ifd0, sub []tiffEntry) []byte {
	b := []byte("II*\x00")
	if order == binary.BigEndian {
		b = []byte("MM\x00*")
	}
	b = order.AppendUint32(b, 8)
	ifdSize := func(n int) int { return 2 + 12*n + 4 }
	n0 := len(ifd0)
	if sub != nil {
		n0++
	}
	subOff := 8 + ifdSize(n0)
	dataOff := subOff
	if sub != nil {
		dataOff += ifdSize(len(sub))
	}
	var data []byte
	write := func(entries []tiffEntry, extra *tiffEntry) {
		all := entries
		if extra != nil {
			all = append(append([]tiffEntry(nil), entries...), *extra)
		}
		b = order.AppendUint16(b, uint16(len(all)))
		for _, e := range all {
			b = order.AppendUint16(b, e.tag)
			b = order.AppendUint16(b, e.typ)
			switch e.typ {
			case 2:
				s := e.ascii + "\x00"
				b = order.AppendUint32(b, uint32(len(s)))
				if len(s) <= 4 {
					b = append(b, (s + "\x00\x00\x00")[:4]...)
				} else {
					b = order.AppendUint32(b, uint32(dataOff+len(data)))
					data = append(data, s...)
				}
			case 3:
				b = order.AppendUint32(b, 1)
				b = order.AppendUint16(b, uint16(e.value))
				b = append(b, 0, 0)
			default:
				b = order.AppendUint32(b, 1)
				b = order.AppendUint32(b, e.value)
			}
		}
		b = order.AppendUint32(b, 0)
	}
	if sub != nil {
		write(ifd0, &tiffEntry{tag: tagExifIFD, typ: 4, value: uint32(subOff)})
		write(sub, nil)
	} else {
		write(ifd0, nil)
	}
	return append(b, data...)
}

func TestParseExif(t *testing.T) {
	orientation := func(v uint32) tiffEntry { return tiffEntry{tag: tagOrientation, typ: 3, value: v} }
	date := func(s string) tiffEntry { return tiffEntry{tag: tagDateTimeOriginal, typ: 2, ascii: s} }
	tests := []struct {
		name   string
		b      []byte
		orient int
		taken  time.Time
		local  bool
	}{
		{"empty", nil, 1, time.Time{}, false},
		{"garbage", []byte("not a tiff at all"), 1, time.Time{}, false},
		{"orientation le", buildTIFF(binary.LittleEndian, []tiffEntry{orientation(6)}, nil), 6, time.Time{}, false},
		{"orientation be", buildTIFF(binary.BigEndian, []tiffEntry{orientation(8)}, nil), 8, time.Time{}, false},
		{"orientation out of range", buildTIFF(binary.BigEndian, []tiffEntry{orientation(9)}, nil), 1, time.Time{}, false},
		{"with Exif prefix", append([]byte("Exif\x00\x00"), buildTIFF(binary.BigEndian, []tiffEntry{orientation(3)}, nil)...), 3, time.Time{}, false},
		{
			"date without offset is the camera's wall clock",
			buildTIFF(binary.LittleEndian, nil, []tiffEntry{date("2024:03:01 09:30:00")}),
			1, time.Date(2024, 3, 1, 9, 30, 0, 0, time.UTC), true,
		},
		{
			"date with offset",
			buildTIFF(binary.BigEndian, []tiffEntry{orientation(6)}, []tiffEntry{
				date("2024:03:01 09:30:00"),
				{tag: tagOffsetOriginal, typ: 2, ascii: "+09:00"},
			}),
			6, time.Date(2024, 3, 1, 0, 30, 0, 0, time.UTC), false,
		},
		{
			"digitized when original is missing",
			buildTIFF(binary.BigEndian, nil, []tiffEntry{{tag: tagDateTimeDigitized, typ: 2, ascii: "2020:01:02 03:04:05"}}),
			1, time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC), true,
		},
		{"zero date", buildTIFF(binary.BigEndian, nil, []tiffEntry{date("0000:00:00 00:00:00")}), 1, time.Time{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := parseExif(tt.b)
			if got.orientation != tt.orient || !got.takenAt.Equal(tt.taken) || got.takenLocal != tt.local {
				t.Errorf("parseExif = %d, %v (local %t); want %d, %v (local %t)", got.orientation, got.takenAt, got.takenLocal, tt.orient, tt.taken, tt.local)
			}
		})
	}
}

// TestParseExifHostile checks offsets past the end and an Exif IFD pointing
// back at IFD0 (the cycle goexif loops on) are read safely.
func TestParseExifHostile(t *testing.T) {
	b := buildTIFF(binary.LittleEndian, []tiffEntry{{tag: tagExifIFD, typ: 4, value: 8}}, nil)
	if got := parseExif(b); got.orientation != 1 {
		t.Errorf("cyclic: orientation %d", got.orientation)
	}
	for cut := range len(b) {
		parseExif(b[:cut])
	}
	far := buildTIFF(binary.LittleEndian, []tiffEntry{{tag: tagExifIFD, typ: 4, value: 1 << 31}}, nil)
	parseExif(far)
	long := buildTIFF(binary.LittleEndian, nil, []tiffEntry{{tag: tagDateTimeOriginal, typ: 2, ascii: "2024:03:01 09:30:00"}})
	binary.LittleEndian.PutUint32(long[len(long)-20-4-12+4:], 1<<30) // absurd count
	parseExif(long)
}
