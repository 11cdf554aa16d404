package models

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"time"

	"github.com/alexedwards/argon2id"
)

// ErrBusy is returned when a password could not be hashed or checked
// because every hashing slot stayed taken for the whole wait: the caller
// should ask the user to try again in a few seconds (503 with Retry-After).
var ErrBusy = errors.New("too many password checks at once")

// DefaultHashWait is how long a password check waits for a hashing slot
// before it is refused with ErrBusy: long enough to ride out a burst of
// honest sign-ins (a hash takes well under 100 ms on a current core), short
// enough that a flood of guesses is refused quickly instead of piling up
// requests, each holding a connection and its memory.
const DefaultHashWait = 3 * time.Second

// hasher runs Argon2id hashes, at most len(slots) at once. Each hash
// allocates 64 MiB (argon2id.DefaultParams.Memory), so hashing without a
// bound lets anyone who can post a sign-in form push the process into the
// OOM killer: 40 parallel wrong passwords took 2.5 GB. With one hash per
// core the CPU is used fully anyway, so more slots would only add memory.
type hasher struct {
	slots  chan struct{}
	wait   time.Duration
	params *argon2id.Params
	// dummy is compared against for an unknown email, so that a sign-in
	// for a missing account costs what one for a wrong password does.
	dummy func() (string, error)
}

func newHasher(slots int, wait time.Duration, params *argon2id.Params) *hasher {
	if slots <= 0 {
		// GOMAXPROCS is the number of cores this process may use: the
		// machine's, or fewer under a container's CPU quota (Go 1.25+
		// reads it), or what the GOMAXPROCS variable says.
		slots = runtime.GOMAXPROCS(0)
	}
	if wait <= 0 {
		wait = DefaultHashWait
	}
	if params == nil {
		params = argon2id.DefaultParams
	}
	h := &hasher{slots: make(chan struct{}, slots), wait: wait, params: params}
	h.dummy = sync.OnceValues(func() (string, error) {
		hash, err := argon2id.CreateHash("retreat-timing-equaliser", h.params)
		if h.params.Memory >= collectAfter {
			runtime.GC() // before the check that needed it adds its own 64 MiB
		}
		return hash, err
	})
	return h
}

// acquire takes a slot, waiting up to h.wait or until ctx ends; release
// gives it back.
func (h *hasher) acquire(ctx context.Context) (release func(), err error) {
	release = func() { <-h.slots }
	select {
	case h.slots <- struct{}{}:
		return release, nil
	default:
	}
	t := time.NewTimer(h.wait)
	defer t.Stop()
	select {
	case h.slots <- struct{}{}:
		return release, nil
	case <-t.C:
		return nil, ErrBusy
	case <-ctx.Done():
		return nil, fmt.Errorf("%w: %w", ErrBusy, context.Cause(ctx))
	}
}

// collectAfter is the hash size (in KiB, as Argon2id counts it) from
// which a finished hash's memory is collected before its slot is given
// back. Argon2id leaves its whole 64 MiB behind as garbage, and the Go
// collector lets the heap grow to twice what was live at its last cycle,
// which was counted while other hashes held their 64 MiB: without a
// collection the next hash piles its 64 MiB on top of the last one's, and
// 40 parallel sign-ins on two slots peaked at 404 MiB instead of about
// two hashes' worth. A sign-in is rare, and one collection costs far less
// than the hash. Small test hashes are not worth one.
const collectAfter = 8 << 10

// done gives back a slot, collecting a large hash's garbage first.
func (h *hasher) done(release func()) {
	if h.params.Memory >= collectAfter {
		runtime.GC()
	}
	release()
}

// hash makes an Argon2id hash of password in a slot.
func (h *hasher) hash(ctx context.Context, password string) (string, error) {
	release, err := h.acquire(ctx)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	defer h.done(release)
	hash, err := argon2id.CreateHash(password, h.params)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return hash, nil
}

// compare checks password against hash in a slot; an empty hash compares
// against the dummy one (and is never a match).
func (h *hasher) compare(ctx context.Context, password, hash string) (bool, error) {
	release, err := h.acquire(ctx)
	if err != nil {
		return false, fmt.Errorf("check password: %w", err)
	}
	defer h.done(release)
	// The dummy hash is made by the first check of any kind, not the
	// first for an unknown email, so that one-time cost tells nothing.
	dummyHash, err := h.dummy()
	if err != nil {
		return false, fmt.Errorf("make the dummy hash: %w", err)
	}
	dummy := hash == ""
	if dummy {
		hash = dummyHash
	}
	ok, err := argon2id.ComparePasswordAndHash(password, hash)
	if err != nil {
		return false, fmt.Errorf("check password: %w", err)
	}
	return ok && !dummy, nil
}

// HoldHashSlot takes one hashing slot until release is called, as a
// password check would (ErrBusy when none frees up in time). It is for
// tests that need the hasher busy, and for tools that must keep hashing
// off a machine for a while.
func (s *Store) HoldHashSlot(ctx context.Context) (release func(), err error) {
	return s.hasher.acquire(ctx)
}

// HashSlots is how many passwords may be hashed at once.
func (s *Store) HashSlots() int { return cap(s.hasher.slots) }
