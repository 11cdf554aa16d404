// Package mail sends Retreat's email over SMTP, through
// github.com/wneessen/go-mail: the server settings, and messages with a
// plain-text and an HTML body rendered from templates. It knows nothing
// about HTTP; what a message says is decided by its caller.
package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	htmltemplate "html/template"
	netmail "net/mail"
	"strings"
	texttemplate "text/template"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// TLS modes for Config.TLS.
const (
	// TLSStartTLS upgrades the connection with STARTTLS and refuses to send
	// without it (the default; port 587).
	TLSStartTLS = "starttls"
	// TLSImplicit connects with TLS from the first byte (port 465).
	TLSImplicit = "tls"
	// TLSOpportunistic uses STARTTLS when the server offers it.
	TLSOpportunistic = "opportunistic"
	// TLSNone never encrypts: only for a relay on the same machine or in
	// tests (port 25).
	TLSNone = "none"
)

// Config is how to reach the SMTP server. An empty Host means email is off.
type Config struct {
	Host     string
	Port     int // 0: the usual port of the TLS mode
	Username string
	Password string
	// From is the sender, "Retreat <retreat@example.com>" or a bare address.
	From string
	// TLS is one of the TLS* modes ("" means TLSStartTLS).
	TLS string
	// Timeout bounds connecting and each SMTP command (default 30 s).
	Timeout time.Duration
	// TLSConfig replaces the default TLS settings (tests with their own CA).
	TLSConfig *tls.Config
}

// Enabled reports whether email is configured.
func (c Config) Enabled() bool { return c.Host != "" }

// Validate reports what is wrong with an enabled configuration.
func (c Config) Validate() error {
	if !c.Enabled() {
		return nil
	}
	var errs []error
	if c.From == "" {
		errs = append(errs, errors.New("--smtp-from is required when --smtp-host is set"))
	} else if _, err := netmail.ParseAddress(c.From); err != nil {
		errs = append(errs, fmt.Errorf("--smtp-from %q is not an email address: %w", c.From, err))
	}
	switch c.TLS {
	case "", TLSStartTLS, TLSImplicit, TLSOpportunistic, TLSNone:
	default:
		errs = append(errs, fmt.Errorf("--smtp-tls %q: use starttls, tls, opportunistic or none", c.TLS))
	}
	if c.Port < 0 || c.Port > 65535 {
		errs = append(errs, fmt.Errorf("--smtp-port %d is not a port", c.Port))
	}
	if (c.Username == "") != (c.Password == "") {
		errs = append(errs, errors.New("--smtp-username and --smtp-password go together"))
	}
	return errors.Join(errs...)
}

// port is the configured port or the usual one for the TLS mode.
func (c Config) port() int {
	if c.Port != 0 {
		return c.Port
	}
	switch c.TLS {
	case TLSImplicit:
		return 465
	case TLSNone:
		return 25
	default:
		return 587
	}
}

// Describe prints the settings for the start-up line, password masked.
func (c Config) Describe() string {
	if !c.Enabled() {
		return "off"
	}
	tlsMode := c.TLS
	if tlsMode == "" {
		tlsMode = TLSStartTLS
	}
	s := fmt.Sprintf("%s:%d tls=%s from=%q", c.Host, c.port(), tlsMode, c.From)
	if c.Username != "" {
		s += fmt.Sprintf(" username=%q password=***", c.Username)
	}
	return s
}

// Mailer sends messages through the configured server, one connection per
// batch.
type Mailer struct {
	cfg  Config
	from *netmail.Address
}

// New checks cfg and returns a Mailer for it.
func New(cfg Config) (*Mailer, error) {
	if !cfg.Enabled() {
		return nil, errors.New("email is not configured (no SMTP host)")
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	from, err := netmail.ParseAddress(cfg.From)
	if err != nil {
		return nil, fmt.Errorf("smtp from: %w", err)
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 30 * time.Second
	}
	return &Mailer{cfg: cfg, from: from}, nil
}

// From is the sender's address, for pages that say where email comes from.
func (m *Mailer) From() string { return m.from.Address }

// Message is one email. Its body is rendered from both templates, the
// plain text first and the HTML as the alternative mail apps prefer.
type Message struct {
	To     string // bare address
	ToName string
	// Subject must be one line; it is encoded as needed.
	Subject string
	Text    *texttemplate.Template
	HTML    *htmltemplate.Template
	Data    any
}

func (m *Mailer) build(msg *Message) (*gomail.Msg, error) {
	gm := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	gm.FromMailAddress(m.from)
	if err := gm.AddToFormat(msg.ToName, msg.To); err != nil {
		return nil, fmt.Errorf("recipient %q: %w", msg.To, err)
	}
	gm.Subject(strings.Join(strings.Fields(msg.Subject), " "))
	gm.SetDate()
	gm.SetMessageID()
	gm.SetUserAgent("Retreat")
	// Reminders are automatic: out-of-office replies should not answer them.
	gm.SetGenHeader(gomail.Header("Auto-Submitted"), "auto-generated")
	if err := gm.SetBodyTextTemplate(msg.Text, msg.Data); err != nil {
		return nil, fmt.Errorf("render text body: %w", err)
	}
	if err := gm.AddAlternativeHTMLTemplate(msg.HTML, msg.Data); err != nil {
		return nil, fmt.Errorf("render html body: %w", err)
	}
	return gm, nil
}

func (m *Mailer) client() (*gomail.Client, error) {
	opts := []gomail.Option{gomail.WithPort(m.cfg.port()), gomail.WithTimeout(m.cfg.Timeout)}
	switch m.cfg.TLS {
	case TLSImplicit:
		opts = append(opts, gomail.WithSSL())
	case TLSOpportunistic:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	case TLSNone:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	}
	if m.cfg.TLSConfig != nil {
		opts = append(opts, gomail.WithTLSConfig(m.cfg.TLSConfig))
	}
	if m.cfg.Username != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(m.cfg.Username), gomail.WithPassword(m.cfg.Password))
	}
	return gomail.NewClient(m.cfg.Host, opts...)
}

// Send delivers the messages over one connection and returns one error per
// message (nil for each one the server accepted). A message that cannot be
// built, or a connection that cannot be made, fails without stopping the
// others.
func (m *Mailer) Send(ctx context.Context, msgs []*Message) []error {
	errs := make([]error, len(msgs))
	built := make([]*gomail.Msg, 0, len(msgs))
	index := make([]int, 0, len(msgs))
	for i, msg := range msgs {
		gm, err := m.build(msg)
		if err != nil {
			errs[i] = err
			continue
		}
		built = append(built, gm)
		index = append(index, i)
	}
	if len(built) == 0 {
		return errs
	}
	c, err := m.client()
	if err == nil {
		err = c.DialAndSendWithContext(ctx, built...)
	}
	for j, gm := range built {
		switch {
		case gm.HasSendError():
			errs[index[j]] = fmt.Errorf("send to %s: %w", msgs[index[j]].To, gm.SendError())
		case err != nil && !gm.IsDelivered():
			errs[index[j]] = fmt.Errorf("send to %s: %w", msgs[index[j]].To, err)
		}
	}
	return errs
}
