package live_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"retreat/handlers/handlertest"
)

// tryStream asks for an event stream as c and returns the response's
// status, Retry-After and body for a refusal; an accepted stream is
// closed at once.
func tryStream(t *testing.T, srv *httptest.Server, c *handlertest.Client, path string) (int, string, string) {
	t.Helper()
	res, release := holdStream(t, srv, c, path)
	defer release()
	if res.StatusCode == http.StatusOK {
		return res.StatusCode, "", ""
	}
	body, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header.Get("Retry-After"), string(body)
}

// holdStream asks for an event stream as c and keeps it open, accepted
// or not, until release.
func holdStream(t *testing.T, srv *httptest.Server, c *handlertest.Client, path string) (*http.Response, func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+path, nil)
	req.Header.Set("Accept", "text/event-stream")
	for _, ck := range c.Cookies() {
		req.AddCookie(ck)
	}
	res, err := srv.Client().Do(req)
	if err != nil {
		cancel()
		t.Fatalf("open %s: %v", path, err)
	}
	return res, func() { cancel(); res.Body.Close() }
}

// eventually retries f for up to 5 s: a stream's end reaches the server a
// moment after the client hangs up.
func eventually(t *testing.T, what string, f func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !f(); {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 5 s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestStreamsPerSessionAreLimited: a browser session holds at most four
// event streams per event, phone and presenter alike; the fifth is refused
// at once with 429 and {"error"}, others still connect, and every way a
// stream ends (the browser leaving, the server stopping) gives its place
// back.
func TestStreamsPerSessionAreLimited(t *testing.T) {
	s := newShow(t)
	srv := httptest.NewServer(s.app.Echo)
	t.Cleanup(srv.Close)
	for _, tc := range []struct {
		who  string
		c    *handlertest.Client
		path string
	}{{"phone", s.bea, s.live() + "/stream"}, {"presenter", s.ana, s.presenter() + "/stream"}} {
		t.Run(tc.who, func(t *testing.T) {
			var open []*sse
			for range 4 {
				st := openStream(t, srv, tc.c, tc.path, "")
				st.next()
				open = append(open, st)
			}
			start := time.Now()
			code, retry, body := tryStream(t, srv, tc.c, tc.path)
			if code != http.StatusTooManyRequests || retry == "" {
				t.Fatalf("5th stream: %d (Retry-After %q), want 429", code, retry)
			}
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("the refusal took %v", d)
			}
			var msg map[string]string
			if err := json.Unmarshal([]byte(body), &msg); err != nil || !strings.Contains(msg["error"], "several tabs") {
				t.Errorf("5th stream's body %q, want JSON {\"error\": …}", body)
			}
			// Another browser is not affected.
			other := openStream(t, srv, s.cy, s.live()+"/stream", "")
			other.next()
			other.close()
			// The browser leaving frees its place.
			open[0].close()
			eventually(t, "a place after closing a stream", func() bool {
				code, _, _ := tryStream(t, srv, tc.c, tc.path)
				return code == http.StatusOK
			})
			for _, st := range open[1:] {
				st.close()
			}
			// The closed streams' ends reach the server a moment later:
			// until they all have, one of the four may still be refused.
			eventually(t, "four places after closing every stream", func() bool {
				for range 4 {
					res, release := holdStream(t, srv, tc.c, tc.path)
					defer release()
					if res.StatusCode != http.StatusOK {
						return false
					}
				}
				code, _, _ := tryStream(t, srv, tc.c, tc.path)
				return code == http.StatusTooManyRequests
			})
		})
	}
}

// TestStoppedStreamsGiveTheirPlacesBack: streams ended by the server's
// shutdown are counted out too.
func TestStoppedStreamsGiveTheirPlacesBack(t *testing.T) {
	s := newShow(t)
	srv := httptest.NewServer(s.app.Echo)
	t.Cleanup(srv.Close)
	path := s.live() + "/stream"
	var open []*sse
	for range 4 {
		st := openStream(t, srv, s.bea, path, "")
		st.next()
		open = append(open, st)
	}
	s.app.Server.StopStreams()
	for _, st := range open {
		select {
		case <-st.done:
		case <-time.After(5 * time.Second):
			t.Fatal("a stream is still open after StopStreams")
		}
	}
	// After the stop a stream ends right after its catch-up, so each
	// accepted one is counted in and out again: none may be refused.
	for i := range 6 {
		if code, _, body := tryStream(t, srv, s.bea, path); code != http.StatusOK {
			t.Fatalf("stream %d after the stop: %d %s", i+1, code, body)
		}
	}
}
