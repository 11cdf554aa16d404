package main

import (
	"io"
	"strings"
	"testing"
)

func TestSMTPSettingsComeFromFlagsOrEnvironment(t *testing.T) {
	t.Setenv("RETREAT_SMTP_HOST", "smtp.example.com")
	t.Setenv("RETREAT_SMTP_FROM", "Retreat <retreat@example.com>")
	t.Setenv("RETREAT_SMTP_USERNAME", "retreat")
	t.Setenv("RETREAT_SMTP_PASSWORD", "hunter22")
	cfg, err := parseServeConfig([]string{"--smtp-port", "2525"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.SMTP.Host != "smtp.example.com" || cfg.SMTP.Port != 2525 || cfg.SMTP.TLS != "starttls" || cfg.SMTP.Username != "retreat" {
		t.Errorf("smtp config %+v", cfg.SMTP)
	}
	d := cfg.describe()
	if strings.Contains(d, "hunter22") || !strings.Contains(d, "smtp=smtp.example.com:2525 tls=starttls") {
		t.Errorf("describe %q", d)
	}
	t.Setenv("RETREAT_SMTP_FROM", "")
	if _, err := parseServeConfig(nil, io.Discard); err == nil || !strings.Contains(err.Error(), "--smtp-from") {
		t.Errorf("a host without a sender: %v", err)
	}
	t.Setenv("RETREAT_SMTP_HOST", "")
	cfg, err = parseServeConfig(nil, io.Discard)
	if err != nil || cfg.SMTP.Enabled() || !strings.Contains(cfg.describe(), "smtp=off") {
		t.Errorf("no host: %v %+v", err, cfg)
	}
}
