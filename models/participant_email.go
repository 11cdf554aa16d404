package models

import (
	"context"
	"fmt"
	"net/mail"
	"strings"
)

// MaxEmailLength is the longest address SMTP allows in a path (RFC 5321).
const MaxEmailLength = 254

// ValidEmail normalises an optional email address and says what is wrong
// with it ("" when nothing). Blank is fine: email is optional. Only a bare
// address is kept ("Ana <ana@example.com>" becomes "ana@example.com"), and
// it must have a domain with a dot, which catches most typos of phones'
// keyboards ("ana@gmail").
func ValidEmail(s string) (email, problem string) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", ""
	}
	const msg = "That doesn't look like an email address (like ana@example.com). Leave it blank if you'd rather not get reminders."
	addr, err := mail.ParseAddress(s)
	if err != nil || len(addr.Address) > MaxEmailLength {
		return s, msg
	}
	at := strings.LastIndexByte(addr.Address, '@')
	if at < 1 || !strings.Contains(addr.Address[at+1:], ".") || strings.ContainsAny(addr.Address, " \r\n") {
		return s, msg
	}
	return addr.Address, ""
}

// SetParticipantEmail changes (or, when blank, removes) the address
// nudges are sent to.
func (s *Store) SetParticipantEmail(ctx context.Context, p *Participant, email string) error {
	email, problem := ValidEmail(email)
	if problem != "" {
		return &ValidationError{Fields: map[string]string{"email": problem}}
	}
	if err := s.db.WithContext(ctx).Model(p).Update("email", email).Error; err != nil {
		return fmt.Errorf("set email of participant %d: %w", p.ID, err)
	}
	p.Email = email
	return nil
}
