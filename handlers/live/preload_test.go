package live_test

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
	"testing"
	"time"

	"retreat/handlers/handlertest"
	"retreat/models"
	"retreat/models/live"
)

// preloadShow is an event whose deck has five photo slides in a row
// (cover, prompt, photos 1-5, awards, scores), answered by five people;
// Zed answered nothing and follows along.
type preloadShow struct {
	*show
	photos []uint // submission ids, in deck order
	zed    *handlertest.Client
}

func newPreloadShow(t *testing.T) *preloadShow {
	t.Helper()
	app := handlertest.New(t)
	o := app.Organizer("ana@example.com", "Ana")
	ev := app.Event(o, "Spring hunt", "UTC")
	s := &preloadShow{show: &show{app: app, ev: ev, swing: app.Prompt(ev, models.KindPhoto, "The view from your desk", nil, nil)}}
	for i, name := range []string{"Al", "Bo", "Cas", "Di", "Ed"} {
		c := app.Client()
		c.Join(ev, name)
		if rec := c.Upload(handlertest.AnswerPath(ev, s.swing), "Look", handlertest.PhotoPath(t, fmt.Sprintf("orient-%d.jpg", i+1))); rec.Code != http.StatusSeeOther {
			t.Fatalf("%s's upload: %d %s", name, rec.Code, rec.Body.String())
		}
		app.Clock.Advance(time.Minute)
	}
	s.zed = app.Client()
	s.zed.Join(ev, "Zed")
	s.ana = app.Client()
	s.ana.SignIn("ana@example.com")
	d, err := live.BuildDeck(t.Context(), app.Store, ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, sl := range d.Slides {
		if sl.Kind == live.KindPhoto {
			s.photos = append(s.photos, sl.SubmissionID)
		}
	}
	if len(s.photos) != 5 || d.Slides[2].SubmissionID != s.photos[0] {
		t.Fatalf("deck: want photos at slides 2-6, got %v", d.Slides)
	}
	return s
}

func (s *preloadShow) photo(c *handlertest.Client, id uint, query string) *http.Response {
	return c.Get(fmt.Sprintf("%s/photos/%d%s", s.live(), id, query)).Result()
}

// TestPhonesMayPreloadTheNextPhotosOnly: while the reveal is live a phone
// may load the photos of the next few photo slides (those its state
// lists), not one further ahead, not a hidden one, not before the start
// or after the end; and a versioned photo URL is cached for good.
func TestPhonesMayPreloadTheNextPhotosOnly(t *testing.T) {
	s := newPreloadShow(t)
	code := func(id uint) int { return s.photo(s.zed, id, "").StatusCode }
	// The photo route reads the reveal's state again, on a photo it does
	// not know, at most every 10 ms (models/live/preload.go).
	settle := func() { time.Sleep(20 * time.Millisecond) }

	if c := code(s.photos[0]); c != http.StatusNotFound {
		t.Errorf("the first photo before the start: got %d, want 404", c)
	}
	st := s.act(t, s.ana, "start", nil) // the cover
	settle()                            // the refusal just before the start was read a moment ago
	var want []string
	for _, id := range s.photos[:live.PreloadSlides] {
		want = append(want, fmt.Sprintf("%s/photos/%d?v=", s.live(), id))
	}
	if len(st.Preload) != len(want) {
		t.Fatalf("preload on the cover: got %v, want the first %d photos", st.Preload, len(want))
	}
	for i, u := range st.Preload {
		if len(u) < len(want[i]) || u[:len(want[i])] != want[i] {
			t.Errorf("preload[%d]: got %q, want %s…", i, u, want[i])
		}
	}
	got, _ := s.followerState(t, s.zed)
	if fmt.Sprint(got.Preload) != fmt.Sprint(st.Preload) {
		t.Errorf("the phone's state lists %v, the presenter's %v", got.Preload, st.Preload)
	}

	// The next photo, two slides ahead: 200, and cached for good under
	// its versioned URL.
	res := s.photo(s.zed, s.photos[0], st.Preload[0][len(fmt.Sprintf("%s/photos/%d", s.live(), s.photos[0])):])
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "image/jpeg" {
		t.Fatalf("the next photo: got %d %s, want a JPEG", res.StatusCode, res.Header.Get("Content-Type"))
	}
	if cc := res.Header.Get("Cache-Control"); cc != "private, max-age=31536000, immutable" {
		t.Errorf("Cache-Control of a versioned photo URL: got %q", cc)
	}
	// A photo on disk goes out by sendfile with its length; one from S3
	// is streamed as the bucket sends it.
	body, _ := io.ReadAll(res.Body)
	if len(body) == 0 || s.app.S3 == nil && res.Header.Get("Content-Length") != strconv.Itoa(len(body)) {
		t.Errorf("Content-Length %q for a photo of %d bytes", res.Header.Get("Content-Length"), len(body))
	}
	// Without the version, or with an old one, the URL may later mean
	// another photo: a day, as before.
	for _, q := range []string{"", "?v=stale"} {
		res := s.photo(s.zed, s.photos[0], q)
		if cc := res.Header.Get("Cache-Control"); res.StatusCode != http.StatusOK || cc != "private, max-age=86400" {
			t.Errorf("photo%s: got %d, Cache-Control %q", q, res.StatusCode, cc)
		}
	}
	for _, id := range s.photos[1:live.PreloadSlides] {
		if c := code(id); c != http.StatusOK {
			t.Errorf("photo %d in the preload window: got %d, want 200", id, c)
		}
	}
	for _, id := range s.photos[live.PreloadSlides:] {
		if c := code(id); c != http.StatusNotFound {
			t.Errorf("photo %d beyond the preload window: got %d, want 404", id, c)
		}
	}
	// A stranger to the event gets nothing, window or not.
	if c := s.photo(s.app.Client(), s.photos[0], "").StatusCode; c != http.StatusNotFound {
		t.Errorf("the next photo for a phone that never joined: got %d", c)
	}

	// Hidden since the deck was built: never served, though still listed
	// until the presenter gets there.
	if _, err := s.app.Store.SetHidden(t.Context(), s.ev.ID, s.photos[1], true); err != nil {
		t.Fatal(err)
	}
	if c := code(s.photos[1]); c != http.StatusNotFound {
		t.Errorf("a hidden photo in the window: got %d, want 404", c)
	}

	// The window moves with the presenter: on the first photo, the fourth
	// comes within reach.
	s.act(t, s.ana, "next", nil)
	st = s.act(t, s.ana, "next", nil)
	if st.Slide.SubmissionID != s.photos[0] {
		t.Fatalf("slide 2 is %+v, want the first photo", st.Slide)
	}
	settle()
	if c := code(s.photos[3]); c != http.StatusOK {
		t.Errorf("the fourth photo once the first is on screen: got %d, want 200", c)
	}
	if c := code(s.photos[4]); c != http.StatusNotFound {
		t.Errorf("the fifth photo: got %d, want 404", c)
	}

	// Once the reveal has ended nothing more is preloaded; what was shown
	// stays.
	s.act(t, s.ana, "end", nil)
	settle()
	for _, id := range []uint{s.photos[4], s.photos[3]} {
		if c := code(id); c != http.StatusNotFound {
			t.Errorf("photo %d, never shown, after the end: got %d, want 404", id, c)
		}
	}
	if c := code(s.photos[0]); c != http.StatusOK {
		t.Errorf("a photo shown, after the end: got %d, want 200", c)
	}
}
