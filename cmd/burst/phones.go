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
	"sync/atomic"
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
	peakRSS       []int64 // per instance
	rssErr        error
	requests      []int64 // per instance
}

func (r *result) fail(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

func (r *result) failed() bool {
	return len(r.errors) > 0 || r.lockedReplies > 0 || r.lockedInLog > 0 || r.serverErrors > 0
}

// balancer spreads requests over the instances: each request goes to the
// next one in turn, as a load balancer without sticky sessions does. One
// phone's requests land on every instance (its cookies follow it: a cookie
// jar keys cookies by host, not port), which works because sessions,
// CSRF cookies and photos are shared.
type balancer struct {
	bases []string
	next  atomic.Uint64
	sent  []atomic.Int64
}

func newBalancer(bases []string) *balancer {
	return &balancer{bases: bases, sent: make([]atomic.Int64, len(bases))}
}

// url is path on the next instance.
func (b *balancer) url(path string) string {
	i := (b.next.Add(1) - 1) % uint64(len(b.bases))
	b.sent[i].Add(1)
	return b.bases[i] + path
}

// counts is how many requests each instance was sent.
func (b *balancer) counts() []int64 {
	n := make([]int64, len(b.sent))
	for i := range b.sent {
		n[i] = b.sent[i].Load()
	}
	return n
}

// participant is one phone's browser.
type participant struct {
	client *http.Client
	lb     *balancer
	csrf   string
	event  string // "/e/<id>"
}

func newParticipant(lb *balancer) *participant {
	jar, _ := cookiejar.New(nil)
	return &participant{lb: lb, client: &http.Client{Jar: jar, Timeout: 5 * time.Minute,
		Transport:     &http.Transport{MaxIdleConnsPerHost: 2, DisableCompression: true},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// get fetches path and checks the status; it returns how long it took.
func (p *participant) get(ctx context.Context, r *result, path string, want int) (time.Duration, bool) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, p.lb.url(path), nil)
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
	u, _ := url.Parse(p.lb.bases[0]) // the same cookies for every instance
	for _, c := range p.client.Jar.Cookies(u) {
		if c.Name == "retreat_csrf" {
			p.csrf = c.Value
		}
	}
	form := url.Values{"name": {name}, "time_zone": {"Europe/Lisbon"}, "_csrf": {p.csrf}}
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, p.lb.url("/j/"+token), strings.NewReader(form.Encode()))
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
	// Joining gave the session a new CSRF secret; the cookie mirrors it.
	for _, c := range p.client.Jar.Cookies(u) {
		if c.Name == "retreat_csrf" {
			p.csrf = c.Value
		}
	}
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
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, p.lb.url(path), body)
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
func runBurst(ctx context.Context, lb *balancer, ev *seeded, photo []byte, o options) *result {
	r := &result{}
	prober := newParticipant(lb)
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
			p := newParticipant(lb)
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
