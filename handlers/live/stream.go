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
			go func() {
				defer keep()
				defer release()
				defer cancel()
				defer conn.Close()
				h.pump(connSink{conn}, closedBy(conn), msgs, cur, sent)
			}()
			return nil
		}
	}
	defer release()
	defer cancel()
	h.pump(responseSink{res: res, rc: http.NewResponseController(res.Writer)}, ctx.Done(), msgs, cur, sent)
	return nil
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

var (
	dataPrefix = []byte("data: ")
	newline    = []byte("\n")
)

// A stream is most of what a company's phones hold on the server while
// the reveal runs, for as long as it runs. Served through net/http it
// kept the connection's buffers (10 KiB), net/http's reader goroutine, the
// request, its session and Echo's context, and a handler goroutine whose
// stack had grown through the middleware: about 53 KiB a phone. So once
// the current state is known, the stream takes the connection over
// (http.Hijacker) and the handler returns: what is left is the connection,
// its subscription, and a goroutine started small (pump) with a smaller
// one that notices the phone leaving (closedBy). Where the connection
// cannot be taken, the same pump writes through net/http.

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

// eventSink is where a stream's bytes go: a taken-over connection, or
// net/http's response (a test recorder, HTTP/2).
type eventSink interface {
	// send writes b (one or more whole events), bounded by writeTimeout.
	send(b []byte) error
}

type connSink struct{ conn net.Conn }

func (s connSink) send(b []byte) error {
	if err := s.conn.SetWriteDeadline(time.Now().Add(writeTimeout)); err != nil {
		return err
	}
	_, err := s.conn.Write(b)
	return err
}

type responseSink struct {
	res *echo.Response
	rc  *http.ResponseController
}

func (s responseSink) send(b []byte) error {
	// ErrNotSupported (test recorders) is fine: real connections have deadlines.
	if err := s.rc.SetWriteDeadline(time.Now().Add(writeTimeout)); err != nil && !errors.Is(err, http.ErrNotSupported) {
		return err
	}
	if _, err := s.res.Write(b); err != nil {
		return err
	}
	return s.rc.Flush()
}

// closedBy is closed when the phone closes conn (or the server does):
// EventSource sends nothing after its request, so a read returns only then.
func closedBy(conn net.Conn) <-chan struct{} {
	gone := make(chan struct{})
	go func() {
		var b [1]byte
		for {
			if _, err := conn.Read(b[:]); err != nil {
				close(gone)
				return
			}
		}
	}()
	return gone
}

// pump sends the catch-up (the retry delay, and the current state unless
// the browser has it), then every change and a heartbeat, each in one
// write built in a pooled buffer, until the phone leaves (gone), a write
// fails or times out, or the server shuts down.
func (h *Handler) pump(sink eventSink, gone <-chan struct{}, msgs <-chan live.Message, cur live.Message, sent int64) {
	buf := framePool.Get().(*bytes.Buffer)
	buf.Reset()
	buf.WriteString("retry: " + strconv.Itoa(retryMillis) + "\n\n")
	if cur.Seq == 0 || cur.Seq != sent {
		frame(buf, cur)
		sent = cur.Seq
	}
	if !send(sink, buf) {
		return // gone already
	}
	ping := time.NewTicker(heartbeat)
	defer ping.Stop()
	for {
		var m live.Message
		beat := false
		select {
		case <-gone:
			return
		case <-h.done:
			return
		case msg, ok := <-msgs:
			if !ok {
				return // the hub closed: shutting down
			}
			if msg.IsState() {
				if msg.Seq <= sent {
					continue // the catch-up already covered it
				}
				sent = msg.Seq
			}
			m = msg
		case <-ping.C:
			beat = true
		}
		buf := framePool.Get().(*bytes.Buffer)
		buf.Reset()
		if beat {
			buf.WriteString(": ping\n\n")
		} else {
			frame(buf, m)
		}
		if !send(sink, buf) {
			return // the phone went away; it will reconnect and catch up
		}
	}
}

// send writes buf to sink and gives it back to the pool.
func send(sink eventSink, buf *bytes.Buffer) bool {
	defer framePool.Put(buf)
	return sink.send(buf.Bytes()) == nil
}

// frame is m as one event. Data is JSON, which has no raw newlines; a
// line break would still be split into data lines as SSE requires.
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
