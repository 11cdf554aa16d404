package handlers

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"retreat/handlers/web"
)

// Limits bound what one request may cost before it is authorised, and how
// slowly a client may send it. They are applied to every route, in front of
// the session and CSRF middleware, so an anonymous client cannot make the
// server read, spool or hold anything beyond them.
type Limits struct {
	// FormBytes bounds every request body except photo uploads.
	FormBytes int64
	// UploadBytes bounds a photo upload's body: a photo answer's multipart
	// form, a resumable upload's chunk. It is the photo cap plus room for
	// the form's other fields and its framing.
	UploadBytes int64
	// BodyGrace is how long a body may take before the rate floor applies.
	BodyGrace time.Duration
	// MinBodyRate is the slowest a body may arrive on average, in bytes a
	// second, once BodyGrace has passed.
	MinBodyRate int64
	// BodyIdle is the longest a body may go without a byte, and the most
	// time a fast start may bank against a later stall.
	BodyIdle time.Duration
}

// uploadRoute reports whether the request is a photo upload, which gets
// the larger body cap: a multipart answer, or a resumable upload's
// creation or chunk. A text answer or any other form is small.
func uploadRoute(c echo.Context) bool {
	path := c.Path()
	if strings.HasPrefix(path, "/tus/") {
		return true
	}
	if !strings.HasSuffix(path, "/answer") {
		return false
	}
	ct, _, _ := mime.ParseMediaType(c.Request().Header.Get(echo.HeaderContentType))
	return ct == echo.MIMEMultipartForm
}

// bodyLimit refuses a body over its route's cap from its Content-Length,
// before a byte is read, and stops a chunked or lying one while it is read.
func bodyLimit(l Limits) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			r := c.Request()
			if r.Body == nil || r.Body == http.NoBody {
				return next(c)
			}
			limit, msg := l.FormBytes, "This form is too large to send."
			if uploadRoute(c) {
				limit = l.UploadBytes
				msg = fmt.Sprintf("This photo is larger than %d MB. Send a smaller one (most phones can share a smaller size).", max(1, (limit-uploadOverhead)>>20))
			}
			if r.ContentLength > limit {
				return web.NewError(http.StatusRequestEntityTooLarge, msg, nil)
			}
			r.Body = http.MaxBytesReader(c.Response(), r.Body, limit)
			return next(c)
		}
	}
}

// uploadOverhead is the room an upload's body has beyond the photo itself:
// the caption and the other fields, and the multipart framing.
const uploadOverhead = 64 << 10

// removeMultipartFiles deletes the temporary files of any multipart form
// parsed while serving the request, whatever the outcome. net/http does
// this itself only for the request it handed to the handler, and the
// session middleware serves a copy (Request.WithContext), so a form parsed
// on the copy would leave its files in $TMPDIR for ever.
func removeMultipartFiles(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		defer func() {
			if f := c.Request().MultipartForm; f != nil {
				_ = f.RemoveAll()
			}
		}()
		return next(c)
	}
}

// paceBodies puts a floor under the rate a request body arrives at, so a
// client sending a byte a second cannot hold a connection (and a spool
// file) open for ever: the body's first BodyGrace is free, every byte
// then buys 1/MinBodyRate seconds, and at most BodyIdle may be banked. A
// body that falls behind is cut off at the connection's read deadline.
// Phones on slow links are far above the floor (1 KiB/s is 8 kbit/s); one
// whose connection stalls resumes its resumable upload where it stopped.
func paceBodies(l Limits) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			r := c.Request()
			if r.Body == nil || r.Body == http.NoBody || l.MinBodyRate <= 0 {
				return next(c)
			}
			p := &pacedBody{
				ReadCloser: r.Body, rc: http.NewResponseController(c.Response()),
				deadline: time.Now().Add(l.BodyGrace), limits: l,
			}
			r.Body = p
			defer p.finish()
			return next(c)
		}
	}
}

// pacedBody moves the connection's read deadline as its body arrives.
type pacedBody struct {
	io.ReadCloser
	rc       *http.ResponseController
	deadline time.Time
	limits   Limits
	cleared  bool
}

func (p *pacedBody) Read(b []byte) (int, error) {
	if p.cleared {
		return p.ReadCloser.Read(b)
	}
	if latest := time.Now().Add(p.limits.BodyIdle); p.deadline.After(latest) {
		p.deadline = latest
	}
	// A writer that cannot set deadlines (tests' recorders) is not paced.
	_ = p.rc.SetReadDeadline(p.deadline)
	n, err := p.ReadCloser.Read(b)
	p.deadline = p.deadline.Add(time.Duration(int64(n) * int64(time.Second) / p.limits.MinBodyRate))
	if errors.Is(err, io.EOF) {
		// The whole body is in. Once it is, net/http reads ahead on the
		// connection to notice a client going away, and a deadline left
		// behind would cancel the request (and a photo still queued).
		p.clear()
	}
	if errors.Is(err, os.ErrDeadlineExceeded) {
		err = web.NewError(http.StatusRequestTimeout, "The upload was too slow and was stopped. Try again on a better connection.", err)
	}
	return n, err
}

// clear lifts the deadline for the rest of the request.
func (p *pacedBody) clear() {
	if !p.cleared {
		p.cleared = true
		_ = p.rc.SetReadDeadline(time.Time{})
	}
}

// finish runs when the handler returns. A body not read to its end is
// still read after it: net/http discards what is left (up to 256 KiB) to
// keep the connection. That read keeps the pace too, or a client that
// promised more than it sends would hold the connection for ever.
func (p *pacedBody) finish() {
	if p.cleared {
		return
	}
	p.cleared = true
	if latest := time.Now().Add(p.limits.BodyIdle); p.deadline.After(latest) {
		p.deadline = latest
	}
	_ = p.rc.SetReadDeadline(p.deadline)
}
