package live

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"retreat/models"
)

// Phones preload the photos coming up. Each follower message lists the
// photo URLs of the next few photo-bearing slides (FollowerState.Preload),
// and the phone page fetches them in the background, paced
// (static/js/live/preload.js), into the browser's cache: the URLs carry
// the photo's version and are served as immutable, so when the slide
// comes the photo is on screen at once and the server is not asked again.
// Without it, every phone asks for a photo in the same instant its slide
// shows, and at a few thousand phones those downloads make every slide
// change late.
//
// The trade-off: a preloaded photo reaches a phone a few slides before its
// slide is shown (someone curious can look in the browser's cache). Only
// the photo: the author's name is not in it and stays hidden until the
// presenter reveals it, and an award's winning photo is never preloaded
// (it would give the winner away). A hidden or withdrawn answer is never
// served, preloaded or not.

// Preload window: how far ahead phones fetch.
const (
	// PreloadSlides is how many photo-bearing slides after the current
	// one phones preload. Three: a photo enters the window about three
	// slide changes (30 s or more) before it shows, so a phone can pace
	// its fetches slowly and still have it in time.
	PreloadSlides = 3
	// PreloadTiles is how many tiles of a mosaic phones preload: its
	// first screenful on a phone. The rest load when it shows.
	PreloadTiles = 12
)

// PreloadURLs lists the follower photo URLs of the first PreloadSlides
// photo-bearing slides after slide index, nearest first: a photo slide's
// photo, and the thumbnails of a mosaic's first PreloadTiles photo tiles. Award slides are
// left out: their photo names the winner.
func (d *Deck) PreloadURLs(index int) []string {
	var out []string
	found := 0
	for i := index + 1; i < len(d.Slides) && found < PreloadSlides; i++ {
		s := &d.Slides[i]
		switch {
		case s.Kind == KindPhoto && s.PhotoKey != "" && s.SubmissionID != 0:
			out = append(out, FollowerPhotoURL(d.EventID, s.SubmissionID, s.Version))
			found++
		case s.Kind == KindMosaic:
			n := 0
			for j := range s.Tiles {
				if n == PreloadTiles {
					break
				}
				if t := &s.Tiles[j]; t.PhotoKey != "" && t.SubmissionID != 0 {
					// The grid shows thumbnails: those are what it needs.
					out = append(out, FollowerThumbURL(d.EventID, t.SubmissionID, t.Version))
					n++
				}
			}
			if n > 0 {
				found++
			}
		}
	}
	return out
}

// followerPhotoID is the submission a follower photo URL of event eventID
// names (see FollowerPhotoURL), 0 if it is not one.
func followerPhotoID(eventID uint, url string) uint {
	rest, ok := strings.CutPrefix(url, fmt.Sprintf("/e/%d/live/photos/", eventID))
	if !ok {
		return 0
	}
	if i := strings.IndexByte(rest, '?'); i >= 0 {
		rest = rest[:i]
	}
	n, err := strconv.ParseUint(rest, 10, 32)
	if err != nil {
		return 0
	}
	return uint(n)
}

// How long the gate trusts what it read (see PreloadGate).
const (
	// preloadFresh is how long a photo found in the cached window stays
	// allowed without reading the state again.
	preloadFresh = 2 * time.Second
	// preloadRecheck is how soon a photo not found may make the gate read
	// the state again: the first phone asking for a photo that just came
	// into the window triggers one read (the others find it then), and
	// phones asking for photos far ahead make at most one read per
	// interval, while the rest wait for it. Short, since a read just
	// before a slide change refuses, until it passes, the photos that
	// change brought into the window (a phone refused loads the photo
	// when its slide shows).
	preloadRecheck = 10 * time.Millisecond
)

// PreloadGate tells the phones' photo route whether a photo may be
// preloaded now: the reveal is live and the photo is in the window phones
// were last sent (or on the current slide: a mosaic's tiles have no slide
// of their own to have been shown). It answers from memory: the photo
// route is hot (every phone, every photo), so it reads the reveal's
// follower state (one small row, the message phones got) at most once per
// preloadRecheck when a photo is not in its copy, and once per
// preloadFresh otherwise. So a photo stays allowed for up to preloadFresh
// after the window moved on (the presenter went back, or ended the
// reveal): photos phones could have fetched a moment before anyway.
//
// It does not check who asks, nor whether the answer may still be shown:
// the route does both, as for shown slides.
type PreloadGate struct {
	current func(ctx context.Context, eventID uint) (Message, error)
	now     func() time.Time

	mu     sync.Mutex
	events map[uint]*preloadWindow
}

// preloadWindow is what the gate knows of one event's window.
type preloadWindow struct {
	// mu orders reads of the state: one at a time per event, and the
	// requests waiting meanwhile use what it read.
	mu   sync.Mutex
	read time.Time
	ids  map[uint]bool
}

// NewPreloadGate returns a gate reading the state through s.
func NewPreloadGate(s *Service) *PreloadGate {
	return &PreloadGate{current: s.Current, now: time.Now, events: map[uint]*preloadWindow{}}
}

// MayPreload reports whether the photo of answer submissionID is in the
// preload window (or on the current slide) of event eventID's live reveal.
func (g *PreloadGate) MayPreload(ctx context.Context, eventID, submissionID uint) (bool, error) {
	g.mu.Lock()
	w := g.events[eventID]
	if w == nil {
		w = &preloadWindow{}
		g.events[eventID] = w
	}
	g.mu.Unlock()

	w.mu.Lock()
	defer w.mu.Unlock()
	age := g.now().Sub(w.read)
	if !w.read.IsZero() && (age < preloadRecheck || age < preloadFresh && w.ids[submissionID]) {
		return w.ids[submissionID], nil
	}
	msg, err := g.current(ctx, eventID)
	if err != nil {
		return false, err
	}
	ids, err := windowIDs(eventID, msg.Data)
	if err != nil {
		return false, err
	}
	w.read, w.ids = g.now(), ids
	return ids[submissionID], nil
}

// windowIDs reads, from a follower message, the answers whose photos a
// phone may load now: none unless the reveal is live; else the preload
// window and the current slide's.
func windowIDs(eventID uint, data []byte) (map[uint]bool, error) {
	var fs struct {
		Status  models.RevealStatus `json:"status"`
		Preload []string            `json:"preload"`
		Slide   *struct {
			Photo string `json:"photo"`
			Tiles []struct {
				Photo string `json:"photo"`
			} `json:"tiles"`
		} `json:"slide"`
	}
	if err := json.Unmarshal(data, &fs); err != nil {
		return nil, fmt.Errorf("decode follower state of event %d: %w", eventID, err)
	}
	ids := map[uint]bool{}
	if fs.Status != models.RevealLive {
		return ids, nil
	}
	add := func(url string) {
		if id := followerPhotoID(eventID, url); id != 0 {
			ids[id] = true
		}
	}
	for _, u := range fs.Preload {
		add(u)
	}
	if fs.Slide != nil {
		add(fs.Slide.Photo)
		for _, t := range fs.Slide.Tiles {
			add(t.Photo)
		}
	}
	return ids, nil
}
