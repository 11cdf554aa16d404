package demo

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"math"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/disintegration/imaging"
	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// Pictures: each photo answer gets a picture of its own, drawn from its
// seed, so the reveal shows a thousand different slides rather than one
// stock photo. A scene per prompt (a desk, something blue, a coffee cup, a
// breakfast plate, an album cover) in colours of its own, with the
// answer's number and the sender's initials in large type, so any slide
// can be told apart and found again. Everything is placed in fractions of
// the picture's size: the same seed draws the same picture at 3000 or at
// 96 pixels (the fast mode's).

// scene is what a picture shows.
type scene int

const (
	sceneDesk scene = iota
	sceneBlue
	sceneCoffee
	sceneBreakfast
	sceneAlbum
)

// photoSpec is one planned photo.
type photoSpec struct {
	// width and height are the upright size, as the sender sees it.
	width, height int
	// sideways: stored as a phone stores a portrait photo, pixels turned
	// a quarter left and EXIF orientation 6 saying how to turn them back.
	sideways bool
	seed     uint64
	scene    scene
	label    string // "#412"
	initials string // "ZØ"
	quality  int
	// takenAt is the camera's wall clock (EXIF has no zone), a little
	// before the photo is sent.
	takenAt time.Time
}

// planPhoto picks a size and orientation the way phones and cameras vary:
// portrait and landscape about as often, some square, long edges from 640
// (a resized messenger photo) to 3000 pixels.
func planPhoto(rng *rand.Rand, sc scene) photoSpec {
	var long int
	switch r := rng.Float64(); {
	case r < 0.25:
		long = 640 + rng.IntN(640)
	case r < 0.6:
		long = 1280 + rng.IntN(768)
	default:
		long = 2048 + rng.IntN(953)
	}
	ratio := 0.75
	switch r := rng.Float64(); {
	case r < 0.2:
		ratio = 2.0 / 3
	case r < 0.4:
		ratio = 9.0 / 16
	}
	short := int(float64(long) * ratio)
	long, short = long&^1, short&^1
	p := photoSpec{seed: rng.Uint64(), scene: sc, quality: 82 + rng.IntN(11)}
	switch r := rng.Float64(); {
	case sc == sceneAlbum || r < 0.15:
		p.width, p.height = long, long
	case r < 0.55:
		p.width, p.height = short, long
		p.sideways = rng.IntN(2) == 0
	default:
		p.width, p.height = long, short
	}
	return p
}

// draw paints the picture upright at w×h.
func (p *photoSpec) draw(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	rng := rand.New(rand.NewPCG(p.seed, 0x9e3779b97f4a7c15))
	c := canvas{img: img, w: float64(w), h: float64(h)}
	switch p.scene {
	case sceneDesk:
		c.desk(rng)
	case sceneBlue:
		c.blue(rng)
	case sceneCoffee:
		c.coffee(rng)
	case sceneBreakfast:
		c.breakfast(rng)
	default:
		c.album(rng)
	}
	c.grain(rng, 10)
	c.label(p.label, p.initials)
	return img
}

// canvas draws in fractions of the picture's size.
type canvas struct {
	img  *image.RGBA
	w, h float64
}

func (c canvas) px(fx, fy float64) (int, int) { return int(fx * c.w), int(fy * c.h) }
func (c canvas) side() float64                { return math.Min(c.w, c.h) }

// gradient fills the band from fy0 to fy1 with a vertical gradient.
func (c canvas) gradient(fy0, fy1 float64, top, bottom color.RGBA) {
	_, y0 := c.px(0, fy0)
	_, y1 := c.px(0, fy1)
	b := c.img.Bounds()
	for y := max(y0, 0); y < min(y1, b.Dy()); y++ {
		t := float64(y-y0) / float64(max(y1-y0, 1))
		col := mix(top, bottom, t)
		row := c.img.Pix[y*c.img.Stride : y*c.img.Stride+4*b.Dx()]
		for x := 0; x < len(row); x += 4 {
			row[x], row[x+1], row[x+2], row[x+3] = col.R, col.G, col.B, 255
		}
	}
}

func (c canvas) rect(fx0, fy0, fx1, fy1 float64, col color.RGBA) {
	x0, y0 := c.px(fx0, fy0)
	x1, y1 := c.px(fx1, fy1)
	draw.Draw(c.img, image.Rect(x0, y0, x1, y1), image.NewUniform(col), image.Point{}, draw.Over)
}

