// Package overload keeps the server answering when more phones pile on
// than the machine can carry: it budgets the process's open files between
// connections and a reserve (the database, photo files, uploads, logs),
// and sheds load before the reserve is touched, by priority. The
// presenter's actions and the reveal's event streams come first, then
// pages, then photos: a busy moment of the show costs some phones a
// photo for a second or two, never the database, never the presenter.
//
// What is shed gets a quick 503 with Retry-After (never a 500, never a
// database error), written here without a session or a template, so
// refusing costs less than serving. Connections beyond the budget are
// closed as they are accepted.
package overload

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"
)

// Class is how much a request matters while the server is overloaded.
type Class int

const (
	// Page is the default: pages, forms, API calls. Shed after photos.
	Page Class = iota
	// Photo is a photo or thumbnail download: shed first, and bounded in
	// flight. A phone shows the slide without it and asks again.
	Photo
	// Stream is a long-lived event stream (the reveal's): served while
	// any connection is, and counted.
	Stream
	// Critical is never shed by priority: the presenter's actions, the
	// health check.
	Critical
)

// Options size the budget; zero values take the defaults.
type Options struct {
	// Files is the open-files limit the budget is cut from (0: the
	// process's, raised to its hard limit; negative: no connection
	// budget, only photos are bounded).
	Files int
	// Reserve is what connections may never take: the database's
	// connections and journal, photo files being sent, uploads being
	// spooled, logs (0: a twentieth of Files, at least 256).
	Reserve int
	// PhotoSlots bounds the photos being sent at once (0: four per CPU,
	// at least 8, at most half the reserve). Each is quick on a local
	// disk, and each holds a file: thousands at once only made the
	// presenter's request wait its turn behind them (livebench -strict:
	// 500 at once, presenter p99 388 ms at 2,000 phones; 8, 93 ms). A
	// photo store with a slow first byte (S3) may want more. And
	// PhotoWait is how long a photo request waits for a slot before it is
	// shed (0: one second).
	PhotoSlots int
	PhotoWait  time.Duration
	// Log gets one line every ten seconds while load is being shed.
	Log *slog.Logger
}

// Stats are the guard's counters, for logs, tests and the load tool.
type Stats struct {
	Conns, Streams, PhotosSending int64
	// Refused counts connections closed as they were accepted (beyond
	// the budget); ShedPages and ShedPhotos requests answered 503;
	// Abandoned photo requests whose phone went away while they waited
	// (a newer slide, usually).
	Refused, ShedPages, ShedPhotos, Abandoned int64
}

// Guard holds the budget and the counters. Its zero value is not usable:
// build it with New.
type Guard struct {
	files, reserve int
	// maxConns is the most connections open at once; pagesAbove and
	// photosAbove are where pages and photos begin to be shed.
	maxConns, pagesAbove, photosAbove int64
	photoSlots                        chan struct{}
	photoWait                         time.Duration
	log                               *slog.Logger

	conns, streams                            atomic.Int64
	refused, shedPages, shedPhotos, abandoned atomic.Int64
	// photoWaiting counts photo requests queued for a slot.
	photoWaiting atomic.Int64
	// refusing counts connections beyond the budget being answered 503
	// (each holds its file for at most refuseWithin).
	refusing atomic.Int64
	lastLog  atomic.Int64
}

