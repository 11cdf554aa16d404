// Package web is the HTTP plumbing the areas share: the template renderer and
// base page data, static assets, sessions, CSRF and the error boundary that
// turns errors into pages or JSON. It imports no area.
package web

import (
	"bytes"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"sync"

	"github.com/labstack/echo/v4"
)

// Renderer executes pages parsed once at start. Each page is parsed together
// with the layout and every partial into a set of its own, so pages can each
// define "title" and "content" without overwriting one another.
type Renderer struct {
	pages  map[string]*template.Template
	assets *Assets
	bufs   sync.Pool
}

// NewRenderer parses every page under pages/ of fsys. Page names are their
// paths without "pages/" and ".html": "participant/prompts".
func NewRenderer(fsys fs.FS, assets *Assets) (*Renderer, error) {
	r := &Renderer{pages: map[string]*template.Template{}, assets: assets}
	r.bufs.New = func() any { return new(bytes.Buffer) }
	partials, err := fs.Glob(fsys, "partials/*.html")
	if err != nil {
		return nil, fmt.Errorf("list partials: %w", err)
	}
	err = fs.WalkDir(fsys, "pages", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || path.Ext(p) != ".html" {
			return err
		}
		name := strings.TrimSuffix(strings.TrimPrefix(p, "pages/"), ".html")
		layout := layoutFor(name)
		files := append([]string{layout, p}, partials...)
		t, err := template.New(path.Base(layout)).Funcs(funcs).ParseFS(fsys, files...)
		if err != nil {
			return fmt.Errorf("parse page %s: %w", name, err)
		}
		r.pages[name] = t
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(r.pages) == 0 {
		return nil, fmt.Errorf("no page templates found")
	}
	return r, nil
}

// layoutFor picks a page's layout: the reveal's pages (live/) are a
// full-screen slideshow, every other page has the site's chrome.
func layoutFor(page string) string {
	if strings.HasPrefix(page, "live/") {
		return "layouts/slideshow.html"
	}
	return "layouts/base.html"
}

// Pages lists the names of every parsed page (a test renders them all).
func (r *Renderer) Pages() []string {
	names := make([]string, 0, len(r.pages))
	for n := range r.pages {
		names = append(names, n)
	}
	return names
}

// Render implements echo.Renderer. It executes into a buffer and writes
// only on success, so a template error becomes a clean 500 instead of half
// a page.
func (r *Renderer) Render(w io.Writer, name string, data any, c echo.Context) error {
	buf := r.bufs.Get().(*bytes.Buffer)
	buf.Reset()
	defer r.bufs.Put(buf)
	if err := r.Execute(buf, name, data); err != nil {
		return err
	}
	_, err := buf.WriteTo(w)
	return err
}

// Execute runs the named page into w.
func (r *Renderer) Execute(w io.Writer, name string, data any) error {
	t, ok := r.pages[name]
	if !ok {
		return fmt.Errorf("render: no page %q", name)
	}
	// The set's own template is its layout (base.html or slideshow.html).
	if err := t.Execute(w, data); err != nil {
		return fmt.Errorf("render %s: %w", name, err)
	}
	return nil
}

// HTML renders a page with a status.
func HTML(c echo.Context, status int, page string, data any) error {
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.Render(status, page, data)
}

// funcs are the few helpers templates need; everything else is prepared in Go.
var funcs = template.FuncMap{
	// field looks up a form error by field name ("" when none).
	"field": func(errs map[string]string, name string) string { return errs[name] },
	"plural": func(n int, one, many string) string {
		if n == 1 {
			return one
		}
		return many
	},
}

// StatusText is http.StatusText for templates that print error pages.
func StatusText(code int) string { return http.StatusText(code) }
