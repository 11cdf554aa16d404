package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
)

// result is what one burst measured.
type result struct {
	mu            sync.Mutex
	wall          time.Duration
	uploads       []time.Duration // successful uploads
	pages         []time.Duration // the prober's prompt-page loads
	ownPages      []time.Duration // participants' own prompt-list loads
	errors        []string
	lockedReplies int
	lockedInLog   int
	serverErrors  int
	peakRSS       int64
	rssErr        error
}

func (r *result) fail(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

func (r *result) failed() bool {
	return len(r.errors) > 0 || r.lockedReplies > 0 || r.lockedInLog > 0 || r.serverErrors > 0
}

// participant is one phone's browser.
type participant struct {
	client *http.Client
	base   string
	csrf   string
	event  string // "/e/<id>"
}

func newParticipant(base string) *participant {
	jar, _ := cookiejar.New(nil)
	return &participant{base: base, client: &http.Client{Jar: jar, Timeout: 5 * time.Minute,
		Transport:     &http.Transport{MaxIdleConnsPerHost: 2, DisableCompression: true},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// get fetches path and checks the status; it returns how long it took.
func (p *participant) get(ctx context.Context, r *result, path string, want int) (time.Duration, bool) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, p.base+path, nil)
	start := time.Now()
	res, err := p.client.Do(req)
	if err != nil {
		if ctx.Err() == nil {
			r.fail("GET %s: %v", path, err)
		}
		return 0, false
	}
	body, err := io.ReadAll(res.Body)
	res.Body.Close()
	took := time.Since(start)
	if err != nil || res.StatusCode != want {
		r.fail("GET %s: %d (want %d) %v %.200s", path, res.StatusCode, want, err, body)
		return took, false
	}
	return took, true
}

// join opens the join link and joins under name.
func (p *participant) join(ctx context.Context, r *result, token, name string) bool {
	if _, ok := p.get(ctx, r, "/j/"+token, http.StatusOK); !ok {
		return false
	}
	u, _ := url.Parse(p.base)
	for _, c := range p.client.Jar.Cookies(u) {
		if c.Name == "retreat_csrf" {
			p.csrf = c.Value
		}
	}
	form := url.Values{"name": {name}, "time_zone": {"Europe/Lisbon"}, "_csrf": {p.csrf}}
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, p.base+"/j/"+token, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := p.client.Do(req)
	if err != nil {
		r.fail("join: %v", err)
		return false
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/e/") {
		r.fail("join: %d %s", res.StatusCode, res.Header.Get("Location"))
		return false
	}
	p.event = res.Header.Get("Location")
	return true
}

// upload sends the photo as upload.js does (multipart, Idempotency-Key,
// JSON answer), streaming the body, and returns how long it took.
func (p *participant) upload(ctx context.Context, r *result, prompt uint, photo []byte) (time.Duration, bool) {
	var head, tail bytes.Buffer
	mw := multipart.NewWriter(&head)
	key := make([]byte, 16)
	rand.Read(key)
	mw.WriteField("upload_key", hex.EncodeToString(key))
	mw.WriteField("caption", "from the burst")
	mw.CreateFormFile("photo", "IMG_0001.jpg")
	boundary := mw.Boundary()
	fmt.Fprintf(&tail, "\r\n--%s--\r\n", boundary)
	body := io.MultiReader(bytes.NewReader(head.Bytes()), bytes.NewReader(photo), bytes.NewReader(tail.Bytes()))
	path := fmt.Sprintf("%s/prompts/%d/answer?_csrf=%s", p.event, prompt, url.QueryEscape(p.csrf))
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, p.base+path, body)
	req.ContentLength = int64(head.Len() + len(photo) + tail.Len())
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Idempotency-Key", `"`+hex.EncodeToString(key)+`"`)
	start := time.Now()
	res, err := p.client.Do(req)
	if err != nil {
		r.fail("upload: %v", err)
		return 0, false
	}
	msg, err := io.ReadAll(res.Body)
	res.Body.Close()
	took := time.Since(start)
	if strings.Contains(string(msg), "locked") {
		r.mu.Lock()
		r.lockedReplies++
		r.mu.Unlock()
	}
	var ack struct {
		ThumbURL string `json:"thumb_url"`
	}
	if err != nil || res.StatusCode != http.StatusOK || json.Unmarshal(msg, &ack) != nil || ack.ThumbURL == "" {
		r.fail("upload: %d %v %.200s", res.StatusCode, err, msg)
		return took, false
	}
	// The page shows the new thumbnail.
	if _, ok := p.get(ctx, r, ack.ThumbURL, http.StatusOK); !ok {
		return took, false
	}
	return took, true
}

// runBurst runs the participants, o.inFlight at a time, while a prober
// reloads the prompt page.
func runBurst(ctx context.Context, srv *server, ev *seeded, photo []byte, o options) *result {
	r := &result{}
	prober := newParticipant(srv.base)
	if !prober.join(ctx, r, ev.joinToken, "Prober") {
		return r
	}
	probeCtx, stopProbe := context.WithCancel(ctx)
	var probeDone sync.WaitGroup
	probeDone.Add(1)
	go func() {
		defer probeDone.Done()
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-probeCtx.Done():
				return
			case <-t.C:
			}
			if took, ok := prober.get(probeCtx, r, prober.event, http.StatusOK); ok {
				r.mu.Lock()
				r.pages = append(r.pages, took)
				r.mu.Unlock()
			}
		}
	}()

	start := time.Now()
	sem := make(chan struct{}, o.inFlight)
	var wg sync.WaitGroup
	for i := range o.participants {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			p := newParticipant(srv.base)
			if !p.join(ctx, r, ev.joinToken, fmt.Sprintf("Participant %03d", i+1)) {
				return
			}
			took, ok := p.get(ctx, r, p.event, http.StatusOK)
			if !ok {
				return
			}
			prompt := ev.prompts[i%len(ev.prompts)]
			if _, ok := p.get(ctx, r, fmt.Sprintf("%s/prompts/%d", p.event, prompt), http.StatusOK); !ok {
				return
			}
			up, ok := p.upload(ctx, r, prompt, photo)
			if !ok {
				return
			}
			again, ok := p.get(ctx, r, p.event, http.StatusOK)
			if !ok {
				return
			}
			r.mu.Lock()
			r.uploads = append(r.uploads, up)
			r.ownPages = append(r.ownPages, took, again)
			r.mu.Unlock()
			p.client.CloseIdleConnections()
		}()
	}
	wg.Wait()
	r.wall = time.Since(start)
	stopProbe()
	probeDone.Wait()
	return r
}

func percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := int(float64(len(s)-1) * p)
	return s[i]
}

func (r *result) report(w io.Writer, o options, photoBytes int) {
	ms := func(d time.Duration) string { return fmt.Sprintf("%d ms", d.Milliseconds()) }
	fmt.Fprintf(w, "burst: %d participants, %d at once, %.1f MB photo, %d photo workers\n", o.participants, o.inFlight, float64(photoBytes)/(1<<20), o.workers)
	fmt.Fprintf(w, "  wall time                 %s\n", r.wall.Round(time.Millisecond))
	fmt.Fprintf(w, "  uploads                   %d ok, %.2f uploads/s\n", len(r.uploads), float64(len(r.uploads))/r.wall.Seconds())
	fmt.Fprintf(w, "  upload latency            p50 %s, p99 %s, max %s\n", ms(percentile(r.uploads, .5)), ms(percentile(r.uploads, .99)), ms(percentile(r.uploads, 1)))
	fmt.Fprintf(w, "  prompt page (prober)      p50 %s, p99 %s, max %s over %d loads\n", ms(percentile(r.pages, .5)), ms(percentile(r.pages, .99)), ms(percentile(r.pages, 1)), len(r.pages))
	fmt.Fprintf(w, "  prompt page (participants) p50 %s, p99 %s over %d loads\n", ms(percentile(r.ownPages, .5)), ms(percentile(r.ownPages, .99)), len(r.ownPages))
	fmt.Fprintf(w, "  errors                    %d\n", len(r.errors))
	for i, e := range r.errors {
		if i == 10 {
			fmt.Fprintf(w, "    … and %d more\n", len(r.errors)-10)
			break
		}
		fmt.Fprintf(w, "    %s\n", e)
	}
	fmt.Fprintf(w, "  'database is locked'      %d in replies, %d in the server log\n", r.lockedReplies, r.lockedInLog)
	fmt.Fprintf(w, "  server errors logged      %d\n", r.serverErrors)
	if r.rssErr != nil {
		fmt.Fprintf(w, "  peak RSS                  unknown: %v\n", r.rssErr)
	} else {
		fmt.Fprintf(w, "  peak RSS (server)         %.0f MB\n", float64(r.peakRSS)/(1<<20))
	}
}
