package models

import (
	"context"
	"errors"
	"fmt"
	"os"
)

// SnapshotTo writes a consistent copy of the database to path, a file that
// must not exist yet, while the app keeps serving: SQLite's VACUUM INTO
// reads one transaction's view of the database (WAL lets writers go on
// meanwhile) and writes it compacted. PostgreSQL has pg_dump for this.
func (s *Store) SnapshotTo(ctx context.Context, path string) error {
	if s.IsPostgres() {
		return errors.New("snapshot: the database is PostgreSQL; back it up with pg_dump")
	}
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("snapshot: %s already exists", path)
	}
	if err := s.db.WithContext(ctx).Exec("VACUUM INTO ?", path).Error; err != nil {
		return fmt.Errorf("snapshot database: %w", err)
	}
	return nil
}

// PhotoFolders lists the photo folders answers point at, in order.
func (s *Store) PhotoFolders(ctx context.Context) ([]string, error) {
	var keys []string
	err := s.db.WithContext(ctx).Model(&Submission{}).Where("photo_key <> ''").Distinct().Order("photo_key").Pluck("photo_key", &keys).Error
	if err != nil {
		return nil, fmt.Errorf("list photo folders: %w", err)
	}
	return keys, nil
}

// IntegrityCheck runs SQLite's PRAGMA integrity_check and returns an error
// with its findings unless the database is sound.
func (s *Store) IntegrityCheck(ctx context.Context) error {
	if s.IsPostgres() {
		return nil
	}
	var rows []string
	if err := s.db.WithContext(ctx).Raw("PRAGMA integrity_check").Scan(&rows).Error; err != nil {
		return fmt.Errorf("integrity check: %w", err)
	}
	if len(rows) != 1 || rows[0] != "ok" {
		return fmt.Errorf("integrity check failed: %v", rows)
	}
	return nil
}
