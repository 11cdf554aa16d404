package live_test

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"retreat/handlers"
	"retreat/handlers/handlertest"
	"retreat/handlers/overload"
)

// TestOverloadShedsPhotosNeverThePresenter runs a reveal through the real
// router on a real listener with a small open-files budget, and fills the
// connections as phones piling on would: photos are shed first with a
// quick 503, then pages; the presenter keeps moving, phones keep their
// streams and the database keeps working; when the crowd thins, photos
// come back.
func TestOverloadShedsPhotosNeverThePresenter(t *testing.T) {
	// 60 files, 20 kept back: 40 connections; photos give way above 30,
	// pages above 36.
	s, guard, ts := newGuardedShow(t, overload.Options{Files: 60, Reserve: 20})
	app := s.app

	s.act(t, s.ana, "start", nil)
	s.act(t, s.ana, "goto", url.Values{"index": {"2"}}) // Dee's photo
	photo := fmt.Sprintf("%s/photos/%d", s.live(), s.deePhoto)

	var held int64
	// send is one request on a connection of its own, with c's cookies,
	// once the last request's connection is closed.
	send := func(c *handlertest.Client, method, path, accept string, form url.Values) (*http.Response, string) {
		t.Helper()
		eventually(t, "the last request's connection closed", func() bool { return guard.Stats().Conns <= held })
		var body io.Reader
		if form != nil {
			body = strings.NewReader(form.Encode())
		}
		req, err := http.NewRequest(method, ts.URL+path, body)
		if err != nil {
			t.Fatal(err)
		}
		for _, ck := range c.Cookies() {
			req.AddCookie(ck)
		}
		req.Header.Set("Accept", accept)
		if form != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("X-CSRF-Token", c.CSRF())
		}
		tr := &http.Transport{}
		defer tr.CloseIdleConnections()
		res, err := (&http.Client{Transport: tr, Timeout: 10 * time.Second}).Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res, string(b)
	}
	move := func(index int) {
		t.Helper()
		res, body := send(s.ana, http.MethodPost, s.presenter()+"/goto", "application/json", url.Values{"index": {fmt.Sprint(index)}})
		if res.StatusCode != http.StatusOK || !strings.Contains(body, fmt.Sprintf(`"index":%d`, index)) {
			t.Fatalf("the presenter's move to %d: %d %s", index, res.StatusCode, body)
		}
	}
	hold := func(n int) {
		t.Helper()
		eventually(t, "the requests' connections closed", func() bool { return guard.Stats().Conns <= held })
		for range n {
			c, err := net.Dial("tcp", ts.Listener.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { c.Close() })
		}
		held += int64(n)
		eventually(t, "the held connections counted", func() bool { return guard.Stats().Conns == held })
	}

	if res, _ := send(s.bea, http.MethodGet, photo, "image/*", nil); res.StatusCode != http.StatusOK {
		t.Fatalf("photo, quiet: %d", res.StatusCode)
	}

	// A phone keeps its stream through all of it.
	stream := openStream(t, ts, s.dee, s.live()+"/stream", "")
	stream.next() // the current state
	held++        // its connection

	hold(30) // with the stream: 31
	res, body := send(s.bea, http.MethodGet, photo, "image/*", nil)
	if res.StatusCode != http.StatusServiceUnavailable || res.Header.Get("Retry-After") == "" {
		t.Fatalf("photo with the connections three-quarters full: %d Retry-After=%q close=%v %s", res.StatusCode, res.Header.Get("Retry-After"), res.Close, body)
	}
	if res, body := send(s.bea, http.MethodGet, s.live(), "text/html", nil); res.StatusCode != http.StatusOK {
		t.Errorf("the follower page with photos shed: %d %.300s", res.StatusCode, body)
	}
	move(1)
	if _, st := stream.next(); st.Index != 1 {
		t.Errorf("the phone's stream after the move: at %d", st.Index)
	}

	hold(6) // 37
	res, body = send(s.bea, http.MethodGet, s.live(), "text/html", nil)
	if res.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, `http-equiv="refresh"`) {
		t.Errorf("the follower page with pages shed: %d %.300s", res.StatusCode, body)
	}
	res, body = send(s.bea, http.MethodPost, s.live()+"/react", "application/json", url.Values{"emoji": {"🎉"}})
	if res.StatusCode != http.StatusServiceUnavailable || !strings.HasPrefix(body, `{"error":`) {
		t.Errorf("a reaction with pages shed: %d %s", res.StatusCode, body)
	}
	move(2)
	if _, st := stream.next(); st.Index != 2 {
		t.Errorf("the phone's stream after the move: at %d", st.Index)
	}
	// Nothing was stored half-way, and the database answers.
	if err := app.Store.Ping(t.Context()); err != nil {
		t.Fatalf("database under load: %v", err)
	}
	st := guard.Stats()
	if st.ShedPhotos != 1 || st.ShedPages != 2 || st.Streams != 1 {
		t.Errorf("counters: %+v", st)
	}

	// The crowd thins: the photo comes.
	stream.close()
	ts.CloseClientConnections()
	held = 0
	eventually(t, "every connection closed", func() bool { return guard.Stats().Conns == 0 })
	if res, _ := send(s.bea, http.MethodGet, photo, "image/*", nil); res.StatusCode != http.StatusOK {
		t.Errorf("photo after the load: %d", res.StatusCode)
	}
}

// newGuardedShow is newShow served on a real listener counted by the
// overload guard, with the budget o.
func newGuardedShow(t *testing.T, o overload.Options) (*show, *overload.Guard, *httptest.Server) {
	t.Helper()
	app := handlertest.New(t, handlertest.Options{Configure: func(c *handlers.Config) { c.Overload = o }})
	guard := app.Server.Guard()
	ts := httptest.NewUnstartedServer(app.Echo)
	ts.Listener = guard.Listen(ts.Listener)
	ts.Start()
	t.Cleanup(ts.Close)
	return newShowOn(t, app), guard, ts
}
