package live_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"retreat/handlers/browsertest"
)

// photoLog counts the phones' photo requests that reach the server.
type photoLog struct {
	mu   sync.Mutex
	hits map[string]int // path -> requests
}

func (l *photoLog) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.URL.Path, "/live/photos/") {
			l.mu.Lock()
			l.hits[r.URL.Path]++
			l.mu.Unlock()
		}
		next.ServeHTTP(w, r)
	})
}

func (l *photoLog) count(path string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.hits[path]
}

// TestBrowserPhonePreloadsTheNextPhoto: a phone following the reveal
// fetches the next photo slide's photo while the cover is still on screen
// (paced: within the spread of preload.js), and when the presenter gets
// there the photo is on screen without asking the server again.
func TestBrowserPhonePreloadsTheNextPhoto(t *testing.T) {
	s := newStageShow(t, false)
	sh := &show{app: s.app, ev: s.ev, ana: s.ana}
	log := &photoLog{hits: map[string]int{}}
	srv := httptest.NewServer(log.wrap(s.app.Echo))
	t.Cleanup(srv.Close)
	pan := fmt.Sprintf("/e/%d/live/photos/%d", s.ev.ID, mustSub(t, s, "Pan"))

	ctx := browsertest.New(t)
	phone := browsertest.NewWindow(t, ctx)
	run(t, phone, "phone follows", chromedp.ActionFunc(browsertest.Phone), as(s.people["Tex"], srv.URL),
		chromedp.Navigate(fmt.Sprintf("%s/e/%d/live", srv.URL, s.ev.ID)), chromedp.WaitVisible(`[data-message=waiting]`, chromedp.ByQuery))

	st := sh.act(t, s.ana, "start", nil)
	if len(st.Preload) == 0 || !strings.HasPrefix(st.Preload[0], pan+"?v=") {
		t.Fatalf("the cover's state preloads %v, want Pan's photo first", st.Preload)
	}
	waitKey(t, phone, "cover")
	// SPREAD_MS is 8 s: the first photo comes within it.
	run(t, phone, "the next photo is fetched while the cover shows",
		browsertest.Until(fmt.Sprintf(`performance.getEntriesByType("resource").some((e) => e.name.includes(%q) && e.responseEnd > 0)`, pan+"?v="), 20*time.Second))
	if n := log.count(pan); n != 1 {
		t.Fatalf("Pan's photo reached the server %d times while the cover showed, want 1", n)
	}
	if k := eval[string](t, phone, `document.querySelector("[data-stage] [data-slide]").dataset.key`); k != "cover" {
		t.Fatalf("the phone shows %q, want the cover still", k)
	}

	eval[bool](t, phone, watchBlank)
	sh.act(t, s.ana, "next", nil)
	st = sh.act(t, s.ana, "next", nil) // Pan's panorama
	waitKey(t, phone, st.Slide.Key)
	if !eval[bool](t, phone, `(() => { const i = document.querySelector("[data-stage] img.photo"); return !!i && i.complete && i.naturalWidth > 0; })()`) {
		t.Error("Pan's photo is not on screen with its slide")
	}
	if n := log.count(pan); n != 1 {
		t.Errorf("Pan's photo reached the server %d times in all, want 1: the slide asked again", n)
	}
	if blanks := eval[[]string](t, phone, `window.blankFrames`); len(blanks) > 0 {
		t.Errorf("the slide came up before its photo: %v", blanks)
	}
}
