package web

import (
	"context"
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

// LoginAttempt is one sign-in attempt, counted before its password is
// checked (see Begin).
type LoginAttempt struct {
	l     *LoginLimiter
	c     echo.Context
	email string
	ids   []uint
}

// Begin counts a sign-in attempt, then refuses it if that puts either
// subject over its limit: the error is a 429 *Error with the message to
// show, Retry-After is set on c, and the attempt is not counted. Counting
// first means parallel guesses cannot all slip in under a limit checked
// before any of them had failed. A wrong password then leaves the count as
// it is; call Succeeded on a right one.
func (l *LoginLimiter) Begin(c echo.Context, email string) (*LoginAttempt, error) {
	ctx := c.Request().Context()
	ids, err := l.store.ReserveLoginAttempt(ctx, c.RealIP(), email, l.Window)
	if err != nil {
		return nil, err
	}
	a := &LoginAttempt{l: l, c: c, email: email, ids: ids}
	if err := l.check(c, email, 1); err != nil {
		if rerr := l.store.ReleaseLoginAttempt(context.WithoutCancel(ctx), ids); rerr != nil {
			return nil, rerr
		}
		return nil, err
	}
	return a, nil
}

// Succeeded takes the attempt back and forgets the account's failures.
func (a *LoginAttempt) Succeeded() error {
	ctx := a.c.Request().Context()
	if err := a.l.store.ReleaseLoginAttempt(ctx, a.ids); err != nil {
		return err
	}
	return a.l.store.ClearLoginFailures(ctx, a.email)
}

// check refuses when a subject has more than its limit of failures, own of
// them being the caller's attempt already counted.
func (l *LoginLimiter) check(c echo.Context, email string, own int64) error {
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
		if n-own < int64(ch.limit) {
			continue
		}
		wait := max(oldest.Add(l.Window).Sub(now), time.Second)
		c.Response().Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
		return NewError(http.StatusTooManyRequests,
			fmt.Sprintf("%s Signing in is paused for %s to keep the account safe; try again after that.", ch.msg, humanWait(wait)), nil)
	}
	return nil
}

func humanWait(d time.Duration) string {
	if d <= time.Minute {
		return "a minute"
	}
	return fmt.Sprintf("%d minutes", int(math.Ceil(d.Minutes())))
}
