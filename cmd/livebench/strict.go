package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// The strict cadence (-strict): the presenter moves every -interval
// without waiting for phones or photos, as someone skipping through a
// photo section does; every phone loads each photo slide's photos as the
// page does, on its own connections (a browser's), and when the server
// sheds one (503) asks again after follower.js's jittered, doubling pause
// while the slide is still the one on screen; a newer slide abandons the
// older one's downloads. It reports what the issue asks of overload: the
// presenter's request time, whether every change reached every phone, and
// how many photo requests were shed, answered 500 or failed.

// retryBase, retryMax and retries are follower.js's RETRY_MS,
// RETRY_MAX_MS and RETRIES; settle, settleSpread, skippingAfter and
// skipSettle its SETTLE_MS, SETTLE_SPREAD_MS, SKIPPING_MS and
// SKIP_SETTLE_MS (the pause before a slide's photos not fetched ahead are
// asked for: settle, or skipSettle while the presenter skips through,
// plus up to settleSpread): change them together.
const (
	settle        = 200 * time.Millisecond
	settleSpread  = 300 * time.Millisecond
	skippingAfter = time.Second
	skipSettle    = time.Second
	retryBase     = 1500 * time.Millisecond
	retryMax      = 20 * time.Second
	retries       = 6
)

// errShed is a photo the server answered 503.
var errShed = errors.New("shed")

// photoCounts are the phones' photo requests in the strict phase.
type photoCounts struct {
	OK        atomic.Int64 // photos that came
	Shed      atomic.Int64 // 503 answers (each try)
	Failed5xx atomic.Int64 // other 5xx answers
	Errors    atomic.Int64 // refused or reset connections, timeouts
	Abandoned atomic.Int64 // slides superseded before their photo came
	GaveUp    atomic.Int64 // slides whose photo did not come in retries tries
}

// strictPhone is a phone's state in the strict phase: its own
// connections, and the slide whose photos it is loading.
type strictPhone struct {
	client *http.Client
	mu     sync.Mutex
	cancel context.CancelFunc
}

func newStrictPhone() *strictPhone {
	return &strictPhone{client: &http.Client{Transport: &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 10 * time.Second}).DialContext,
		MaxConnsPerHost:     browserConns,
		MaxIdleConnsPerHost: 2,
		IdleConnTimeout:     30 * time.Second,
		DisableCompression:  true,
	}, Timeout: 30 * time.Second}}
}

// showStrict is a phone's page putting slide m's photos on screen: the
// previous slide's downloads stop, these load (retried when shed) until
// they come or a newer slide replaces them.
func (b *bench) showStrict(ctx context.Context, p *phone, rec *recorder, i, m int, photos []string, skipping bool) {
	sp := p.strict
	sp.mu.Lock()
	if sp.cancel != nil {
		sp.cancel()
	}
	ctx, cancel := context.WithCancel(ctx)
	sp.cancel = cancel
	sp.mu.Unlock()
	if len(photos) == 0 {
		return
	}
	if p.photos.ready(photos) { // fetched ahead: in the browser's cache
		if m >= 0 {
			rec.gotPhoto(i, m, true)
		}
		return
	}
	go func() {
		defer cancel()
		if sleep(ctx, b.settle(skipping)) != nil {
			return // skipped past: never asked for
		}
		for _, u := range photos {
			for try := 0; ; try++ {
				err := b.downloadStrict(ctx, p, u)
				if err == nil {
					b.counts.OK.Add(1)
					break
				}
				if ctx.Err() != nil {
					b.counts.Abandoned.Add(1)
					return
				}
				if try >= retries {
					b.counts.GaveUp.Add(1)
					return
				}
				pause := min(retryBase<<try, retryMax)
				pause = time.Duration(float64(pause) * (0.5 + rand.Float64()))
				if sleep(ctx, pause) != nil {
					b.counts.Abandoned.Add(1)
					return
				}
			}
		}
		if m >= 0 {
			rec.gotPhoto(i, m, false)
		}
	}()
}

// settle is the page's pause before it asks for a slide's photos that
// were not fetched ahead (none with -eager: a client that asks at once).
func (b *bench) settle(skipping bool) time.Duration {
	switch {
	case b.o.eager:
		return 0
	case skipping:
		return skipSettle + rand.N(settleSpread)
	}
	return settle + rand.N(settleSpread)
}

func (b *bench) downloadStrict(ctx context.Context, p *phone, path string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, b.base+path, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Cookie", p.header())
	req.Header.Set("Accept", "image/avif,image/webp,image/*,*/*;q=0.8")
	res, err := p.strict.client.Do(req)
	if err != nil {
		if ctx.Err() == nil {
			b.counts.Errors.Add(1)
		}
		return err
	}
	defer res.Body.Close()
	if _, err := io.Copy(io.Discard, res.Body); err != nil {
		if ctx.Err() == nil {
			b.counts.Errors.Add(1)
		}
		return err
	}
	switch {
	case res.StatusCode == http.StatusOK:
		return nil
	case res.StatusCode == http.StatusServiceUnavailable:
		b.counts.Shed.Add(1)
		return errShed
	case res.StatusCode >= 500:
		b.counts.Failed5xx.Add(1)
	}
	return fmt.Errorf("photo %s: %d", path, res.StatusCode)
}

