package main

import (
	"context"
	"io"
	"sync"
	"testing"
	"time"

	"retreat/models"
	"retreat/models/backendtest"
)

// The orphan-photo sweep of a shared bucket runs on one instance: two
// instances starting together on one PostgreSQL database and one bucket
// sweep once, instances restarting within the hour do not sweep again,
// and the next start after the lease's hour does.
//
// Each sweep ends by purging old upload receipts in one DELETE statement;
// a statement-level trigger the test puts on that table counts sweeps
// exactly (a sweep that finds nothing to remove still runs the
// statement), where the bucket alone could not tell one sweep from two.
func TestOrphanSweepOfASharedBucketRunsOnOneInstance(t *testing.T) {
	s3 := backendtest.S3Config(t)
	dbURL := backendtest.PostgresURL(t)
	ctx := context.Background()

	// Migrate, then count sweeps.
	setup, err := models.Open(ctx, dbURL, models.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { setup.Close() })
	db := setup.DB()
	for _, stmt := range []string{
		`CREATE TABLE test_sweeps (at timestamptz NOT NULL DEFAULT clock_timestamp())`,
		`CREATE FUNCTION test_count_sweep() RETURNS trigger LANGUAGE plpgsql AS $$
		 BEGIN INSERT INTO test_sweeps DEFAULT VALUES; RETURN NULL; END $$`,
		`CREATE TRIGGER test_count_sweep AFTER DELETE ON upload_receipts
		 FOR EACH STATEMENT EXECUTE FUNCTION test_count_sweep()`,
	} {
		if err := db.Exec(stmt).Error; err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	sweeps := func() int64 {
		t.Helper()
		var n int64
		if err := db.Raw(`SELECT count(*) FROM test_sweeps`).Scan(&n).Error; err != nil {
			t.Fatal(err)
		}
		return n
	}
	// startTogether starts n instances at once, as after a deploy, and
	// closes them when the test ends (their sweeps run in the background).
	startTogether := func(n int) {
		t.Helper()
		var wg sync.WaitGroup
		apps := make([]*app, n)
		errs := make([]error, n)
		for i := range n {
			cfg := &config{DataDir: t.TempDir(), DatabaseURL: dbURL, S3: s3, PhotoWorkers: 1, MaxUploadMB: 1, MaxMegapixels: 1}
			wg.Go(func() { apps[i], errs[i] = openApp(ctx, cfg, newLogger(cfg, io.Discard)) })
		}
		wg.Wait()
		for i := range n {
			if errs[i] != nil {
				t.Fatalf("start instance %d: %v", i, errs[i])
			}
			t.Cleanup(apps[i].close)
		}
	}
	// settle waits until want sweeps have been counted, then a moment
	// more, in which any further sweep of that start would show.
	settle := func(want int64, what string) {
		t.Helper()
		deadline := time.Now().Add(15 * time.Second)
		for sweeps() < want && time.Now().Before(deadline) {
			time.Sleep(50 * time.Millisecond)
		}
		time.Sleep(1500 * time.Millisecond)
		if got := sweeps(); got != want {
			t.Fatalf("%s: %d sweeps in all, want %d", what, got, want)
		}
	}

	startTogether(2)
	settle(1, "two instances starting together")
	var lease models.Lease
	if err := db.Where("name = ?", sweepLease).Take(&lease).Error; err != nil {
		t.Fatalf("no sweep lease after a sweep: %v", err)
	}
	if until := time.Until(lease.ExpiresAt); until < 55*time.Minute || until > time.Hour {
		t.Errorf("the sweep lease runs out in %v, want an hour", until)
	}

	startTogether(2)
	settle(1, "two instances restarting within the hour")

	// An hour later (the lease run out), the next start sweeps, once.
	if err := db.Model(&models.Lease{}).Where("name = ?", sweepLease).
		Update("expires_at", time.Now().Add(-time.Second)).Error; err != nil {
		t.Fatal(err)
	}
	startTogether(2)
	settle(2, "two instances starting after the lease ran out")
}