// circle fills a disc centred at (fx, fy) with radius fr of the shorter
// side, blending col's alpha over what is there.
func (c canvas) circle(fx, fy, fr float64, col color.RGBA) {
	cx, cy := c.px(fx, fy)
	r := fr * c.side()
	b := c.img.Bounds()
	a := uint32(col.A)
	for y := max(int(float64(cy)-r), 0); y < min(int(float64(cy)+r)+1, b.Dy()); y++ {
		dy := float64(y - cy)
		if dy*dy > r*r {
			continue
		}
		dx := math.Sqrt(r*r - dy*dy)
		x0, x1 := max(int(float64(cx)-dx), 0), min(int(float64(cx)+dx), b.Dx())
		row := c.img.Pix[y*c.img.Stride:]
		for x := x0; x < x1; x++ {
			o := 4 * x
			row[o] = uint8((uint32(col.R)*a + uint32(row[o])*(255-a)) / 255)
			row[o+1] = uint8((uint32(col.G)*a + uint32(row[o+1])*(255-a)) / 255)
			row[o+2] = uint8((uint32(col.B)*a + uint32(row[o+2])*(255-a)) / 255)
		}
	}
}

// stripes paints diagonal stripes of the colours over the band.
func (c canvas) stripes(fy0, fy1, period float64, cols ...color.RGBA) {
	_, y0 := c.px(0, fy0)
	_, y1 := c.px(0, fy1)
	p := max(int(period*c.side()), 2)
	b := c.img.Bounds()
	for y := max(y0, 0); y < min(y1, b.Dy()); y++ {
		row := c.img.Pix[y*c.img.Stride:]
		for x := 0; x < b.Dx(); x++ {
			col := cols[((x+y)/p)%len(cols)]
			o := 4 * x
			row[o], row[o+1], row[o+2] = col.R, col.G, col.B
		}
	}
}

// grain adds a little noise, as a camera sensor does (and JPEG sizes and
// decode times with it).
func (c canvas) grain(rng *rand.Rand, amount int) {
	s := rng.Uint32() | 1
	pix := c.img.Pix
	for i := 0; i < len(pix); i += 4 {
		s ^= s << 13
		s ^= s >> 17
		s ^= s << 5
		n := int(s%uint32(2*amount+1)) - amount
		pix[i] = clamp(int(pix[i]) + n)
		pix[i+1] = clamp(int(pix[i+1]) + n)
		pix[i+2] = clamp(int(pix[i+2]) + n)
	}
}

func (c canvas) desk(rng *rand.Rand) {
	wall := pick(rng, color.RGBA{232, 226, 214, 255}, color.RGBA{200, 214, 222, 255}, color.RGBA{238, 220, 226, 255}, color.RGBA{70, 78, 92, 255})
	c.gradient(0, 0.62, lighten(wall, 0.15), wall)
	wood := pick(rng, color.RGBA{150, 105, 70, 255}, color.RGBA{196, 160, 118, 255}, color.RGBA{90, 90, 96, 255})
	c.gradient(0.62, 1, wood, darken(wood, 0.35))
	mx := 0.15 + rng.Float64()*0.3
	c.rect(mx, 0.18, mx+0.45, 0.55, color.RGBA{30, 32, 38, 255})
	screen := pick(rng, color.RGBA{40, 44, 60, 255}, color.RGBA{245, 245, 240, 255})
	c.rect(mx+0.02, 0.2, mx+0.43, 0.52, screen)
	for i := range 9 {
		y := 0.23 + float64(i)*0.03
		c.rect(mx+0.04+0.02*float64(rng.IntN(4)), y, mx+0.1+rng.Float64()*0.28, y+0.012, palette[rng.IntN(len(palette))])
	}
	c.rect(mx+0.2, 0.55, mx+0.25, 0.64, color.RGBA{30, 32, 38, 255})
	c.circle(0.82, 0.72, 0.07, color.RGBA{250, 250, 250, 255})
	c.circle(0.82, 0.72, 0.055, color.RGBA{90, 55, 30, 255})
	for range 5 {
		c.circle(0.08+rng.Float64()*0.1, 0.4+rng.Float64()*0.15, 0.05, color.RGBA{40, uint8(110 + rng.IntN(80)), 50, 230})
	}
}

