package live

import (
	"sync"
)

// A browser needs one event stream per tab; a few tabs are normal (the
// presenter's second tab with the notes, a phone that reopened the page
// before the old connection timed out). Hundreds on one session are a
// script holding connections and goroutines open, so each browser session
// may hold maxStreams open streams per event; one more is refused at once,
// before subscribing to anything. Counted in memory, per instance: a
// stream lives on the instance that serves it.

// defaultMaxStreams is Deps.MaxStreamsPerSession's default.
const defaultMaxStreams = 4

// streamCounts counts open streams per (session, event). Entries go when
// their count is back to zero, so it holds only sessions with a stream
// open right now.
type streamCounts struct {
	max int

	mu sync.Mutex
	m  map[streamKey]int
}

type streamKey struct {
	session string
	event   uint
}

func newStreamCounts(max int) *streamCounts {
	if max <= 0 {
		max = defaultMaxStreams
	}
	return &streamCounts{max: max, m: map[streamKey]int{}}
}

// acquire counts one more stream for the session in the event, or says no
// when it already holds max. release (safe to call more than once) must
// run when the stream ends, on every path: defer it.
func (s *streamCounts) acquire(session string, eventID uint) (release func(), ok bool) {
	k := streamKey{session: session, event: eventID}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m[k] >= s.max {
		return nil, false
	}
	s.m[k]++
	var once sync.Once
	return func() {
		once.Do(func() {
			s.mu.Lock()
			defer s.mu.Unlock()
			if s.m[k]--; s.m[k] <= 0 {
				delete(s.m, k)
			}
		})
	}, true
}

// open is how many streams are counted in all.
func (s *streamCounts) open() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, c := range s.m {
		n += c
	}
	return n
}
