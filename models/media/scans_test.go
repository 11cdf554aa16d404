package media

import (
	"bytes"
	"context"
	"encoding/binary"
	"strings"
	"testing"
	"time"
)

// manyScanJPEG builds a grey progressive JPEG of w×h whose data is nothing
// but scans: each is one AC scan of the whole image coded as end-of-band
// runs of 32767 blocks, so it costs the decoder a pass over every block
// for about 15 bytes of file. It is the shape of a "scan bomb": small on
// the wire, minutes to decode.
func manyScanJPEG(w, h, scans int) []byte {
	seg := func(b []byte, marker byte, body []byte) []byte {
		b = append(b, 0xFF, marker)
		b = binary.BigEndian.AppendUint16(b, uint16(len(body)+2))
		return append(b, body...)
	}
	b := []byte{0xFF, 0xD8}
	q := make([]byte, 65)
	for i := 1; i < len(q); i++ {
		q[i] = 1
	}
	b = seg(b, 0xDB, q)
	sof := []byte{8}
	sof = binary.BigEndian.AppendUint16(sof, uint16(h))
	sof = binary.BigEndian.AppendUint16(sof, uint16(w))
	b = seg(b, 0xC2, append(sof, 1, 1, 0x11, 0)) // SOF2: progressive, one component
	// AC table 0: "0" is EOB14 (a run of 2^14 + 14 more bits), "1" is EOB.
	ac := append([]byte{0x10, 2}, make([]byte, 15)...)
	b = seg(b, 0xC4, append(ac, 0xE0, 0x00))

	blocks := ((w + 7) / 8) * ((h + 7) / 8)
	var data bitWriter
	for left := blocks; left > 0; {
		run := min(left, 1<<15-1)
		if run < 1<<14 {
			data.write(1, 1) // EOB: one block; rare, only for the last few
			run = 1
		} else {
			data.write(0, 1)
			data.write(uint32(run-1<<14), 14)
		}
		left -= run
	}
	entropy := data.flush()
	for range scans {
		b = seg(b, 0xDA, []byte{1, 1, 0x00, 1, 63, 0x00})
		b = append(b, entropy...)
	}
	return append(b, 0xFF, 0xD9)
}

// TestScanBombRefusedBeforeDecoding: 1000 scans of a 12 MP image (26 KB,
// about 4 s of decoding here) are refused from the header, without waiting
// for a worker: the only one is taken for the whole test.
func TestScanBombRefusedBeforeDecoding(t *testing.T) {
	p := NewProcessor(1, Limits{})
	if _, err := p.slots.acquire(t.Context(), ""); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	_, err := p.Process(ctx, writeTemp(t, "bomb.jpg", manyScanJPEG(4000, 3000, 1000)))
	r, ok := IsRefusal(err)
	if !ok || r.Reason != ReasonUnsupported {
		t.Fatalf("err = %v, want refusal %q", err, ReasonUnsupported)
	}
	if !strings.Contains(r.Message, "more than 100 passes") {
		t.Errorf("message %q does not say why", r.Message)
	}
}

// TestJPEGScanLimitAcceptsItsLimit: exactly maxJPEGScans scans decode (to
// a flat grey, every coefficient being zero).
func TestJPEGScanLimitAcceptsItsLimit(t *testing.T) {
	res, err := NewProcessor(1, Limits{}).Process(t.Context(), writeTemp(t, "scans.jpg", manyScanJPEG(640, 480, maxJPEGScans)))
	if err != nil {
		t.Fatalf("%d scans refused: %v", maxJPEGScans, err)
	}
	if res.Width != 640 || res.Height != 480 {
		t.Errorf("size %dx%d, want 640x480", res.Width, res.Height)
	}
	if c := rgbAt(decodeRendition(t, res, Phone), 10, 10); !near(c, [3]int{128, 128, 128}, 2) {
		t.Errorf("colour %v, want mid grey", c)
	}
}

