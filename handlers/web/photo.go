package web

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"retreat/models"
	"retreat/models/media"
)

// ServeRendition streams one JPEG rendition of an authorised submission.
// Callers have already checked the viewer may see it; the response is
// private so shared caches never keep it (a Cache-Control the caller set
// stands; the default keeps it a day).
func ServeRendition(c echo.Context, photos media.Store, sub *models.Submission, sizeParam string) error {
	if !sub.HasPhoto() {
		return NewError(http.StatusNotFound, "This answer has no photo.", nil)
	}
	size := media.Size(sizeParam)
	switch size {
	case media.Thumb, media.Phone, media.Full:
	default:
		return NewError(http.StatusNotFound, "No such photo size.", nil)
	}
	return serveFile(c, photos, models.PhotoFile(sub.PhotoKey, size), "image/jpeg", "")
}

// ServeOriginal streams the original upload as a download. It is never
// shown inline: the bytes came from a user, and attachment plus nosniff
// keeps a browser from ever running them.
func ServeOriginal(c echo.Context, photos media.Store, sub *models.Submission, filename string) error {
	if !sub.HasPhoto() {
		return NewError(http.StatusNotFound, "This answer has no photo.", nil)
	}
	ext := media.Ext(sub.PhotoFormat)
	return serveFile(c, photos, models.OriginalFile(sub.PhotoKey, sub.PhotoFormat), "application/octet-stream", filename+ext)
}

func serveFile(c echo.Context, photos media.Store, key, ctype, attachment string) error {
	// The folder name is new for every upload, so a URL's content never
	// changes for a given submission version; the ETag is the folder.
	etag := `"` + key + `"`
	h := c.Response().Header()
	if h.Get("Cache-Control") == "" { // a caller may know better (immutable versioned URLs)
		h.Set("Cache-Control", "private, max-age=86400")
	}
	h.Set("ETag", etag)
	if c.Request().Header.Get("If-None-Match") == etag {
		return c.NoContent(http.StatusNotModified)
	}
	rc, err := photos.Open(c.Request().Context(), key)
	if errors.Is(err, fs.ErrNotExist) {
		return NewError(http.StatusNotFound, "This photo is no longer stored.", err)
	}
	if err != nil {
		return fmt.Errorf("open photo %s: %w", key, err)
	}
	defer rc.Close()
	if attachment != "" {
		h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": attachment}))
	}
	h.Set("X-Content-Type-Options", "nosniff")
	c.Response().Header().Set(echo.HeaderContentType, ctype)
	if st, ok := rc.(interface{ Stat() (fs.FileInfo, error) }); ok {
		if fi, err := st.Stat(); err == nil {
			h.Set(echo.HeaderContentLength, strconv.FormatInt(fi.Size(), 10))
		}
	}
	c.Response().WriteHeader(http.StatusOK)
	return copyBody(c.Response(), rc)
}

// copyBody writes a photo's bytes. A file on disk of known length goes
// through net/http's ReadFrom, which has the kernel send it (sendfile)
// instead of copying it through a buffer: when a thousand phones load
// photos, that copy was a good part of the server's time. Echo's Response
// has no ReadFrom, so the copy goes to the writer it wraps, and the size
// is counted here for the request log.
func copyBody(res *echo.Response, r io.Reader) error {
	if rf, ok := res.Writer.(io.ReaderFrom); ok {
		n, err := rf.ReadFrom(r)
		res.Size += n
		return err
	}
	_, err := io.Copy(res, r)
	return err
}
