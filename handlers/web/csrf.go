package web

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// CSRF protection, as OWASP's cheat sheet lays it out: a synchronizer token
// kept in the server-side session, checked on every state-changing request,
// with the browser's own Fetch Metadata (Sec-Fetch-Site) and Origin headers
// checked first as defence in depth (net/http's CrossOriginProtection).
//
// Each browser has a CSRF secret of 32 random bytes. Once the browser has a
// session, the secret lives in it, server-side, and a request's token is
// compared with that copy only. Before it has one (an anonymous visitor on
// the join or sign-in page) the secret is kept in the HttpOnly
// CSRFCookie; the first time a session is saved, it adopts that secret, and
// signing in (organizer or participant) replaces it with a fresh one, so a
// secret an attacker planted before sign-in is worthless after it.
//
// The cookie is also a mirror of the session's copy, kept equal to it on
// every response, for scripts and tools that read it rather than a page.
// Mirroring gives nothing away: an attacker who could read the cookie
// could read the page. What the cookie never does is *decide*: a sibling
// origin (another port of the host, or a sibling subdomain) can overwrite
// it ("cookie tossing"), and with the old double-submit scheme, which
// compared the token with the cookie, that was enough to forge a request.
//
// The token is read from the X-CSRF-Token header, the _csrf query
// parameter (upload forms put it in their action URL) or, for URL-encoded
// forms only, the _csrf field. A multipart body is never parsed to find
// it: an unauthorised upload is refused before a byte of it is read.
// Pages carry the secret masked with a fresh one-time pad per response
// (as Django and gorilla/csrf do), so its bytes never repeat in a
// compressed page (BREACH); the bare secret is accepted too.

// CSRFCookie is the cookie holding a browser's CSRF secret before it has
// a session, and mirroring the session's copy after.
const CSRFCookie = "retreat_csrf"

// keyCSRF is the session key of the browser's CSRF secret.
const keyCSRF = "csrf"

// csrfSecretKey is where the request's secret waits in the echo context
// between the session middleware and the check (and the page renderer).
const csrfSecretKey = "retreat.csrf-secret"

// csrfSecretBytes is the secret's length; its text form is 43 characters.
const csrfSecretBytes = 32

var csrfEncoding = base64.RawURLEncoding

func newCSRFSecret() string {
	b := make([]byte, csrfSecretBytes)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return csrfEncoding.EncodeToString(b)
}

// validCSRFSecret reports whether s has the form of a secret we made:
// anything else in the cookie (empty, planted, garbage) is replaced.
func validCSRFSecret(s string) bool {
	b, err := csrfEncoding.DecodeString(s)
	return err == nil && len(b) == csrfSecretBytes
}

// maskCSRF returns the secret under a fresh one-time pad: pad || pad^secret.
func maskCSRF(secret string) string {
	raw, err := csrfEncoding.DecodeString(secret)
	if err != nil || len(raw) != csrfSecretBytes {
		return ""
	}
	out := make([]byte, 2*csrfSecretBytes)
	_, _ = rand.Read(out[:csrfSecretBytes])
	for i, b := range raw {
		out[csrfSecretBytes+i] = out[i] ^ b
	}
	return csrfEncoding.EncodeToString(out)
}

// csrfTokenMatches reports whether token, masked or bare, carries secret.
func csrfTokenMatches(token, secret string) bool {
	want, err := csrfEncoding.DecodeString(secret)
	if err != nil || len(want) != csrfSecretBytes {
		return false
	}
	got, err := csrfEncoding.DecodeString(token)
	if err != nil {
		return false
	}
	switch len(got) {
	case csrfSecretBytes:
	case 2 * csrfSecretBytes:
		pad, masked := got[:csrfSecretBytes], got[csrfSecretBytes:]
		plain := make([]byte, csrfSecretBytes)
		for i := range plain {
			plain[i] = pad[i] ^ masked[i]
		}
		got = plain
	default:
		return false
	}
	return subtle.ConstantTimeCompare(got, want) == 1
}

// loadCSRF finds the request's CSRF secret after its session is loaded:
// the session's copy, or the cookie's (or a new one) for a browser without
// a session. It records it for the check, the pages and the response.
func (s *Sessions) loadCSRF(c echo.Context) {
	ctx := c.Request().Context()
	secret := s.sm.GetString(ctx, keyCSRF)
	if secret == "" && s.sm.Token(ctx) != "" {
		// A session saved before secrets lived in sessions: it gets a
		// fresh one (a page rendered before the upgrade asks for one
		// reload), never the cookie's, which anyone could have planted.
		secret = newCSRFSecret()
		s.sm.Put(ctx, keyCSRF, secret)
	}
	if secret == "" {
		if ck, err := c.Cookie(CSRFCookie); err == nil && validCSRFSecret(ck.Value) {
			secret = ck.Value
		} else {
			secret = newCSRFSecret()
		}
	}
	c.Set(csrfSecretKey, secret)
}

