package live_test

import (
	"fmt"
	"net"
	"net/url"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"retreat/handlers/browsertest"
	"retreat/handlers/overload"
)

// TestBrowserPhoneShowsTheSlideWhileItsPhotoIsShed: with the server's
// connections three-quarters full, a phone's photo request gets a quick
// 503. The phone shows the slide at once without the photo, saying it is
// on its way, asks again after its own pause, and shows the photo once the
// crowd thins. Pages shed under heavier load are a small page that tries
// again by itself.
func TestBrowserPhoneShowsTheSlideWhileItsPhotoIsShed(t *testing.T) {
	// 80 files, 20 kept back: 60 connections; photos give way above 45,
	// pages above 54.
	s, guard, ts := newGuardedShow(t, overload.Options{Files: 80, Reserve: 20})

	ctx := browsertest.New(t)
	run(t, ctx, "the phone follows", chromedp.ActionFunc(browsertest.Phone), as(s.bea, ts.URL),
		chromedp.Navigate(ts.URL+s.live()), chromedp.WaitVisible(`[data-message=waiting]`, chromedp.ByQuery))
	eventually(t, "the phone's stream", func() bool { return guard.Stats().Streams == 1 })

	var held []net.Conn
	t.Cleanup(func() {
		for _, c := range held {
			c.Close()
		}
	})
	holdUpTo := func(n int64) {
		t.Helper()
		for guard.Stats().Conns < n {
			c, err := net.Dial("tcp", ts.Listener.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			held = append(held, c)
			want := int64(len(held))
			eventually(t, "the connection counted", func() bool { return guard.Stats().Conns >= want })
		}
	}
	holdUpTo(47)

	s.act(t, s.ana, "start", nil)
	st := s.act(t, s.ana, "goto", url.Values{"index": {"2"}}) // Dee's photo
	waitKey(t, ctx, st.Slide.Key)
	var waiting bool
	run(t, ctx, "the slide says its photo is on its way",
		chromedp.Poll(`!!document.querySelector("[data-stage] .photo-frame.photo-waiting")`, &waiting, chromedp.WithPollingTimeout(10*time.Second)))
	if c := eval[string](t, ctx, `document.querySelector("[data-stage] .caption").textContent`); c != "Higher!" {
		t.Errorf("the slide without its photo shows caption %q", c)
	}
	if guard.Stats().ShedPhotos == 0 {
		t.Error("no photo was shed")
	}
	browsertest.Screenshot(t, ctx, "phone-photo-on-its-way")

	// Heavier still: pages are shed too, as a page that tries again.
	other := browsertest.NewWindow(t, ctx)
	holdUpTo(56)
	for i, size := range []chromedp.ActionFunc{browsertest.Phone, browsertest.Laptop} {
		run(t, other, "a page while pages are shed", size, as(s.cy, ts.URL),
			chromedp.Navigate(ts.URL+fmt.Sprintf("/e/%d", s.ev.ID)), chromedp.WaitVisible(`main h1`, chromedp.ByQuery))
		if h := eval[string](t, other, `document.querySelector("h1").textContent + " | " + document.querySelector('meta[http-equiv="refresh"]').content`); h[:11] != "One moment " {
			t.Errorf("the busy page: %q", h)
		}
		browsertest.Screenshot(t, other, []string{"busy-page-phone", "busy-page-laptop"}[i])
	}

	// The crowd thins: the photo comes, on the phone's next try.
	for _, c := range held {
		c.Close()
	}
	held = nil
	var loaded bool
	run(t, ctx, "the photo comes", chromedp.Poll(`(() => { const i = document.querySelector("[data-stage] img.photo");
		return !!i && i.complete && i.naturalWidth > 0 && !i.closest(".photo-waiting"); })()`, &loaded, chromedp.WithPollingTimeout(20*time.Second)))
	browsertest.Screenshot(t, ctx, "phone-photo-came")
}
