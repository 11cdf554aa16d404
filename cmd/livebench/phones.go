package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// The phones process: it joins the event as N people through the real
// join form, signs the presenter in, opens N event streams and moves the
// slides, timing each change until every phone has read it (and has its
// photos on screen: see preload.go).

// phone is one browser: its cookies and the photos in its cache.
type phone struct {
	name    string
	cookies map[string]string
	photos  photoCache
	strict  *strictPhone // -strict only
	// liveIndex is the slide the phone follows and changedAt when it
	// came: a slide that comes within skippingAfter of the one before is
	// being skipped through (follower.js's SKIPPING_MS). Read and written
	// only by the phone's stream.
	liveIndex int
	changedAt time.Time
}

// skipping records a state at slide index and says whether the presenter
// is skipping through (see settle in strict.go).
func (p *phone) skipping(index int) bool {
	if index == p.liveIndex {
		return false
	}
	now := time.Now()
	quick := now.Sub(p.changedAt) < skippingAfter
	p.liveIndex, p.changedAt = index, now
	return quick
}

func (p *phone) header() string {
	var b strings.Builder
	for k, v := range p.cookies {
		if b.Len() > 0 {
			b.WriteString("; ")
		}
		b.WriteString(k + "=" + v)
	}
	return b.String()
}

func (p *phone) take(res *http.Response) {
	for _, ck := range res.Cookies() {
		if ck.MaxAge < 0 || ck.Value == "" {
			delete(p.cookies, ck.Name)
			continue
		}
		p.cookies[ck.Name] = ck.Value
	}
}

func (p *phone) csrf() string { return p.cookies["retreat_csrf"] }

type bench struct {
	o      options
	client *http.Client
	base   string
	in     *bufio.Scanner
	out    io.Writer
	log    io.Writer // -v: each move's numbers
	phones []*phone
	// seq is the reveal's sequence number after the presenter's last move.
	seq int64
	// preloads counts the phones' preloads, in all phases.
	preloads preloadStats
	// counts are the photo requests of the strict phase.
	counts photoCounts
}

