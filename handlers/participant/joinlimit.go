package participant

import (
	"container/list"
	"net/netip"
	"strconv"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Joins are paced per client network per event: every join makes a
// participant with their own votes, guesses and reactions, so a script
// joining hundreds of times could stuff the ballot. The numbers must let a
// whole office behind one NAT, or a company VPN, join within minutes of
// the announcement: a generous burst, then a steady rate (a token bucket).
//
// The buckets are in memory, per instance: behind a load balancer an
// address may join that many times on each instance, which still bounds a
// script while costing no database write per join.

// Defaults for Deps.JoinBurst, JoinEvery and JoinLimitEntries: 100 joins
// at once from one network, then one a second (3600 an hour, so an office
// of 300 arriving in the same five minutes all get in, the last ones after
// a retry of a few seconds); 10000 networks remembered (about 2 MB).
const (
	defaultJoinBurst   = 100
	defaultJoinEvery   = time.Second
	defaultJoinEntries = 10000
)

// joinLimiter holds a token bucket per (event, client network), most
// recently used first. Its memory is bounded: a bucket that has refilled
// is the same as none and is dropped, and past maxEntries the least
// recently used goes, so an attacker with many addresses cannot grow it
// (and at worst gets fresh buckets for old addresses back, which is what
// waiting would give them anyway).
type joinLimiter struct {
	burst      int
	every      time.Duration
	maxEntries int

	mu  sync.Mutex
	lru *list.List // of *joinBucket, front most recent
	m   map[joinKey]*list.Element
}

type joinKey struct {
	event uint
	net   string
}

type joinBucket struct {
	key  joinKey
	lim  *rate.Limiter
	last time.Time
}

func newJoinLimiter(burst int, every time.Duration, maxEntries int) *joinLimiter {
	if burst <= 0 {
		burst = defaultJoinBurst
	}
	if every <= 0 {
		every = defaultJoinEvery
	}
	if maxEntries <= 0 {
		maxEntries = defaultJoinEntries
	}
	return &joinLimiter{burst: burst, every: every, maxEntries: maxEntries, lru: list.New(), m: map[joinKey]*list.Element{}}
}

// reserve takes a join for the client address ip in the event at now. When
// none is left it says how long until one is; otherwise it returns undo,
// which gives the join back (the form was refused, nobody joined).
func (l *joinLimiter) reserve(eventID uint, ip string, now time.Time) (undo func(), wait time.Duration, ok bool) {
	if isLoopback(ip) {
		// This machine: load tests, or a reverse proxy on it without
		// --trust-proxy, where every phone would share one bucket and a
		// company would lock itself out. The proxy should be trusted.
		return func() {}, 0, true
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	key := joinKey{event: eventID, net: clientNetwork(ip)}
	var b *joinBucket
	if el, found := l.m[key]; found {
		b = el.Value.(*joinBucket)
		l.lru.MoveToFront(el)
	} else {
		b = &joinBucket{key: key, lim: rate.NewLimiter(rate.Every(l.every), l.burst)}
		l.m[key] = l.lru.PushFront(b)
	}
	b.last = now
	l.trim(now)
	r := b.lim.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return nil, d, false
	}
	return func() { r.CancelAt(now) }, 0, true
}

// trim drops buckets from the least recently used end while they have
// refilled, or while there are too many.
func (l *joinLimiter) trim(now time.Time) {
	full := l.every * time.Duration(l.burst)
	for el := l.lru.Back(); el != nil && el != l.lru.Front(); el = l.lru.Back() {
		b := el.Value.(*joinBucket)
		if l.lru.Len() <= l.maxEntries && now.Sub(b.last) < full {
			return
		}
		l.lru.Remove(el)
		delete(l.m, b.key)
	}
}

// len is how many buckets are held.
func (l *joinLimiter) len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.lru.Len()
}

// clientNetwork is what one client is counted as: an IPv4 address, or an
// IPv6 /64 (one home or phone gets a whole /64 and picks addresses in it
// at will). Anything unparsable is counted as itself, cut short.
func clientNetwork(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		if len(ip) > 64 {
			ip = ip[:64]
		}
		return "?" + ip
	}
	a = a.Unmap().WithZone("")
	if a.Is4() {
		return a.String()
	}
	p, _ := a.Prefix(64)
	return p.String()
}

func isLoopback(ip string) bool {
	a, err := netip.ParseAddr(ip)
	return err == nil && a.Unmap().IsLoopback()
}

// retryAfter is a Retry-After value in whole seconds, at least 1.
func retryAfter(d time.Duration) string {
	s := int((d + time.Second - 1) / time.Second)
	return strconv.Itoa(max(s, 1))
}
