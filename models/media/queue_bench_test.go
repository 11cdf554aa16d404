package media

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// BenchmarkFairQueueSmallPhotoWait replays the burst from the Hardening II
// finding: owner A sends sixteen 12 MP photos at once, then owner B one
// small photo, on one worker. It reports how long B waited for its answer
// with owners told apart ("fair-ms") and with every photo under one owner,
// which is the plain FIFO of before ("fifo-ms"), and their ratio. Run with
//
//	go test -run '^$' -bench FairQueue -benchtime 1x ./models/media/
func BenchmarkFairQueueSmallPhotoWait(b *testing.B) {
	dir := photosDir(b)
	big, small := filepath.Join(dir, "phone-12mp.jpg"), filepath.Join(dir, "orient-1.jpg")
	var fair, fifo time.Duration
	for b.Loop() {
		fair += smallPhotoWait(b, big, small, "A", "B")
		fifo += smallPhotoWait(b, big, small, "", "")
	}
	n := float64(b.N)
	b.ReportMetric(float64(fair.Milliseconds())/n, "fair-ms")
	b.ReportMetric(float64(fifo.Milliseconds())/n, "fifo-ms")
	b.ReportMetric(float64(fifo)/float64(fair), "fifo/fair")
}

// smallPhotoWait queues 16 big photos for ownerA, then the small one for
// ownerB, and returns how long the small one took.
func smallPhotoWait(b *testing.B, big, small, ownerA, ownerB string) time.Duration {
	b.Helper()
	p := NewProcessor(1, DefaultLimits())
	ctx := context.Background()
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			if _, err := p.ProcessFor(ctx, ownerA, big); err != nil {
				b.Error(err)
			}
		})
	}
	// All sixteen are running or in line before B comes.
	waitFor(b, "the burst is queued", func() bool { return p.slots.waiting(ownerA) == 15 })
	start := time.Now()
	if _, err := p.ProcessFor(ctx, ownerB, small); err != nil {
		b.Fatal(err)
	}
	waited := time.Since(start)
	wg.Wait()
	return waited
}
