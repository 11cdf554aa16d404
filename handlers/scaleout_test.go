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
	events := streamEvents(ctx, t, streamURL, cookies)
	ch := make(chan followerState, 16)
	go func() {
		defer close(ch)
		for ev := range events {
			var st followerState
			if ev.name != "slide" || json.Unmarshal([]byte(ev.data), &st) != nil {
				continue
			}
			select {
			case ch <- st:
			case <-ctx.Done():
				return
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

// A phone that times out sends its upload again with the same
// idempotency key, and a load balancer may hand the retry to another
// instance while the first attempt is still being processed. Both
// attempts at once, one on A and one on B: one photo is stored (one
// answer, one photo folder, one receipt), and both get the same answer
// back. Without the lease across instances each would process and store
// its own photo, and the two answers' thumbnails would differ.
func TestSameUploadOnTwoInstancesAtOnceIsStoredOnce(t *testing.T) {
	a := handlertest.New(t, handlertest.Options{Scaled: true})
	b := handlertest.New(t, handlertest.Options{SameBackendAs: a})
	o := a.Organizer("ana@example.com", "Ana")
	ev := a.Event(o, "Retreat", "Europe/Lisbon")
	p := a.Prompt(ev, models.KindPhoto, "A picture of you on a swing", nil, nil)
	onA := a.Client()
	onA.Join(ev, "Bea")
	onA.Accept = "application/json" // as upload.js asks
	onB := onA.On(b)
	photo := handlertest.PhotoPath(t, "progressive.jpg")
	// The token first, so the two requests do not race for it.
	path := handlertest.AnswerPath(ev, p) + "?_csrf=" + url.QueryEscape(onA.CSRF())
	const key = "same-key-on-two-instances-0123"

	type answer struct {
		on   string
		code int
		body string
	}
	start := make(chan struct{})
	answers := make(chan answer, 2)
	for _, send := range []struct {
		on string
		c  *handlertest.Client
	}{{"A", onA}, {"B", onB}} {
		ct, body := handlertest.Multipart(t, map[string]string{"caption": "me on a swing"}, "photo", photo)
		req := httptest.NewRequest(http.MethodPost, path, body)
		req.Header.Set("Content-Type", ct)
		req.Header.Set("Idempotency-Key", `"`+key+`"`)
		go func() {
			<-start
			rec := send.c.Do(req)
			answers <- answer{send.on, rec.Code, rec.Body.String()}
		}()
	}
	close(start)
	thumbs := map[string]string{}
	for range 2 {
		got := <-answers
		var res struct {
			Thumb string `json:"thumb_url"`
		}
		if got.code != http.StatusOK || json.Unmarshal([]byte(got.body), &res) != nil || res.Thumb == "" {
			t.Fatalf("upload on %s: %d\n%s", got.on, got.code, got.body)
		}
		thumbs[got.on] = res.Thumb
	}
	if thumbs["A"] != thumbs["B"] {
		t.Errorf("the same upload on A and B at once was answered with two photos: A %s, B %s", thumbs["A"], thumbs["B"])
	}

	subs, err := a.Store.EventSubmissions(t.Context(), ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(subs) != 1 {
		t.Fatalf("%d answers after one upload sent twice, want 1: %+v", len(subs), subs)
	}
	// The answer both were told about is the one stored: its thumbnail
	// URL carries the start of the photo folder's name.
	folder := subs[0].PhotoKey
	if v := folder[strings.LastIndex(folder, "/")+1:]; len(v) < 8 || !strings.Contains(thumbs["A"], fmt.Sprintf("/photos/%d/thumb?v=%s", subs[0].ID, v[:8])) {
		t.Errorf("both were answered %s, but the stored answer is %d in %s", thumbs["A"], subs[0].ID, folder)
	}
	folders := map[string]bool{}
	for _, f := range a.MediaFiles() {
		folders[f[:max(strings.LastIndex(f, "/"), 0)]] = true
	}
	if len(folders) != 1 || !folders[folder] {
		t.Errorf("photo folders in the bucket: %v, want only %s", folders, folder)
	}
	var receipts int64
	if err := a.Store.DB().Model(&models.UploadReceipt{}).Count(&receipts).Error; err != nil {
		t.Fatal(err)
	}
	if receipts != 1 {
		t.Errorf("%d upload receipts, want 1", receipts)
	}
}

// sseEvent is one Server-Sent Event: its type and data.
type sseEvent struct {
	name, data string
}

// streamEvents opens an event stream with cookies and sends every event
// on the returned channel until ctx ends.
func streamEvents(ctx context.Context, t *testing.T, streamURL string, cookies []*http.Cookie) <-chan sseEvent {
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
		t.Fatalf("open %s: %d", streamURL, res.StatusCode)
	}
	ch := make(chan sseEvent, 64)
	go func() {
		defer res.Body.Close()
		defer close(ch)
		sc := bufio.NewScanner(res.Body)
		sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
		var ev sseEvent
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "event: "):
				ev.name = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				ev.data += strings.TrimPrefix(line, "data: ")
			case line == "":
				if ev.name != "" {
					select {
					case ch <- ev:
					case <-ctx.Done():
						return
					}
				}
				ev = sseEvent{}
			}
		}
	}()
	return ch
}

