package media

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"
	"time"
)

// BenchmarkProcessPhone12MP measures the whole pipeline on a 12 MP phone
// photo, reporting the peak Go heap (sampled every millisecond) and the
// memory the runtime obtained from the OS.
func BenchmarkProcessPhone12MP(b *testing.B) { benchmarkProcess(b, "phone-12mp.jpg") }

// BenchmarkProcessHEIC does the same for iphone.heic (3 MP, 10-bit HEVC).
func BenchmarkProcessHEIC(b *testing.B) {
	WarmUp() // compile the decoder outside the timed loop
	benchmarkProcess(b, "iphone.heic")
}

func benchmarkProcess(b *testing.B, name string) {
	path := filepath.Join(photosDir(b), name)
	p := NewProcessor(1, DefaultLimits())
	runtime.GC()

	peak := peakSampler()
	for b.Loop() {
		if _, err := p.Process(context.Background(), path); err != nil {
			b.Fatal(err)
		}
	}
	heap, total := peak()
	b.ReportMetric(float64(heap)/(1<<20), "peak-heap-MB")
	b.ReportMetric(float64(total)/(1<<20), "peak-sys-MB")
}

// peakSampler samples heap and total runtime memory until the returned
// function is called, which returns their peaks. runtime/metrics reads
// without stopping the world, unlike runtime.ReadMemStats.
func peakSampler() func() (heap, total uint64) {
	samples := []metrics.Sample{
		{Name: "/memory/classes/heap/objects:bytes"},
		{Name: "/memory/classes/total:bytes"},
	}
	var (
		mu                sync.Mutex
		peakHeap, peakSys uint64
	)
	read := func() {
		metrics.Read(samples)
		mu.Lock()
		peakHeap = max(peakHeap, samples[0].Value.Uint64())
		peakSys = max(peakSys, samples[1].Value.Uint64())
		mu.Unlock()
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				read()
			}
		}
	})
	return func() (uint64, uint64) {
		close(done)
		wg.Wait()
		read()
		mu.Lock()
		defer mu.Unlock()
		return peakHeap, peakSys
	}
}

// BenchmarkReadHeaderPhone12MP is what every JPEG upload pays before it
// waits for a worker: the header, EXIF, ICC and the scan count (a read
// of the whole 3.9 MB file for its markers), against
// BenchmarkProcessPhone12MP's decode and renditions.
func BenchmarkReadHeaderPhone12MP(b *testing.B) {
	f, err := os.Open(filepath.Join(photosDir(b), "phone-12mp.jpg"))
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(st.Size())
	for b.Loop() {
		if _, err := readHeader(f, st.Size(), "jpeg"); err != nil {
			b.Fatal(err)
		}
	}
}