// TestScanJPEGCountsScans counts real files' scans and is not fooled by
// what sits inside segments: an EXIF thumbnail (a whole JPEG, scans and
// all) and bytes that look like markers.
func TestScanJPEGCountsScans(t *testing.T) {
	thumb := flatJPEG(16, 16)
	app1 := append([]byte{0xFF, 0xE1, 0, 0}, "Exif\x00\x00"...)
	app1 = append(app1, thumb...)
	app1 = append(app1, 0xFF, 0xDA, 0xFF, 0xDA) // marker look-alikes inside the segment
	binary.BigEndian.PutUint16(app1[2:], uint16(len(app1)-2))
	withThumb := append(append([]byte{0xFF, 0xD8}, app1...), flatJPEG(64, 64)[2:]...)

	tests := []struct {
		name string
		b    []byte
		want int
	}{
		{"progressive.jpg", readSample(t, "progressive.jpg"), 10},
		{"phone-12mp.jpg", readSample(t, "phone-12mp.jpg"), 1},
		{"grayscale.jpg", readSample(t, "grayscale.jpg"), 1},
		{"EXIF thumbnail", withThumb, 1},
		{"37 scans", manyScanJPEG(64, 64, 37), 37},
		{"cut in the last scan", cut(manyScanJPEG(64, 64, 5), 6), 5},
	}
	for _, tt := range tests {
		_, _, got, err := scanJPEG(bytes.NewReader(tt.b), maxJPEGScans)
		if err != nil || got != tt.want {
			t.Errorf("%s: %d scans, %v; want %d", tt.name, got, err, tt.want)
		}
	}
	if exif, _, _, _ := scanJPEG(bytes.NewReader(withThumb), maxJPEGScans); !bytes.HasPrefix(exif, []byte("Exif\x00")) {
		t.Errorf("the EXIF block was not kept: % x", exif[:min(len(exif), 8)])
	}
	if _, _, got, _ := scanJPEG(bytes.NewReader(manyScanJPEG(64, 64, 500)), 10); got != 11 {
		t.Errorf("counting past the limit: %d, want to stop at 11", got)
	}
	// Cut before its first scan, the header is incomplete: an error.
	if _, _, got, err := scanJPEG(bytes.NewReader([]byte{0xFF, 0xD8}), maxJPEGScans); err == nil || got != 0 {
		t.Errorf("only SOI: %d scans, %v; want 0 and an error", got, err)
	}
}

// TestProcessDeadline: a photo whose decode outlasts MaxProcessTime is
// refused at the deadline as too slow, while the decode, which Go cannot
// interrupt, keeps its worker slot until it ends and then gives it back.
func TestProcessDeadline(t *testing.T) {
	// 100 scans of 12 MP: allowed, and about half a second of decoding.
	path := writeTemp(t, "slow.jpg", manyScanJPEG(4000, 3000, maxJPEGScans))
	p := NewProcessor(1, Limits{MaxProcessTime: time.Millisecond})
	_, err := p.Process(t.Context(), path)
	r, ok := IsRefusal(err)
	if !ok || r.Reason != ReasonTooSlow {
		t.Fatalf("err = %v, want refusal %q", err, ReasonTooSlow)
	}
	if r.Message != msgTooSlow {
		t.Errorf("message %q", r.Message)
	}
	if n := p.slots.running(); n != 1 {
		t.Errorf("%d slots taken after the refusal, want 1: the abandoned decode must keep its slot", n)
	}
	wait, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	release, err := p.slots.acquire(wait, "")
	if err != nil {
		t.Fatal("the abandoned decode never gave its slot back")
	}
	release()

	// The same file within a generous deadline is processed.
	if _, err := NewProcessor(1, Limits{MaxProcessTime: 10 * time.Minute}).Process(t.Context(), path); err != nil {
		t.Fatalf("with time to finish: %v", err)
	}
}

// cut drops the last n bytes of b.
func cut(b []byte, n int) []byte { return b[:len(b)-n] }
