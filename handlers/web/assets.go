package web

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"

	"github.com/labstack/echo/v4"
)

// Assets serves the embedded static files under content-hashed URLs, so they
// can be cached for a year and still change the moment a new build ships.
type Assets struct {
	fsys   fs.FS
	hashes map[string]string // "css/app.css" -> "3f9c1a2b"
}

// NewAssets hashes every file of fsys once, at start.
func NewAssets(fsys fs.FS) (*Assets, error) {
	a := &Assets{fsys: fsys, hashes: map[string]string{}}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		a.hashes[p] = hex.EncodeToString(sum[:4])
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("hash static files: %w", err)
	}
	return a, nil
}

// URL returns the cacheable URL of a static file. An unknown name gives a URL
// that 404s rather than a broken page, and shows up in tests that render every page.
func (a *Assets) URL(name string) string {
	h, ok := a.hashes[name]
	if !ok {
		return "/static/missing/" + name
	}
	return "/static/" + h + "/" + name
}

// Serve answers GET /static/:hash/*. A stale hash still gets the current file
// (a page cached before a deploy keeps working) but is not cached for long.
func (a *Assets) Serve(c echo.Context) error {
	name := path.Clean(c.Param("*"))
	h, ok := a.hashes[name]
	if !ok || strings.HasPrefix(name, ".") {
		return echo.NewHTTPError(http.StatusNotFound, "No such file.")
	}
	b, err := fs.ReadFile(a.fsys, name)
	if err != nil {
		return fmt.Errorf("read static file %s: %w", name, err)
	}
	hdr := c.Response().Header()
	if c.Param("hash") == h {
		hdr.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		hdr.Set("Cache-Control", "no-cache")
	}
	// Embedded files have no modification time; the content hash is the
	// validator instead.
	hdr.Set("ETag", `"`+h+`"`)
	if match := c.Request().Header.Get("If-None-Match"); match == `"`+h+`"` {
		return c.NoContent(http.StatusNotModified)
	}
	ctype := mime.TypeByExtension(path.Ext(name))
	if ctype == "" {
		ctype = "application/octet-stream"
	}
	return c.Blob(http.StatusOK, ctype, b)
}
