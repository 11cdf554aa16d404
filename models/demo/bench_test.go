package demo

import (
	"testing"
	"time"
)

// BenchmarkDemoSeedPipeline seeds a small event with full-size photos
// through the upload pipeline and reports the cost per photo: drawing,
// encoding as a phone would, the pipeline's decode and renditions, and
// storing the files and the row. A 300-person seed makes about 1,100
// photos.
func BenchmarkDemoSeedPipeline(b *testing.B) {
	benchmarkSeed(b, Options{People: 10})
}

// BenchmarkDemoSeedFast seeds the full 300-person event in the fast mode
// (what TestDemoSeedShape does).
func BenchmarkDemoSeedFast(b *testing.B) {
	benchmarkSeed(b, Options{Photos: PhotoFast})
}

func benchmarkSeed(b *testing.B, opts Options) {
	var photos, answers int
	var took time.Duration
	for b.Loop() {
		b.StopTimer()
		store, ps := openStores(b)
		b.StartTimer()
		start := time.Now()
		res := seed(b, store, ps, opts)
		took += time.Since(start)
		photos += res.Counts.Photos
		answers += res.Counts.Answers
	}
	b.ReportMetric(float64(took.Milliseconds())/float64(photos), "ms/photo")
	b.ReportMetric(float64(answers)/float64(b.N), "answers/op")
}
