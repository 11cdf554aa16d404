package main

import (
	"bytes"
	"context"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// What a phone's page does with photos, modelled: it keeps what it loaded
// (the server marks follower photo URLs immutable, so the browser's cache
// never asks again), fetches the photos each state lists as coming up,
// paced as static/js/live/preload.js does, and when a slide shows, its
// photos are on screen at once if already loaded, else fetched then (or
// waited for, if a preload of them is under way: a browser joins the
// request).

// preloadSpread and preloadAtOnce are static/js/live/preload.js's
// SPREAD_MS and AT_ONCE: a phone loads at most preloadAtOnce photos at a
// time, each after a random pause of up to preloadSpread. Keep them equal
// (-spread changes the pause for a run, to explore).
const (
	preloadSpread = 8 * time.Second
	preloadAtOnce = 2
)

// browserConns is how many requests a browser has in flight to one
// server (HTTP/1.1): a slide's photos not preloaded load this many at once.
const browserConns = 6

// screenTiles is how many of a mosaic's tiles a phone shows on its first
// screen (models/live.PreloadTiles): the slide counts as on screen when
// these are.
const screenTiles = 12

// photoCache is one phone's loaded photos and its preloader.
type photoCache struct {
	mu      sync.Mutex
	gen     int // bumped by reset: a preloader of an older generation stops
	entries map[string]*cachedPhoto
	wanted  []string
	lanes   int // preloads running (each one photo after another)
}

// cachedPhoto is a photo loaded or being loaded.
type cachedPhoto struct {
	done chan struct{}
	ok   bool
}

// preloadStats counts a phase's preloads across phones.
type preloadStats struct {
	done, failed atomic.Int64
}

// reset forgets every photo (a new phase walks the same slides again, as
// a fresh audience would) and stops the preloader.
func (c *photoCache) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	c.entries = map[string]*cachedPhoto{}
	c.wanted = nil
	c.lanes = 0
}

// want replaces the photos to preload with urls (nearest first), as each
// new state does on the page, and starts the preloader if it is idle.
func (c *photoCache) want(ctx context.Context, urls []string, spread time.Duration, fetch func(context.Context, string) error, st *preloadStats) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.wanted = c.missing(urls)
	for c.lanes < preloadAtOnce && c.lanes < len(c.wanted) {
		c.lanes++
		go c.preload(ctx, c.gen, spread, fetch, st)
	}
}

// init makes the cache of a phone whose first phase has not begun (the
// start comes before it); c.mu is held.
func (c *photoCache) init() {
	if c.entries == nil {
		c.entries = map[string]*cachedPhoto{}
	}
}

// missing is the urls neither loaded nor being loaded; c.mu is held.
func (c *photoCache) missing(urls []string) []string {
	c.init()
	var out []string
	for _, u := range urls {
		if c.entries[u] == nil {
			out = append(out, u)
		}
	}
	return out
}

// preload is one of preload.js's lanes: pause, take the nearest photo
// still wanted (and not loading), load it, until none is left.
func (c *photoCache) preload(ctx context.Context, gen int, spread time.Duration, fetch func(context.Context, string) error, st *preloadStats) {
	for {
		pause := time.Duration(0)
		if spread > 0 {
			pause = rand.N(spread)
		}
		if sleep(ctx, pause) != nil {
			return
		}
		c.mu.Lock()
		if c.gen != gen {
			c.mu.Unlock()
			return
		}
		wanted := c.missing(c.wanted)
		if len(wanted) == 0 {
			c.lanes--
			c.mu.Unlock()
			return
		}
		e := &cachedPhoto{done: make(chan struct{})}
		c.entries[wanted[0]] = e
		c.wanted = wanted[1:]
		c.mu.Unlock()
		e.ok = fetch(ctx, wanted[0]) == nil
		close(e.done)
		if e.ok {
			st.done.Add(1)
		} else {
			st.failed.Add(1)
		}
	}
}

// ready reports whether all of urls are loaded: the slide's photos are on
// screen with it.
func (c *photoCache) ready(urls []string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, u := range urls {
		e := c.entries[u]
		if e == nil {
			return false
		}
		select {
		case <-e.done:
			if !e.ok {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// show puts the photos of a slide that came before they were all loaded
// on screen: those loaded at once, the others fetched now, browserConns
// at a time (or waited for while a preload is under way). It reports
// whether all came.
func (c *photoCache) show(ctx context.Context, pause time.Duration, urls []string, fetch func(context.Context, string) error) bool {
	// follower.js's settle pause (see strict.go) before a slide's photos
	// not all fetched ahead are asked for.
	if sleep(ctx, pause) != nil {
		return false
	}
	var wg sync.WaitGroup
	var failed atomic.Bool
	conns := make(chan struct{}, browserConns)
	for _, u := range urls {
		c.mu.Lock()
		c.init()
		e := c.entries[u]
		if e != nil {
			select {
			case <-e.done:
				if !e.ok {
					e = nil // the preload was refused: the slide asks again
				}
			default:
			}
		}
		if e == nil {
			e = &cachedPhoto{done: make(chan struct{})}
			c.entries[u] = e
			wg.Add(1)
			go func() {
				defer wg.Done()
				conns <- struct{}{}
				e.ok = fetch(ctx, u) == nil
				<-conns
				close(e.done)
			}()
		}
		c.mu.Unlock()
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case <-e.done:
				if !e.ok {
					failed.Store(true)
				}
			case <-ctx.Done():
				failed.Store(true)
			}
		}()
	}
	wg.Wait()
	return !failed.Load()
}

// slidePhotos reads the photo URLs of the state's slide without decoding
// the rest: a photo slide's "photo", or the "thumb" of each tile of a
// mosaic's first screenful (the grid shows thumbnails; a tile's "photo"
// is the larger one a tap opens). Everything before the preload list.
func slidePhotos(data []byte) []string {
	if i := bytes.Index(data, []byte(`"preload":[`)); i >= 0 {
		data = data[:i]
	}
	field := []byte(`"photo":"`)
	if i := bytes.Index(data, []byte(`"tiles":[`)); i >= 0 {
		data, field = data[i:], []byte(`"thumb":"`)
	}
	var out []string
	for len(out) < screenTiles {
		i := bytes.Index(data, field)
		if i < 0 {
			break
		}
		data = data[i+len(field):]
		j := bytes.IndexByte(data, '"')
		if j < 0 {
			break
		}
		out = append(out, unescapeURL(data[:j]))
		data = data[j:]
	}
	return out
}

// preloadOf reads the state's preload list without decoding the rest.
func preloadOf(data []byte) []string {
	i := bytes.Index(data, []byte(`"preload":[`))
	if i < 0 {
		return nil
	}
	data = data[i+len(`"preload":[`):]
	if j := bytes.IndexByte(data, ']'); j >= 0 {
		data = data[:j]
	}
	var out []string
	for _, q := range bytes.Split(data, []byte(",")) {
		if q = bytes.Trim(q, `" `); len(q) > 0 {
			out = append(out, unescapeURL(q))
		}
	}
	return out
}

// unescapeURL undoes JSON's escaping of "&" in URLs.
func unescapeURL(b []byte) string { return strings.ReplaceAll(string(b), `\u0026`, "&") }
