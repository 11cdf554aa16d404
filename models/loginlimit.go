package models

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
)

// LoginFailure is one failed organizer sign-in (or one in progress: see
// BeginLogin), counted against a few subjects to slow password guessing.
// They live in the database so that several app instances share the count.
type LoginFailure struct {
	ID uint `gorm:"primaryKey"`
	// Scope is one of the LoginScope constants; Subject what it counts.
	Scope   string    `gorm:"not null;size:10;index:idx_login_failure,priority:1"`
	Subject string    `gorm:"not null;size:320;index:idx_login_failure,priority:2"`
	At      time.Time `gorm:"not null;index:idx_login_failure,priority:3"`
}

// Login failure scopes. Rows written before known devices existed are
// "ip" and "account" rows, read as they were written: the address's count,
// and the account-wide count (now a slow-down rather than a lock).
const (
	// LoginScopeIP counts an address's failures over any accounts.
	LoginScopeIP = "ip"
	// LoginScopeAccount counts an account's failures from unknown devices,
	// whatever their address.
	LoginScopeAccount = "account"
	// LoginScopePair counts an account's failures from one address.
	LoginScopePair = "pair"
	// LoginScopeDevice counts a known device's failures (subject: the
	// SHA-256 of its token, as in known_devices).
	LoginScopeDevice = "device"
)

// LoginLimits are the numbers of the sign-in limits, each over Window.
type LoginLimits struct {
	Window time.Duration
	// PerPair failures for one account from one address lock that pair.
	PerPair int
	// PerIP failures from one address over any accounts lock the address.
	PerIP int
	// PerDevice failures from a known device lock that device.
	PerDevice int
	// Past AccountSlowAfter failures for one account from unknown
	// devices, unknown devices may try once every AccountSlowEvery
	// (counted over all of them): a slow-down, not a lock.
	AccountSlowAfter int
	AccountSlowEvery time.Duration
}

// DefaultLoginLimits are the limits the server runs with.
//
//   - 15 minutes, 5 per account and address, 20 per address: OWASP's
//     usual numbers. An office or a phone carrier puts many people behind
//     one address, hence more for the address than for one account.
//   - The account-wide count no longer locks: a stranger anywhere could
//     keep the owner out for 5 requests every 15 minutes. Past 10 failures
//     (two addresses' worth of the per-pair limit, so one address alone
//     never slows anyone else) unknown devices share one try a minute.
//     That caps a guesser spread over any number of addresses at about
//     1,440 guesses a day on one account (against passwords of at least
//     10 characters), while the owner on a new device waits a minute at
//     most between tries, and not at all on a device already known.
//   - 5 per known device: the owner mistyping, or whoever took the laptop,
//     gets what one address gets.
func DefaultLoginLimits() LoginLimits {
	return LoginLimits{
		Window:           15 * time.Minute,
		PerPair:          5,
		PerIP:            20,
		PerDevice:        5,
		AccountSlowAfter: 10,
		AccountSlowEvery: time.Minute,
	}
}

// LoginRefused is the error of a sign-in attempt over a limit.
type LoginRefused struct {
	// Scope is the limit that refused (a LoginScope constant); Wait how
	// long until the attempt would be let through, if no others come.
	Scope string
	Wait  time.Duration
}

func (e *LoginRefused) Error() string {
	return fmt.Sprintf("sign-in refused by the %s limit for %s", e.Scope, e.Wait)
}

// LoginSubject normalises what a failure is counted against: emails are
// case-insensitive, and very long input is cut (it cannot be an account).
func LoginSubject(scope, s string) string {
	if scope == LoginScopeAccount {
		s = strings.ToLower(strings.TrimSpace(s))
	}
	if len(s) > 320 {
		s = s[:320]
	}
	return s
}

// pairSubject names an account seen from one address (the address first:
// it is short, so cutting a long email never merges two addresses).
func pairSubject(ip, email string) string {
	return LoginSubject(LoginScopePair, ip+" "+LoginSubject(LoginScopeAccount, email))
}

// LoginRequest is who a sign-in attempt comes from.
type LoginRequest struct {
	IP    string
	Email string
	// Device is the browser's known device when it is known for Email
	// (KnownDeviceFor); nil for any other browser.
	Device *KnownDevice
}

// LoginAttempt is a sign-in attempt counted by BeginLogin.
type LoginAttempt struct {
	s   *Store
	req LoginRequest
	ids []uint
}