func runPhones(ctx context.Context, o options, stdout, stderr io.Writer) error {
	u, err := url.Parse(o.url)
	if err != nil || u.Hostname() != "127.0.0.1" {
		return fmt.Errorf("the phones only talk to 127.0.0.1, not %q", o.url)
	}
	tr := &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
		MaxIdleConnsPerHost: 256,
		DisableCompression:  true,
		IdleConnTimeout:     30 * time.Second,
	}
	defer tr.CloseIdleConnections()
	b := &bench{o: o, base: o.url, in: bufio.NewScanner(os.Stdin), out: stdout, log: io.Discard,
		client: &http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}

	if o.verbose {
		b.log = stderr
	}
	start := time.Now()
	phones := make([]*phone, o.followers)
	b.phones = phones
	err = parallel(ctx, len(phones), 16, func(i int) error {
		p, err := b.join(ctx, fmt.Sprintf("Phone %04d", i+1))
		if p != nil && o.strict {
			p.strict = newStrictPhone()
		}
		phones[i] = p
		return err
	})
	if err != nil {
		return fmt.Errorf("join: %w", err)
	}
	presenter, err := b.signIn(ctx)
	if err != nil {
		return fmt.Errorf("sign in: %w", err)
	}
	res := result{JoinSeconds: time.Since(start).Seconds()}
	if err := b.handshake("joined"); err != nil {
		return err
	}

	// Every phone opens its stream and reads the current state.
	start = time.Now()
	rec := newRecorder(o.followers, 3*o.moves, 4+3*(o.moves+1))
	streams, stopStreams := context.WithCancel(ctx)
	defer stopStreams()
	var opened sync.WaitGroup
	var streamErrs atomic.Int64
	opened.Add(o.followers)
	sem := make(chan struct{}, 64)
	for i, p := range phones {
		sem <- struct{}{}
		go func() {
			first := true
			fetch := func(ctx context.Context, photo string) error { return b.download(ctx, p, photo) }
			err := b.follow(streams, p, func(seq int64, data []byte) {
				if first {
					first = false
					rec.initial(seq)
					<-sem
					opened.Done()
					return
				}
				if b.o.strict {
					// Moves are not serial here: the state's slide says
					// which move it is.
					index := indexOf(data)
					skipping := p.skipping(index)
					m, measured := rec.moveAtIndex(index)
					if measured {
						rec.got(i, m)
					} else {
						m = -1
					}
					if b.o.photos {
						b.showStrict(streams, p, rec, i, m, slidePhotos(data), skipping)
						p.photos.want(streams, preloadOf(data), b.o.spread, func(ctx context.Context, u string) error { return b.downloadStrict(ctx, p, u) }, &b.preloads)
					}
					return
				}
				skipping := p.skipping(indexOf(data))
				m, measured := rec.move(seq)
				if measured {
					rec.got(i, m)
				}
				if !b.o.photos {
					return
				}
				// As the page does: show the slide's photos (from the
				// cache, or loaded now), then preload what comes next.
				if photos := slidePhotos(data); measured && len(photos) > 0 && p.photos.ready(photos) {
					rec.gotPhoto(i, m, true) // on screen with the slide
				} else if measured && len(photos) > 0 {
					go func() {
						if p.photos.show(streams, b.settle(skipping), photos, fetch) {
							rec.gotPhoto(i, m, false) // a preload still under way counts as late
						}
					}()
				}
				p.photos.want(streams, preloadOf(data), b.o.spread, fetch, &b.preloads)
			})
			if first { // never got going
				streamErrs.Add(1)
				<-sem
				opened.Done()
			}
			if err != nil && streams.Err() == nil {
				streamErrs.Add(1)
			}
		}()
	}
	opened.Wait()
	if n := streamErrs.Load(); n > 0 {
		return fmt.Errorf("%d streams failed to open", n)
	}
	res.ConnectSeconds = time.Since(start).Seconds()
	if err := b.handshake("connected"); err != nil {
		return err
	}

	// The first event every phone got was the state before the start;
	// from there on each of the presenter's moves is the next seq.
	if b.seq, err = b.act(ctx, presenter, "start", nil); err != nil {
		return err
	}
	if b.seq != rec.initialSeq+1 {
		return fmt.Errorf("start got seq %d, want %d (someone else moved the reveal?)", b.seq, rec.initialSeq+1)
	}
	phases := b.threePhases
	if o.strict {
		phases = b.strictPhase
	}
	if res.Phases, err = phases(ctx, presenter, rec); err != nil {
		return err
	}
	res.StreamErrors = streamErrs.Load()
	stopStreams()

	line, _ := json.Marshal(res)
	fmt.Fprintf(stdout, "result %s\n", line)
	return nil
}

// threePhases are the presenter's moves quiet, with phones reconnecting,
// and (with -react) with phones reacting.
func (b *bench) threePhases(ctx context.Context, presenter *phone, rec *recorder) ([]phase, error) {
	var out []phase
	quiet, err := b.moves(ctx, presenter, rec, 0, nil)
	if err != nil {
		return nil, err
	}
	quiet.Name = "quiet"
	out = append(out, quiet)

	churn := &churner{b: b, phones: b.phones}
	busy, err := b.moves(ctx, presenter, rec, b.o.moves, churn)
	if err != nil {
		return nil, err
	}
	busy.Name = fmt.Sprintf("%d phone requests/s", b.o.churnRate)
	out = append(out, busy)

	if react := b.o.reactRate; react > 0 {
		b.o.churnRate = react
		reacting := &churner{b: b, phones: b.phones, what: "reactions", hitFn: b.react}
		reacts, err := b.moves(ctx, presenter, rec, 2*b.o.moves, reacting)
		if err != nil {
			return nil, err
		}
		reacts.Name = fmt.Sprintf("%d reactions/s", react)
		out = append(out, reacts)
	}
	return out, nil
}