func (c canvas) blue(rng *rand.Rand) {
	bg := pick(rng, color.RGBA{240, 236, 228, 255}, color.RGBA{60, 60, 64, 255}, color.RGBA{250, 214, 120, 255})
	c.gradient(0, 1, lighten(bg, 0.1), darken(bg, 0.1))
	for range 3 + rng.IntN(5) {
		col := color.RGBA{uint8(rng.IntN(60)), uint8(60 + rng.IntN(100)), uint8(150 + rng.IntN(106)), uint8(180 + rng.IntN(76))}
		if rng.IntN(2) == 0 {
			c.circle(rng.Float64(), rng.Float64(), 0.1+rng.Float64()*0.3, col)
		} else {
			x, y := rng.Float64()*0.8, rng.Float64()*0.8
			c.rect(x, y, x+0.1+rng.Float64()*0.4, y+0.1+rng.Float64()*0.4, col)
		}
	}
}

func (c canvas) coffee(rng *rand.Rand) {
	table := pick(rng, color.RGBA{120, 80, 50, 255}, color.RGBA{225, 225, 220, 255}, color.RGBA{60, 70, 60, 255}, color.RGBA{180, 140, 100, 255})
	c.gradient(0, 1, lighten(table, 0.2), darken(table, 0.2))
	x, y := 0.35+rng.Float64()*0.3, 0.4+rng.Float64()*0.2
	c.circle(x+0.02, y+0.03, 0.36, color.RGBA{0, 0, 0, 60})
	c.circle(x, y, 0.35, color.RGBA{245, 245, 242, 255})
	c.circle(x, y, 0.24, pick(rng, color.RGBA{250, 250, 250, 255}, color.RGBA{30, 90, 140, 255}, color.RGBA{200, 80, 60, 255}))
	c.circle(x, y, 0.2, color.RGBA{110, 65, 35, 255})
	c.circle(x, y, 0.12, color.RGBA{205, 160, 110, 255})
	c.circle(x, y-0.02, 0.05, color.RGBA{240, 225, 200, 255})
}

func (c canvas) breakfast(rng *rand.Rand) {
	cloth := pick(rng, color.RGBA{200, 60, 60, 255}, color.RGBA{60, 110, 180, 255}, color.RGBA{70, 140, 90, 255}, color.RGBA{230, 190, 70, 255})
	c.stripes(0, 1, 0.08, cloth, color.RGBA{245, 240, 230, 255})
	x, y := 0.4+rng.Float64()*0.2, 0.45+rng.Float64()*0.1
	c.circle(x, y, 0.4, color.RGBA{250, 250, 248, 255})
	c.circle(x, y, 0.33, color.RGBA{236, 236, 230, 255})
	for range 4 + rng.IntN(6) {
		a, d := rng.Float64()*2*math.Pi, rng.Float64()*0.2
		food := pick(rng, color.RGBA{240, 190, 60, 255}, color.RGBA{190, 120, 60, 255}, color.RGBA{90, 160, 70, 255},
			color.RGBA{220, 70, 50, 255}, color.RGBA{250, 240, 200, 255})
		c.circle(x+d*math.Cos(a)*c.side()/c.w, y+d*math.Sin(a)*c.side()/c.h, 0.04+rng.Float64()*0.08, food)
	}
}

func (c canvas) album(rng *rand.Rand) {
	bg := palette[rng.IntN(len(palette))]
	c.gradient(0, 1, bg, darken(bg, 0.5))
	switch rng.IntN(3) {
	case 0:
		c.stripes(0.55, 0.75, 0.03, palette[rng.IntN(len(palette))], darken(bg, 0.6))
	case 1:
		c.circle(0.5, 0.5, 0.3, palette[rng.IntN(len(palette))])
		c.circle(0.5, 0.5, 0.05, color.RGBA{10, 10, 10, 255})
	default:
		for i := range 4 {
			c.circle(0.2+0.2*float64(i), 0.62, 0.07, color.RGBA{20, 20, 20, 255})
			c.rect(0.17+0.2*float64(i), 0.62, 0.23+0.2*float64(i), 0.9, color.RGBA{20, 20, 20, 255})
		}
	}
}

// label prints the answer's number and the sender's initials on a
// translucent band across the top, large enough to read on a thumbnail.
func (c canvas) label(number, initials string) {
	size := c.side() * 0.16
	face, err := labelFace(size)
	if err != nil {
		return // a picture without its label is still a picture
	}
	defer face.Close()
	b := c.img.Bounds()
	band := image.Rect(0, 0, b.Dx(), int(size*1.5))
	draw.Draw(c.img, band, image.NewUniform(color.RGBA{0, 0, 0, 110}), image.Point{}, draw.Over)
	d := font.Drawer{Dst: c.img, Src: image.NewUniform(color.RGBA{255, 255, 255, 255}), Face: face}
	d.Dot = fixed.P(int(size*0.4), int(size*1.15))
	d.DrawString(number)
	text := initials
	d.Dot = fixed.P(b.Dx()-int(size*0.4)-d.MeasureString(text).Round(), int(size*1.15))
	d.Src = image.NewUniform(color.RGBA{255, 220, 90, 255})
	d.DrawString(text)
}