// nextEvent waits for the next event called name, skipping others.
func nextEvent(t *testing.T, ch <-chan sseEvent, name string, within time.Duration) sseEvent {
	t.Helper()
	deadline := time.After(within)
	for {
		select {
		case ev, ok := <-ch:
			if !ok {
				t.Fatalf("the stream ended before a %q event", name)
			}
			if ev.name == name {
				return ev
			}
		case <-deadline:
			t.Fatalf("no %q event within %v", name, within)
		}
	}
}

// Phones' reactions are counted by a Reactor on the instance each tap
// reaches and published in batches on the hub: taps sent through B reach
// the presenter's screen connected to A (its "reactions" events), on the
// slide on screen, and their counts are saved for the award.
func TestReactionsThroughOneInstanceReachThePresenterOnAnother(t *testing.T) {
	a := handlertest.New(t, handlertest.Options{Scaled: true})
	b := handlertest.New(t, handlertest.Options{SameBackendAs: a})
	o := a.Organizer("ana@example.com", "Ana")
	ev := a.Event(o, "Retreat", "Europe/Lisbon")
	p := a.Prompt(ev, models.KindPhoto, "A picture of you on a swing", nil, nil)
	dee := a.Client()
	dee.Join(ev, "Dee")
	if rec := dee.Upload(handlertest.AnswerPath(ev, p), "me on a swing", handlertest.PhotoPath(t, "orient-6.jpg")); rec.Code != http.StatusSeeOther {
		t.Fatalf("upload: %d\n%s", rec.Code, rec.Body.String())
	}
	subs, err := a.Store.EventSubmissions(t.Context(), ev.ID)
	if err != nil || len(subs) != 1 {
		t.Fatalf("answers: %v, %v", subs, err)
	}
	photoKey := fmt.Sprintf("sub-%d", subs[0].ID)
	org := a.Client()
	org.SignIn(o.Email)
	bea := b.Client()
	bea.Join(ev, "Bea")
	bea.Accept = "application/json" // as the phone's script sends them

	// The presenter's screen follows the reveal on A.
	srvA := httptest.NewServer(a.Echo)
	defer srvA.Close()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	screen := streamEvents(ctx, t, srvA.URL+fmt.Sprintf("/dashboard/events/%d/reveal/stream", ev.ID), org.Cookies())
	nextEvent(t, screen, "slide", 5*time.Second) // the current state: not started
	type slide struct {
		Status models.RevealStatus `json:"status"`
		Total  int                 `json:"total"`
		Slide  *struct {
			Key string `json:"key"`
		} `json:"slide"`
	}
	onScreen := func() slide {
		t.Helper()
		var st slide
		if err := json.Unmarshal([]byte(nextEvent(t, screen, "slide", 5*time.Second).data), &st); err != nil {
			t.Fatal(err)
		}
		return st
	}
	if rec := org.PostForm(fmt.Sprintf("/dashboard/events/%d/reveal/start", ev.ID), nil); rec.Code >= 400 {
		t.Fatalf("start the reveal on A: %d\n%s", rec.Code, rec.Body.String())
	}
	// On to Dee's photo.
	for st := onScreen(); st.Slide == nil || st.Slide.Key != photoKey; st = onScreen() {
		if st.Status != models.RevealLive || st.Total == 0 {
			t.Fatalf("the reveal on the presenter's screen: %+v", st)
		}
		if rec := org.PostForm(fmt.Sprintf("/dashboard/events/%d/reveal/next", ev.ID), nil); rec.Code >= 400 {
			t.Fatalf("next slide: %d (no slide %s?)\n%s", rec.Code, photoKey, rec.Body.String())
		}
	}

	// Bea's phone, served by B, cheers.
	sent := map[string]int{"👏": 2, "🔥": 1}
	tapped := time.Now()
	for emoji, n := range sent {
		for range n {
			if rec := bea.PostForm(fmt.Sprintf("/e/%d/live/react", ev.ID), url.Values{"emoji": {emoji}}); rec.Code != http.StatusNoContent {
				t.Fatalf("reaction %s on B: %d\n%s", emoji, rec.Code, rec.Body.String())
			}
		}
	}
	// The counts may come in more than one batch (a flush between taps).
	got := map[string]int{}
	total := 0
	for total < 3 {
		var batch struct {
			Key    string         `json:"key"`
			Counts map[string]int `json:"counts"`
			Total  int            `json:"total"`
		}
		if err := json.Unmarshal([]byte(nextEvent(t, screen, "reactions", 5*time.Second).data), &batch); err != nil {
			t.Fatal(err)
		}
		if batch.Key != photoKey {
			t.Errorf("reactions for slide %q, want %q (on screen)", batch.Key, photoKey)
		}
		n := 0
		for emoji, c := range batch.Counts {
			got[emoji] += c
			n += c
		}
		if n != batch.Total {
			t.Errorf("batch %+v: total %d, counts add up to %d", batch, batch.Total, n)
		}
		total += batch.Total
	}
	t.Logf("reactions on B to the presenter on A in %v", time.Since(tapped))
	if fmt.Sprint(got) != fmt.Sprint(sent) {
		t.Errorf("reactions on the presenter's screen: %v, want %v", got, sent)
	}
	// Saved for the award, by B's Reactor, in the shared database.
	deadline := time.Now().Add(10 * time.Second)
	for {
		totals, err := a.Store.ReactionTotals(t.Context(), ev.ID)
		if err != nil {
			t.Fatal(err)
		}
		if totals[subs[0].ID] == 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("reactions saved for Dee's photo: %v, want 3", totals)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