// BeginLogin counts a sign-in attempt against its subjects, then refuses
// it with a *LoginRefused if that puts any of them over its limit (taking
// the count back: a refused attempt checked no password). Counting before
// checking means parallel guesses cannot all slip in under a limit checked
// before any of them failed: each sees the others. A wrong password then
// leaves the count as it is; call Succeeded on a right one, Abandon when
// the password could not be checked.
//
// A known device is counted and held only by its own count. Any other
// browser is counted per address, per account and address, and per
// account, and held by all three. Unknown emails are counted like known
// ones, so the limits tell nothing about which accounts exist.
func (s *Store) BeginLogin(ctx context.Context, lim LoginLimits, req LoginRequest) (*LoginAttempt, error) {
	now := s.now().UTC()
	var rows []LoginFailure
	add := func(scope, subject string) {
		rows = append(rows, LoginFailure{Scope: scope, Subject: subject, At: now})
	}
	email := LoginSubject(LoginScopeAccount, req.Email)
	switch {
	case req.Device != nil:
		add(LoginScopeDevice, req.Device.TokenHash)
	default:
		add(LoginScopeIP, LoginSubject(LoginScopeIP, req.IP))
		if email != "" {
			add(LoginScopePair, pairSubject(req.IP, email))
			add(LoginScopeAccount, email)
		}
	}
	db := s.db.WithContext(ctx)
	if err := db.Create(&rows).Error; err != nil {
		return nil, fmt.Errorf("record login attempt: %w", err)
	}
	a := &LoginAttempt{s: s, req: req}
	for _, r := range rows {
		a.ids = append(a.ids, r.ID)
	}
	if err := db.Where("at < ?", now.Add(-lim.Window)).Delete(&LoginFailure{}).Error; err != nil {
		return nil, fmt.Errorf("forget old login failures: %w", err)
	}
	refused, err := s.loginRefusal(ctx, lim, rows, a.ids, now)
	if err == nil && refused == nil {
		return a, nil
	}
	if rerr := a.Abandon(context.WithoutCancel(ctx)); rerr != nil {
		return nil, rerr
	}
	if err != nil {
		return nil, err
	}
	return nil, refused
}

// loginRefusal checks each subject of an attempt already counted (own).
func (s *Store) loginRefusal(ctx context.Context, lim LoginLimits, rows []LoginFailure, own []uint, now time.Time) (*LoginRefused, error) {
	since := now.Add(-lim.Window)
	for _, r := range rows {
		q := func() *gorm.DB {
			return s.db.WithContext(ctx).Model(&LoginFailure{}).
				Where("scope = ? AND subject = ? AND at >= ? AND id NOT IN ?", r.Scope, r.Subject, since, own)
		}
		var n int64
		if err := q().Count(&n).Error; err != nil {
			return nil, fmt.Errorf("count %s login failures: %w", r.Scope, err)
		}
		if r.Scope == LoginScopeAccount {
			if n < int64(lim.AccountSlowAfter) {
				continue
			}
			var last LoginFailure
			if err := q().Order("at DESC").Limit(1).Find(&last).Error; err != nil {
				return nil, fmt.Errorf("latest account login failure: %w", err)
			}
			// Waiting for the latest try, not the oldest, is what makes
			// this a pace and not a lock.
			if wait := last.At.Add(lim.AccountSlowEvery).Sub(now); wait > 0 {
				return &LoginRefused{Scope: r.Scope, Wait: wait}, nil
			}
			continue
		}
		limit := map[string]int{LoginScopeIP: lim.PerIP, LoginScopePair: lim.PerPair, LoginScopeDevice: lim.PerDevice}[r.Scope]
		if n < int64(limit) {
			continue
		}
		var first LoginFailure
		if err := q().Order("at").Limit(1).Find(&first).Error; err != nil {
			return nil, fmt.Errorf("oldest %s login failure: %w", r.Scope, err)
		}
		return &LoginRefused{Scope: r.Scope, Wait: max(first.At.Add(lim.Window).Sub(now), time.Second)}, nil
	}
	return nil, nil
}

// Abandon takes the attempt back: its password was never checked (the
// attempt was refused, or no hashing slot was free).
func (a *LoginAttempt) Abandon(ctx context.Context) error {
	if len(a.ids) == 0 {
		return nil
	}
	if err := a.s.db.WithContext(ctx).Where("id IN ?", a.ids).Delete(&LoginFailure{}).Error; err != nil {
		return fmt.Errorf("release login attempt: %w", err)
	}
	return nil
}

// Succeeded takes the attempt back and forgets the failures of where it
// came from: the device, or the account from this address. The
// account-wide count stays: the owner signing in must not hand a guesser
// spread over many addresses a fresh start, and the address keeps its
// count, since one right password does not excuse guesses at others.
func (a *LoginAttempt) Succeeded(ctx context.Context) error {
	if err := a.Abandon(ctx); err != nil {
		return err
	}
	scope, subject := LoginScopePair, pairSubject(a.req.IP, a.req.Email)
	if a.req.Device != nil {
		scope, subject = LoginScopeDevice, a.req.Device.TokenHash
	}
	err := a.s.db.WithContext(ctx).Where("scope = ? AND subject = ?", scope, subject).Delete(&LoginFailure{}).Error
	if err != nil {
		return fmt.Errorf("clear login failures: %w", err)
	}
	return nil
}
