package web

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
)

// ContentSecurityPolicy is the policy every response carries: scripts and
// styles only from this site (no inline script, no eval), no plugins, forms
// post only here. frameAncestors is who may frame the page: "'none'" for
// everything except pages that must be embeddable (the reveal).
func ContentSecurityPolicy(frameAncestors string) string {
	return "default-src 'self'; img-src 'self' data: blob:; script-src 'self'; style-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors " + frameAncestors
}

// SetSecurityHeaders sets the headers OWASP asks for on every response.
func SetSecurityHeaders(h http.Header) {
	h.Set("Content-Security-Policy", ContentSecurityPolicy("'none'"))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Permissions-Policy", "geolocation=(), microphone=(), camera=(self)")
}

// AllowFraming is route middleware for the few pages that must be
// embeddable (the live reveal in a video-call app or a slide tool). It
// replaces the global frame-ancestors 'none' with sources, a CSP source list
// such as "'self' https://meet.example.com"; everything else about the
// policy stays. Register it on the route or group:
//
//	g.GET("/reveal/:event", h.showReveal, web.AllowFraming("'self'"))
func AllowFraming(sources string) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			h := c.Response().Header()
			h.Set("Content-Security-Policy", ContentSecurityPolicy(sources))
			// X-Frame-Options cannot name other sites; browsers that know
			// frame-ancestors ignore it anyway, so keep it only for 'self'.
			if strings.TrimSpace(sources) == "'self'" {
				h.Set("X-Frame-Options", "SAMEORIGIN")
			} else {
				h.Del("X-Frame-Options")
			}
			return next(c)
		}
	}
}

// IsSecureRequest reports whether the browser reached us over TLS: directly,
// or through a proxy we were told to trust that says so in
// X-Forwarded-Proto. An untrusted client could send that header itself,
// so it is ignored unless trustProxy.
func IsSecureRequest(r *http.Request, trustProxy bool) bool {
	if r.TLS != nil {
		return true
	}
	if !trustProxy {
		return false
	}
	proto := r.Header.Get("X-Forwarded-Proto")
	// A chain of proxies appends: the first is what the browser used.
	if i := strings.IndexByte(proto, ','); i >= 0 {
		proto = proto[:i]
	}
	return strings.EqualFold(strings.TrimSpace(proto), "https")
}

// SecureCookies marks every cookie a response sets Secure when always is
// set or the request came over TLS (see IsSecureRequest). The session and
// CSRF cookies are written by their own middleware at the last moment, so
// this wraps the response writer and rewrites Set-Cookie headers as the
// status line goes out.
func SecureCookies(always, trustProxy bool) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if always || IsSecureRequest(c.Request(), trustProxy) {
				res := c.Response()
				res.Writer = &secureCookieWriter{ResponseWriter: res.Writer}
			}
			return next(c)
		}
	}
}

type secureCookieWriter struct {
	http.ResponseWriter
	done bool
}

func (w *secureCookieWriter) WriteHeader(code int) {
	if !w.done {
		w.done = true
		h := w.ResponseWriter.Header()
		cookies := h.Values("Set-Cookie")
		for i, v := range cookies {
			if !hasSecureAttr(v) {
				cookies[i] = v + "; Secure"
			}
		}
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *secureCookieWriter) Write(b []byte) (int, error) {
	if !w.done {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach Flush and Hijack (streamed
// exports, live updates).
func (w *secureCookieWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Flush keeps streaming responses streaming through the wrapper.
func (w *secureCookieWriter) Flush() {
	if !w.done {
		w.WriteHeader(http.StatusOK)
	}
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func hasSecureAttr(cookie string) bool {
	for attr := range strings.SplitSeq(cookie, ";") {
		if strings.EqualFold(strings.TrimSpace(attr), "secure") {
			return true
		}
	}
	return false
}