// New sizes the budget (raising the open-files limit when o.Files is 0).
func New(o Options) *Guard {
	if o.Files == 0 {
		if n, err := RaiseFileLimit(); err == nil {
			o.Files = n
		} else {
			o.Files = -1
		}
	}
	if o.Reserve <= 0 {
		o.Reserve = max(256, o.Files/20)
	}
	if o.PhotoSlots <= 0 {
		o.PhotoSlots = max(8, 4*runtime.GOMAXPROCS(0))
		if o.Files > 0 {
			o.PhotoSlots = min(o.PhotoSlots, max(1, o.Reserve/2))
		}
	}
	if o.PhotoWait <= 0 {
		o.PhotoWait = time.Second
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	g := &Guard{files: o.Files, reserve: o.Reserve, photoSlots: make(chan struct{}, o.PhotoSlots), photoWait: o.PhotoWait, log: o.Log}
	if o.Files > 0 {
		// Below maxConns every connection is accepted. Photos give way
		// at three quarters of it and pages at nine tenths, so the last
		// tenth is kept for the presenter and the streams of phones
		// reconnecting.
		g.maxConns = int64(max(1, o.Files-o.Reserve))
		g.photosAbove = g.maxConns * 3 / 4
		g.pagesAbove = g.maxConns * 9 / 10
	}
	return g
}

// Describe is the budget in a start-up log line's words.
func (g *Guard) Describe() []any {
	if g.maxConns == 0 {
		return []any{"open_files", "unknown", "photos_at_once", cap(g.photoSlots)}
	}
	return []any{"open_files", g.files, "connections", g.maxConns, "reserve", g.reserve,
		"photos_shed_above", g.photosAbove, "pages_shed_above", g.pagesAbove, "photos_at_once", cap(g.photoSlots)}
}

// Stats reads the counters.
func (g *Guard) Stats() Stats {
	return Stats{Conns: g.conns.Load(), Streams: g.streams.Load(), PhotosSending: int64(len(g.photoSlots)),
		Refused: g.refused.Load(), ShedPages: g.shedPages.Load(), ShedPhotos: g.shedPhotos.Load(), Abandoned: g.abandoned.Load()}
}

// Listen counts ln's connections and closes, as they are accepted, those
// beyond the budget: the process never runs out of files for its
// database. Without it the guard bounds photos only.
func (g *Guard) Listen(ln net.Listener) net.Listener {
	if g.maxConns == 0 {
		return ln
	}
	return &listener{Listener: ln, g: g}
}

type listener struct {
	net.Listener
	g *Guard
}

func (l *listener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		if l.g.conns.Add(1) > l.g.maxConns {
			l.g.conns.Add(-1)
			l.g.refuse(c)
			continue
		}
		return &conn{Conn: c, g: l.g}, nil
	}
}

// refuseWithin bounds how long a connection beyond the budget is held to
// read its request and answer 503.
const refuseWithin = 500 * time.Millisecond

// refusal is the whole answer to a connection beyond the budget, written
// without the HTTP server: it has no file to spare for one.
var refusal = []byte("HTTP/1.1 503 Service Unavailable\r\nRetry-After: 5\r\nCache-Control: no-store\r\n" +
	"Content-Type: text/plain; charset=utf-8\r\nContent-Length: 45\r\nConnection: close\r\n\r\n" +
	"Busy: too many connections, try again soon.\r\n")

// refuse answers a connection beyond the budget with a 503 from a small
// part of the reserve (a twentieth), reading its request first so that
// the close does not reset the answer away; beyond that part, or when
// the request does not come at once, the connection is just closed. The
// phone's retry (the stream's backoff, the page's reload) comes back.
func (g *Guard) refuse(c net.Conn) {
	g.refused.Add(1)
	g.noteShedding()
	if g.refusing.Add(1) > int64(max(1, g.reserve/20)) {
		g.refusing.Add(-1)
		if tc, ok := c.(*net.TCPConn); ok {
			tc.SetLinger(0) // reset at once: no TIME_WAIT kept for it
		}
		c.Close()
		return
	}
	go func() {
		defer g.refusing.Add(-1)
		defer c.Close()
		c.SetDeadline(time.Now().Add(refuseWithin))
		buf := make([]byte, 1024)
		var head []byte
		for !bytes.Contains(head, []byte("\r\n\r\n")) && len(head) < 8<<10 {
			n, err := c.Read(buf)
			head = append(head, buf[:n]...)
			if err != nil {
				return
			}
		}
		c.Write(refusal)
		if tc, ok := c.(*net.TCPConn); ok {
			tc.CloseWrite()
		}
	}()
}

type conn struct {
	net.Conn
	g    *Guard
	once sync.Once
}

func (c *conn) Close() error {
	c.once.Do(func() { c.g.conns.Add(-1) })
	return c.Conn.Close()
}

// Middleware sheds requests by class (classify reads the matched route,
// so it runs after routing: echo's Use). Put it first, before sessions
// and logging: a shed request costs no database read and no log line
// (a summary is logged every ten seconds instead).
func (g *Guard) Middleware(classify func(echo.Context) Class) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			open := g.conns.Load()
			switch classify(c) {
			case Critical:
				return next(c)
			case Stream:
				g.streams.Add(1)
				t := &streamTicket{g: g}
				c.Set(streamKey, t)
				defer func() {
					if !t.kept {
						t.end()
					}
				}()
				return next(c)
			case Photo:
				if g.maxConns > 0 && open > g.photosAbove {
					// The connection is kept for the phone's retry (closing
					// it only brings a new one, and its cost, back) until
					// pages are shed too: then files are short.
					return g.shed(c, Photo, open > g.pagesAbove)
				}
				return g.photo(c, next)
			default:
				if g.maxConns > 0 && open > g.pagesAbove {
					return g.shed(c, Page, true)
				}
				return next(c)
			}
		}
	}
}

