package models

import (
	"context"
	"errors"
	"testing"
	"time"

	"retreat/models/backendtest"
)

// TestWithClockStampsAndChecksAtItsTime replays a join and answers at
// pinned moments: the rows carry those times, and an answer in the late
// window is marked late, one after it refused, as if sent then.
func TestWithClockStampsAndChecksAtItsTime(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, backendtest.DatabaseURL(t), Options{HashParams: cheapHashing})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	at := func(t time.Time) *Store { return s.WithClock(func() time.Time { return t }) }
	o, err := s.CreateOrganizer(ctx, NewOrganizer{Email: "ana@example.com", Name: "Ana", Password: "a long enough password"})
	if err != nil {
		t.Fatal(err)
	}
	ev, err := at(start.Add(-48*time.Hour)).CreateEvent(ctx, o.ID, EventInput{Name: "Past", TimeZone: "UTC", StartsAt: start, EndsAt: start.Add(24 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if !ev.CreatedAt.Equal(start.Add(-48 * time.Hour)) {
		t.Errorf("event created %v, want the pinned %v", ev.CreatedAt, start.Add(-48*time.Hour))
	}
	p, err := s.CreatePrompt(ctx, ev, PromptInput{Kind: KindText, Title: "Hi", GraceMinutes: 60})
	if err != nil {
		t.Fatal(err)
	}
	joined := start.Add(time.Hour)
	pa, err := at(joined).Join(ctx, ev, JoinInput{Name: "Bea", TimeZone: "Asia/Kolkata"})
	if err != nil {
		t.Fatal(err)
	}
	if !pa.CreatedAt.Equal(joined) || !pa.LastSeenAt.Equal(joined) {
		t.Errorf("joined %v, last seen %v; want both %v", pa.CreatedAt, pa.LastSeenAt, joined)
	}
	late := ev.EndsAt.Add(30 * time.Minute)
	sub, _, err := at(late).SaveTextAnswer(ctx, ev, p, pa, "just in time")
	if err != nil {
		t.Fatal(err)
	}
	if !sub.Late || !sub.CreatedAt.Equal(late) {
		t.Errorf("answer late=%t at %v, want late at %v", sub.Late, sub.CreatedAt, late)
	}
	if _, _, err := at(ev.EndsAt.Add(2*time.Hour)).SaveTextAnswer(ctx, ev, p, pa, "too late"); !errors.Is(err, ErrPromptClosed) {
		t.Errorf("an answer after the late window: %v, want ErrPromptClosed", err)
	}
	// The original store keeps the real clock.
	if d := time.Since(s.Now()); d < 0 || d > time.Minute {
		t.Errorf("the original store's clock moved: %v", s.Now())
	}
}
