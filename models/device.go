package models

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// KnownDevice is a browser an organizer has signed in on: its cookie holds
// a random token, and only the token's SHA-256 is stored here, so a copy of
// the database does not hand out devices. A row in the database (rather
// than a signed cookie) is what makes a device revocable and known to every
// instance without a shared signing key.
//
// A sign-in from a device known for the account it names is held only by
// that device's own failure count, not by the account-wide or per-address
// ones an attacker elsewhere can run up (OWASP, "Slow Down Online Guessing
// Attacks with Device Cookies").
type KnownDevice struct {
	ID          uint      `gorm:"primaryKey"`
	OrganizerID uint      `gorm:"not null;index"`
	TokenHash   string    `gorm:"not null;size:64;uniqueIndex"`
	CreatedAt   time.Time `gorm:"not null"`
	LastUsedAt  time.Time `gorm:"not null"`
}

// DeviceLifetime is how long a device stays known without a sign-in: the
// cookie's age, renewed at every sign-in on it.
const DeviceLifetime = 365 * 24 * time.Hour

// deviceTokenHash is what is stored and counted for a device token.
func deviceTokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// validDeviceToken reports whether token has the shape RememberDevice
// gives (43 characters of unpadded base64url), so junk is refused before
// any query.
func validDeviceToken(token string) bool {
	if len(token) != 43 {
		return false
	}
	_, err := base64.RawURLEncoding.DecodeString(token)
	return err == nil
}

// RememberDevice records a new known device for the organizer and returns
// the token for its cookie. Devices of any organizer unused for longer than
// DeviceLifetime are forgotten on the way (their cookies have expired).
func (s *Store) RememberDevice(ctx context.Context, organizerID uint) (string, error) {
	var b [32]byte
	rand.Read(b[:]) // never fails on supported platforms (Go 1.24+)
	token := base64.RawURLEncoding.EncodeToString(b[:])
	now := s.now().UTC()
	d := KnownDevice{OrganizerID: organizerID, TokenHash: deviceTokenHash(token), CreatedAt: now, LastUsedAt: now}
	db := s.db.WithContext(ctx)
	if err := db.Create(&d).Error; err != nil {
		return "", fmt.Errorf("remember device of organizer %d: %w", organizerID, err)
	}
	if err := db.Where("last_used_at < ?", now.Add(-DeviceLifetime)).Delete(&KnownDevice{}).Error; err != nil {
		return "", fmt.Errorf("forget old devices: %w", err)
	}
	return token, nil
}

// KnownDeviceFor returns the device token names if it is known for the
// account with this email; ErrNotFound otherwise (no such token, a forged
// one, or another account's device), so the caller cannot tell those apart.
func (s *Store) KnownDeviceFor(ctx context.Context, token, email string) (*KnownDevice, error) {
	if !validDeviceToken(token) {
		return nil, fmt.Errorf("load known device: %w", ErrNotFound)
	}
	var d KnownDevice
	err := s.db.WithContext(ctx).
		Joins("JOIN organizers ON organizers.id = known_devices.organizer_id").
		Where("known_devices.token_hash = ? AND organizers.email = ? AND known_devices.last_used_at >= ?",
			deviceTokenHash(token), LoginSubject(LoginScopeAccount, email), s.now().UTC().Add(-DeviceLifetime)).
		Take(&d).Error
	if err != nil {
		return nil, notFound(err, "load known device")
	}
	return &d, nil
}

// TouchDevice records a sign-in on a known device, which keeps it known for
// another DeviceLifetime.
func (s *Store) TouchDevice(ctx context.Context, id uint) error {
	err := s.db.WithContext(ctx).Model(&KnownDevice{}).Where("id = ?", id).Update("last_used_at", s.now().UTC()).Error
	if err != nil {
		return fmt.Errorf("touch device %d: %w", id, err)
	}
	return nil
}

// KnownDevices lists an organizer's devices, most recently used first.
func (s *Store) KnownDevices(ctx context.Context, organizerID uint) ([]KnownDevice, error) {
	var ds []KnownDevice
	if err := s.db.WithContext(ctx).Where("organizer_id = ?", organizerID).Order("last_used_at DESC, id DESC").Find(&ds).Error; err != nil {
		return nil, fmt.Errorf("list devices of organizer %d: %w", organizerID, err)
	}
	return ds, nil
}

// ForgetDevices revokes every known device of an organizer (after a
// password change, or a lost laptop): their cookies no longer get past the
// account-wide limits.
func (s *Store) ForgetDevices(ctx context.Context, organizerID uint) error {
	if err := s.db.WithContext(ctx).Where("organizer_id = ?", organizerID).Delete(&KnownDevice{}).Error; err != nil {
		return fmt.Errorf("forget devices of organizer %d: %w", organizerID, err)
	}
	return nil
}

// migrateKnownDevices creates the known_devices table. The local type pins
// the table's definition to this migration's day; the foreign key drops an
// organizer's devices with the account.
func migrateKnownDevices(tx *gorm.DB) error {
	type organizer struct {
		ID uint `gorm:"primaryKey"`
	}
	type knownDevice struct {
		ID          uint      `gorm:"primaryKey"`
		OrganizerID uint      `gorm:"not null;index"`
		Organizer   organizer `gorm:"constraint:OnDelete:CASCADE"`
		TokenHash   string    `gorm:"not null;size:64;uniqueIndex"`
		CreatedAt   time.Time `gorm:"not null"`
		LastUsedAt  time.Time `gorm:"not null"`
	}
	if tx.Migrator().HasTable(&knownDevice{}) {
		return nil
	}
	if err := tx.Migrator().CreateTable(&knownDevice{}); err != nil {
		return fmt.Errorf("create known_devices: %w", err)
	}
	return nil
}
