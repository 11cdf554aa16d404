package models

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"sync"
	"time"
)

// HoldLease waits until it takes the named lease, keeps it renewed while
// held, and returns the func that gives it up. It is a lock across
// instances that holds no database connection while it waits or works
// (a connection per waiting phone would drain the pool in an upload
// burst); an instance that dies holding it lets it go after ttl. ctx
// bounds the wait only.
func (s *Store) HoldLease(ctx context.Context, name string, ttl time.Duration) (release func(), err error) {
	var b [8]byte
	_, _ = rand.Read(b[:])
	holder := "hold-" + hex.EncodeToString(b[:])
	pause := 20 * time.Millisecond
	for {
		ok, err := s.TakeLease(ctx, name, holder, ttl)
		if err != nil {
			return nil, err
		}
		if ok {
			break
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("wait for lease %q: %w", name, ctx.Err())
		case <-time.After(pause):
		}
		pause = min(2*pause, 250*time.Millisecond)
	}
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		t := time.NewTicker(ttl / 3)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				if _, err := s.TakeLease(context.Background(), name, holder, ttl); err != nil {
					s.logf("renew lease %q: %v", name, err)
				}
			}
		}
	}()
	var once sync.Once
	return func() {
		once.Do(func() {
			close(done)
			<-stopped
			if err := s.ReleaseLease(context.WithoutCancel(ctx), name, holder); err != nil {
				s.logf("release lease %q: %v", name, err)
			}
		})
	}, nil
}
