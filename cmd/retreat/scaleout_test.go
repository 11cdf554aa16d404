package main

import (
	"context"
	"io"
	"strings"
	"testing"

	"retreat/models/backendtest"
)

func TestS3SettingsComeFromFlagsOrEnvironment(t *testing.T) {
	t.Setenv("RETREAT_S3_ENDPOINT", "http://minio:9000")
	t.Setenv("RETREAT_S3_BUCKET", "photos")
	t.Setenv("RETREAT_S3_ACCESS_KEY", "retreat")
	t.Setenv("RETREAT_S3_SECRET_KEY", "hunter22-secret")
	cfg, err := parseServeConfig([]string{"--s3-path-style", "--s3-region", "eu-west-1"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if s := cfg.S3; s.Endpoint != "http://minio:9000" || s.Bucket != "photos" || s.AccessKey != "retreat" || !s.PathStyle || s.Region != "eu-west-1" {
		t.Errorf("s3 config %+v", s)
	}
	if d := cfg.describe(); strings.Contains(d, "hunter22") || !strings.Contains(d, "bucket=photos") {
		t.Errorf("describe %q", d)
	}
	t.Setenv("RETREAT_S3_SECRET_KEY", "")
	if _, err := parseServeConfig(nil, io.Discard); err == nil || !strings.Contains(err.Error(), "secret key") {
		t.Errorf("an endpoint without a secret key: %v", err)
	}
	t.Setenv("RETREAT_S3_ENDPOINT", "")
	t.Setenv("RETREAT_S3_BUCKET", "")
	cfg, err = parseServeConfig(nil, io.Discard)
	if err != nil || cfg.S3.Enabled() || !strings.Contains(cfg.describe(), "s3=off") {
		t.Errorf("no S3: %v %+v", err, cfg.S3)
	}
}

// The server on PostgreSQL and S3 from the environment: it starts, takes
// the shared back ends (live hub on LISTEN/NOTIFY, uploads in the bucket)
// and answers.
func TestServeOnPostgresAndS3(t *testing.T) {
	s3 := backendtest.S3Config(t)
	cfg := &config{DataDir: t.TempDir(), DatabaseURL: backendtest.PostgresURL(t), S3: s3, PhotoWorkers: 1, MaxUploadMB: 1, MaxMegapixels: 1}
	a, err := openApp(context.Background(), cfg, newLogger(cfg, io.Discard))
	if err != nil {
		t.Fatal(err)
	}
	defer a.close()
	if !a.store.IsPostgres() {
		t.Error("the store is not on PostgreSQL")
	}
	if err := a.store.Ping(context.Background()); err != nil {
		t.Error(err)
	}
	if a.closeHub == nil {
		t.Error("no live hub to close")
	}
}
