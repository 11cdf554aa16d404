package live

import (
	"bytes"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"retreat/models/live"
)

// Server-Sent Events: one long response per phone (and presenter tab).
// The current state goes first, so a phone that connects, or comes back
// after a drop, is caught up at once; then every change as it happens,
// and a comment line every heartbeat so proxies and phones keep the
// connection open. No database connection is held while it is open.

// heartbeat is how often an idle stream gets a comment line.
var heartbeat = 20 * time.Second

// writeTimeout bounds each write: a phone that stopped reading is dropped
// (and catches up when it reconnects) rather than holding anything up.
const writeTimeout = 10 * time.Second

// retryMillis is how long a browser waits before reconnecting.
const retryMillis = 2000

// stream serves one event stream, if the browser's session has fewer than
// its limit open in the event (see streamlimit.go). The count is given
// back by a defer, so every way out of serveStream (the phone leaving,
// shutdown, a failed write or read, a panic) frees it.
func (h *Handler) stream(c echo.Context, eventID uint) error {
	release, ok := h.streams.acquire(h.sessions.SessionToken(c), eventID)
	if !ok {
		// JSON whatever the Accept header says (EventSource asks for
		// text/event-stream): the refusal is for scripts, and a browser's
		// EventSource gives up on any non-200 and lets the page's script
		// decide when to try again (follower.js, presenter.js back off).
		c.Response().Header().Set("Retry-After", strconv.Itoa(streamRetryAfter))
		return c.JSON(http.StatusTooManyRequests, map[string]string{
			"error": "This browser already has the live reveal open in several tabs. Close one of them, then reload this page.",
		})
	}
	defer release()
	return h.serveStream(c, eventID)
}

// streamRetryAfter is the Retry-After of a refused stream, in seconds: by
// then one of the other tabs may have closed.
const streamRetryAfter = 10

func (h *Handler) serveStream(c echo.Context, eventID uint) error {
	ctx := c.Request().Context()
	// Subscribe before reading the current state, so no change can fall
	// between the two; anything older than what was sent is skipped.
	msgs, cancel := h.live.Hub().Subscribe(eventID)
	defer cancel()
	cur, err := h.live.Current(ctx, eventID)
	if err != nil {
		return err
	}
	res := c.Response()
	hdr := res.Header()
	hdr.Set(echo.HeaderContentType, "text/event-stream; charset=utf-8")
	hdr.Set("Cache-Control", "no-store")
	hdr.Set("X-Accel-Buffering", "no") // nginx: pass events through at once
	res.WriteHeader(http.StatusOK)
	w := &sseWriter{res: res, rc: http.NewResponseController(res.Writer)}

	w.raw([]byte("retry: " + strconv.Itoa(retryMillis) + "\n\n"))
	sent := lastEventID(c)
	if cur.Seq == 0 || cur.Seq != sent {
		w.message(cur)
		sent = cur.Seq
	}
	if err := w.flush(); err != nil {
		return nil // gone already
	}
	ping := time.NewTicker(heartbeat)
	defer ping.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-h.done:
			return nil
		case m, ok := <-msgs:
			if !ok {
				return nil // the hub closed: shutting down
			}
			if m.IsState() {
				if m.Seq <= sent {
					continue // the catch-up already covered it
				}
				sent = m.Seq
			}
			w.message(m)
		case <-ping.C:
			w.raw([]byte(": ping\n\n"))
		}
		if err := w.flush(); err != nil {
			return nil // the phone went away; it will reconnect and catch up
		}
	}
}

// lastEventID is the sequence number a reconnecting browser already has
// (EventSource sends it back as Last-Event-ID; ?last= for other clients).
func lastEventID(c echo.Context) int64 {
	v := c.Request().Header.Get("Last-Event-ID")
	if v == "" {
		v = c.QueryParam("last")
	}
	n, _ := strconv.ParseInt(v, 10, 64)
	return n
}

type sseWriter struct {
	res *echo.Response
	rc  *http.ResponseController
	err error
}

// deadline bounds the next writes. ErrNotSupported (test recorders) is
// fine: real connections have deadlines.
func (w *sseWriter) deadline() {
	if w.err != nil {
		return
	}
	if err := w.rc.SetWriteDeadline(time.Now().Add(writeTimeout)); err != nil && !errors.Is(err, http.ErrNotSupported) {
		w.err = err
	}
}

func (w *sseWriter) write(b []byte) {
	if w.err == nil {
		_, w.err = w.res.Write(b)
	}
}

func (w *sseWriter) raw(b []byte) {
	w.deadline()
	w.write(b)
}

// message writes m as one event, in pieces into the connection's buffer:
// the same Data bytes go to every phone, nothing is copied per phone. Data
// is JSON, which has no raw newlines; a line break would still be split
// into data lines as SSE requires.
func (w *sseWriter) message(m live.Message) {
	w.deadline()
	if m.Seq != 0 {
		w.write([]byte("id: " + strconv.FormatInt(m.Seq, 10) + "\n"))
	}
	w.write([]byte("event: " + m.Type + "\n"))
	for line := range bytes.SplitSeq(m.Data, []byte("\n")) {
		w.write(dataPrefix)
		w.write(line)
		w.write(newline)
	}
	w.write(newline)
}

var (
	dataPrefix = []byte("data: ")
	newline    = []byte("\n")
)

func (w *sseWriter) flush() error {
	if w.err != nil {
		return w.err
	}
	if err := w.rc.Flush(); err != nil {
		w.err = err
	}
	return w.err
}
