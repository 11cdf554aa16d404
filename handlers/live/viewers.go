package live

import (
	"context"
	"crypto/sha256"
	"net/http"
	"strings"
	"sync"
	"time"
)

// viewerTTL is how long the phones' photo route trusts that a browser is a
// participant of an event without reading its session and the participant
// again. Every phone asks for every photo, and preloading asks ahead too:
// those two reads were most of a photo's cost, while who a phone is
// changes hardly ever. A phone that left the event, or a participant the
// organizer removed, may still load the reveal's photos (what the shared
// screen shows anyway) for up to this long.
const viewerTTL = time.Minute

// maxViewers bounds the remembered sessions; past it, expired ones are
// dropped, and if none has expired, everyone is asked again.
const maxViewers = 50_000

// viewers remembers the browsers found to be participants of an event,
// by a hash of their cookies (a new session is a new key).
type viewers struct {
	now func() time.Time

	mu   sync.Mutex
	seen map[viewerKey]time.Time // until when
}

type viewerKey struct {
	eventID uint
	cookies [sha256.Size]byte
}

func newViewers() *viewers {
	return &viewers{now: time.Now, seen: map[viewerKey]time.Time{}}
}

// participant reports whether the browser of r is a participant of event
// eventID, asking check (the session and the database) only when it has
// not been seen as one within viewerTTL. A browser without cookies is not.
func (v *viewers) participant(ctx context.Context, r *http.Request, eventID uint, check func(context.Context) (bool, error)) (bool, error) {
	cookies := r.Header.Values("Cookie")
	if len(cookies) == 0 {
		return false, nil
	}
	key := viewerKey{eventID: eventID, cookies: sha256.Sum256([]byte(strings.Join(cookies, "; ")))}
	now := v.now()
	v.mu.Lock()
	until, ok := v.seen[key]
	v.mu.Unlock()
	if ok && now.Before(until) {
		return true, nil
	}
	is, err := check(ctx)
	if err != nil || !is {
		return false, err
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if len(v.seen) >= maxViewers {
		for k, t := range v.seen {
			if !now.Before(t) {
				delete(v.seen, k)
			}
		}
		if len(v.seen) >= maxViewers {
			clear(v.seen)
		}
	}
	v.seen[key] = now.Add(viewerTTL)
	return true, nil
}