var (
	boldOnce sync.Once
	bold     *opentype.Font
	boldErr  error
)

// labelFace is Go Bold at size pixels (a face is not safe for concurrent
// use, so each picture makes its own from the font parsed once).
func labelFace(size float64) (font.Face, error) {
	boldOnce.Do(func() { bold, boldErr = opentype.Parse(gobold.TTF) })
	if boldErr != nil {
		return nil, boldErr
	}
	return opentype.NewFace(bold, &opentype.FaceOptions{Size: max(size, 6), DPI: 72, Hinting: font.HintingNone})
}

// palette is the set of strong colours pictures pick from.
var palette = []color.RGBA{
	{230, 57, 70, 255}, {241, 143, 1, 255}, {255, 209, 102, 255}, {6, 214, 160, 255},
	{17, 138, 178, 255}, {7, 59, 76, 255}, {131, 56, 236, 255}, {255, 0, 110, 255},
}

func pick(rng *rand.Rand, cols ...color.RGBA) color.RGBA { return cols[rng.IntN(len(cols))] }

func mix(a, b color.RGBA, t float64) color.RGBA {
	f := func(x, y uint8) uint8 { return uint8(float64(x) + (float64(y)-float64(x))*t) }
	return color.RGBA{f(a.R, b.R), f(a.G, b.G), f(a.B, b.B), 255}
}

func lighten(c color.RGBA, t float64) color.RGBA { return mix(c, color.RGBA{255, 255, 255, 255}, t) }
func darken(c color.RGBA, t float64) color.RGBA  { return mix(c, color.RGBA{0, 0, 0, 255}, t) }

func clamp(v int) uint8 { return uint8(min(max(v, 0), 255)) }

// encodePhone encodes the picture as a phone would: JPEG, with an EXIF
// block holding the capture time (wall clock, no zone, as most phones
// write it) and, for a sideways photo, orientation 6 over pixels turned a
// quarter left.
func (p *photoSpec) encodePhone(img *image.RGBA) ([]byte, error) {
	var src image.Image = img
	orientation := uint16(1)
	if p.sideways {
		src = imaging.Rotate90(img) // counter-clockwise; orientation 6 turns it back
		orientation = 6
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, src, &jpeg.Options{Quality: p.quality}); err != nil {
		return nil, err
	}
	enc := buf.Bytes()
	app1 := exifSegment(orientation, p.takenAt.Format("2006:01:02 15:04:05"))
	out := make([]byte, 0, len(enc)+len(app1))
	out = append(out, enc[:2]...) // SOI
	out = append(out, app1...)
	return append(out, enc[2:]...), nil
}

// exifSegment is a JPEG APP1 segment with a minimal big-endian EXIF
// block: IFD0 with Orientation and a pointer to the Exif IFD, which holds
// DateTimeOriginal.
func exifSegment(orientation uint16, taken string) []byte {
	be := binary.BigEndian
	tiff := []byte("MM\x00\x2a\x00\x00\x00\x08")
	entry := func(b []byte, tag, typ uint16, count, value uint32) []byte {
		b = be.AppendUint16(b, tag)
		b = be.AppendUint16(b, typ)
		b = be.AppendUint32(b, count)
		return be.AppendUint32(b, value)
	}
	const exifIFD = 8 + 2 + 2*12 + 4  // after the header and IFD0's two entries
	const data = exifIFD + 2 + 12 + 4 // after the Exif IFD's one entry
	tiff = be.AppendUint16(tiff, 2)
	tiff = entry(tiff, 0x0112, 3, 1, uint32(orientation)<<16) // SHORT, left-justified
	tiff = entry(tiff, 0x8769, 4, 1, exifIFD)
	tiff = be.AppendUint32(tiff, 0)
	tiff = be.AppendUint16(tiff, 1)
	tiff = entry(tiff, 0x9003, 2, 20, data)
	tiff = be.AppendUint32(tiff, 0)
	tiff = append(tiff, taken...)
	tiff = append(tiff, 0)
	seg := []byte{0xFF, 0xE1, 0, 0}
	seg = append(seg, "Exif\x00\x00"...)
	seg = append(seg, tiff...)
	be.PutUint16(seg[2:], uint16(len(seg)-2))
	return seg
}
