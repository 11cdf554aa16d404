package live

import (
	"bytes"
	"errors"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"retreat/handlers/overload"
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
	return h.serveStream(c, eventID, release)
}

// streamRetryAfter is the Retry-After of a refused stream, in seconds: by
// then one of the other tabs may have closed.
const streamRetryAfter = 10

// serveStream sends the event's changes until the phone leaves; release
// gives back its place in the session's stream limit, once it has ended.
func (h *Handler) serveStream(c echo.Context, eventID uint, release func()) error {
	ctx := c.Request().Context()
	// Subscribe before reading the current state, so no change can fall
	// between the two; anything older than what was sent is skipped.
	msgs, cancel := h.live.Hub().Subscribe(eventID)
	cur, err := h.live.Current(ctx, eventID)
	if err != nil {
		cancel()
		release()
		return err
	}
	res := c.Response()
	hdr := res.Header()
	hdr.Set(echo.HeaderContentType, "text/event-stream; charset=utf-8")
	hdr.Set("Cache-Control", "no-store")
	hdr.Set("X-Accel-Buffering", "no") // nginx: pass events through at once
	sent := lastEventID(c)
	takeOver := canTakeOver(res.Writer)
	if takeOver {
		// No chunking: the body is the rest of the connection, which pump
		// writes raw (net/http adds Connection: close).
		hdr.Set("Transfer-Encoding", "identity")
	}
	res.WriteHeader(http.StatusOK) // the session's hooks run here, as for any response
	if takeOver {
		// net/http writes the head as the connection is handed over.
		if conn, _, err := http.NewResponseController(res.Writer).Hijack(); err == nil {
			keep := overload.KeepStream(c)
			go h.pump(conn, msgs, cur, sent, func() { cancel(); release(); keep() })
			return nil
		}
	}
	defer release()
	defer cancel()
	w := &sseWriter{res: res, rc: http.NewResponseController(res.Writer)}

	w.raw([]byte("retry: " + strconv.Itoa(retryMillis) + "\n\n"))
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

// A stream is most of what a company's phones hold on the server while
// the reveal runs, for as long as it runs. Served through net/http it
// kept the connection's buffers (10 KiB), net/http's reader goroutine, the
// request, its session and Echo's context, and a handler goroutine whose
// stack had grown through the middleware: about 53 KiB a phone. So once
// the current state is known, the stream takes the connection over
// (http.Hijacker) and the handler returns: what is left is the connection,
// its subscription, and a goroutine started small (pump) with a smaller
// one that notices the phone leaving.

// canTakeOver says whether w can hand its connection over (HTTP/1.1;
// not a test recorder, not HTTP/2, whose streams cannot be taken).
func canTakeOver(w http.ResponseWriter) bool {
	for {
		if _, ok := w.(http.Hijacker); ok {
			return true
		}
		u, ok := w.(interface{ Unwrap() http.ResponseWriter })
		if !ok {
			return false
		}
		w = u.Unwrap()
	}
}

// framePool holds the buffers one event is built in before its single
// write: shared by every stream, so a mosaic's 18 KB state costs one
// buffer per write in flight, not one per phone.
var framePool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// pump writes the catch-up, then every change and a heartbeat to a
// taken-over connection (its head already sent) until the phone leaves, a
// write fails or times out, or the server shuts down; then it closes the
// connection and calls done. The response ends with the connection, as
// an event stream does.
func (h *Handler) pump(conn net.Conn, msgs <-chan live.Message, cur live.Message, sent int64, done func()) {
	defer done()
	defer conn.Close()
	gone := make(chan struct{})
	go func() {
		// EventSource sends nothing after its request: a read returns only
		// when the phone closes the connection (or the server does).
		var b [1]byte
		for {
			if _, err := conn.Read(b[:]); err != nil {
				close(gone)
				return
			}
		}
	}()
	buf := framePool.Get().(*bytes.Buffer)
	buf.Reset()
	buf.WriteString("retry: " + strconv.Itoa(retryMillis) + "\n\n")
	if cur.Seq == 0 || cur.Seq != sent {
		frame(buf, cur)
		sent = cur.Seq
	}
	if !send(conn, buf) {
		return
	}
	ping := time.NewTicker(heartbeat)
	defer ping.Stop()
	for {
		buf := framePool.Get().(*bytes.Buffer)
		buf.Reset()
		select {
		case <-gone:
			framePool.Put(buf)
			return
		case <-h.done:
			framePool.Put(buf)
			return
		case m, ok := <-msgs:
			if !ok {
				framePool.Put(buf)
				return // the hub closed: shutting down
			}
			if m.IsState() {
				if m.Seq <= sent {
					framePool.Put(buf)
					continue // the catch-up already covered it
				}
				sent = m.Seq
			}
			frame(buf, m)
		case <-ping.C:
			buf.WriteString(": ping\n\n")
		}
		if !send(conn, buf) {
			return // the phone went away; it will reconnect and catch up
		}
	}
}

// send writes buf in one write, bounded by writeTimeout, and gives it back
// to the pool.
func send(conn net.Conn, buf *bytes.Buffer) bool {
	defer framePool.Put(buf)
	if err := conn.SetWriteDeadline(time.Now().Add(writeTimeout)); err != nil {
		return false
	}
	_, err := conn.Write(buf.Bytes())
	return err == nil
}

// frame is m as one event (see sseWriter.message).
func frame(buf *bytes.Buffer, m live.Message) {
	if m.Seq != 0 {
		buf.WriteString("id: " + strconv.FormatInt(m.Seq, 10) + "\n")
	}
	buf.WriteString("event: " + m.Type + "\n")
	for line := range bytes.SplitSeq(m.Data, []byte("\n")) {
		buf.Write(dataPrefix)
		buf.Write(line)
		buf.Write(newline)
	}
	buf.Write(newline)
}
