package main

import (
	"flag"

	"retreat/models/mail"
)

// registerSMTP adds the mail server flags (RETREAT_SMTP_HOST and so on).
// Without a host, email is off and nudges are links to copy into chat.
func registerSMTP(fs *flag.FlagSet, c *mail.Config) {
	fs.StringVar(&c.Host, "smtp-host", "", "SMTP server for email nudges (default: no email)")
	fs.IntVar(&c.Port, "smtp-port", 0, "SMTP port (default: 587, or 465 with --smtp-tls=tls, 25 with none)")
	fs.StringVar(&c.Username, "smtp-username", "", "SMTP user name (default: no authentication)")
	fs.StringVar(&c.Password, "smtp-password", "", "SMTP password")
	fs.StringVar(&c.From, "smtp-from", "", `sender of email nudges, e.g. "Retreat <retreat@example.com>"`)
	fs.StringVar(&c.TLS, "smtp-tls", mail.TLSStartTLS, "starttls (required), tls (implicit, port 465), opportunistic or none")
}