// saveCSRF runs as the response header goes out, before the session is
// saved: a session about to be stored for the first time adopts the
// browser's secret (the pages this response renders carry it), and the
// cookie is set to the secret now in force when it differs from the one
// the browser sent.
func (s *Sessions) saveCSRF(c echo.Context, willSave bool) {
	ctx := c.Request().Context()
	secret := s.sm.GetString(ctx, keyCSRF)
	if secret == "" {
		secret, _ = c.Get(csrfSecretKey).(string)
		if secret == "" {
			return
		}
		if willSave {
			s.sm.Put(ctx, keyCSRF, secret)
		}
	}
	if ck, err := c.Cookie(CSRFCookie); err == nil && ck.Value == secret {
		return
	}
	http.SetCookie(c.Response(), &http.Cookie{
		Name: CSRFCookie, Value: secret, Path: "/",
		MaxAge:   int(s.sm.Lifetime.Seconds()),
		HttpOnly: true, Secure: s.sm.Cookie.Secure, SameSite: http.SameSiteLaxMode,
	})
}

// rotateCSRF gives the session a fresh secret (at sign-in).
func (s *Sessions) rotateCSRF(c echo.Context) {
	secret := newCSRFSecret()
	s.sm.Put(c.Request().Context(), keyCSRF, secret)
	c.Set(csrfSecretKey, secret)
}

// CSRFToken is the token a page rendered for c carries in its forms: the
// browser's secret, freshly masked. It is empty outside the session
// middleware (static files, the reveal's photos), which render no forms.
func CSRFToken(c echo.Context) string {
	if tok, ok := c.Get(middleware.DefaultCSRFConfig.ContextKey).(string); ok {
		return tok // set by a test, or already masked for this response
	}
	secret, _ := c.Get(csrfSecretKey).(string)
	if secret == "" {
		return ""
	}
	tok := maskCSRF(secret)
	c.Set(middleware.DefaultCSRFConfig.ContextKey, tok)
	return tok
}

// CSRFOptions configures the check.
type CSRFOptions struct {
	// BaseURL is the site's public address: a browser posting from it is
	// same-origin even when a proxy changed the Host header.
	BaseURL string
	// Message is what a refused request is told.
	Message string
}

// CSRF returns the middleware that refuses a state-changing request
// (anything but GET, HEAD, OPTIONS) unless it comes from this site and
// carries the token of this browser's session. It must run after
// Middleware and before anything reads the body.
func (s *Sessions) CSRF(opts CSRFOptions) (echo.MiddlewareFunc, error) {
	origins := http.NewCrossOriginProtection()
	if opts.BaseURL != "" {
		u, err := url.Parse(opts.BaseURL)
		if err == nil && u.Scheme != "" && u.Host != "" {
			err = origins.AddTrustedOrigin(u.Scheme + "://" + u.Host)
		}
		if err != nil {
			return nil, err
		}
	}
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			r := c.Request()
			switch r.Method {
			case http.MethodGet, http.MethodHead, http.MethodOptions:
				return next(c)
			}
			// Sec-Fetch-Site is what every current browser sends: a post
			// from another origin (a sibling port or subdomain included,
			// which SameSite cookies let through) is refused here before
			// its token is even looked at. Browsers without it are
			// checked by Origin; clients that send neither (scripts,
			// curl) still need the token.
			if err := origins.Check(r); err != nil {
				return NewError(http.StatusForbidden, opts.Message, err)
			}
			token, err := requestCSRFToken(c)
			if err != nil {
				return err
			}
			secret, _ := c.Get(csrfSecretKey).(string)
			if secret == "" || !csrfTokenMatches(token, secret) {
				return NewError(http.StatusForbidden, opts.Message, errCSRFMismatch)
			}
			return next(c)
		}
	}, nil
}

var errCSRFMismatch = errors.New("missing or wrong CSRF token")

// requestCSRFToken finds the token a request carries without reading a
// body other than a small URL-encoded form (bounded by the body limit). A
// form that cannot be read (too large, too slow) is that error, not a
// missing token.
func requestCSRFToken(c echo.Context) (string, error) {
	r := c.Request()
	if t := r.Header.Get("X-CSRF-Token"); t != "" {
		return t, nil
	}
	if t := r.URL.Query().Get("_csrf"); t != "" {
		return t, nil
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get(echo.HeaderContentType))
	if !strings.EqualFold(ct, echo.MIMEApplicationForm) {
		return "", nil
	}
	if err := r.ParseForm(); err != nil {
		var we *Error
		var tooBig *http.MaxBytesError
		switch {
		case errors.As(err, &we):
			return "", err
		case errors.As(err, &tooBig):
			return "", NewError(http.StatusRequestEntityTooLarge, "This form is too large to send.", err)
		}
		return "", NewError(http.StatusBadRequest, "The form could not be read. Go back, reload the page and try again.", err)
	}
	return r.PostForm.Get("_csrf"), nil
}
