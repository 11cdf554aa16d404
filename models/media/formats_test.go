package media

import (
	"bytes"
	"context"
	"encoding/binary"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"math/bits"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// Formats the sample folder has no file for, generated here: a palette PNG
// with a transparent entry, an animated GIF, a YCCK JPEG, a HEIC over the
// pixel cap and a HEIC grid image.

// checkSamples checks colours in rendition s of res.
func checkSamples(t *testing.T, res *Result, s Size, tol int, want map[image.Point][3]int) {
	t.Helper()
	img := decodeRendition(t, res, s)
	for p, w := range want {
		if got := rgbAt(img, p.X, p.Y); !near(got, w, tol) {
			t.Errorf("%s pixel %v = rgb%v, want rgb%v ±%d", s, p, got, w, tol)
		}
	}
}

// TestProcessPalettePNG: a 64x32 palette PNG (PLTE + tRNS), red on the
// left, blue top right, a fully transparent entry bottom right that must
// come out white.
func TestProcessPalettePNG(t *testing.T) {
	pal := color.Palette{
		color.NRGBA{239, 68, 68, 255},
		color.NRGBA{59, 130, 246, 255},
		color.NRGBA{0, 0, 0, 0},
	}
	img := image.NewPaletted(image.Rect(0, 0, 64, 32), pal)
	for y := range 32 {
		for x := range 64 {
			switch {
			case x < 32:
				img.SetColorIndex(x, y, 0)
			case y < 16:
				img.SetColorIndex(x, y, 1)
			default:
				img.SetColorIndex(x, y, 2)
			}
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	if cfg, err := png.DecodeConfig(bytes.NewReader(buf.Bytes())); err != nil || !isPalette(cfg.ColorModel) {
		t.Fatalf("the generated PNG is not a palette PNG: %T, %v", cfg.ColorModel, err)
	}
	res, err := testProc.Process(context.Background(), writeTemp(t, "palette.png", buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if res.Format != "png" {
		t.Errorf("format %q, want png", res.Format)
	}
	checkSizes(t, res, map[Size][2]int{Full: {64, 32}, Phone: {64, 32}, Thumb: {32, 32}})
	checkSamples(t, res, Full, 30, map[image.Point][3]int{
		{8, 8}: cardRed, {8, 24}: cardRed, {48, 8}: cardBlue, {48, 24}: {255, 255, 255},
	})
}

func isPalette(m color.Model) bool {
	_, ok := m.(color.Palette)
	return ok
}

// TestProcessAnimatedGIFUsesFirstFrame: a two-frame GIF, red then blue;
// the renditions show the first frame.
func TestProcessAnimatedGIFUsesFirstFrame(t *testing.T) {
	frame := func(c color.Color) *image.Paletted {
		f := image.NewPaletted(image.Rect(0, 0, 48, 32), color.Palette{c})
		return f // every index is 0: one colour
	}
	anim := &gif.GIF{
		Image:     []*image.Paletted{frame(color.RGBA{239, 68, 68, 255}), frame(color.RGBA{59, 130, 246, 255})},
		Delay:     []int{50, 50},
		LoopCount: 0,
	}
	var buf bytes.Buffer
	if err := gif.EncodeAll(&buf, anim); err != nil {
		t.Fatal(err)
	}
	if g, err := gif.DecodeAll(bytes.NewReader(buf.Bytes())); err != nil || len(g.Image) != 2 {
		t.Fatalf("the generated GIF is not animated: %v", err)
	}
	res, err := testProc.Process(context.Background(), writeTemp(t, "anim.gif", buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if res.Format != "gif" || res.Width != 48 || res.Height != 32 {
		t.Errorf("got %s %dx%d, want gif 48x32", res.Format, res.Width, res.Height)
	}
	checkSizes(t, res, map[Size][2]int{Full: {48, 32}, Phone: {48, 32}, Thumb: {32, 32}})
	for _, s := range Sizes {
		checkSamples(t, res, s, 30, map[image.Point][3]int{{4, 4}: cardRed, {20, 20}: cardRed})
	}
}

// ycckJPEG builds a baseline JPEG in Adobe's YCCK colour space (four
// components, APP14 transform 2), as Photoshop writes CMYK, by hand: the Go
// encoder cannot write one. ink gives each 8x8 block's C, M, Y, K ink
// (0 none, 255 full) from its top-left pixel. Blocks are flat: a DC
// coefficient and an end-of-block each, the quantisation table all ones.
//
// YCCK stores the C, M, Y inks as if they were R, G, B, converted to YCbCr,
// and K inverted (Adobe's 255 is no ink); libjpeg and image/jpeg read it
// back so that an ink of c on a channel shows as 255-c (before black).
func ycckJPEG(w, h int, ink func(x, y int) [4]uint8) []byte {
	seg := func(b []byte, marker byte, body []byte) []byte {
		b = append(b, 0xFF, marker)
		b = binary.BigEndian.AppendUint16(b, uint16(len(body)+2))
		return append(b, body...)
	}
	b := []byte{0xFF, 0xD8}
	b = seg(b, 0xEE, []byte("Adobe\x00\x65\x00\x00\x00\x00\x02")) // APP14, transform 2: YCCK
	b = seg(b, 0xDB, append([]byte{0}, bytes.Repeat([]byte{1}, 64)...))
	sof := []byte{8}
	sof = binary.BigEndian.AppendUint16(sof, uint16(h))
	sof = binary.BigEndian.AppendUint16(sof, uint16(w))
	sof = append(sof, 4)
	for id := byte(1); id <= 4; id++ {
		sof = append(sof, id, 0x11, 0)
	}
	b = seg(b, 0xC0, sof)
	// DC: categories 0-11, each a 4-bit code equal to the category.
	dc := append([]byte{0x00, 0, 0, 0, 12}, make([]byte, 12)...)
	b = seg(b, 0xC4, append(dc, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11))
	b = seg(b, 0xC4, append(append([]byte{0x10, 1}, make([]byte, 15)...), 0x00)) // AC: "0" is end of block
	b = seg(b, 0xDA, []byte{4, 1, 0x00, 2, 0x00, 3, 0x00, 4, 0x00, 0, 63, 0})

	var bw bitWriter
	var pred [4]int
	for by := 0; by < (h+7)/8; by++ {
		for bx := 0; bx < (w+7)/8; bx++ {
			in := ink(bx*8, by*8)
			y, cb, cr := color.RGBToYCbCr(in[0], in[1], in[2])
			for i, v := range [4]uint8{y, cb, cr, 255 - in[3]} {
				coef := (int(v) - 128) * 8 // the DC of a flat block of v, level-shifted
				diff := coef - pred[i]
				pred[i] = coef
				mag := diff
				if mag < 0 {
					mag = -mag
				}
				cat := bits.Len(uint(mag))
				bw.write(uint32(cat), 4)
				if diff < 0 {
					diff += 1<<cat - 1
				}
				bw.write(uint32(diff), cat)
				bw.write(0, 1) // end of block
			}
		}
	}
	b = append(b, bw.flush()...)
	return append(b, 0xFF, 0xD9)
}

// bitWriter packs Huffman-coded bits MSB first, stuffing a zero byte after
// every 0xFF as JPEG requires.
type bitWriter struct {
	out  []byte
	acc  uint32
	nacc int
}

func (w *bitWriter) write(v uint32, n int) {
	for i := n - 1; i >= 0; i-- {
		w.acc = w.acc<<1 | (v>>i)&1
		if w.nacc++; w.nacc == 8 {
			w.emit()
		}
	}
}

func (w *bitWriter) emit() {
	c := byte(w.acc)
	w.out = append(w.out, c)
	if c == 0xFF {
		w.out = append(w.out, 0)
	}
	w.acc, w.nacc = 0, 0
}

// flush pads the last byte with ones.
func (w *bitWriter) flush() []byte {
	for w.nacc != 0 {
		w.write(1, 1)
	}
	return w.out
}

// TestProcessYCCK: a 64x32 YCCK JPEG, red (inks 16,187,187) on the left,
// blue top right, and bottom right a grey made of black ink only, which
// shows whether K is read inverted as Adobe writes it.
func TestProcessYCCK(t *testing.T) {
	inkOf := func(c [3]int) [4]uint8 { return [4]uint8{uint8(255 - c[0]), uint8(255 - c[1]), uint8(255 - c[2]), 0} }
	b := ycckJPEG(64, 32, func(x, y int) [4]uint8 {
		switch {
		case x < 32:
			return inkOf(cardRed)
		case y < 16:
			return inkOf(cardBlue)
		}
		return [4]uint8{0, 0, 0, 192}
	})
	if img, err := jpeg.Decode(bytes.NewReader(b)); err != nil {
		t.Fatalf("image/jpeg cannot read the generated YCCK: %v", err)
	} else if _, ok := img.(*image.CMYK); !ok {
		t.Fatalf("the generated JPEG decodes as %T, want *image.CMYK", img)
	}
	res, err := testProc.Process(context.Background(), writeTemp(t, "ycck.jpg", b))
	if err != nil {
		t.Fatal(err)
	}
	if res.Format != "jpeg" || res.Width != 64 || res.Height != 32 {
		t.Errorf("got %s %dx%d, want jpeg 64x32", res.Format, res.Width, res.Height)
	}
	checkSizes(t, res, map[Size][2]int{Full: {64, 32}, Phone: {64, 32}, Thumb: {32, 32}})
	// 75 % black ink: 255·(1-192/255) = 63. Read as if K were stored as
	// ink, not inverted, it would come out 192.
	grey := [3]int{63, 63, 63}
	checkSamples(t, res, Full, 12, map[image.Point][3]int{
		{8, 8}: cardRed, {8, 24}: cardRed, {48, 8}: cardBlue, {48, 24}: grey,
	})
}

// TestHEICOverPixelCapRefusedBeforeDecode: a HEIC whose ispe says more
// pixels than the cap is refused from its meta box, without starting the
// WebAssembly decoder: decoding even warmup.heic's 480x320 allocates about
// 6 MiB (50 MiB the first time, compiling the decoder), against the 1 MiB
// allowed here.
func TestHEICOverPixelCapRefusedBeforeDecode(t *testing.T) {
	tests := []struct {
		name, path string
		limit      int64
		size       string
	}{
		{"warmup.heic", "warmup.heic", 100_000, "480×320"},
		{"iphone.heic", filepath.Join(photosDir(t), "iphone.heic"), 3_000_000, "1512×2016"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := NewProcessor(1, Limits{MaxPixels: tt.limit})
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			_, err := p.Process(context.Background(), tt.path)
			runtime.ReadMemStats(&after)
			r, ok := IsRefusal(err)
			if !ok || r.Reason != ReasonTooManyPix {
				t.Fatalf("err = %v, want refusal %q", err, ReasonTooManyPix)
			}
			if !strings.Contains(r.Message, tt.size) {
				t.Errorf("message %q does not name the size %s", r.Message, tt.size)
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 1<<20 {
				t.Errorf("refusing allocated %d bytes, want under 1 MiB: the decoder ran", alloc)
			}
		})
	}
}

// gridHEIC rebuilds warmup.heic (one 480x320 HEVC image) as a HEIF grid
// image, the way iPhones store photos: a primary "grid" item of 2x1 tiles
// with its own ispe (960x320), whose tiles are the original HEVC item and a
// second item pointing at the same coded data.
func gridHEIC(t *testing.T) []byte {
	t.Helper()
	src, err := os.ReadFile("warmup.heic")
	if err != nil {
		t.Fatal(err)
	}
	var ftypBox, meta, mdat []byte
	var mdatStart uint64 // where the original mdat's payload starts
	off := 0
	for _, b := range boxes(src) {
		switch b.typ {
		case "ftyp":
			ftypBox = isoBox("ftyp", b.body)
		case "meta":
			meta = b.body
		case "mdat":
			mdat, mdatStart = b.body, uint64(off+8)
		}
		off += 8 + len(b.body)
	}
	if ftypBox == nil || meta == nil || mdat == nil || off != len(src) {
		t.Fatal("warmup.heic changed: want ftyp, meta and mdat boxes with 32-bit sizes")
	}
	var hdlr, ipco, iref []box
	var locs map[uint32]extent
	for _, b := range boxes(meta[4:]) {
		switch b.typ {
		case "hdlr":
			hdlr = append(hdlr, b)
		case "iloc":
			if locs, err = parseILOC(b.body, int64(len(src))); err != nil {
				t.Fatal(err)
			}
		case "iprp":
			for _, c := range boxes(b.body) {
				if c.typ == "ipco" {
					ipco = boxes(c.body)
				}
			}
		case "iref":
			iref = boxes(b.body[4:])
		}
	}
	if len(hdlr) != 1 || len(ipco) != 3 || ipco[0].typ != "hvcC" || ipco[1].typ != "ispe" || ipco[2].typ != "pixi" {
		t.Fatalf("warmup.heic changed: properties %v", ipco)
	}
	tile, exif := locs[1], locs[2]
	u16 := func(v int) []byte { return binary.BigEndian.AppendUint16(nil, uint16(v)) }
	u32 := func(v uint64) []byte { return binary.BigEndian.AppendUint32(nil, uint32(v)) }
	grid := []byte{0, 0, 0, 1} // version, flags (16-bit sizes), rows-1, columns-1
	grid = append(append(grid, u16(960)...), u16(320)...)
	gridAt := uint64(len(mdat)) // appended to the coded data

	build := func(shift uint64) []byte {
		loc := func(id int, e extent) []byte {
			b := append(u16(id), 0, 0) // item, data reference 0
			b = append(b, u16(1)...)   // one extent
			return append(append(b, u32(e.offset+shift)...), u32(e.length)...)
		}
		iloc := append([]byte{0, 0, 0, 0, 0x44, 0x00}, u16(4)...) // v0, 4-byte offsets and lengths, no base
		iloc = append(iloc, loc(1, tile)...)
		iloc = append(iloc, loc(2, exif)...)
		iloc = append(iloc, loc(3, extent{offset: gridAt + mdatStart, length: uint64(len(grid))})...)
		iloc = append(iloc, loc(4, tile)...)
		infe := func(id int, typ string, hidden bool) []byte {
			flags := byte(0)
			if hidden {
				flags = 1
			}
			return isoBox("infe", []byte{2, 0, 0, flags}, u16(id), u16(0), []byte(typ+"\x00"))
		}
		iinf := isoBox("iinf", []byte{0, 0, 0, 0}, u16(4),
			infe(1, "hvc1", true), infe(2, "Exif", true), infe(3, "grid", false), infe(4, "hvc1", true))
		props := [][]byte{}
		for _, p := range ipco {
			props = append(props, isoBox(p.typ, p.body))
		}
		props = append(props, isoBox("ispe", []byte{0, 0, 0, 0}, u32(960), u32(320)))
		// tiles: hvcC (essential), ispe, pixi (essential); the grid: its ispe
		ipma := []byte{0, 0, 0, 0, 0, 0, 0, 3}
		ipma = append(ipma, append(u16(1), 3, 0x81, 0x02, 0x83)...)
		ipma = append(ipma, append(u16(3), 1, 0x04)...)
		ipma = append(ipma, append(u16(4), 3, 0x81, 0x02, 0x83)...)
		refs := [][]byte{{0, 0, 0, 0}}
		for _, r := range iref {
			refs = append(refs, isoBox(r.typ, r.body))
		}
		refs = append(refs, isoBox("dimg", u16(3), u16(2), u16(1), u16(4)))
		return isoBox("meta", []byte{0, 0, 0, 0},
			isoBox("hdlr", hdlr[0].body),
			isoBox("pitm", []byte{0, 0, 0, 0}, u16(3)),
			isoBox("iloc", iloc),
			iinf,
			isoBox("iprp", isoBox("ipco", props...), isoBox("ipma", ipma)),
			isoBox("iref", refs...))
	}
	// Offsets move by however much the meta box grew; its size does not
	// depend on them.
	newStart := uint64(len(ftypBox)+len(build(0))) + 8
	out := append(append([]byte{}, ftypBox...), build(newStart-mdatStart)...)
	return append(out, isoBox("mdat", mdat, grid)...)
}

// TestProcessHEICGrid decodes a 2x1 grid of the test card: 960x320 with
// two red squares, and the pixel cap counts the grid's 960x320, not a
// tile's 480x320.
func TestProcessHEICGrid(t *testing.T) {
	b := gridHEIC(t)
	path := writeTemp(t, "grid.heic", b)
	res, err := testProc.Process(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	if res.Format != "heic" || res.Width != 960 || res.Height != 320 {
		t.Errorf("got %s %dx%d, want heic 960x320", res.Format, res.Width, res.Height)
	}
	checkSizes(t, res, map[Size][2]int{Full: {960, 320}, Phone: {960, 320}, Thumb: {320, 320}})
	checkSamples(t, res, Full, 30, map[image.Point][3]int{
		{20, 20}: cardRed, {500, 20}: cardRed, {400, 60}: cardBlue, {880, 60}: cardBlue,
		{240, 260}: cardGreen, {720, 260}: cardGreen,
	})

	_, err = NewProcessor(1, Limits{MaxPixels: 200_000}).Process(context.Background(), path)
	if r, ok := IsRefusal(err); !ok || r.Reason != ReasonTooManyPix || !strings.Contains(r.Message, "960×320") {
		t.Errorf("a 960x320 grid under a 200,000-pixel cap: %v, want refused as 960×320", err)
	}
}
