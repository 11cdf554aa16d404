package overload_test

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"retreat/handlers/overload"
)

// server serves four routes, one per class, through g on a real listener.
// /photo and /stream block until release is closed when hold is set.
type server struct {
	*httptest.Server
	g       *overload.Guard
	served  atomic.Int64
	hold    atomic.Bool
	release chan struct{}
	// held counts the connections holdConns keeps open.
	held int64
}

func newServer(t *testing.T, o overload.Options) *server {
	t.Helper()
	s := &server{g: overload.New(o), release: make(chan struct{})}
	e := echo.New()
	classes := map[string]overload.Class{"/photo": overload.Photo, "/stream": overload.Stream, "/present": overload.Critical}
	e.Use(s.g.Middleware(func(c echo.Context) overload.Class { return classes[c.Path()] }))
	wait := func(c echo.Context) {
		if s.hold.Load() {
			select {
			case <-s.release:
			case <-c.Request().Context().Done():
			}
		}
	}
	for _, p := range []string{"/photo", "/stream", "/present", "/page"} {
		e.Any(p, func(c echo.Context) error {
			s.served.Add(1)
			wait(c)
			return c.String(http.StatusOK, "ok "+p)
		})
	}
	s.Server = httptest.NewUnstartedServer(e)
	s.Listener = s.g.Listen(s.Listener)
	s.Start()
	t.Cleanup(s.Close)
	return s
}

