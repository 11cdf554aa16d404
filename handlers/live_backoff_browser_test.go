package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"retreat/handlers/browsertest"
	"retreat/handlers/handlertest"
	"retreat/models"
)

// TestBrowserRefusedStreamBacksOff: a phone whose session already holds
// four event streams (other tabs) is refused its fifth. follower.js must
// not hammer the server: it waits 3 s, then twice as long each time
// (jittered), and connects once a place is free.
func TestBrowserRefusedStreamBacksOff(t *testing.T) {
	app := handlertest.New(t)
	o := app.Organizer("ana@example.com", "Ana")
	ev := app.Event(o, "Spring hunt", "UTC")
	app.Prompt(ev, models.KindPhoto, "Your desk", nil, nil)
	stream := fmt.Sprintf("/e/%d/live/stream", ev.ID)
	var tries atomic.Int32 // the browser's requests for its stream
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == stream && strings.Contains(r.UserAgent(), "Chrome") {
			tries.Add(1)
		}
		app.Echo.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)

	ctx := browsertest.New(t)
	run(t, ctx, "join",
		chromedp.ActionFunc(browsertest.Phone),
		chromedp.Navigate(srv.URL+"/j/"+ev.JoinToken),
		chromedp.WaitVisible(`input[name=name]`, chromedp.ByQuery),
		chromedp.SendKeys(`input[name=name]`, "Bea", chromedp.ByQuery),
		chromedp.Click(`form[action^="/j/"] button[type=submit]`, chromedp.ByQuery),
		chromedp.WaitVisible(`.prompt-list`, chromedp.ByQuery),
	)
	var cookies []*network.Cookie
	run(t, ctx, "read the session", chromedp.ActionFunc(func(ctx context.Context) error {
		var err error
		cookies, err = network.GetCookies().Do(ctx)
		return err
	}))
	var session string
	for _, c := range cookies {
		if c.Name == "retreat_session" {
			session = c.Value
		}
	}
	// Four other tabs of this browser hold their streams.
	held, release := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	t.Cleanup(func() { release(); wg.Wait() })
	opened := make(chan int, 4)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequestWithContext(held, http.MethodGet, srv.URL+stream, nil)
			req.AddCookie(&http.Cookie{Name: "retreat_session", Value: session})
			res, err := srv.Client().Do(req)
			if err != nil {
				opened <- 0
				return
			}
			opened <- res.StatusCode
			defer res.Body.Close()
			<-held.Done()
		}()
	}
	for range 4 {
		if code := <-opened; code != http.StatusOK {
			t.Fatalf("another tab's stream: %d", code)
		}
	}

	run(t, ctx, "open the live page", chromedp.Navigate(fmt.Sprintf("%s/e/%d/live", srv.URL, ev.ID)))
	time.Sleep(14 * time.Second)
	// Every 3 s would be 5 or 6 tries by now; backing off (3, 6, 12 s,
	// each ±25%) makes 3, or 4 at the shortest jitter.
	if n := tries.Load(); n < 2 || n > 4 {
		t.Errorf("%d tries in 14 s, want 2 to 4 (backing off)", n)
	}
	wantContains(t, "while refused", text(t, ctx, "[data-conn]"), "Reconnecting")
	release() // the other tabs close
	// The next try comes at most 12 s × 1.25 after the last one.
	run(t, ctx, "connect once there is room",
		browsertest.Until(`!document.querySelector("[data-conn]").classList.contains("lost")`, 45*time.Second))
}
