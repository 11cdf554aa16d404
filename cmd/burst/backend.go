package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver, to create and drop the run's database

	"retreat/models"
	"retreat/models/media"
)

// backend is what the instances share for one run: a database and a photo
// store of the run's own, made fresh and removed afterwards.
type backend struct {
	// databaseURL is the fresh PostgreSQL database ("" for the embedded
	// SQLite file in the data folder).
	databaseURL string
	s3          media.S3Config // Enabled() false: photos on disk
	// cleanups run in reverse order by cleanup.
	cleanups []func(context.Context) error
	names    []string // what was created, for -keep and the report
}

// describe is the back end in words, for the report.
func (b *backend) describe() string {
	db := "embedded SQLite"
	if b.databaseURL != "" {
		db = "PostgreSQL"
	}
	photos := "disk"
	if b.s3.Enabled() {
		photos = "S3"
	}
	return db + " + " + photos
}

// env is the server's configuration of the back end, as RETREAT_*
// variables (so no secret shows in the process list).
func (b *backend) env() []string {
	var env []string
	if b.databaseURL != "" {
		env = append(env, "RETREAT_DATABASE_URL="+b.databaseURL)
	}
	if c := b.s3; c.Enabled() {
		env = append(env, "RETREAT_S3_ENDPOINT="+c.Endpoint, "RETREAT_S3_BUCKET="+c.Bucket,
			"RETREAT_S3_ACCESS_KEY="+c.AccessKey, "RETREAT_S3_SECRET_KEY="+c.SecretKey,
			"RETREAT_S3_REGION="+c.Region, "RETREAT_S3_PREFIX="+c.Prefix, fmt.Sprintf("RETREAT_S3_PATH_STYLE=%t", c.PathStyle))
	}
	return env
}

// cleanup removes what newBackend created (newest first) and returns the
// first error. It runs on its own context: a run stopped by -timeout
// still cleans up.
func (b *backend) cleanup() error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var errs []error
	for i := len(b.cleanups) - 1; i >= 0; i-- {
		errs = append(errs, b.cleanups[i](ctx))
	}
	b.cleanups = nil
	return errors.Join(errs...)
}

// newBackend creates the run's database (a new one on the PostgreSQL
// server of o.databaseURL) and photo store (a new bucket on o.s3, or a new
// prefix in the bucket o.s3 names). Both servers must be on loopback.
func newBackend(ctx context.Context, o options) (_ *backend, err error) {
	b := &backend{}
	defer func() {
		if err != nil {
			err = errors.Join(err, b.cleanup())
		}
	}()
	if o.databaseURL != "" {
		if err := b.newDatabase(ctx, o.databaseURL); err != nil {
			return nil, err
		}
	}
	if o.s3.Endpoint != "" {
		if err := b.newPhotoStore(ctx, o.s3); err != nil {
			return nil, err
		}
	}
	return b, nil
}

func (b *backend) newDatabase(ctx context.Context, server string) error {
	if err := checkDatabaseURL(server); err != nil {
		return err
	}
	u, _ := url.Parse(server)
	admin, err := sql.Open("pgx", server)
	if err != nil {
		return fmt.Errorf("connect to %s: %w", models.RedactURL(server), err)
	}
	b.cleanups = append(b.cleanups, func(context.Context) error { return admin.Close() })
	admin.SetMaxOpenConns(1)
	name := randomName("retreat_burst_")
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		return fmt.Errorf("create database %s on %s: %w", name, models.RedactURL(server), err)
	}
	b.names = append(b.names, "database "+name)
	b.cleanups = append(b.cleanups, func(ctx context.Context) error {
		if _, err := admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			return fmt.Errorf("drop database %s: %w", name, err)
		}
		return nil
	})
	u.Path = "/" + name
	b.databaseURL = u.String()
	return nil
}

func (b *backend) newPhotoStore(ctx context.Context, cfg media.S3Config) error {
	if err := s3OnLoopback(cfg.Endpoint); err != nil {
		return err
	}
	if cfg.Bucket == "" {
		cfg.Bucket = randomName("retreat-burst-")
		b.names = append(b.names, "bucket "+cfg.Bucket)
	} else {
		cfg.Prefix = randomName("burst-") + "/"
		b.names = append(b.names, "prefix "+cfg.Bucket+"/"+cfg.Prefix)
	}
	// Opening the store creates a missing bucket now, before the
	// instances race to, and checks the settings.
	store, err := media.NewS3Store(ctx, cfg)
	if err != nil {
		return fmt.Errorf("S3 at %s: %w", cfg.Endpoint, err)
	}
	b.cleanups = append(b.cleanups, func(ctx context.Context) error {
		// Every object under the prefix, and the bucket itself when it is
		// the run's own (no prefix).
		return store.RemoveAll(ctx)
	})
	b.s3 = cfg
	return nil
}

// checkDatabaseURL refuses a URL that is not PostgreSQL's or whose server
// is not on this machine's loopback (a unix socket folder is local too).
func checkDatabaseURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || !models.IsPostgresURL(raw) {
		return fmt.Errorf("-database-url %q: want postgres://user@127.0.0.1:port/db", models.RedactURL(raw))
	}
	if !loopbackHost(u.Hostname()) || strings.Contains(u.Host, ",") {
		return fmt.Errorf("-database-url: the server must be on 127.0.0.1 or localhost, not %q", u.Host)
	}
	q := u.Query()
	for _, k := range []string{"host", "hostaddr"} {
		for _, h := range q[k] {
			if !loopbackHost(h) && !strings.HasPrefix(h, "/") {
				return fmt.Errorf("-database-url: %s=%q is not on loopback", k, h)
			}
		}
	}
	return nil
}

// s3OnLoopback refuses an S3 endpoint that is not on this machine's
// loopback.
func s3OnLoopback(endpoint string) error {
	raw := endpoint
	if !strings.Contains(raw, "://") {
		raw = "https://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil || !loopbackHost(u.Hostname()) {
		return fmt.Errorf("-s3-endpoint %q: the server must be on 127.0.0.1 or localhost", endpoint)
	}
	return nil
}

func loopbackHost(h string) bool {
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

func randomName(prefix string) string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return prefix + hex.EncodeToString(b[:])
}
