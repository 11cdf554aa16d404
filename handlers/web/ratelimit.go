package web

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"retreat/models"
)

// LoginLimiter slows password guessing on the organizer sign-in with the
// limits of models.BeginLogin (counted in the database, so instances share
// them), and remembers the devices organizers sign in on (the
// retreat_device cookie), which those limits let through.
type LoginLimiter struct {
	store  *models.Store
	Limits models.LoginLimits
}

// NewLoginLimiter returns the limiter with models.DefaultLoginLimits.
func NewLoginLimiter(s *models.Store) *LoginLimiter {
	return &LoginLimiter{store: s, Limits: models.DefaultLoginLimits()}
}

// LoginAttempt is one sign-in attempt, counted before its password is
// checked (see Begin).
type LoginAttempt struct {
	l       *LoginLimiter
	c       echo.Context
	attempt *models.LoginAttempt
	device  *models.KnownDevice
}

// Begin counts a sign-in attempt, then refuses it if that puts a limit
// over: the error is a 429 *Error with the message to show, Retry-After is
// set on c, and the attempt is not counted. A wrong password then leaves
// the count as it is; call Succeeded on a right one, Abandon when the
// password could not be checked.
func (l *LoginLimiter) Begin(c echo.Context, email string) (*LoginAttempt, error) {
	ctx := c.Request().Context()
	req := models.LoginRequest{IP: c.RealIP(), Email: email}
	if ck, err := c.Cookie(DeviceCookie); err == nil {
		// A cookie known for another account, or for none, is no cookie.
		d, err := l.store.KnownDeviceFor(ctx, ck.Value, email)
		switch {
		case err == nil:
			req.Device = d
		case !errors.Is(err, models.ErrNotFound):
			return nil, err
		}
	}
	a, err := l.store.BeginLogin(ctx, l.Limits, req)
	var refused *models.LoginRefused
	if errors.As(err, &refused) {
		wait := max(refused.Wait, time.Second)
		c.Response().Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
		return nil, NewError(http.StatusTooManyRequests, refusalMessage(refused.Scope, wait), err)
	}
	if err != nil {
		return nil, err
	}
	return &LoginAttempt{l: l, c: c, attempt: a, device: req.Device}, nil
}

func refusalMessage(scope string, wait time.Duration) string {
	paused := fmt.Sprintf("Signing in is paused for %s to keep the account safe; try again after that.", humanWait(wait))
	switch scope {
	case models.LoginScopeDevice:
		return "Too many wrong passwords on this device. " + paused
	case models.LoginScopePair:
		return "Too many wrong passwords for this account from your network. " + paused +
			" A device you have signed in on before can still sign in."
	case models.LoginScopeIP:
		return "Too many failed sign-ins from your network. " + paused
	}
	return fmt.Sprintf("Someone has been trying wrong passwords for this account, so sign-ins from new devices are slowed "+
		"to one a minute. Try again in %d seconds. A device you have signed in on before is not slowed.", int(math.Ceil(wait.Seconds())))
}

// Succeeded takes the attempt back, forgets the failures of this device or
// address for the account, and remembers the device for organizer id.
func (a *LoginAttempt) Succeeded(id uint) error {
	ctx := a.c.Request().Context()
	if err := a.attempt.Succeeded(ctx); err != nil {
		return err
	}
	token := ""
	if a.device != nil {
		if err := a.l.store.TouchDevice(ctx, a.device.ID); err != nil {
			return err
		}
		if ck, err := a.c.Cookie(DeviceCookie); err == nil {
			token = ck.Value
		}
	}
	if token == "" {
		var err error
		if token, err = a.l.store.RememberDevice(ctx, id); err != nil {
			return err
		}
	}
	// Written again on every sign-in, so a device in use stays known.
	// SecureCookies marks it Secure whenever it does the session cookie.
	a.c.SetCookie(&http.Cookie{
		Name: DeviceCookie, Value: token, Path: "/", MaxAge: int(models.DeviceLifetime.Seconds()),
		HttpOnly: true, SameSite: http.SameSiteLaxMode,
	})
	return nil
}

// Abandon takes the attempt back when its password could not be checked.
func (a *LoginAttempt) Abandon() error {
	return a.attempt.Abandon(context.WithoutCancel(a.c.Request().Context()))
}

// DeviceCookie holds the token of a known device (models.KnownDevice).
const DeviceCookie = "retreat_device"

// BusyRetryAfter is the Retry-After, in seconds, of a 503 for models.ErrBusy:
// the hashing slots free up within a fraction of a second each.
const BusyRetryAfter = "5"

// BusyMessage is what a user is told when the password hasher is busy.
const BusyMessage = "Retreat is busy checking other sign-ins right now. Please try again in a few seconds."

func humanWait(d time.Duration) string {
	if d <= time.Minute {
		return "a minute"
	}
	return fmt.Sprintf("%d minutes", int(math.Ceil(d.Minutes())))
}
