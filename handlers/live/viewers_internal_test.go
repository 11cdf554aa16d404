package live

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

func TestViewersRememberParticipantsForAWhile(t *testing.T) {
	now := time.Date(2026, 12, 7, 18, 0, 0, 0, time.UTC)
	v := newViewers()
	v.now = func() time.Time { return now }
	checks := 0
	answer, fail := true, error(nil)
	check := func(context.Context) (bool, error) { checks++; return answer, fail }
	req := func(cookie string) *http.Request {
		r := httptest.NewRequest("GET", "/e/1/live/photos/2", nil)
		if cookie != "" {
			r.Header.Set("Cookie", cookie)
		}
		return r
	}
	ask := func(cookie string, eventID uint) bool {
		t.Helper()
		ok, err := v.participant(t.Context(), req(cookie), eventID, check)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}

	if ask("", 1) || checks != 0 {
		t.Errorf("a browser without cookies: allowed or checked (%d checks)", checks)
	}
	if !ask("retreat_session=a", 1) || !ask("retreat_session=a", 1) || checks != 1 {
		t.Errorf("a participant asked twice: %d checks, want 1", checks)
	}
	// Another session, another event: asked again.
	ask("retreat_session=b", 1)
	ask("retreat_session=a", 2)
	if checks != 3 {
		t.Errorf("other sessions and events: %d checks, want 3", checks)
	}
	// Refusals are never remembered.
	answer = false
	if ask("retreat_session=c", 1) || ask("retreat_session=c", 1) || checks != 5 {
		t.Errorf("a stranger asked twice: %d checks, want 5", checks)
	}
	// After viewerTTL the session and participant are read again: one
	// removed meanwhile is refused from then on.
	now = now.Add(viewerTTL - time.Second)
	if !ask("retreat_session=a", 1) {
		t.Error("a participant is refused within viewerTTL")
	}
	now = now.Add(time.Second)
	if ask("retreat_session=a", 1) {
		t.Error("a participant removed is still allowed after viewerTTL")
	}
	fail = errors.New("database down")
	if _, err := v.participant(t.Context(), req("retreat_session=d"), 1, check); err == nil {
		t.Error("a failing check: no error")
	}
}