// streamKey holds a stream's place in the count, in its Echo context.
const streamKey = "overload_stream"

type streamTicket struct {
	g    *Guard
	kept bool
	once sync.Once
}

func (t *streamTicket) end() { t.once.Do(func() { t.g.streams.Add(-1) }) }

// KeepStream is for a stream that outlives its handler (a taken-over
// connection): it stays counted until the returned func is called.
// Outside the guard it returns a no-op.
func KeepStream(c echo.Context) func() {
	t, ok := c.Get(streamKey).(*streamTicket)
	if !ok {
		return func() {}
	}
	t.kept = true
	return t.end
}

// photo serves a photo once one of the slots is free: a burst of phones
// asking for the same slide's photo queues here for at most photoWait,
// instead of each holding a file and a connection while the machine
// sends thousands at once.
func (g *Guard) photo(c echo.Context, next echo.HandlerFunc) error {
	select {
	case g.photoSlots <- struct{}{}:
	default:
		// A queue longer than a few rounds of the slots would not be
		// served within the wait anyway: say so at once, and spare the
		// waiting.
		if g.photoWaiting.Add(1) > int64(waitingPerSlot*cap(g.photoSlots)) {
			g.photoWaiting.Add(-1)
			return g.shed(c, Photo, false)
		}
		defer g.photoWaiting.Add(-1)
		t := time.NewTimer(g.photoWait)
		select {
		case g.photoSlots <- struct{}{}:
			t.Stop()
		case <-c.Request().Context().Done():
			// The phone gave up on it (a newer slide came): nothing to send.
			t.Stop()
			g.abandoned.Add(1)
			return nil
		case <-t.C:
			return g.shed(c, Photo, false)
		}
	}
	defer func() { <-g.photoSlots }()
	return next(c)
}

// waitingPerSlot bounds the photo queue, in requests per slot.
const waitingPerSlot = 8

// shed answers 503 with Retry-After, in the form the client asked for.
// short says the server is short of connections: the response then
// closes its connection, giving the file back.
func (g *Guard) shed(c echo.Context, class Class, short bool) error {
	retry := 5
	if class == Photo {
		g.shedPhotos.Add(1)
		retry = 2
	} else {
		g.shedPages.Add(1)
	}
	g.noteShedding()
	h := c.Response().Header()
	h.Set("Retry-After", strconv.Itoa(retry))
	h.Set("Cache-Control", "no-store")
	if short {
		h.Set("Connection", "close")
	}
	req := c.Request()
	accept := req.Header.Get("Accept")
	switch {
	case class == Photo && !strings.Contains(accept, "text/html"):
		return c.String(http.StatusServiceUnavailable, "Busy: try again in a moment.\n")
	case strings.Contains(accept, "application/json") || req.Method != http.MethodGet && req.Method != http.MethodHead:
		return c.JSON(http.StatusServiceUnavailable, map[string]string{
			"error": "So many people are here at once that the server is catching up. Try again in a few seconds.",
		})
	}
	// A page tries again by itself, each phone after its own pause so
	// that they do not all come back in the same second.
	again := retry + rand.IntN(2*retry)
	return c.HTML(http.StatusServiceUnavailable, fmt.Sprintf(busyPage, again, again))
}

const busyPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="%d"><title>One moment</title>
<style>body{font:1.1rem/1.5 system-ui,sans-serif;margin:0;display:grid;place-items:center;min-height:100vh;padding:1.5rem;box-sizing:border-box;text-align:center;color:#1f2430;background:#f7f5f0}main{max-width:28rem}h1{font-size:1.5rem}</style>
</head><body><main><h1>One moment</h1>
<p>So many people are here at once that the server is catching up. This page tries again by itself in %d seconds.</p>
</main></body></html>
`

// noteShedding logs the counters at most once every ten seconds.
func (g *Guard) noteShedding() {
	now := time.Now().UnixNano()
	last := g.lastLog.Load()
	if now-last < int64(10*time.Second) || !g.lastLog.CompareAndSwap(last, now) {
		return
	}
	s := g.Stats()
	g.log.LogAttrs(context.Background(), slog.LevelWarn, "shedding load: more phones than this machine's budget",
		slog.Int64("connections", s.Conns), slog.Int64("streams", s.Streams), slog.Int64("photos_sending", s.PhotosSending),
		slog.Int64("refused_connections", s.Refused), slog.Int64("shed_pages", s.ShedPages),
		slog.Int64("shed_photos", s.ShedPhotos), slog.Int64("abandoned_photos", s.Abandoned))
}
