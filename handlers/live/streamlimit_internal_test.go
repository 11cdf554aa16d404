package live

import "testing"

func TestStreamCountsReleaseOnce(t *testing.T) {
	s := newStreamCounts(2)
	r1, ok1 := s.acquire("tok", 1)
	_, ok2 := s.acquire("tok", 1)
	if _, ok := s.acquire("tok", 1); !ok1 || !ok2 || ok {
		t.Fatalf("acquire: %t %t then %t, want two and a refusal", ok1, ok2, ok)
	}
	if _, ok := s.acquire("tok", 2); !ok {
		t.Error("another event of the same session refused")
	}
	if _, ok := s.acquire("other", 1); !ok {
		t.Error("another session refused")
	}
	r1()
	r1() // a second call must not free a place it does not hold
	if n := s.open(); n != 3 {
		t.Errorf("%d open after one release called twice, want 3", n)
	}
	if _, ok := s.acquire("tok", 1); !ok {
		t.Error("no place after a release")
	}
	if _, ok := s.acquire("tok", 1); ok {
		t.Error("a double release made room for a third")
	}
}