// strictPhase is the presenter moving without waiting (-strict).
func (b *bench) strictPhase(ctx context.Context, presenter *phone, rec *recorder) ([]phase, error) {
	ph, err := b.strictMoves(ctx, presenter, rec, 0)
	if err != nil {
		return nil, err
	}
	ph.Name = fmt.Sprintf("strict cadence, a move every %v", b.o.interval)
	return []phase{ph}, nil
}

// handshake tells the server process where we are and waits for its go.
func (b *bench) handshake(what string) error {
	fmt.Fprintln(b.out, what)
	if !b.in.Scan() {
		return fmt.Errorf("the server process went away after %q", what)
	}
	return nil
}

func (b *bench) do(ctx context.Context, p *phone, method, path string, form url.Values, accept string) (*http.Response, []byte, error) {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, method, b.base+path, body)
	if err != nil {
		return nil, nil, err
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-CSRF-Token", p.csrf())
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	req.Header.Set("Cookie", p.header())
	res, err := b.client.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	p.take(res)
	return res, data, err
}

// join joins the event through its join form, as a phone does.
func (b *bench) join(ctx context.Context, name string) (*phone, error) {
	p := &phone{name: name, cookies: map[string]string{}}
	path := "/j/" + b.o.joinToken
	if _, _, err := b.do(ctx, p, http.MethodGet, path, nil, ""); err != nil {
		return nil, err
	}
	res, body, err := b.do(ctx, p, http.MethodPost, path, url.Values{"name": {name}, "time_zone": {"UTC"}, "_csrf": {p.csrf()}}, "")
	if err != nil {
		return nil, err
	}
	if res.StatusCode != http.StatusSeeOther {
		return nil, fmt.Errorf("join as %s: %d %s", name, res.StatusCode, body)
	}
	return p, nil
}

func (b *bench) signIn(ctx context.Context) (*phone, error) {
	p := &phone{name: "presenter", cookies: map[string]string{}}
	if _, _, err := b.do(ctx, p, http.MethodGet, "/login", nil, ""); err != nil {
		return nil, err
	}
	res, body, err := b.do(ctx, p, http.MethodPost, "/login", url.Values{"email": {b.o.email}, "password": {b.o.password}, "_csrf": {p.csrf()}}, "")
	if err != nil {
		return nil, err
	}
	if res.StatusCode != http.StatusSeeOther {
		return nil, fmt.Errorf("%d %s", res.StatusCode, body)
	}
	return p, nil
}

// move is the presenter going to slide index, measured as move m (-1:
// not measured): it reports whether the slide has photos.
func (b *bench) move(ctx context.Context, p *phone, rec *recorder, index, m int) (bool, error) {
	want := b.seq + 1
	if m >= 0 {
		rec.bind(want, m) // before the phones can see it
	}
	res, body, err := b.do(ctx, p, http.MethodPost, fmt.Sprintf("/dashboard/events/%d/reveal/goto", b.o.eventID),
		url.Values{"index": {strconv.Itoa(index)}}, "application/json")
	if err != nil {
		return false, err
	}
	if res.StatusCode != http.StatusOK {
		return false, fmt.Errorf("goto: %d %s", res.StatusCode, body)
	}
	if b.seq = seqOf(body); b.seq != want {
		return false, fmt.Errorf("move %d got seq %d, want %d (someone else moved the reveal?)", m, b.seq, want)
	}
	return len(slidePhotos(body)) > 0, nil
}

// act is a presenter action, as presenter.js sends it.
func (b *bench) act(ctx context.Context, p *phone, action string, form url.Values) (int64, error) {
	if form == nil {
		form = url.Values{}
	}
	res, body, err := b.do(ctx, p, http.MethodPost, fmt.Sprintf("/dashboard/events/%d/reveal/%s", b.o.eventID, action), form, "application/json")
	if err != nil {
		return 0, err
	}
	if res.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("%s: %d %s", action, res.StatusCode, body)
	}
	return seqOf(body), nil
}

