package models

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// PostgreSQL is the scaled-out database: several app instances share one
// server. This file holds what differs from the embedded SQLite file: the
// dialector, the connection pool, and the lock that keeps two instances
// starting together from migrating at the same time.

// migrationLockKey is the pg_advisory_xact_lock key held while migrations
// run (any constant unique to this app: "retreat\x00" as a big-endian int64).
const migrationLockKey int64 = 0x7265747265617400

// IsPostgresURL reports whether rawURL names a PostgreSQL server.
func IsPostgresURL(rawURL string) bool {
	return strings.HasPrefix(rawURL, "postgres://") || strings.HasPrefix(rawURL, "postgresql://")
}

func postgresDialector(rawURL string) gorm.Dialector {
	// pgx reads the URL itself (host, port, user, password, sslmode, …).
	return postgres.New(postgres.Config{DSN: rawURL})
}

// tunePostgresPool sizes the pool of one instance. Each instance holds at
// most this many connections; with the server's default max_connections
// of 100 that leaves room for three instances and the LISTEN connection
// each live hub keeps.
func tunePostgresPool(db *sql.DB) {
	db.SetMaxOpenConns(25)
	db.SetMaxIdleConns(10)
	db.SetConnMaxIdleTime(5 * time.Minute)
	db.SetConnMaxLifetime(time.Hour)
}

// migratePostgres applies the migrations in one transaction that first
// takes an advisory lock: an instance starting while another migrates
// waits for it, then finds everything applied. PostgreSQL's DDL is
// transactional, so a migration that fails leaves nothing half-done.
func (s *Store) migratePostgres(ctx context.Context) error {
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Exec("SELECT pg_advisory_xact_lock(?)", migrationLockKey).Error; err != nil {
			return fmt.Errorf("take the migration lock: %w", err)
		}
		return gormigrate.New(tx, gormigrate.DefaultOptions, migrations()).Migrate()
	})
	if err != nil {
		return fmt.Errorf("migrate database: %w", err)
	}
	return nil
}

// IsPostgres reports whether the store runs on PostgreSQL.
func (s *Store) IsPostgres() bool { return s.db.Dialector.Name() == "postgres" }

// lockFor makes transactions that name the same key take turns on
// PostgreSQL, until the transaction ends. SQLite needs none of this: every
// write transaction there starts with BEGIN IMMEDIATE, so writers already
// take turns. Use it where a transaction reads, then writes on what it
// read (count-then-insert, read-the-old-then-replace), which PostgreSQL's
// READ COMMITTED would otherwise let two instances interleave.
func lockFor(tx *gorm.DB, key string) error {
	if tx.Dialector.Name() != "postgres" {
		return nil
	}
	if err := tx.Exec("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))", key).Error; err != nil {
		return fmt.Errorf("lock %s: %w", key, err)
	}
	return nil
}

// forUpdate locks the rows a query reads until the transaction ends, on
// PostgreSQL (SQLite's writers already take turns).
func forUpdate(tx *gorm.DB) *gorm.DB {
	if tx.Dialector.Name() != "postgres" {
		return tx
	}
	return tx.Clauses(clause.Locking{Strength: "UPDATE"})
}
