package media

import (
	"context"
	"fmt"
	"sync"
)

// fairQueue hands out a fixed number of worker slots fairly between
// owners (whoever the caller says a photo belongs to: a participant).
// A plain semaphore serves waiters in the order the runtime wakes them, so
// one phone that sends sixteen 12 MP photos at once holds every slot for
// a minute while another's single small photo waits behind all sixteen.
// Here a free slot goes to the waiting owner served least recently, and
// within one owner to its oldest waiter: round-robin between owners, FIFO
// within each.
type fairQueue struct {
	mu    sync.Mutex
	free  int
	turn  uint64                 // counts slots handed out, to order owners by their last one
	order []*queueOwner          // owners with waiters, in the order they started waiting
	known map[string]*queueOwner // owners with a photo running or waiting
}

// queueOwner is one owner's place in the queue.
type queueOwner struct {
	key        string
	waiting    []*queueWaiter // FIFO
	running    int
	lastServed uint64 // the turn of its last slot; 0: none yet
}

type queueWaiter struct {
	owner   *queueOwner
	ready   chan struct{} // closed when the slot is given
	granted bool
}

func newFairQueue(slots int) *fairQueue {
	return &fairQueue{free: max(slots, 1), known: map[string]*queueOwner{}}
}

// acquire waits for a slot for owner, or gives up when ctx ends; a waiter
// that gives up leaves the queue. release gives the slot back.
func (q *fairQueue) acquire(ctx context.Context, owner string) (release func(), err error) {
	if err := ctx.Err(); err != nil {
		return nil, err // a cancelled request must not take a free slot
	}
	q.mu.Lock()
	o := q.known[owner]
	if o == nil {
		o = &queueOwner{key: owner}
		q.known[owner] = o
	}
	if q.free > 0 && len(q.order) == 0 {
		q.grant(o)
		q.mu.Unlock()
		return q.releaser(o), nil
	}
	w := &queueWaiter{owner: o, ready: make(chan struct{})}
	if len(o.waiting) == 0 {
		q.order = append(q.order, o)
	}
	o.waiting = append(o.waiting, w)
	q.dispatch()
	q.mu.Unlock()

	select {
	case <-w.ready:
		return q.releaser(o), nil
	case <-ctx.Done():
	}
	q.mu.Lock()
	if w.granted {
		// The slot came as ctx ended: pass it on.
		o.running--
		q.free++
		q.dispatch()
		q.forget(o)
		q.mu.Unlock()
		return nil, fmt.Errorf("wait for a photo worker: %w", ctx.Err())
	}
	q.remove(w)
	q.forget(o)
	q.mu.Unlock()
	return nil, fmt.Errorf("wait for a photo worker: %w", ctx.Err())
}

func (q *fairQueue) releaser(o *queueOwner) func() {
	var once sync.Once
	return func() {
		once.Do(func() {
			q.mu.Lock()
			defer q.mu.Unlock()
			o.running--
			q.free++
			q.dispatch()
			q.forget(o)
		})
	}
}

// grant gives o a slot. Callers hold q.mu.
func (q *fairQueue) grant(o *queueOwner) {
	q.free--
	q.turn++
	o.running++
	o.lastServed = q.turn
}

// dispatch hands free slots to waiters: each to the first waiter of the
// owner served least recently (ties: who started waiting first).
func (q *fairQueue) dispatch() {
	for q.free > 0 && len(q.order) > 0 {
		best := 0
		for i, o := range q.order {
			if o.lastServed < q.order[best].lastServed {
				best = i
			}
		}
		o := q.order[best]
		w := o.waiting[0]
		o.waiting = o.waiting[1:]
		if len(o.waiting) == 0 {
			q.order = append(q.order[:best], q.order[best+1:]...)
		}
		q.grant(o)
		w.granted = true
		close(w.ready)
	}
}

// remove takes a waiter that gave up out of its owner's line.
func (q *fairQueue) remove(w *queueWaiter) {
	o := w.owner
	for i, x := range o.waiting {
		if x == w {
			o.waiting = append(o.waiting[:i], o.waiting[i+1:]...)
			break
		}
	}
	if len(o.waiting) > 0 {
		return
	}
	for i, x := range q.order {
		if x == o {
			q.order = append(q.order[:i], q.order[i+1:]...)
			break
		}
	}
}

// forget drops an owner with nothing running or waiting, so the map holds
// only owners with work: memory stays bounded by the photos in flight.
func (q *fairQueue) forget(o *queueOwner) {
	if o.running == 0 && len(o.waiting) == 0 && q.known[o.key] == o {
		delete(q.known, o.key)
	}
}

// running reports how many slots are taken.
func (q *fairQueue) running() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	n := 0
	for _, o := range q.known {
		n += o.running
	}
	return n
}

// waiting reports how many waiters owner has in line.
func (q *fairQueue) waiting(owner string) int {
	q.mu.Lock()
	defer q.mu.Unlock()
	if o := q.known[owner]; o != nil {
		return len(o.waiting)
	}
	return 0
}
