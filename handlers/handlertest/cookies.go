package handlertest

import "net/http"

// Cookies returns the client's cookies, for a real HTTP client (a test
// server, a browser) to carry on as the same person.
func (c *Client) Cookies() []*http.Cookie { return c.jar.Cookies(base) }
