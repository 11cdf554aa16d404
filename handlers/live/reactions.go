package live

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"golang.org/x/time/rate"

	"retreat/handlers/web"
	"retreat/models/live"
)

// Emoji reactions: a phone taps one, the presenter's screen shows it
// floating up. The handler only checks and counts; live.Reactor batches
// what arrives into one message per event every quarter second and saves
// the counts in one transaction, so a room full of thumbs costs the
// presenter nothing per tap.

// Each participant may send reactBurst reactions at once, then one every
// reactEvery: five per three seconds, which is plenty to cheer and too
// slow to flood the screen from one phone.
const (
	reactBurst = 5
	reactEvery = 600 * time.Millisecond
)

// react counts one reaction from a phone: 204 for the script, back to the
// live page for a plain form.
func (h *Handler) react(c echo.Context) error {
	ev, pa := h.follower(c)
	emoji := c.FormValue("emoji")
	if !live.IsReaction(emoji) {
		return web.NewError(http.StatusUnprocessableEntity, "That isn't one of the reaction emoji. Tap one of the buttons.", nil)
	}
	if wait, ok := h.reactLimits.allow(pa.ID, h.store.Now()); !ok {
		c.Response().Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
		return web.NewError(http.StatusTooManyRequests, "Slow down: a few reactions every few seconds is plenty. Try again in a moment.", nil)
	}
	err := h.reactions.Add(c.Request().Context(), ev.ID, emoji)
	switch {
	case errors.Is(err, live.ErrNotLive):
		return web.NewError(http.StatusConflict, "The reveal isn't live right now, so reactions are off. They open when the presenter starts it.", err)
	case errors.Is(err, live.ErrReactorClosed):
		return web.NewError(http.StatusServiceUnavailable, "The server is restarting. Try again in a moment.", err)
	case err != nil:
		return err
	}
	if web.WantsJSON(c) {
		return c.NoContent(http.StatusNoContent)
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/e/%d/live", ev.ID))
}

// rateLimits holds one token bucket per participant. A bucket that has
// refilled is the same as a new one, so buckets left alone that long are
// dropped: memory follows the phones tapping right now, not everyone who
// ever reacted.
type rateLimits struct {
	every time.Duration
	burst int

	mu    sync.Mutex
	m     map[uint]*bucket
	swept time.Time
}

type bucket struct {
	lim  *rate.Limiter
	last time.Time
}

// sweepEvery is how often idle buckets are looked for; maxBuckets forces
// a sweep sooner when that many are held.
const (
	sweepEvery = 30 * time.Second
	maxBuckets = 20000
)

func newRateLimits(every time.Duration, burst int) *rateLimits {
	return &rateLimits{every: every, burst: burst, m: map[uint]*bucket{}}
}

// allow takes a token for id at now, or says how long until one is free.
// now comes from the store's clock, so tests pinning it get a bucket that
// never refills.
func (l *rateLimits) allow(id uint, now time.Time) (time.Duration, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if d := now.Sub(l.swept); d > sweepEvery || (len(l.m) >= maxBuckets && d > time.Second) {
		l.sweep(now)
	}
	b := l.m[id]
	if b == nil {
		b = &bucket{lim: rate.NewLimiter(rate.Every(l.every), l.burst)}
		l.m[id] = b
	}
	b.last = now
	if b.lim.AllowN(now, 1) {
		return 0, true
	}
	r := b.lim.ReserveN(now, 1)
	wait := r.DelayFrom(now)
	r.CancelAt(now)
	return wait, false
}

// sweep drops buckets that have refilled since their last use.
func (l *rateLimits) sweep(now time.Time) {
	full := l.every * time.Duration(l.burst)
	for id, b := range l.m {
		if now.Sub(b.last) >= full {
			delete(l.m, id)
		}
	}
	l.swept = now
}
