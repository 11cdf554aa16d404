package media

import (
	"context"
	"errors"
	"path/filepath"
	"runtime"
	"testing"
	"time"
)

// TestBombRefusedFromHeader checks bad/bomb-50k.png (50000×50000 claimed
// in a 300 KB file) is refused from its header: quickly, and without
// allocating anything like its 2.5 gigapixels.
func TestBombRefusedFromHeader(t *testing.T) {
	path := filepath.Join(photosDir(t), "bad", "bomb-50k.png")
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	_, err := testProc.Process(context.Background(), path)
	elapsed := time.Since(start)
	runtime.ReadMemStats(&after)
	if r, ok := IsRefusal(err); !ok || r.Reason != ReasonTooManyPix {
		t.Fatalf("err = %v, want refusal %q", err, ReasonTooManyPix)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 1<<20 {
		t.Errorf("refusing the bomb allocated %d bytes, want under 1 MiB", alloc)
	}
	if elapsed > time.Second {
		t.Errorf("refusing the bomb took %v", elapsed)
	}
}

func TestProcessorLimits(t *testing.T) {
	if got, want := NewProcessor(0, Limits{}).Limits(), DefaultLimits(); got != want {
		t.Errorf("zero limits = %+v, want defaults %+v", got, want)
	}
	l := Limits{MaxBytes: 5, MaxPixels: 7, MaxProcessTime: 3 * time.Second}
	if got := NewProcessor(1, l).Limits(); got != l {
		t.Errorf("Limits() = %+v, want %+v", got, l)
	}
	if got := DefaultLimits(); got.MaxBytes != 30<<20 || got.MaxPixels != 50_000_000 || got.MaxProcessTime != time.Minute {
		t.Errorf("DefaultLimits() = %+v", got)
	}
}

// TestProcessorQueueHonoursContext fills the only worker slot and checks
// that a photo waiting for it gives up with its context, while refusals,
// which need no slot, still come back at once.
func TestProcessorQueueHonoursContext(t *testing.T) {
	p := NewProcessor(1, DefaultLimits())
	release, err := p.acquire(context.Background(), "", false)
	if err != nil {
		t.Fatal(err)
	}
	defer release()

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err = p.Process(ctx, filepath.Join(photosDir(t), "orient-1.jpg"))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Process while the slot is taken: %v, want context.DeadlineExceeded", err)
	}
	if _, ok := IsRefusal(err); ok {
		t.Error("a cancelled wait was reported as a refusal")
	}

	_, err = p.Process(context.Background(), filepath.Join(photosDir(t), "bad", "script.svg"))
	if r, ok := IsRefusal(err); !ok || r.Reason != ReasonSVG {
		t.Errorf("refusal while busy: %v, want %q", err, ReasonSVG)
	}

	cancelled, cancel2 := context.WithCancel(context.Background())
	cancel2()
	if _, err := p.Process(cancelled, filepath.Join(photosDir(t), "orient-1.jpg")); !errors.Is(err, context.Canceled) {
		t.Errorf("Process with a cancelled context: %v, want context.Canceled", err)
	}
}

// TestProcessorHEICOneAtATime checks a second HEIC waits for the first even
// when worker slots are free.
func TestProcessorHEICOneAtATime(t *testing.T) {
	p := NewProcessor(4, DefaultLimits())
	release, err := p.acquire(context.Background(), "", true)
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := p.Process(ctx, "warmup.heic"); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("second HEIC: %v, want it to wait and time out", err)
	}
	if _, err := p.Process(context.Background(), filepath.Join(photosDir(t), "orient-1.jpg")); err != nil {
		t.Errorf("a JPEG while a HEIC decodes: %v", err)
	}
}
