package media

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestScratchDump(t *testing.T) {
	p := NewProcessor(2, DefaultLimits())
	files, _ := filepath.Glob("/work/shared/testdata/photos/*.*")
	bad, _ := filepath.Glob("/work/shared/testdata/photos/bad/*")
	for _, f := range append(append(files, bad...), "warmup.heic") {
		if filepath.Ext(f) == ".md" {
			continue
		}
		start := time.Now()
		res, err := p.Process(context.Background(), f)
		if err != nil {
			t.Logf("%s: %v (%v)", filepath.Base(f), err, time.Since(start))
			if r, ok := IsRefusal(err); ok {
				t.Logf("   -> %s: %s", r.Reason, r.Message)
			}
			continue
		}
		t.Logf("%s: %s %dx%d taken %v (%v)", filepath.Base(f), res.Format, res.Width, res.Height, res.TakenAt, time.Since(start))
		for _, r := range res.Renditions {
			t.Logf("   %s %dx%d %d", r.Size, r.Width, r.Height, len(r.Data))
			os.WriteFile(filepath.Join("/tmp/rend", filepath.Base(f)+"-"+string(r.Size)+".jpg"), r.Data, 0o644)
		}
	}
}
