package media

import (
	"bytes"
	"context"
	_ "embed"
	"errors"
	"fmt"
	"image"
	"io"
	"math/bits"
	"os"
	"time"

	"github.com/gen2brain/heic"
)

// Processor turns uploaded files into renditions, with bounded concurrency:
// at most `workers` photos are decoded and rendered at once, and at most one
// of them is a HEIC. imaging already spreads each resize across every core
// (as gotosocial's internal/media discusses), so more concurrent photos buy
// no speed, only memory; a burst of uploads queues here instead, fairly
// between the owners the callers name (see ProcessFor).
type Processor struct {
	limits Limits
	slots  *fairQueue // one slot per photo being decoded or rendered
	// heicSlot serialises HEIC decodes: libheif runs in WebAssembly
	// memory of ~50 bytes per pixel, against ~6 for a JPEG. For the 3 MP
	// iphone.heic that is a 166 MB peak of Go heap (the WebAssembly memory
	// lives there); `retreat photo iphone.heic` peaks at 212 MiB RSS.
	heicSlot chan struct{}
}

// NewProcessor returns a Processor that decodes at most workers photos at
// once (at least one) and refuses files over limits; zero fields of limits
// take their DefaultLimits values.
func NewProcessor(workers int, limits Limits) *Processor {
	return &Processor{
		limits:   limits.withDefaults(),
		slots:    newFairQueue(workers),
		heicSlot: make(chan struct{}, 1),
	}
}

// Limits returns the limits p enforces.
func (p *Processor) Limits() Limits { return p.limits }

// Process is ProcessFor with no owner: such photos share one line.
func (p *Processor) Process(ctx context.Context, path string) (*Result, error) {
	return p.ProcessFor(ctx, "", path)
}

// ProcessFor reads the file at path (an upload already streamed to a temp
// file), and either refuses it (*Refusal) or returns its renditions. Any
// other error (the file could not be read, ctx was cancelled) is the
// server's problem, not the participant's.
//
// The file is sniffed and its header checked before Process waits for a
// worker slot, so refusals are immediate even under load. Decoding and
// rendering that take longer than Limits.MaxProcessTime (counted from the
// moment the photo gets its slot, not while it queues) are refused as
// "too-slow".
//
// owner is an opaque key naming whose photo this is (a participant): while
// photos wait for a worker, slots go round-robin between owners and in
// arrival order within one, so one owner's burst cannot starve another.
func (p *Processor) ProcessFor(ctx context.Context, owner, path string) (res *Result, err error) {
	defer func() {
		// A last resort for the header parsers (the decoders have theirs
		// in decodeAndRender's goroutine): they are meant never to panic,
		// but a panic on a crafted upload must not take the server down.
		if v := recover(); v != nil {
			res, err = nil, refuse(ReasonNotImage, msgNotImage, fmt.Errorf("%w while processing %s: %v", ErrPanicked, path, v))
		}
	}()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("process photo: %w", err)
	}
	defer func() {
		if f != nil {
			f.Close()
		}
	}()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("process photo: %w", err)
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("process photo %s: not a regular file", path)
	}
	size := st.Size()
	switch {
	case size == 0:
		return nil, refuse(ReasonEmpty, msgEmpty, nil)
	case size > p.limits.MaxBytes:
		return nil, tooLarge(size, p.limits.MaxBytes)
	}

	head := make([]byte, min(size, sniffLen))
	if _, err := f.ReadAt(head, 0); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("process photo: sniff: %w", err)
	}
	format, refusal := sniff(head)
	if refusal != nil {
		return nil, refusal
	}
	h, err := readHeader(f, size, format)
	if err != nil {
		return nil, err
	}
	if pixelsOver(h.width, h.height, p.limits.MaxPixels) {
		return nil, tooManyPixels(h.width, h.height, p.limits.MaxPixels)
	}

	release, err := p.acquire(ctx, owner, format == "heic")
	if err != nil {
		return nil, err
	}
	// The decode runs in its own goroutine so that a file which takes too
	// long can be refused at the deadline. Go cannot stop a decoder
	// midway, so the goroutine owns the file and the worker slot until it
	// ends by itself: an abandoned decode keeps counting against the
	// workers, and memory stays bounded however many time out.
	keep := f
	f = nil // closed by the goroutine, not by the deferred Close
	work, stop := context.WithCancel(ctx)
	done := make(chan outcome, 1)
	go func() {
		defer release()
		defer keep.Close()
		done <- p.decodeAndRender(work, keep, size, h)
	}()
	timer := time.NewTimer(p.limits.MaxProcessTime)
	defer timer.Stop()
	select {
	case o := <-done:
		stop()
		return o.res, o.err
	case <-timer.C:
		stop() // rendering stops at its next check; decoding runs out
		return nil, tooSlow(p.limits.MaxProcessTime)
	case <-ctx.Done():
		stop()
		return nil, ctx.Err()
	}
}