// download fetches a photo as a phone's page does, reading all of it.
func (b *bench) download(ctx context.Context, p *phone, path string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, b.base+path, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Cookie", p.header())
	res, err := b.client.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if _, err := io.Copy(io.Discard, res.Body); err != nil {
		return err
	}
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("photo %s: %d", path, res.StatusCode)
	}
	return nil
}

// follow reads p's event stream until ctx ends, calling got with each
// slide event's sequence number and data (valid only during the call).
func (b *bench) follow(ctx context.Context, p *phone, got func(seq int64, data []byte)) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("%s/e/%d/live/stream", b.base, b.o.eventID), nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "text/event-stream")
	req.Header.Set("Cookie", p.header())
	res, err := b.client.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("stream: %d", res.StatusCode)
	}
	// A small buffer per phone (thousands of them); a longer line (a
	// mosaic's state runs to several kilobytes) is gathered in long.
	r := bufio.NewReaderSize(res.Body, 4096)
	var long []byte
	for {
		line, err := r.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			long = append(long[:0], line...)
			for errors.Is(err, bufio.ErrBufferFull) {
				line, err = r.ReadSlice('\n')
				long = append(long, line...)
			}
			line = long
		}
		if err != nil {
			return err
		}
		if data, ok := bytes.CutPrefix(line, []byte("data: ")); ok {
			got(seqOf(data), data)
		}
	}
}

// seqOf reads "seq" from a follower state without decoding the rest.
func seqOf(data []byte) int64 { return intField(data, `"seq":`) }

// intField reads the first number after key in data (-1: none).
func intField(data []byte, key string) int64 {
	i := bytes.Index(data, []byte(key))
	if i < 0 {
		return -1
	}
	data = data[i+len(key):]
	j := 0
	for j < len(data) && data[j] >= '0' && data[j] <= '9' {
		j++
	}
	n, err := strconv.ParseInt(string(data[:j]), 10, 64)
	if err != nil {
		return -1
	}
	return n
}

// recorder keeps, per move and phone, when the phone read it (and when it
// had the slide's photos on screen, and whether at once).
type recorder struct {
	epoch       time.Time
	initialSeq  int64
	once        sync.Once
	moveOf      []atomic.Int64   // [seq-initialSeq] the move measured, plus one; 0: not measured
	moveAtSlide []atomic.Int64   // [slide index] the same, for the strict cadence
	at          [][]atomic.Int64 // [move][phone] nanoseconds since epoch, 0: not yet
	counts      []atomic.Int64
	photoAt     [][]atomic.Int64
	photos      []atomic.Int64
	instant     []atomic.Int64 // [move] phones whose photos were there at once
}

func newRecorder(phones, moves, seqs int) *recorder {
	r := &recorder{epoch: time.Now(), moveOf: make([]atomic.Int64, seqs), moveAtSlide: make([]atomic.Int64, 1000), at: make([][]atomic.Int64, moves), counts: make([]atomic.Int64, moves),
		photoAt: make([][]atomic.Int64, moves), photos: make([]atomic.Int64, moves), instant: make([]atomic.Int64, moves)}
	for i := range r.at {
		r.at[i] = make([]atomic.Int64, phones)
		r.photoAt[i] = make([]atomic.Int64, phones)
	}
	return r
}

func (r *recorder) initial(seq int64) { r.once.Do(func() { r.initialSeq = seq }) }

func (r *recorder) now() int64 { return int64(time.Since(r.epoch)) }

// bindIndex says the state at slide index is move m (the strict cadence).
func (r *recorder) bindIndex(index, m int) {
	if index >= 0 && index < len(r.moveAtSlide) && m < len(r.at) {
		r.moveAtSlide[index].Store(int64(m) + 1)
	}
}

// moveAtIndex is the move measured by the state at slide index, if any.
func (r *recorder) moveAtIndex(index int) (int, bool) {
	if index < 0 || index >= len(r.moveAtSlide) {
		return 0, false
	}
	m := r.moveAtSlide[index].Load()
	return int(m - 1), m > 0
}

