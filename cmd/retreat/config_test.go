package main

import (
	"bytes"
	"io"
	"os"
	"strings"
	"testing"
)

// clearRetreatEnv unsets every RETREAT_ setting for the test (restored
// after it), so the machine's environment cannot change the defaults.
func clearRetreatEnv(t *testing.T) {
	t.Helper()
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "RETREAT_") && !strings.HasPrefix(name, "RETREAT_TEST_") {
			t.Setenv(name, "") // restores the old value after the test
			os.Unsetenv(name)
		}
	}
}

// TestConfigFlagBeatsEnvironmentBeatsDefault checks the four settings a
// self-hoster sets first: the default, the environment variable over it,
// the flag over both; the database follows the data folder unless set.
func TestConfigFlagBeatsEnvironmentBeatsDefault(t *testing.T) {
	type settings struct{ addr, dataDir, baseURL, databaseURL string }
	allEnv := map[string]string{
		"RETREAT_ADDR":         "127.0.0.1:9090",
		"RETREAT_DATA_DIR":     "/srv/env-data",
		"RETREAT_BASE_URL":     "https://env.example.com",
		"RETREAT_DATABASE_URL": "sqlite:///srv/env.db",
	}
	for _, tc := range []struct {
		name string
		env  map[string]string
		args []string
		want settings
	}{
		{
			name: "defaults",
			want: settings{":8080", "./retreat-data", "", "sqlite://retreat-data/retreat.db"},
		},
		{
			name: "environment over defaults",
			env:  allEnv,
			want: settings{"127.0.0.1:9090", "/srv/env-data", "https://env.example.com", "sqlite:///srv/env.db"},
		},
		{
			name: "database follows the data folder from the environment",
			env:  map[string]string{"RETREAT_DATA_DIR": "/srv/env-data"},
			want: settings{":8080", "/srv/env-data", "", "sqlite:///srv/env-data/retreat.db"},
		},
		{
			name: "flags over environment",
			env:  allEnv,
			args: []string{"--addr", "127.0.0.1:7070", "--data-dir", "/srv/flag-data", "--base-url", "https://flag.example.com",
				"--database-url", "postgres://retreat@db/retreat"},
			want: settings{"127.0.0.1:7070", "/srv/flag-data", "https://flag.example.com", "postgres://retreat@db/retreat"},
		},
		{
			name: "database follows the data folder flag over the environment's folder",
			env:  map[string]string{"RETREAT_DATA_DIR": "/srv/env-data"},
			args: []string{"--data-dir", "/srv/flag-data"},
			want: settings{":8080", "/srv/flag-data", "", "sqlite:///srv/flag-data/retreat.db"},
		},
		{
			name: "database URL from the environment over the data folder flag",
			env:  map[string]string{"RETREAT_DATABASE_URL": "sqlite:///srv/env.db"},
			args: []string{"--data-dir", "/srv/flag-data"},
			want: settings{":8080", "/srv/flag-data", "", "sqlite:///srv/env.db"},
		},
		{
			name: "one flag leaves the other settings to the environment",
			env:  allEnv,
			args: []string{"--addr", ":9999"},
			want: settings{":9999", "/srv/env-data", "https://env.example.com", "sqlite:///srv/env.db"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clearRetreatEnv(t)
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			cfg, err := parseServeConfig(tc.args, io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			got := settings{cfg.Addr, cfg.DataDir, cfg.BaseURL, cfg.DatabaseURL}
			if got != tc.want {
				t.Errorf("config = %+v, want %+v", got, tc.want)
			}
			// An https base URL marks cookies Secure unless told otherwise.
			if want := strings.HasPrefix(tc.want.baseURL, "https://"); cfg.SecureCookies != want {
				t.Errorf("secure cookies = %t with base URL %q, want %t", cfg.SecureCookies, cfg.BaseURL, want)
			}
		})
	}
}

// TestStartupConfigLineMasksSecrets starts the server with every secret
// set from the environment, and a database URL it cannot open (so it stops
// right after printing its configuration), and reads what it printed.
func TestStartupConfigLineMasksSecrets(t *testing.T) {
	clearRetreatEnv(t)
	secrets := map[string]string{
		"RETREAT_DATABASE_URL":  "mysql://retreat:db-secret-1@db/retreat",
		"RETREAT_SMTP_PASSWORD": "smtp-secret-2",
		"RETREAT_S3_SECRET_KEY": "s3-secret-3",
	}
	for k, v := range secrets {
		t.Setenv(k, v)
	}
	t.Setenv("RETREAT_SMTP_HOST", "smtp.example.com")
	t.Setenv("RETREAT_SMTP_FROM", "Retreat <retreat@example.com>")
	t.Setenv("RETREAT_SMTP_USERNAME", "retreat")
	t.Setenv("RETREAT_S3_ENDPOINT", "http://127.0.0.1:1")
	t.Setenv("RETREAT_S3_BUCKET", "photos")
	t.Setenv("RETREAT_S3_ACCESS_KEY", "retreat-access")
	var out, errOut bytes.Buffer
	err := run(t.Context(), []string{"--data-dir", t.TempDir(), "--addr", "127.0.0.1:0", "--log-format", "json"}, nil, &out, &errOut)
	if err == nil {
		t.Fatal("the server started on a mysql:// database URL")
	}
	printed := errOut.String() + out.String() + err.Error()
	if !strings.Contains(errOut.String(), "starting retreat") {
		t.Fatalf("no start-up line printed:\n%s", errOut.String())
	}
	for _, want := range []string{"mysql://retreat:xxxxx@db/retreat", "smtp.example.com", "password=***", "access-key=retreat-access", "secret-key=***"} {
		if !strings.Contains(errOut.String(), want) {
			t.Errorf("start-up line lacks %q:\n%s", want, errOut.String())
		}
	}
	for name, secret := range map[string]string{"database password": "db-secret-1", "SMTP password": "smtp-secret-2", "S3 secret key": "s3-secret-3"} {
		if strings.Contains(printed, secret) {
			t.Errorf("the %s was printed:\n%s", name, printed)
		}
	}

	// PostgreSQL URLs carry the password in the user part or as a
	// parameter (libpq's ?password=); neither is printed.
	for _, raw := range []string{
		"postgres://retreat:pg-secret-4@db:5432/retreat?sslmode=require",
		"postgres://retreat@db:5432/retreat?sslmode=require&password=pg-secret-4",
	} {
		cfg := &config{DatabaseURL: raw}
		if d := cfg.describe(); strings.Contains(d, "pg-secret-4") || !strings.Contains(d, "@db:5432/retreat") {
			t.Errorf("describe(%s) = %s", raw, d)
		}
	}
}

// TestAbuseLimitFlags checks the limits on what one client can cost: their
// defaults, the environment and flags over them, and refusals of values
// that would switch a limit off by accident.
func TestAbuseLimitFlags(t *testing.T) {
	clearRetreatEnv(t)
	c, err := parseServeConfig(nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.JoinBurst != 100 || c.JoinInterval.String() != "1s" || c.StreamsPerSession != 4 || c.HashSlots < 1 ||
		c.UploadsPerParticipant != 3 || c.UploadsTotalMB != 4096 || c.UploadStaleAfter.String() != "1h0m0s" ||
		c.BodyMinRate != 1024 || c.BodyIdle.String() != "30s" || c.HeaderTimeout.String() != "10s" {
		t.Fatalf("defaults: %+v", c)
	}
	t.Setenv("RETREAT_JOIN_BURST", "300")
	t.Setenv("RETREAT_UPLOADS_PENDING_TOTAL_MB", "512")
	c, err = parseServeConfig([]string{"--live-streams-per-session", "2", "--hash-slots", "1", "--body-min-rate", "0"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.JoinBurst != 300 || c.UploadsTotalMB != 512 || c.StreamsPerSession != 2 || c.HashSlots != 1 || c.BodyMinRate != 0 {
		t.Fatalf("environment and flags: %+v", c)
	}
	for _, bad := range [][]string{
		{"--join-burst", "0"}, {"--live-streams-per-session", "0"}, {"--hash-slots", "0"}, {"--uploads-pending-per-participant", "0"},
		{"--uploads-pending-total-mb", "0"}, {"--upload-stale-after", "1s"}, {"--join-interval", "0s"}, {"--body-min-rate", "-1"},
		{"--body-idle-timeout", "0s"}, {"--header-timeout", "0s"},
	} {
		if _, err := parseServeConfig(bad, io.Discard); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
}
