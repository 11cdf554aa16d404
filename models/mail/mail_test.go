package mail_test

import (
	"context"
	"strings"
	"testing"

	"retreat/handlers/handlertest"
	"retreat/models/mail"
)

// TestNudgeIsDeliveredWithTextAndHTMLBodies sends as in production: STARTTLS
// required, then AUTH PLAIN, to a real SMTP server that keeps the message.
func TestNudgeIsDeliveredWithTextAndHTMLBodies(t *testing.T) {
	srv := handlertest.StartSMTPWithTLS(t)
	srv.Username, srv.Password = "retreat", "s3cret"
	m := srv.Mailer(t)
	link := "https://retreat.example.com/r/abcdefghijklmnopqrstuvwxyz234567"
	msg := mail.NudgeMessage("zoe@example.com", mail.Nudge{Name: "Zoë <script>", EventName: "Spring & hunt", Link: link,
		Prompts: []mail.NudgePrompt{{Title: "A swing", Closes: "Fri 4 Dec 18:00 your time (Tokyo)", Left: "in 3 h"}}})
	if errs := m.Send(context.Background(), []*mail.Message{msg}); errs[0] != nil {
		t.Fatalf("send: %v", errs[0])
	}
	got := srv.Messages()
	if len(got) != 1 || len(got[0].To) != 1 || got[0].To[0] != "zoe@example.com" || got[0].From != "retreat@example.com" {
		t.Fatalf("delivered %+v", got)
	}
	e := handlertest.ParseEmail(t, got[0])
	if e.Subject != `Reminder: "A swing" closes in 3 h` {
		t.Errorf("subject %q", e.Subject)
	}
	if h := e.Header.Get("Auto-Submitted"); h != "auto-generated" {
		t.Errorf("Auto-Submitted %q", h)
	}
	for _, want := range []string{"Hi Zoë <script>,", "A prompt in Spring & hunt is still waiting", "A swing", "closes Fri 4 Dec 18:00 your time (Tokyo) (in 3 h)", link} {
		if !strings.Contains(e.Text, want) {
			t.Errorf("text lacks %q:\n%s", want, e.Text)
		}
	}
	// The HTML part escapes what people typed.
	for _, want := range []string{"Hi Zoë &lt;script&gt;", "Spring &amp; hunt", `<a href="` + link + `"`} {
		if !strings.Contains(e.HTML, want) {
			t.Errorf("HTML lacks %q:\n%s", want, e.HTML)
		}
	}
}

func TestSendReportsEachMessageAndAWrongPassword(t *testing.T) {
	srv := handlertest.StartSMTP(t)
	srv.Reject("nobody@example.com")
	m := srv.Mailer(t)
	msgs := []*mail.Message{
		mail.NudgeMessage("ana@example.com", mail.Nudge{Name: "Ana", Prompts: []mail.NudgePrompt{{Title: "x"}}}),
		mail.NudgeMessage("nobody@example.com", mail.Nudge{Name: "No", Prompts: []mail.NudgePrompt{{Title: "x"}}}),
		mail.NudgeMessage("bo@example.com", mail.Nudge{Name: "Bo", Prompts: []mail.NudgePrompt{{Title: "x"}}}),
	}
	errs := m.Send(context.Background(), msgs)
	if errs[0] != nil || errs[1] == nil || errs[2] != nil {
		t.Fatalf("errors %v, want only the refused recipient to fail", errs)
	}
	if n := len(srv.Messages()); n != 2 {
		t.Fatalf("delivered %d, want 2", n)
	}

	locked := handlertest.StartSMTPWithTLS(t)
	locked.Username, locked.Password = "retreat", "right"
	cfg := locked.Config()
	cfg.Password = "wrong"
	bad, err := mail.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if errs := bad.Send(context.Background(), msgs[:1]); errs[0] == nil {
		t.Fatal("a wrong password was not reported")
	}
	if n := len(locked.Messages()); n != 0 {
		t.Fatalf("delivered %d with a wrong password", n)
	}
	// A server without STARTTLS is refused when TLS is required.
	plain := handlertest.StartSMTP(t)
	cfg = plain.Config()
	cfg.TLS = mail.TLSStartTLS
	strict, err := mail.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if errs := strict.Send(context.Background(), msgs[:1]); errs[0] == nil || len(plain.Messages()) != 0 {
		t.Fatalf("sent without the TLS the configuration requires: %v", errs[0])
	}
}

func TestConfigValidation(t *testing.T) {
	for name, tc := range map[string]struct {
		cfg  mail.Config
		want string
	}{
		"off":              {mail.Config{}, ""},
		"minimal":          {mail.Config{Host: "smtp.example.com", From: "retreat@example.com"}, ""},
		"no from":          {mail.Config{Host: "smtp.example.com"}, "--smtp-from is required"},
		"bad from":         {mail.Config{Host: "smtp.example.com", From: "retreat"}, "not an email address"},
		"bad tls":          {mail.Config{Host: "smtp.example.com", From: "r@example.com", TLS: "ssl"}, "--smtp-tls"},
		"user without pwd": {mail.Config{Host: "smtp.example.com", From: "r@example.com", Username: "u"}, "go together"},
	} {
		t.Run(name, func(t *testing.T) {
			err := tc.cfg.Validate()
			if (err == nil) != (tc.want == "") || err != nil && !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Validate: %v, want %q", err, tc.want)
			}
		})
	}
	if d := (mail.Config{Host: "smtp.example.com", From: "r@example.com", Username: "u", Password: "p4ss"}).Describe(); strings.Contains(d, "p4ss") || !strings.Contains(d, ":587") {
		t.Errorf("Describe %q shows the password or the wrong port", d)
	}
}