// bind says the state with seq is move m.
func (r *recorder) bind(seq int64, m int) {
	if i := seq - r.initialSeq; i >= 0 && i < int64(len(r.moveOf)) && m < len(r.at) {
		r.moveOf[i].Store(int64(m) + 1)
	}
}

// move is the move measured by the state with seq, if any.
func (r *recorder) move(seq int64) (int, bool) {
	i := seq - r.initialSeq
	if i < 0 || i >= int64(len(r.moveOf)) {
		return 0, false
	}
	m := r.moveOf[i].Load()
	return int(m - 1), m > 0
}

// got records that phone read move m.
func (r *recorder) got(phone, m int) {
	if r.at[m][phone].CompareAndSwap(0, r.now()) {
		r.counts[m].Add(1)
	}
}

// gotPhoto records that phone had move m's photos on screen (instant: they
// were loaded before the slide came).
func (r *recorder) gotPhoto(phone, m int, instant bool) {
	if r.photoAt[m][phone].CompareAndSwap(0, r.now()) {
		r.photos[m].Add(1)
		if instant {
			r.instant[m].Add(1)
		}
	}
}

// moves makes o.moves slide changes starting at move number from, each
// timed from the presenter's request to every phone reading it (and having
// its photos on screen), with churn running meanwhile when set. A phase
// starts as a reveal does: phones with nothing cached, the presenter on
// the cover for one interval (at least a second, while the churn builds
// up), the phones preloading what comes.
func (b *bench) moves(ctx context.Context, presenter *phone, rec *recorder, from int, churn *churner) (ph phase, err error) {
	for _, p := range b.phones {
		p.photos.reset()
	}
	if _, err := b.move(ctx, presenter, rec, 0, -1); err != nil {
		return ph, err
	}
	preDone, preFailed := b.preloads.done.Load(), b.preloads.failed.Load()
	defer func() {
		ph.Preloads, ph.PreloadsFailed = b.preloads.done.Load()-preDone, b.preloads.failed.Load()-preFailed
	}()
	if churn != nil {
		stop := churn.start(ctx, b.o.churnRate)
		defer func() { ph.Churn = stop() }()
	}
	if err := sleep(ctx, max(b.o.interval, time.Second)); err != nil {
		return ph, err
	}
	var delivery, last, post, photos, lastPhoto []float64
	n := len(rec.at[0])
	for i := 0; i < b.o.moves; i++ {
		m := from + i
		t0 := rec.now()
		// Every phase walks the same slides (the first ones: photos, a
		// mosaic or two, then text), so they compare.
		photo, err := b.move(ctx, presenter, rec, 1+i%70, m)
		if err != nil {
			return ph, err
		}
		post = append(post, ms(rec.now()-t0))
		deadline := time.Now().Add(5 * time.Second)
		for rec.counts[m].Load() < int64(n) && time.Now().Before(deadline) {
			time.Sleep(2 * time.Millisecond)
		}
		if photo && b.o.photos {
			for rec.photos[m].Load() < int64(n) && time.Now().Before(deadline.Add(10*time.Second)) {
				time.Sleep(5 * time.Millisecond)
			}
			var worst int64
			for p := 0; p < n; p++ {
				if at := rec.photoAt[m][p].Load(); at != 0 {
					photos = append(photos, ms(at-t0))
					worst = max(worst, at-t0)
				} else {
					ph.PhotosMissed++
				}
			}
			lastPhoto = append(lastPhoto, ms(worst))
			ph.PhotosAtOnce += int(rec.instant[m].Load())
		}
		var worst int64
		for p := 0; p < n; p++ {
			at := rec.at[m][p].Load()
			if at == 0 {
				ph.Missed++
				continue
			}
			delivery = append(delivery, ms(at-t0))
			worst = max(worst, at-t0)
		}
		last = append(last, ms(worst))
		fmt.Fprintf(b.log, "move %2d to slide %2d: last phone %6.1f ms, photos %d (%d at once), preloads so far %d\n",
			m, 1+i%70, ms(worst), rec.photos[m].Load(), rec.instant[m].Load(), b.preloads.done.Load()-preDone)
		if err := sleep(ctx, b.o.interval); err != nil {
			return ph, err
		}
	}
	ph.Moves = b.o.moves
	ph.Delivery, ph.LastPhone, ph.Presenter = summarize(delivery), summarize(last), summarize(post)
	ph.Photo, ph.LastPhoto = summarize(photos), summarize(lastPhoto)
	return ph, nil
}

