package live_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"retreat/handlers/handlertest"
	"retreat/models/live"
)

// event is one Server-Sent Event as read off the wire.
type event struct {
	id, name, data string
}

// sse is an open stream read by a real HTTP client.
type sse struct {
	t      *testing.T
	cancel context.CancelFunc
	events chan event
	done   chan struct{}
}

// openStream connects to path on srv with c's cookies, sending lastID as
// Last-Event-ID when it is not empty.
func openStream(t *testing.T, srv *httptest.Server, c *handlertest.Client, path, lastID string) *sse {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+path, nil)
	req.Header.Set("Accept", "text/event-stream")
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	for _, ck := range c.Cookies() {
		req.AddCookie(ck)
	}
	res, err := srv.Client().Do(req)
	if err != nil {
		cancel()
		t.Fatalf("open %s: %v", path, err)
	}
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/event-stream") {
		cancel()
		t.Fatalf("open %s: %d %s", path, res.StatusCode, res.Header.Get("Content-Type"))
	}
	s := &sse{t: t, cancel: cancel, events: make(chan event, 64), done: make(chan struct{})}
	go func() {
		defer close(s.done)
		defer res.Body.Close()
		sc := bufio.NewScanner(res.Body)
		var ev event
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if ev.name != "" {
					s.events <- ev
				}
				ev = event{}
			case strings.HasPrefix(line, "id: "):
				ev.id = line[4:]
			case strings.HasPrefix(line, "event: "):
				ev.name = line[7:]
			case strings.HasPrefix(line, "data: "):
				ev.data += line[6:]
			}
		}
	}()
	t.Cleanup(s.close)
	return s
}

func (s *sse) close() {
	s.cancel()
	<-s.done
}

// next waits for the next event.
func (s *sse) next() (event, live.FollowerState) {
	s.t.Helper()
	select {
	case ev := <-s.events:
		var st live.FollowerState
		if err := json.Unmarshal([]byte(ev.data), &st); err != nil {
			s.t.Fatalf("event data %q: %v", ev.data, err)
		}
		return ev, st
	case <-time.After(5 * time.Second):
		s.t.Fatal("no event within 5 s")
	}
	return event{}, live.FollowerState{}
}

// quiet checks no event arrives for a moment.
func (s *sse) quiet(d time.Duration) {
	s.t.Helper()
	select {
	case ev := <-s.events:
		s.t.Fatalf("unexpected event %+v", ev)
	case <-time.After(d):
	}
}

func TestStreamCatchesUpAfterADrop(t *testing.T) {
	s := newShow(t)
	srv := httptest.NewServer(s.app.Echo)
	t.Cleanup(srv.Close)

	// Before the start: the stream opens with the waiting state.
	phone := openStream(t, srv, s.bea, s.live()+"/stream", "")
	ev, st := phone.next()
	if ev.name != live.TypeSlide || st.Status != "" || st.Slide != nil || ev.id != "" {
		t.Fatalf("first event before the start: %+v %+v", ev, st)
	}
	presenterTab := openStream(t, srv, s.ana, s.presenter()+"/stream", "")
	presenterTab.next()

	start := s.act(t, s.ana, "start", nil)
	for _, stream := range []*sse{phone, presenterTab} {
		ev, st = stream.next()
		if ev.id != strconv.FormatInt(start.Seq, 10) || st.Seq != start.Seq || st.Slide.Kind != live.KindCover {
			t.Fatalf("start event: %+v %+v", ev, st)
		}
	}
	s.act(t, s.ana, "next", nil)
	ev, st = phone.next()
	if st.Index != 1 {
		t.Fatalf("after next: %+v", st)
	}
	lastSeen := ev.id

	// The phone drops; two slides go by; it reconnects with the last id it
	// had and is caught up with the current slide at once.
	phone.close()
	s.act(t, s.ana, "next", nil)
	cur := s.act(t, s.ana, "next", nil)
	again := openStream(t, srv, s.bea, s.live()+"/stream", lastSeen)
	ev, st = again.next()
	if st.Seq != cur.Seq || st.Index != 3 || ev.id != strconv.FormatInt(cur.Seq, 10) {
		t.Fatalf("catch-up after the drop: %+v %+v, want seq %d index 3", ev, st, cur.Seq)
	}
	// A phone that is already up to date gets nothing until the next change.
	upToDate := openStream(t, srv, s.dee, s.live()+"/stream", strconv.FormatInt(cur.Seq, 10))
	upToDate.quiet(200 * time.Millisecond)
	s.act(t, s.ana, "name", url.Values{"named": {"1"}})
	_, st = upToDate.next()
	if !st.Named || st.Slide.Author != "Bea" {
		t.Errorf("name revealed: %+v", st.Slide)
	}
	// The presenter tab saw every change, in order.
	for want := start.Seq + 1; want <= cur.Seq+1; want++ {
		if _, st := presenterTab.next(); st.Seq != want {
			t.Fatalf("presenter tab: seq %d, want %d", st.Seq, want)
		}
	}
}

func TestShutdownEndsStreams(t *testing.T) {
	s := newShow(t)
	srv := httptest.NewServer(s.app.Echo)
	t.Cleanup(srv.Close)
	phone := openStream(t, srv, s.bea, s.live()+"/stream", "")
	phone.next()
	s.app.Server.StopStreams()
	select {
	case <-phone.done:
	case <-time.After(5 * time.Second):
		t.Fatal("the stream is still open after StopStreams")
	}
}

func TestStreamNeedsAParticipantOfTheEvent(t *testing.T) {
	s := newShow(t)
	srv := httptest.NewServer(s.app.Echo)
	t.Cleanup(srv.Close)
	for _, path := range []string{s.live() + "/stream", s.presenter() + "/stream"} {
		res, err := srv.Client().Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusNotFound && res.StatusCode != http.StatusUnauthorized {
			t.Errorf("%s without a session: %d", path, res.StatusCode)
		}
	}
}
