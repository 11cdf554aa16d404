package main

import (
	"bytes"
	"context"
	"database/sql"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"retreat/models/backendtest"
	"retreat/models/media"
)

// TestBurstSmoke runs the tool small: a few participants with a small
// photo against the real binary, and checks it reports no errors.
func TestBurstSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and starts the real binary")
	}
	photo := filepath.Join(filepath.Dir(defaultPhoto()), "progressive.jpg")
	var out, errOut bytes.Buffer
	err := run(t.Context(), []string{"-participants", "6", "-in-flight", "3", "-photo", photo, "-photo-workers", "1"}, &out, &errOut)
	if err != nil {
		t.Fatalf("burst: %v\n%s\n%s", err, out.String(), errOut.String())
	}
	for _, want := range []string{"embedded SQLite + disk, 1 instance", "6 ok", "errors                    0", "0 in replies, 0 in the server log", "peak RSS (server)"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
	if err := run(t.Context(), []string{"-participants", "0"}, &out, &errOut); err == nil {
		t.Error("-participants 0 was accepted")
	}
}

// The tool refuses, before building anything, servers off loopback and
// several instances that could not share rows and photos.
func TestBurstRefuses(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-instances", "2"}, "needs -database-url and -s3-endpoint"},
		{[]string{"-instances", "2", "-database-url", "postgres://u@127.0.0.1/x"}, "needs -database-url and -s3-endpoint"},
		{[]string{"-database-url", "postgres://u@db.example.com:5432/x"}, "127.0.0.1"},
		{[]string{"-database-url", "postgres://u@127.0.0.1/x?host=db.example.com"}, "not on loopback"},
		{[]string{"-database-url", "postgres://u@127.0.0.1,db.example.com/x"}, "127.0.0.1"},
		{[]string{"-database-url", "sqlite:///tmp/x.db"}, "want postgres://"},
		{[]string{"-s3-endpoint", "http://10.0.0.1:9000", "-s3-access-key", "a", "-s3-secret-key", "b"}, "127.0.0.1"},
		{[]string{"-s3-endpoint", "s3.amazonaws.com"}, "127.0.0.1"},
		{[]string{"-s3-bucket", "b"}, "without -s3-endpoint"},
		{[]string{"-compare"}, "-compare needs"},
		{[]string{"-instances", "9"}, "-instances 1..8"},
	} {
		var out, errOut bytes.Buffer
		err := run(t.Context(), tc.args, &out, &errOut)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: %v, want an error with %q", tc.args, err, tc.want)
		}
	}
}

// TestBurstScaledSmoke runs -compare small: the embedded single instance,
// then two instances on the PostgreSQL and S3 servers that the tests'
// environment names (.ci/services.sh), and checks both report no errors,
// both instances served, and the run's database and photos are gone
// afterwards. Without those servers it skips, and under CI fails.
func TestBurstScaledSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and starts the real binary")
	}
	// A database of the test's own, used only to reach the server: the
	// tool creates (and drops) one of its own there.
	server := backendtest.PostgresURL(t)
	s3 := backendtest.S3Config(t) // the tool puts its photos under a new prefix in this bucket
	admin, err := sql.Open("pgx", server)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	burstDatabases := func() map[string]bool {
		rows, err := admin.QueryContext(t.Context(), "SELECT datname FROM pg_database WHERE datname LIKE 'retreat_burst_%'")
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		names := map[string]bool{}
		for rows.Next() {
			var n string
			if err := rows.Scan(&n); err != nil {
				t.Fatal(err)
			}
			names[n] = true
		}
		return names
	}
	before := burstDatabases()

	photo := filepath.Join(filepath.Dir(defaultPhoto()), "progressive.jpg")
	var out, errOut bytes.Buffer
	err = run(t.Context(), []string{"-compare", "-instances", "2", "-participants", "6", "-in-flight", "3", "-photo", photo, "-photo-workers", "1",
		"-database-url", server, "-s3-endpoint", s3.Endpoint, "-s3-bucket", s3.Bucket, "-s3-access-key", s3.AccessKey,
		"-s3-secret-key", s3.SecretKey, "-s3-region", s3.Region, "-s3-path-style"}, &out, &errOut)
	if err != nil {
		t.Fatalf("burst: %v\n%s\n%s", err, out.String(), errOut.String())
	}
	report := out.String()
	for _, want := range []string{"embedded SQLite + disk, 1 instance", "PostgreSQL + S3, 2 instances", "burst: side by side", "peak RSS (server) ", "peak RSS (servers)"} {
		if !strings.Contains(report, want) {
			t.Errorf("report lacks %q:\n%s", want, report)
		}
	}
	runs, _, _ := strings.Cut(report, "burst: side by side")
	for _, want := range []string{"6 ok", "errors                    0", "0 in replies, 0 in the server log", "server errors logged      0"} {
		if n := strings.Count(runs, want); n != 2 {
			t.Errorf("report has %q %d times, want once per run:\n%s", want, n, report)
		}
	}
	// Every request went to the next instance: both served about half.
	m := regexp.MustCompile(`requests round-robin: (\d+) / (\d+)`).FindStringSubmatch(report)
	if m == nil {
		t.Fatalf("no requests per instance in the report:\n%s", report)
	}
	a, _ := strconv.Atoi(m[1])
	b, _ := strconv.Atoi(m[2])
	if a < 20 || b < 20 || a-b > 1 || b-a > 1 {
		t.Errorf("requests per instance %d / %d, want about even", a, b)
	}

	// Cleaned up: no database of the run's left, nothing in the bucket.
	for n := range burstDatabases() {
		if !before[n] {
			t.Errorf("database %s left behind", n)
		}
	}
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	store, err := media.NewS3Store(ctx, s3)
	if err != nil {
		t.Fatal(err)
	}
	var left []string
	if err := store.List(ctx, "", func(key string) error { left = append(left, key); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(left) > 0 {
		t.Errorf("%d objects left in the bucket, e.g. %s", len(left), left[0])
	}
}
