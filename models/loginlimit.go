package models

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
)

// LoginFailure is one failed organizer sign-in, counted per client address
// and per account to slow password guessing. They live in the database so
// that several app instances share the count.
type LoginFailure struct {
	ID uint `gorm:"primaryKey"`
	// Scope is "ip" or "account"; Subject the address or the lower-cased email.
	Scope   string    `gorm:"not null;size:10;index:idx_login_failure,priority:1"`
	Subject string    `gorm:"not null;size:320;index:idx_login_failure,priority:2"`
	At      time.Time `gorm:"not null;index:idx_login_failure,priority:3"`
}

// Login failure scopes.
const (
	LoginScopeIP      = "ip"
	LoginScopeAccount = "account"
)

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

// LoginFailures counts the failures against subject since since, and
// returns the oldest of them (when the count will next drop).
func (s *Store) LoginFailures(ctx context.Context, scope, subject string, since time.Time) (n int64, oldest time.Time, err error) {
	q := func() *gorm.DB {
		return s.db.WithContext(ctx).Model(&LoginFailure{}).
			Where("scope = ? AND subject = ? AND at >= ?", scope, LoginSubject(scope, subject), since.UTC())
	}
	if err := q().Count(&n).Error; err != nil {
		return 0, time.Time{}, fmt.Errorf("count login failures: %w", err)
	}
	if n == 0 {
		return 0, time.Time{}, nil
	}
	var first LoginFailure
	if err := q().Order("at").Limit(1).Find(&first).Error; err != nil {
		return 0, time.Time{}, fmt.Errorf("oldest login failure: %w", err)
	}
	return n, first.At, nil
}

// ReserveLoginAttempt counts a sign-in attempt against each scope's
// subject before its password is checked, and returns the rows it wrote:
// counted first, parallel guesses cannot all pass a limit checked before
// any of them failed. A right password or a refusal takes the rows back
// (ReleaseLoginAttempt); a wrong one leaves them as its failure.
func (s *Store) ReserveLoginAttempt(ctx context.Context, ip, email string, keep time.Duration) ([]uint, error) {
	now := s.now().UTC()
	rows := []LoginFailure{{Scope: LoginScopeIP, Subject: LoginSubject(LoginScopeIP, ip), At: now}}
	if email = LoginSubject(LoginScopeAccount, email); email != "" {
		rows = append(rows, LoginFailure{Scope: LoginScopeAccount, Subject: email, At: now})
	}
	db := s.db.WithContext(ctx)
	if err := db.Create(&rows).Error; err != nil {
		return nil, fmt.Errorf("record login attempt: %w", err)
	}
	if err := db.Where("at < ?", now.Add(-keep)).Delete(&LoginFailure{}).Error; err != nil {
		return nil, fmt.Errorf("forget old login failures: %w", err)
	}
	ids := make([]uint, len(rows))
	for i := range rows {
		ids[i] = rows[i].ID
	}
	return ids, nil
}

// ReleaseLoginAttempt takes back the rows of an attempt that did not fail.
func (s *Store) ReleaseLoginAttempt(ctx context.Context, ids []uint) error {
	if len(ids) == 0 {
		return nil
	}
	if err := s.db.WithContext(ctx).Where("id IN ?", ids).Delete(&LoginFailure{}).Error; err != nil {
		return fmt.Errorf("release login attempt: %w", err)
	}
	return nil
}

// ClearLoginFailures forgets the failures of an account after a successful
// sign-in (the address keeps its count: one right password does not excuse
// guesses at other accounts).
func (s *Store) ClearLoginFailures(ctx context.Context, email string) error {
	err := s.db.WithContext(ctx).Where("scope = ? AND subject = ?", LoginScopeAccount, LoginSubject(LoginScopeAccount, email)).
		Delete(&LoginFailure{}).Error
	if err != nil {
		return fmt.Errorf("clear login failures: %w", err)
	}
	return nil
}
