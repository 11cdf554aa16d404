package participant

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestSweepRemovesOnlyAbandonedUploads(t *testing.T) {
	dir := t.TempDir()
	h := &Handler{tusDir: dir}
	old, fresh := filepath.Join(dir, "old"), filepath.Join(dir, "fresh")
	for _, p := range []string{old, old + ".info", fresh, fresh + ".info"} {
		if err := os.WriteFile(p, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	long := time.Now().Add(-2 * time.Hour)
	os.Chtimes(old, long, long)
	os.Chtimes(old+".info", long, long)
	n, err := h.sweepAbandoned(time.Now().Add(-time.Hour))
	if err != nil || n != 2 {
		t.Fatalf("sweep removed %d files (err %v), want 2", n, err)
	}
	for _, p := range []string{old, old + ".info"} {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s survived the sweep", p)
		}
	}
	for _, p := range []string{fresh, fresh + ".info"} {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("%s was swept too early: %v", p, err)
		}
	}
}