// get sends one request on a new connection and closes it after.
func (s *server) get(t *testing.T, path, accept string) (*http.Response, string) {
	t.Helper()
	// The last request's connection is closed by now, or soon: count
	// only the held ones.
	waitFor(t, func() bool { return s.g.Stats().Conns <= s.held })
	req, err := http.NewRequest(http.MethodGet, s.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	// A transport of its own: a new connection, kept alive unless the
	// server says otherwise (res.Close).
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	res, err := (&http.Client{Transport: tr, Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res, string(body)
}

// holdConns opens n idle connections and waits until the server counts
// them all.
func (s *server) holdConns(t *testing.T, n int) []net.Conn {
	t.Helper()
	var conns []net.Conn
	// The requests' own connections are closed by now, or soon.
	waitFor(t, func() bool { return s.g.Stats().Conns == s.held })
	for range n {
		c, err := net.Dial("tcp", s.Listener.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
	}
	t.Cleanup(func() {
		for _, c := range conns {
			c.Close()
		}
	})
	s.held += int64(n)
	waitFor(t, func() bool { return s.g.Stats().Conns == s.held })
	return conns
}

func TestConnectionsBeyondTheBudgetAreShedByPriority(t *testing.T) {
	// 30 files, 10 kept back: 20 connections; photos give way above 15,
	// pages above 18.
	s := newServer(t, overload.Options{Files: 30, Reserve: 10})
	for _, p := range []string{"/photo", "/page", "/present", "/stream"} {
		if res, _ := s.get(t, p, ""); res.StatusCode != http.StatusOK {
			t.Fatalf("quiet %s: %d", p, res.StatusCode)
		}
	}

	// 15 held, plus the request's own: photos are shed, quickly, on a
	// connection kept for the retry; everything else is served.
	idle := s.holdConns(t, 15)
	res, body := s.get(t, "/photo", "image/avif,image/webp,*/*")
	if res.StatusCode != http.StatusServiceUnavailable || res.Header.Get("Retry-After") != "2" || res.Close ||
		res.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("photo under load: %d Retry-After=%q close=%v %q", res.StatusCode, res.Header.Get("Retry-After"), res.Close, body)
	}
	for _, p := range []string{"/page", "/present", "/stream"} {
		if res, _ := s.get(t, p, ""); res.StatusCode != http.StatusOK {
			t.Errorf("%s with photos shed: %d", p, res.StatusCode)
		}
	}

	// 18 held: pages are shed too, as a page that tries again by itself
	// or as JSON for a script; the presenter and streams still go through.
	idle = append(idle, s.holdConns(t, 3)...)
	res, body = s.get(t, "/page", "text/html")
	if res.StatusCode != http.StatusServiceUnavailable || res.Header.Get("Retry-After") != "5" ||
		!strings.Contains(body, `http-equiv="refresh"`) || !strings.Contains(body, "tries again by itself") {
		t.Errorf("page under load: %d %q\n%s", res.StatusCode, res.Header.Get("Retry-After"), body)
	}
	res, body = s.get(t, "/page", "application/json")
	if res.StatusCode != http.StatusServiceUnavailable || !strings.HasPrefix(body, `{"error":"So many people`) || !res.Close {
		t.Errorf("API call under load: %d %s", res.StatusCode, body)
	}
	if res, _ := s.get(t, "/photo", ""); res.StatusCode != http.StatusServiceUnavailable || !res.Close {
		t.Errorf("photo with files short: %d close=%v (give the connection back)", res.StatusCode, res.Close)
	}
	for _, p := range []string{"/present", "/stream"} {
		if res, _ := s.get(t, p, ""); res.StatusCode != http.StatusOK {
			t.Errorf("%s with pages shed: %d", p, res.StatusCode)
		}
	}

	// 20 held: no connection is left, a new one gets a 503 written
	// without the HTTP server, and nothing is served.
	idle = append(idle, s.holdConns(t, 2)...)
	served := s.served.Load()
	res, body = s.get(t, "/present", "")
	if res.StatusCode != http.StatusServiceUnavailable || res.Header.Get("Retry-After") != "5" || !strings.Contains(body, "too many connections") {
		t.Errorf("a connection beyond the budget: %d %q %q", res.StatusCode, res.Header.Get("Retry-After"), body)
	}
	if s.served.Load() != served {
		t.Error("a connection beyond the budget reached a handler")
	}
	st := s.g.Stats()
	if st.Refused != 1 || st.ShedPhotos != 2 || st.ShedPages != 2 {
		t.Errorf("stats: %+v", st)
	}

	// The phones go away: everything is served again.
	for _, c := range idle {
		c.Close()
	}
	waitFor(t, func() bool { return s.g.Stats().Conns == 0 })
	for _, p := range []string{"/photo", "/page"} {
		if res, _ := s.get(t, p, ""); res.StatusCode != http.StatusOK {
			t.Errorf("%s after the load: %d", p, res.StatusCode)
		}
	}
}

func TestPhotosWaitForASlotThenAreShed(t *testing.T) {
	s := newServer(t, overload.Options{Files: -1, PhotoSlots: 1, PhotoWait: 100 * time.Millisecond})
	s.hold.Store(true)
	first := make(chan int, 1)
	go func() {
		res, err := http.Get(s.URL + "/photo")
		if err != nil {
			first <- 0
			return
		}
		res.Body.Close()
		first <- res.StatusCode
	}()
	waitFor(t, func() bool { return s.g.Stats().PhotosSending == 1 })

	// The one slot is taken: a second photo waits its while, then is shed;
	// pages do not queue behind photos.
	start := time.Now()
	res, _ := s.get(t, "/photo", "")
	if res.StatusCode != http.StatusServiceUnavailable || res.Header.Get("Retry-After") != "2" || res.Close {
		t.Errorf("photo with no slot: %d %q close=%v (the connection is not short: keep it)", res.StatusCode, res.Header.Get("Retry-After"), res.Close)
	}
	if waited := time.Since(start); waited < 100*time.Millisecond {
		t.Errorf("shed after %v, before its wait", waited)
	}
	s.hold.Store(false)
	if res, _ := s.get(t, "/page", ""); res.StatusCode != http.StatusOK {
		t.Errorf("page while photos queue: %d", res.StatusCode)
	}

	// A phone that gives up while waiting (a newer slide came) is not
	// served when the slot frees.
	ctx, cancel := context.WithCancel(context.Background())
	abandoned := make(chan error, 1)
	go func() {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.URL+"/photo", nil)
		s2 := &http.Transport{}
		defer s2.CloseIdleConnections()
		_, err := s2.RoundTrip(req)
		abandoned <- err
	}()
	time.Sleep(30 * time.Millisecond)
	cancel()
	<-abandoned
	waitFor(t, func() bool { return s.g.Stats().Abandoned == 1 })
	served := s.served.Load()
	close(s.release)
	if code := <-first; code != http.StatusOK {
		t.Errorf("the photo that had the slot: %d", code)
	}
	if res, _ := s.get(t, "/photo", ""); res.StatusCode != http.StatusOK {
		t.Errorf("photo once the slot is free: %d", res.StatusCode)
	}
	if got := s.served.Load() - served; got != 1 {
		t.Errorf("%d photos served after the slot freed, want 1 (the abandoned one is not)", got)
	}
}

func TestStreamsAreCounted(t *testing.T) {
	s := newServer(t, overload.Options{Files: 100, Reserve: 10})
	s.hold.Store(true)
	conn, err := net.Dial("tcp", s.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	io.WriteString(conn, "GET /stream HTTP/1.1\r\nHost: x\r\n\r\n")
	waitFor(t, func() bool { return s.g.Stats().Streams == 1 })
	close(s.release)
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("stream: %v %v", res, err)
	}
	waitFor(t, func() bool { return s.g.Stats().Streams == 0 })
}

func waitFor(t *testing.T, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
		time.Sleep(time.Millisecond)
	}
}
