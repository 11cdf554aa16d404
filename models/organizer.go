package models

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
)

// Organizer is a person who runs events from the dashboard.
type Organizer struct {
	ID           uint   `gorm:"primaryKey"`
	Email        string `gorm:"uniqueIndex;not null;size:254"`
	Name         string `gorm:"not null;size:100"`
	PasswordHash string `gorm:"not null"`
	CreatedAt    time.Time
}

// MinPasswordLength is the shortest organizer password accepted.
const MinPasswordLength = 10

// ErrBadCredentials is returned by Authenticate for an unknown email or a
// wrong password alike, so the answer does not reveal which accounts exist.
var ErrBadCredentials = errors.New("email or password is wrong")

// ValidationError carries messages about user input, keyed by field, that
// can be shown next to the form as they are.
type ValidationError struct {
	Fields map[string]string
}

func (v *ValidationError) Error() string {
	var parts []string
	for k, m := range v.Fields {
		parts = append(parts, k+": "+m)
	}
	return "invalid input: " + strings.Join(parts, "; ")
}

// Add records a message for field, keeping the first one.
func (v *ValidationError) Add(field, msg string) {
	if v.Fields == nil {
		v.Fields = map[string]string{}
	}
	if _, ok := v.Fields[field]; !ok {
		v.Fields[field] = msg
	}
}

// Err returns v when it holds a message, nil otherwise.
func (v *ValidationError) Err() error {
	if len(v.Fields) == 0 {
		return nil
	}
	return v
}

// NewOrganizer is the input for creating an organizer account.
type NewOrganizer struct {
	Email    string
	Name     string
	Password string
}

// Validate normalises the input and reports what is wrong with it.
func (n *NewOrganizer) Validate() error {
	var v ValidationError
	n.Email = strings.ToLower(strings.TrimSpace(n.Email))
	n.Name = strings.TrimSpace(n.Name)
	if addr, err := mail.ParseAddress(n.Email); err != nil || addr.Address != n.Email || len(n.Email) > 254 {
		v.Add("email", "Enter an email address like ana@example.com.")
	}
	if n.Name == "" || utf8.RuneCountInString(n.Name) > 100 {
		v.Add("name", "Enter your name (up to 100 characters).")
	}
	if utf8.RuneCountInString(n.Password) < MinPasswordLength || len(n.Password) > 1024 {
		v.Add("password", fmt.Sprintf("Use a password of at least %d characters.", MinPasswordLength))
	}
	return v.Err()
}

// CreateOrganizer stores a new organizer with an Argon2id password hash.
func (s *Store) CreateOrganizer(ctx context.Context, in NewOrganizer) (*Organizer, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	hash, err := s.hasher.hash(ctx, in.Password)
	if err != nil {
		return nil, err
	}
	o := &Organizer{Email: in.Email, Name: in.Name, PasswordHash: hash}
	if err := s.db.WithContext(ctx).Create(o).Error; err != nil {
		if errors.Is(err, gorm.ErrDuplicatedKey) {
			return nil, &ValidationError{Fields: map[string]string{"email": "An organizer with this email already exists."}}
		}
		return nil, fmt.Errorf("create organizer: %w", err)
	}
	return o, nil
}

// CreateFirstOrganizer creates an organizer only while none exists, in one
// transaction, so two people racing through the setup page cannot both win.
func (s *Store) CreateFirstOrganizer(ctx context.Context, in NewOrganizer) (*Organizer, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	hash, err := s.hasher.hash(ctx, in.Password)
	if err != nil {
		return nil, err
	}
	o := &Organizer{Email: in.Email, Name: in.Name, PasswordHash: hash}
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		// Two setups at once (two instances): only one may find none.
		if err := lockFor(tx, "first-organizer"); err != nil {
			return err
		}
		var n int64
		if err := tx.Model(&Organizer{}).Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			return ErrNotAllowed
		}
		return tx.Create(o).Error
	})
	if err != nil {
		return nil, fmt.Errorf("create first organizer: %w", err)
	}
	return o, nil
}

// OrganizerCount tells whether setup is still needed.
func (s *Store) OrganizerCount(ctx context.Context) (int64, error) {
	var n int64
	if err := s.db.WithContext(ctx).Model(&Organizer{}).Count(&n).Error; err != nil {
		return 0, fmt.Errorf("count organizers: %w", err)
	}
	return n, nil
}

// Organizer loads an organizer by id.
func (s *Store) Organizer(ctx context.Context, id uint) (*Organizer, error) {
	var o Organizer
	if err := s.db.WithContext(ctx).First(&o, id).Error; err != nil {
		return nil, notFound(err, fmt.Sprintf("load organizer %d", id))
	}
	return &o, nil
}

// Authenticate checks an email and password, returning ErrBadCredentials
// for either being wrong, or ErrBusy when no hashing slot freed up in time.
func (s *Store) Authenticate(ctx context.Context, email, password string) (*Organizer, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	var o Organizer
	err := s.db.WithContext(ctx).Where("email = ?", email).First(&o).Error
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound):
		// An unknown email is checked against the dummy hash, in a slot
		// like any other, so it costs the same time and waits the same.
		o = Organizer{}
	case err != nil:
		return nil, fmt.Errorf("load organizer %q: %w", email, err)
	}
	ok, err := s.hasher.compare(ctx, password, o.PasswordHash)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, ErrBadCredentials
	}
	return &o, nil
}