// indexOf reads "index" from a follower state without decoding the rest.
func indexOf(data []byte) int { return int(intField(data, `"index":`)) }

// strictMoves moves the presenter every interval without waiting, from
// the cover through o.moves slides (each a different one, so a phone's
// state says which move it is by its index), then gives the phones five
// seconds to catch up and the photos fifteen.
func (b *bench) strictMoves(ctx context.Context, presenter *phone, rec *recorder, from int) (ph phase, err error) {
	preDone, preFailed := b.preloads.done.Load(), b.preloads.failed.Load()
	defer func() {
		ph.Preloads, ph.PreloadsFailed = b.preloads.done.Load()-preDone, b.preloads.failed.Load()-preFailed
	}()
	if _, err := b.act(ctx, presenter, "goto", map[string][]string{"index": {"0"}}); err != nil {
		return ph, err
	}
	if err := sleep(ctx, time.Second); err != nil {
		return ph, err
	}
	n := len(rec.at[0])
	starts := make([]int64, b.o.moves)
	posts := make([]float64, b.o.moves)
	photoSlide := make([]bool, b.o.moves)
	var wg sync.WaitGroup
	var failures atomic.Int64
	var firstErr atomic.Value
	tick := time.NewTicker(b.o.interval)
	defer tick.Stop()
	for i := 0; i < b.o.moves; i++ {
		m := from + i
		index := 1 + i
		rec.bindIndex(index, m)
		starts[i] = rec.now()
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, body, err := b.do(ctx, presenter, http.MethodPost, fmt.Sprintf("/dashboard/events/%d/reveal/goto", b.o.eventID),
				map[string][]string{"index": {strconv.Itoa(index)}}, "application/json")
			posts[i] = ms(rec.now() - starts[i])
			if err == nil && res.StatusCode != http.StatusOK {
				err = fmt.Errorf("goto %d: %d %.200s", index, res.StatusCode, body)
			}
			if err != nil {
				failures.Add(1)
				firstErr.CompareAndSwap(nil, err)
				return
			}
			photoSlide[i] = len(slidePhotos(body)) > 0
		}()
		if i < b.o.moves-1 {
			select {
			case <-ctx.Done():
				return ph, ctx.Err()
			case <-tick.C:
			}
		}
	}
	wg.Wait()
	if f := failures.Load(); f > 0 {
		return ph, fmt.Errorf("%d of the presenter's moves failed, the first: %v", f, firstErr.Load())
	}
	// Every phone should have every change; the last slide's photos
	// should come (earlier ones were abandoned or came).
	last := from + b.o.moves - 1
	deadline := time.Now().Add(5 * time.Second)
	for rec.counts[last].Load() < int64(n) && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if photoSlide[b.o.moves-1] {
		for rec.photos[last].Load() < int64(n) && time.Now().Before(deadline.Add(15*time.Second)) {
			time.Sleep(10 * time.Millisecond)
		}
	}
	var delivery, lastPhone, photos []float64
	for i := range b.o.moves {
		m := from + i
		var worst int64
		for p := range n {
			at := rec.at[m][p].Load()
			if at == 0 {
				ph.Missed++
				continue
			}
			delivery = append(delivery, ms(at-starts[i]))
			worst = max(worst, at-starts[i])
		}
		lastPhone = append(lastPhone, ms(worst))
		fmt.Fprintf(b.log, "move %2d to slide %2d: presenter %6.1f ms, last phone %6.1f ms, %d phones\n", m, 1+i, posts[i], ms(worst), rec.counts[m].Load())
		if photoSlide[i] {
			for p := range n {
				if at := rec.photoAt[m][p].Load(); at != 0 {
					photos = append(photos, ms(at-starts[i]))
				}
			}
		}
	}
	ph.Moves = b.o.moves
	ph.Delivery, ph.LastPhone, ph.Presenter, ph.Photo = summarize(delivery), summarize(lastPhone), summarize(posts), summarize(photos)
	ph.Strict = &strictStats{OK: b.counts.OK.Load(), Shed: b.counts.Shed.Load(), Failed5xx: b.counts.Failed5xx.Load(),
		Errors: b.counts.Errors.Load(), Abandoned: b.counts.Abandoned.Load(), GaveUp: b.counts.GaveUp.Load()}
	return ph, nil
}

// strictStats are photoCounts as the report prints them.
type strictStats struct {
	OK, Shed, Failed5xx, Errors, Abandoned, GaveUp int64
}
