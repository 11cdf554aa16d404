package web

import (
	"fmt"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"retreat/models"
)

// LoginLimiter slows password guessing on the organizer sign-in: after
// PerAccount failures for one email, or PerIP failures from one address,
// within Window, sign-in is refused with 429 until the oldest of those
// failures is older than Window. Failures are counted in the database, so
// several instances share them. Unknown emails count like known ones, so the
// limit tells nothing about which accounts exist.
type LoginLimiter struct {
	store      *models.Store
	PerIP      int
	PerAccount int
	Window     time.Duration
}

// NewLoginLimiter returns the limiter with OWASP's usual numbers: 5 tries
// per account and 20 per address (an office or a phone carrier puts many
// people behind one) per 15 minutes.
func NewLoginLimiter(s *models.Store) *LoginLimiter {
	return &LoginLimiter{store: s, PerIP: 20, PerAccount: 5, Window: 15 * time.Minute}
}

// Check refuses a sign-in attempt that is over either limit: the error is a
// 429 *Error with the message to show, and Retry-After is set on c.
func (l *LoginLimiter) Check(c echo.Context, email string) error {
	ctx := c.Request().Context()
	now := l.store.Now()
	since := now.Add(-l.Window)
	checks := []struct {
		scope, subject string
		limit          int
		msg            string
	}{
		{models.LoginScopeAccount, email, l.PerAccount, "Too many wrong passwords for this account."},
		{models.LoginScopeIP, c.RealIP(), l.PerIP, "Too many failed sign-ins from your network."},
	}
	for _, ch := range checks {
		if ch.subject == "" {
			continue
		}
		n, oldest, err := l.store.LoginFailures(ctx, ch.scope, ch.subject, since)
		if err != nil {
			return err
		}
		if n < int64(ch.limit) {
			continue
		}
		wait := max(oldest.Add(l.Window).Sub(now), time.Second)
		c.Response().Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
		return NewError(http.StatusTooManyRequests,
			fmt.Sprintf("%s Signing in is paused for %s to keep the account safe; try again after that.", ch.msg, humanWait(wait)), nil)
	}
	return nil
}

// Failed counts a failed attempt.
func (l *LoginLimiter) Failed(c echo.Context, email string) error {
	return l.store.RecordLoginFailure(c.Request().Context(), c.RealIP(), email, l.Window)
}

// Succeeded forgets the account's failures.
func (l *LoginLimiter) Succeeded(c echo.Context, email string) error {
	return l.store.ClearLoginFailures(c.Request().Context(), email)
}

func humanWait(d time.Duration) string {
	if d <= time.Minute {
		return "a minute"
	}
	return fmt.Sprintf("%d minutes", int(math.Ceil(d.Minutes())))
}
