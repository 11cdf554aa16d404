package handlertest

import "net/http"

// Cookies returns the client's cookies, for a real HTTP client (a test
// server, a browser) to carry on as the same person.
func (c *Client) Cookies() []*http.Cookie { return c.jar.Cookies(base) }

// SetCookie stores a cookie in the client's jar as if a page had set it
// (a sibling origin tossing a cookie, in tests of CSRF).
func (c *Client) SetCookie(ck *http.Cookie) { c.jar.SetCookies(base, []*http.Cookie{ck}) }
