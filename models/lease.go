package models

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Lease lets one of several app instances sharing a database do a job
// alone (scheduled nudges, retention): whoever holds the named lease until
// ExpiresAt runs it. A holder that dies simply lets it expire.
type Lease struct {
	Name      string    `gorm:"primaryKey;size:64"`
	Holder    string    `gorm:"not null;size:128"`
	ExpiresAt time.Time `gorm:"not null"`
}

// TakeLease gives the named lease to holder for ttl if it is free, expired,
// or already theirs (then it is renewed), and reports whether holder has
// it. The conditional update and the insert run in one transaction, and
// the insert does nothing if another holder inserted first, so at most one
// holder gets a lease at a time.
func (s *Store) TakeLease(ctx context.Context, name, holder string, ttl time.Duration) (bool, error) {
	now := s.now().UTC()
	until := now.Add(ttl)
	taken := false
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&Lease{}).
			Where("name = ? AND (holder = ? OR expires_at <= ?)", name, holder, now).
			Updates(map[string]any{"holder": holder, "expires_at": until})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 1 {
			taken = true
			return nil
		}
		res = tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&Lease{Name: name, Holder: holder, ExpiresAt: until})
		if res.Error != nil {
			return res.Error
		}
		taken = res.RowsAffected == 1
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("take lease %q: %w", name, err)
	}
	return taken, nil
}

// ReleaseLease gives up the lease if holder has it, so another instance can
// take over at once instead of waiting for it to expire.
func (s *Store) ReleaseLease(ctx context.Context, name, holder string) error {
	err := s.db.WithContext(ctx).Where("name = ? AND holder = ?", name, holder).Delete(&Lease{}).Error
	if err != nil {
		return fmt.Errorf("release lease %q: %w", name, err)
	}
	return nil
}