func ms(d int64) float64 { return float64(d) / 1e6 }

func sleep(ctx context.Context, d time.Duration) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(d):
		return nil
	}
}

// churner is the other traffic of a live call, at a fixed rate: phones
// (re)connecting, or (with hitFn) phones tapping reactions.
type churner struct {
	b      *bench
	phones []*phone
	// what names the traffic; hitFn, when set, is one request of it
	// (default: a reconnect).
	what  string
	hitFn func(ctx context.Context, p *phone) error
}

func (c *churner) start(ctx context.Context, rate int) func() churnStats {
	if rate == 0 {
		return func() churnStats { return churnStats{} }
	}
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var took []float64
	var errs int
	began := time.Now()
	sem := make(chan struct{}, 400)
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(time.Second / time.Duration(rate))
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			select {
			case sem <- struct{}{}:
			default:
				mu.Lock()
				errs++ // the server is so slow 400 requests are pending
				mu.Unlock()
				continue
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				t0 := time.Now()
				hit := c.hit
				if c.hitFn != nil {
					hit = c.hitFn
				}
				err := hit(ctx, c.phones[rand.IntN(len(c.phones))])
				mu.Lock()
				defer mu.Unlock()
				if err != nil && ctx.Err() == nil {
					errs++
					return
				}
				took = append(took, float64(time.Since(t0))/1e6)
			}()
		}
	}()
	return func() churnStats {
		cancel()
		wg.Wait()
		mu.Lock()
		defer mu.Unlock()
		what := c.what
		if what == "" {
			what = "phone reconnects"
		}
		return churnStats{What: what, Requests: len(took), Errors: errs, PerSecond: float64(len(took)) / time.Since(began).Seconds(), Took: summarize(took)}
	}
}

// hit is one phone reconnecting: open its stream, read the catch-up
// state, hang up.
func (c *churner) hit(ctx context.Context, p *phone) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	got := false
	err := c.b.follow(ctx, p, func(int64, []byte) { got = true; cancel() })
	if got {
		return nil
	}
	if err == nil {
		err = errors.New("the stream ended before its first event")
	}
	return err
}

// reactionEmoji are the reactions phones send (the app's set).
var reactionEmoji = []string{"👏", "😂", "😍", "🔥", "😮"}

// react is one tap on an emoji, as follower.js sends it. It reads the
// phone's cookies but never changes them, so it may run beside the
// phone's stream.
func (b *bench) react(ctx context.Context, p *phone) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	form := url.Values{"emoji": {reactionEmoji[rand.IntN(len(reactionEmoji))]}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, fmt.Sprintf("%s/e/%d/live/react", b.base, b.o.eventID), strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("X-CSRF-Token", p.csrf())
	req.Header.Set("Cookie", p.header())
	res, err := b.client.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	io.Copy(io.Discard, res.Body)
	if res.StatusCode != http.StatusNoContent {
		return fmt.Errorf("reaction: %s", res.Status)
	}
	return nil
}

// parallel runs do(0..n-1) on workers goroutines, stopping at the first error.
func parallel(ctx context.Context, n, workers int, do func(i int) error) error {
	var next atomic.Int64
	var wg sync.WaitGroup
	var once sync.Once
	var first error
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n || ctx.Err() != nil {
					return
				}
				if err := do(i); err != nil {
					once.Do(func() { first = err })
					next.Store(int64(n))
					return
				}
			}
		}()
	}
	wg.Wait()
	if first == nil {
		first = ctx.Err()
	}
	return first
}