type outcome struct {
	res *Result
	err error
}

// decodeAndRender is the costly half of Process, for a file whose header
// passed: it decodes f and renders its renditions.
func (p *Processor) decodeAndRender(ctx context.Context, f *os.File, size int64, h header) (o outcome) {
	defer func() {
		// A last resort: the decoders are meant never to panic, but a
		// panic on a crafted upload must not take the server down.
		if v := recover(); v != nil {
			o = outcome{err: refuse(ReasonNotImage, msgNotImage, fmt.Errorf("%w while processing %s: %v", ErrPanicked, f.Name(), v))}
		}
	}()
	img, err := decode(f, size, h)
	if err != nil {
		return outcome{err: err}
	}
	if err := ctx.Err(); err != nil {
		return outcome{err: err}
	}
	b := img.Bounds()
	pl := pipeline{orientation: h.exif.orientation, colour: newColourTransform(h.icc), gray: isGray(img)}
	rends, err := pl.render(ctx, img)
	if err != nil {
		return outcome{err: fmt.Errorf("render %s: %w", h.format, err)}
	}
	w, hgt := upright(b.Dx(), b.Dy(), pl.orientation)
	return outcome{res: &Result{Format: h.format, Width: w, Height: hgt, TakenAt: h.exif.takenAt, TakenAtLocal: h.exif.takenLocal, Renditions: rends}}
}

// acquire waits for a worker slot for owner, and for the HEIC slot first
// if heif, so that a queued HEIC does not sit on a slot other photos could
// use.
func (p *Processor) acquire(ctx context.Context, owner string, heif bool) (release func(), err error) {
	if heif {
		if err := take(ctx, p.heicSlot); err != nil {
			return nil, err
		}
	}
	done, err := p.slots.acquire(ctx, owner)
	if err != nil {
		if heif {
			<-p.heicSlot
		}
		return nil, err
	}
	return func() {
		done()
		if heif {
			<-p.heicSlot
		}
	}, nil
}

// take puts a token into sem, or gives up when ctx is done.
func take(ctx context.Context, sem chan struct{}) error {
	if err := ctx.Err(); err != nil {
		return err // don't let select pick a free slot for a cancelled request
	}
	select {
	case sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("wait for a photo worker: %w", ctx.Err())
	}
}

// pixelsOver reports whether w×h exceeds limit, without overflowing.
func pixelsOver(w, h int, limit int64) bool {
	hi, lo := bits.Mul64(uint64(w), uint64(h))
	return hi != 0 || lo > uint64(limit)
}

func isGray(img image.Image) bool {
	switch img.(type) {
	case *image.Gray, *image.Gray16:
		return true
	}
	return false
}

//go:embed warmup.heic
var warmupHEIC []byte

// HEICDecoder names the HEIC decoder in use: "webassembly" (libheif built
// into the binary, the default and what the tests measure) or
// "system libheif" (gen2brain/heic loads a system libheif.so by itself when
// one is installed, in a binary linked dynamically; build with
// `-tags nodynamic`, or CGO_ENABLED=0, to keep to WebAssembly).
func HEICDecoder() string {
	if heic.Dynamic() == nil {
		return "system libheif"
	}
	return "webassembly"
}

// WarmUp readies the HEIC decoder by decoding a tiny embedded HEIC. The
// decoder is libheif compiled to WebAssembly, which is compiled to machine
// code on first use (0.4 s here, over 1 s on slower machines); call WarmUp
// in a goroutine at start so the first iPhone upload does not wait for it.
// It is safe to call at any time and any number of times.
func WarmUp() {
	defer func() { _ = recover() }() // heic panics if the runtime cannot start; uploads will then be refused
	_, _ = heic.Decode(bytes.NewReader(warmupHEIC))
}
