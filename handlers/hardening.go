package handlers

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
)

// csrfCookie is the double-submit cookie's name.
const csrfCookie = "retreat_csrf"

// dropEmptyCSRFCookie removes a CSRF cookie with an empty value from the
// request before the CSRF middleware sees it. Echo's middleware reuses
// whatever value the cookie has, and compares it in constant time with the
// token the request carries: an empty cookie and an empty (or absent-but-
// present) token compare equal, so a planted "retreat_csrf=" would switch
// the check off. Without the cookie a fresh token is made, which no request
// can already carry. (Found by FuzzSessionCookies.)
func dropEmptyCSRFCookie(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		if !strings.Contains(r.Header.Get("Cookie"), csrfCookie) {
			return next(c)
		}
		cookies := r.Cookies()
		kept := cookies[:0]
		dropped := false
		for _, ck := range cookies {
			if ck.Name == csrfCookie && ck.Value == "" {
				dropped = true
				continue
			}
			kept = append(kept, ck)
		}
		if dropped {
			r.Header.Del("Cookie")
			for _, ck := range kept {
				r.AddCookie(&http.Cookie{Name: ck.Name, Value: ck.Value})
			}
		}
		return next(c)
	}
}
