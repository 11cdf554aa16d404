package participant

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	tusd "github.com/tus/tusd/v2/pkg/handler"
	"github.com/tus/tusd/v2/pkg/memorylocker"

	"retreat/models"
	"retreat/models/backendtest"
)

// A resumable upload whose lock another instance holds (its PATCH still
// running, say for a phone whose old connection is not dead yet) is busy,
// not broken: a request that gives up waiting for it is told 423 Locked,
// as tusd answers for a locked upload and tus clients retry, never a 500.
// Once the holder lets go, the lock is free for the other instance.
func TestUploadLockHeldOnAnotherInstanceIsLocked(t *testing.T) {
	url := backendtest.PostgresURL(t)
	ctx := context.Background()
	instance := func() *leaseLocker {
		t.Helper()
		s, err := models.Open(ctx, url, models.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return &leaseLocker{local: memorylocker.New(), store: s}
	}
	a, b := instance(), instance()
	const id = "0123456789abcdef0123456789abcdef"
	onA, err := a.NewLock(id)
	if err != nil {
		t.Fatal(err)
	}
	if err := onA.Lock(ctx, func() {}); err != nil {
		t.Fatalf("lock on A: %v", err)
	}
	onB, err := b.NewLock(id)
	if err != nil {
		t.Fatal(err)
	}
	// tusd waits up to its AcquireLockTimeout; a shorter wait here.
	waitCtx, cancel := context.WithTimeout(ctx, 500*time.Millisecond)
	err = onB.Lock(waitCtx, func() {})
	cancel()
	var te tusd.Error
	if !errors.As(err, &te) || te.HTTPResponse.StatusCode != http.StatusLocked {
		t.Fatalf("lock on B while A holds it: %v (status %d), want 423 Locked", err, te.HTTPResponse.StatusCode)
	}
	if err := onA.Unlock(); err != nil {
		t.Fatal(err)
	}
	waitCtx, cancel = context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := onB.Lock(waitCtx, func() {}); err != nil {
		t.Fatalf("lock on B once A let go: %v", err)
	}
	if err := onB.Unlock(); err != nil {
		t.Fatal(err)
	}
}
