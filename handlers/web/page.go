package web

import (
	"github.com/labstack/echo/v4"
)

// Page is the data every page shares; page structs embed it.
type Page struct {
	Title string
	// CSRF is the token forms carry in their "_csrf" field.
	CSRF string
	// Flash is a one-time notice carried across a redirect ("Photo saved").
	Flash string
	// OrganizerName is set when an organizer is signed in.
	OrganizerName string
	// Face picks the page chrome: "participant", "organizer" or "public".
	Face   string
	assets *Assets
}

// Asset returns the content-hashed URL of a static file.
func (p Page) Asset(name string) string {
	if p.assets == nil {
		return "/static/missing/" + name
	}
	return p.assets.URL(name)
}

// NewPage fills the shared page data from the request: CSRF token and any
// flash message waiting in the session.
func (r *Renderer) NewPage(c echo.Context, s *Sessions, face, title string) Page {
	p := Page{Title: title, Face: face, assets: r.assets}
	p.CSRF = CSRFToken(c)
	if s != nil {
		p.Flash = s.PopFlash(c)
	}
	return p
}

// BarePage is a page with assets only, for pages rendered outside a request
// (tests rendering every template with zero values).
func (r *Renderer) BarePage(title string) Page {
	return Page{Title: title, assets: r.assets}
}
