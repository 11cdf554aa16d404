// Package backendtest gives tests the back ends the app runs on: a fresh
// database and photo store per test, embedded (SQLite file and folder in
// t.TempDir()) by default, or on real PostgreSQL and S3-compatible servers.
//
// The environment chooses, so the same tests run on both:
//
//	RETREAT_TEST_BACKEND=postgres     run on PostgreSQL + S3 (default: sqlite)
//	RETREAT_TEST_DATABASE_URL=…       a PostgreSQL server: each test gets a
//	                                  database of its own, dropped after it
//	RETREAT_TEST_S3_ENDPOINT, _ACCESS_KEY, _SECRET_KEY, _REGION
//	                                  an S3 server: each test gets a bucket
//
// .ci/services.sh starts both servers and prints these variables. Tests
// that need a server skip without one, and fail instead when CI is set.
package backendtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver, for creating test databases

	"retreat/models/media"
)

// Backend names.
const (
	SQLite   = "sqlite"
	Postgres = "postgres"
)

// Name is the back end tests run on: Postgres when RETREAT_TEST_BACKEND
// says so, SQLite otherwise.
func Name() string {
	if os.Getenv("RETREAT_TEST_BACKEND") == Postgres {
		return Postgres
	}
	return SQLite
}

// Scaled reports whether tests run on PostgreSQL and S3.
func Scaled() bool { return Name() == Postgres }

// DatabaseURL returns the URL of a new, empty database for t on the
// chosen back end.
func DatabaseURL(t testing.TB) string {
	t.Helper()
	if Scaled() {
		return PostgresURL(t)
	}
	return "sqlite://" + filepath.Join(t.TempDir(), "retreat.db")
}

// PhotoStore returns a new, empty photo store for t on the chosen back end
// (a DiskStore under dir, or an S3 bucket of its own).
func PhotoStore(t testing.TB, dir string) media.Store {
	t.Helper()
	if Scaled() {
		return S3Store(t)
	}
	s, err := media.NewDiskStore(dir)
	if err != nil {
		t.Fatalf("open photo store: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// need skips t (or fails it under CI) when the environment variable that
// names a server is missing.
func need(t testing.TB, env, what string) string {
	t.Helper()
	v := os.Getenv(env)
	if v == "" {
		msg := fmt.Sprintf("%s not set: no %s to test against (start one with: eval \"$(.ci/services.sh start)\")", env, what)
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return v
}

var (
	adminOnce sync.Once
	admin     *sql.DB
	adminErr  error
)

func adminDB(serverURL string) (*sql.DB, error) {
	adminOnce.Do(func() {
		admin, adminErr = sql.Open("pgx", serverURL)
		if adminErr == nil {
			admin.SetMaxOpenConns(4)
		}
	})
	return admin, adminErr
}

func randomName(prefix string) string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return prefix + hex.EncodeToString(b[:])
}

// PostgresURL creates a database of t's own on the server named by
// RETREAT_TEST_DATABASE_URL and returns its URL; the database is dropped
// when t ends (after the cleanups registered later, such as closing the
// store). Tests that need PostgreSQL itself call this directly.
func PostgresURL(t testing.TB) string {
	t.Helper()
	server := need(t, "RETREAT_TEST_DATABASE_URL", "PostgreSQL server")
	db, err := adminDB(server)
	if err != nil {
		t.Fatalf("connect to %s: %v", server, err)
	}
	name := randomName("retreat_test_")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := db.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := db.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("drop test database %s: %v", name, err)
		}
	})
	u, err := url.Parse(server)
	if err != nil {
		t.Fatalf("RETREAT_TEST_DATABASE_URL: %v", err)
	}
	u.Path = "/" + name
	return u.String()
}

// S3Config returns settings for a new bucket of t's own on the server
// named by RETREAT_TEST_S3_*; the bucket is created by the first store
// opened on it, and emptied and removed when t ends.
func S3Config(t testing.TB) media.S3Config {
	t.Helper()
	cfg := media.S3Config{
		Endpoint:  need(t, "RETREAT_TEST_S3_ENDPOINT", "S3 server"),
		AccessKey: need(t, "RETREAT_TEST_S3_ACCESS_KEY", "S3 server"),
		SecretKey: need(t, "RETREAT_TEST_S3_SECRET_KEY", "S3 server"),
		Region:    os.Getenv("RETREAT_TEST_S3_REGION"),
		Bucket:    randomName("retreat-test-"),
		PathStyle: true,
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		s, err := media.NewS3Store(ctx, cfg)
		if err == nil {
			err = s.RemoveAll(ctx)
		}
		if err != nil {
			t.Errorf("remove test bucket %s: %v", cfg.Bucket, err)
		}
	})
	return cfg
}

// S3Store opens a new bucket of t's own (see S3Config).
func S3Store(t testing.TB) *media.S3Store {
	t.Helper()
	cfg := S3Config(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := media.NewS3Store(ctx, cfg)
	if err != nil {
		t.Fatalf("open S3 photo store: %v", err)
	}
	return s
}
