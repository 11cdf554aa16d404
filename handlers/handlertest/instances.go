package handlertest

// On returns the same browser (cookies, Accept) sending its requests to
// another instance of the app, as a load balancer without sticky sessions
// would route them.
func (c *Client) On(a *App) *Client {
	return &Client{app: a, jar: c.jar, Accept: c.Accept}
}
