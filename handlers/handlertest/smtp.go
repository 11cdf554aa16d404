package handlertest

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"math/big"
	"mime"
	"mime/multipart"
	"net"
	netmail "net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"retreat/models/mail"
)

// SMTPServer is a real SMTP server on 127.0.0.1 that keeps every message
// it is given, for tests that read what the app sent.
type SMTPServer struct {
	Addr string
	Port int
	// Username and Password are required with AUTH PLAIN when set.
	Username, Password string

	mu     sync.Mutex
	msgs   []Delivered
	reject map[string]bool
	// tls is the client side of StartTLS, nil for a plain server.
	tls *tls.Config
}

// Delivered is one message as the server received it.
type Delivered struct {
	From string
	To   []string
	Data []byte
}

// StartSMTP starts a server on a free port; it stops when the test ends.
func StartSMTP(t testing.TB) *SMTPServer { return startSMTP(t, false) }

// StartSMTPWithTLS starts a server that offers STARTTLS with a certificate
// made for the test, which its Config trusts: the way a real server is
// reached (and the only way go-mail sends a password).
func StartSMTPWithTLS(t testing.TB) *SMTPServer { return startSMTP(t, true) }

func startSMTP(t testing.TB, withTLS bool) *SMTPServer {
	t.Helper()
	s := &SMTPServer{reject: map[string]bool{}}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &smtpSession{srv: s}, nil }))
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = !withTLS
	srv.ReadTimeout = 10 * time.Second
	srv.WriteTimeout = 10 * time.Second
	if withTLS {
		cert, pool := testCertificate(t)
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}}
		s.tls = &tls.Config{RootCAs: pool, ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen for SMTP: %v", err)
	}
	s.Addr = ln.Addr().String()
	s.Port = ln.Addr().(*net.TCPAddr).Port
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return s
}

// testCertificate makes a self-signed certificate for 127.0.0.1 and a pool
// that trusts it.
func testCertificate(t testing.TB) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "retreat test SMTP"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}

// Reject makes the server refuse mail to addr (550 at RCPT).
func (s *SMTPServer) Reject(addr string) {
	s.mu.Lock()
	s.reject[strings.ToLower(addr)] = true
	s.mu.Unlock()
}

// Config is a mail configuration that sends to this server: unencrypted,
// or with STARTTLS required for a server started WithTLS.
func (s *SMTPServer) Config() mail.Config {
	c := mail.Config{Host: "127.0.0.1", Port: s.Port, From: "Retreat <retreat@example.com>", TLS: mail.TLSNone,
		Username: s.Username, Password: s.Password, Timeout: 5 * time.Second}
	if s.tls != nil {
		c.TLS, c.TLSConfig = mail.TLSStartTLS, s.tls
	}
	return c
}

// Mailer is a mail.Mailer for this server.
func (s *SMTPServer) Mailer(t testing.TB) *mail.Mailer {
	t.Helper()
	m, err := mail.New(s.Config())
	if err != nil {
		t.Fatalf("mailer: %v", err)
	}
	return m
}

// Messages returns what the server has received so far.
func (s *SMTPServer) Messages() []Delivered {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Delivered(nil), s.msgs...)
}

type smtpSession struct {
	srv  *SMTPServer
	from string
	to   []string
	auth bool
}

func (ss *smtpSession) AuthMechanisms() []string { return []string{sasl.Plain} }

func (ss *smtpSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != ss.srv.Username || pass != ss.srv.Password {
			return errors.New("invalid credentials")
		}
		ss.auth = true
		return nil
	}), nil
}

func (ss *smtpSession) Mail(from string, _ *smtp.MailOptions) error {
	if ss.srv.Username != "" && !ss.auth {
		return smtp.ErrAuthRequired
	}
	ss.from = from
	return nil
}

func (ss *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.srv.mu.Lock()
	refused := ss.srv.reject[strings.ToLower(to)]
	ss.srv.mu.Unlock()
	if refused {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}
	}
	ss.to = append(ss.to, to)
	return nil
}

func (ss *smtpSession) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	ss.srv.mu.Lock()
	ss.srv.msgs = append(ss.srv.msgs, Delivered{From: ss.from, To: ss.to, Data: data})
	ss.srv.mu.Unlock()
	return nil
}

func (ss *smtpSession) Reset()        { ss.from, ss.to = "", nil }
func (ss *smtpSession) Logout() error { return nil }

// Email is a delivered message taken apart: headers, and the decoded
// plain-text and HTML bodies of a multipart/alternative message.
type Email struct {
	Header netmail.Header
	// Subject is decoded from its RFC 2047 form.
	Subject string
	Text    string
	HTML    string
}

// ParseEmail reads a delivered message, failing the test if it is not a
// well-formed multipart/alternative email with a text and an HTML part.
func ParseEmail(t testing.TB, d Delivered) Email {
	t.Helper()
	m, err := netmail.ReadMessage(bytes.NewReader(d.Data))
	if err != nil {
		t.Fatalf("read message: %v\n%s", err, d.Data)
	}
	var e Email
	e.Header = m.Header
	dec := new(mime.WordDecoder)
	if e.Subject, err = dec.DecodeHeader(m.Header.Get("Subject")); err != nil {
		t.Fatalf("decode subject %q: %v", m.Header.Get("Subject"), err)
	}
	mt, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		t.Fatalf("Content-Type %q: want multipart/alternative (%v)", m.Header.Get("Content-Type"), err)
	}
	mr := multipart.NewReader(m.Body, params["boundary"])
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("read part: %v", err)
		}
		// multipart decodes quoted-printable parts itself.
		body, err := io.ReadAll(part)
		if err != nil {
			t.Fatalf("read part body: %v", err)
		}
		pt, _, _ := mime.ParseMediaType(part.Header.Get("Content-Type"))
		switch pt {
		case "text/plain":
			e.Text = string(body)
		case "text/html":
			e.HTML = string(body)
		}
	}
	if e.Text == "" || e.HTML == "" {
		t.Fatalf("message lacks a text or an HTML part:\n%s", d.Data)
	}
	return e
}
