package web

import "github.com/labstack/echo/v4"

// SessionToken returns the token of the request's session, "" when the
// browser has none yet. It is a secret: use it to tell browsers apart in
// memory (counting open streams per browser), never log or show it.
func (s *Sessions) SessionToken(c echo.Context) string {
	return s.sm.Token(c.Request().Context())
}
