package main

import (
	"context"
	"io"
	"sync"
	"testing"

	"retreat/models/backendtest"
)

// Instances started together on a new PostgreSQL database (a first
// deploy of several replicas) all start: the schema, the session store's
// table included, is created by one while the others wait, not by each
// at once (then all but one fail with "relation already exists"). A race,
// so a few rounds, each on a database of its own.
func TestInstancesStartingTogetherOnANewDatabaseAllStart(t *testing.T) {
	const rounds, instances = 4, 3
	for round := range rounds {
		dbURL := backendtest.PostgresURL(t)
		var wg sync.WaitGroup
		apps := make([]*app, instances)
		errs := make([]error, instances)
		for i := range instances {
			cfg := &config{DataDir: t.TempDir(), DatabaseURL: dbURL, PhotoWorkers: 1, MaxUploadMB: 1, MaxMegapixels: 1}
			wg.Go(func() { apps[i], errs[i] = openApp(context.Background(), cfg, newLogger(cfg, io.Discard)) })
		}
		wg.Wait()
		for i := range instances {
			if errs[i] != nil {
				t.Errorf("round %d: instance %d did not start: %v", round, i, errs[i])
				continue
			}
			if err := apps[i].store.Ping(context.Background()); err != nil {
				t.Errorf("round %d: instance %d: %v", round, i, err)
			}
			apps[i].close()
		}
	}
}
