package participant

import (
	"fmt"
	"testing"
	"time"
)

func TestJoinLimiterMemoryIsBounded(t *testing.T) {
	now := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	l := newJoinLimiter(3, time.Second, 100)
	for i := range 1000 {
		if _, _, ok := l.reserve(1, fmt.Sprintf("10.0.%d.%d", i/256, i%256), now); !ok {
			t.Fatalf("address %d refused on its first join", i)
		}
	}
	if n := l.len(); n != 100 {
		t.Errorf("%d buckets held for 1000 addresses, want the cap of 100", n)
	}
	// A bucket that has refilled is the same as none: one new join, once
	// that long has passed, leaves only its own bucket.
	if _, _, ok := l.reserve(1, "192.0.2.1", now.Add(3*time.Second)); !ok {
		t.Fatal("refused")
	}
	if n := l.len(); n != 1 {
		t.Errorf("%d buckets held after every other went idle, want 1", n)
	}
}

func TestJoinLimiterBurstRefillAndUndo(t *testing.T) {
	now := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	l := newJoinLimiter(3, time.Second, 0)
	for i := range 3 {
		if _, _, ok := l.reserve(1, "192.0.2.1", now); !ok {
			t.Fatalf("join %d of the burst refused", i)
		}
	}
	_, wait, ok := l.reserve(1, "192.0.2.1", now)
	if ok || wait <= 0 || wait > time.Second {
		t.Fatalf("4th join: ok=%t wait=%v, want refused for up to a second", ok, wait)
	}
	undo, _, ok := l.reserve(1, "192.0.2.1", now.Add(time.Second))
	if !ok {
		t.Fatal("refused after a second")
	}
	undo() // the form was refused: the join is given back
	if _, _, ok := l.reserve(1, "192.0.2.1", now.Add(time.Second)); !ok {
		t.Error("a join given back is not there to take")
	}
	if _, _, ok := l.reserve(1, "127.0.0.1", now); !ok {
		t.Error("loopback refused")
	}
}

func TestClientNetwork(t *testing.T) {
	for in, want := range map[string]string{
		"192.0.2.1":                "192.0.2.1",
		"::ffff:192.0.2.1":         "192.0.2.1",
		"2001:db8:1:2:3:4:5:6":     "2001:db8:1:2::/64",
		"2001:db8:1:2::9":          "2001:db8:1:2::/64",
		"fe80::1%eth0":             "fe80::/64",
		"not an address":           "?not an address",
		string(make([]byte, 1000)): "?" + string(make([]byte, 64)),
	} {
		if got := clientNetwork(in); got != want {
			t.Errorf("clientNetwork(%q) = %q, want %q", in, got, want)
		}
	}
}
