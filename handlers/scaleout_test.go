package handlers_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"retreat/handlers/handlertest"
	"retreat/models"
)

// Two app instances on one PostgreSQL database and one S3 bucket, as
// behind a load balancer that sends each request anywhere: what one
// instance stores, the other serves; a sign-in, a login limit and a
// presenter's slide change on one hold on the other.
func TestTwoInstancesShareOneBackend(t *testing.T) {
	a := handlertest.New(t, handlertest.Options{Scaled: true})
	b := handlertest.New(t, handlertest.Options{SameBackendAs: a})
	o := a.Organizer("ana@example.com", "Ana")
	ev := a.Event(o, "Retreat", "Europe/Lisbon")
	p := a.Prompt(ev, models.KindPhoto, "A picture of you on a swing", nil, nil)

	// Sessions live in the database: signed in on A, known on B.
	orgA := a.Client()
	orgA.SignIn(o.Email)
	orgB := orgA.On(b)
	if rec := orgB.Get(fmt.Sprintf("/dashboard/events/%d", ev.ID)); rec.Code != http.StatusOK {
		t.Fatalf("dashboard on B after signing in on A: %d", rec.Code)
	}

	// A photo uploaded through A is served by B, byte for byte, to the
	// participant and to the organizer.
	beaA := a.Client()
	beaA.Join(ev, "Bea")
	if rec := beaA.Upload(handlertest.AnswerPath(ev, p), "me on a swing", handlertest.PhotoPath(t, "orient-6.jpg")); rec.Code != http.StatusSeeOther {
		t.Fatalf("upload on A: %d\n%s", rec.Code, rec.Body.String())
	}
	subs, err := b.Store.EventSubmissions(t.Context(), ev.ID)
	if err != nil || len(subs) != 1 {
		t.Fatalf("submissions seen from B: %v, %v", subs, err)
	}
	sub := subs[0]
	beaB := beaA.On(b)
	fromA := beaA.Get(fmt.Sprintf("/e/%d/photos/%d/phone", ev.ID, sub.ID))
	fromB := beaB.Get(fmt.Sprintf("/e/%d/photos/%d/phone", ev.ID, sub.ID))
	if fromB.Code != http.StatusOK || fromB.Body.Len() == 0 || !bytes.Equal(fromA.Body.Bytes(), fromB.Body.Bytes()) {
		t.Fatalf("photo on B: %d, %d bytes; on A: %d, %d bytes", fromB.Code, fromB.Body.Len(), fromA.Code, fromA.Body.Len())
	}
	if rec := orgB.Get(fmt.Sprintf("/dashboard/events/%d/photos/%d/thumb", ev.ID, sub.ID)); rec.Code != http.StatusOK {
		t.Errorf("organizer's thumbnail on B: %d", rec.Code)
	}
	// ... and nobody else gets it from B.
	cyB := b.Client()
	cyB.Join(ev, "Cy")
	if rec := cyB.Get(fmt.Sprintf("/e/%d/photos/%d/phone", ev.ID, sub.ID)); rec.Code == http.StatusOK {
		t.Errorf("another participant got the photo from B before the reveal")
	}

	// Login failures are counted in the database: guessing on A, then
	// on B, hits one limit.
	guesser := a.Client()
	for i := range 5 {
		inst := guesser
		if i%2 == 1 {
			inst = guesser.On(b)
		}
		if rec := inst.PostForm("/login", url.Values{"email": {o.Email}, "password": {"wrong"}}); rec.Code == http.StatusSeeOther {
			t.Fatalf("wrong password %d accepted", i)
		}
	}
	if rec := guesser.On(b).PostForm("/login", url.Values{"email": {o.Email}, "password": {handlertest.Password}}); rec.Code != http.StatusTooManyRequests {
		t.Errorf("sixth try on B after five failures spread over A and B: %d, want 429", rec.Code)
	}

	// The reveal: a phone follows on B while the presenter clicks on A.
	srvB := httptest.NewServer(b.Echo)
	defer srvB.Close()
	if rec := orgA.PostForm(fmt.Sprintf("/dashboard/events/%d/reveal/start", ev.ID), nil); rec.Code >= 400 {
		t.Fatalf("start the reveal on A: %d\n%s", rec.Code, rec.Body.String())
	}
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	events := follow(ctx, t, srvB.URL+fmt.Sprintf("/e/%d/live/stream", ev.ID), beaA.Cookies())
	first := nextSlide(t, events, 5*time.Second)
	if first.Status != models.RevealLive || first.Index != 0 {
		t.Fatalf("B's first state: %+v, want the live reveal at slide 0", first)
	}
	for step := 1; step <= 2 && step < first.Total; step++ {
		clicked := time.Now()
		if rec := orgA.PostForm(fmt.Sprintf("/dashboard/events/%d/reveal/next", ev.ID), nil); rec.Code >= 400 {
			t.Fatalf("next slide on A: %d\n%s", rec.Code, rec.Body.String())
		}
		got := nextSlide(t, events, time.Second)
		if got.Index != step || got.Seq <= first.Seq {
			t.Fatalf("B's follower after next #%d: %+v, want slide %d", step, got, step)
		}
		t.Logf("slide %d: presenter's click on A to B's follower in %v", step, time.Since(clicked))
	}
}

type followerState struct {
	Seq    int64               `json:"seq"`
	Status models.RevealStatus `json:"status"`
	Index  int                 `json:"index"`
	Total  int                 `json:"total"`
}

// follow opens an event stream as a phone does and sends each "slide"
// event's data on the returned channel.
func follow(ctx context.Context, t *testing.T, streamURL string, cookies []*http.Cookie) <-chan followerState {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, streamURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "text/event-stream")
	for _, c := range cookies {
		req.AddCookie(c)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusOK {
		res.Body.Close()
		t.Fatalf("follow %s: %d", streamURL, res.StatusCode)
	}
	ch := make(chan followerState, 16)
	go func() {
		defer res.Body.Close()
		defer close(ch)
		sc := bufio.NewScanner(res.Body)
		sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
		typ := ""
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "event: "):
				typ = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: ") && typ == "slide":
				var st followerState
				if json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &st) == nil {
					ch <- st
				}
			case line == "":
				typ = ""
			}
		}
	}()
	return ch
}

func nextSlide(t *testing.T, ch <-chan followerState, within time.Duration) followerState {
	t.Helper()
	select {
	case st, ok := <-ch:
		if !ok {
			t.Fatal("the follower's stream ended")
		}
		return st
	case <-time.After(within):
		t.Fatalf("no slide change reached the follower within %v", within)
	}
	return followerState{}
}
