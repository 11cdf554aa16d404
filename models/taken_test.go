package models

import (
	"context"
	"testing"
	"time"
)

// TestCaptureTimeInTheSendersZone: a capture time without a UTC offset is
// the sender's phone clock, so it is read in the sender's zone (Tokyo and
// Lisbon phones that both say 17:03 took their photos 8 hours apart); one
// with an offset is an exact instant, whoever sends it.
func TestCaptureTimeInTheSendersZone(t *testing.T) {
	ctx := context.Background()
	s := sqliteStore(t)
	o, err := s.CreateOrganizer(ctx, NewOrganizer{Email: "ana@example.com", Name: "Ana", Password: "correct horse battery"})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	ev, err := s.CreateEvent(ctx, o.ID, EventInput{Name: "Hunt", TimeZone: "UTC", StartsAt: now.Add(-time.Hour), EndsAt: now.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	pr, err := s.CreatePrompt(ctx, ev, PromptInput{Kind: KindPhoto, Title: "Desk"})
	if err != nil {
		t.Fatal(err)
	}
	clock := time.Date(2026, 6, 14, 17, 3, 22, 0, time.UTC) // "2026:06:14 17:03:22"
	tests := []struct {
		name, zone string
		local      bool
		want       time.Time
	}{
		{"Kai", "Asia/Tokyo", true, time.Date(2026, 6, 14, 8, 3, 22, 0, time.UTC)},
		{"Lia", "Europe/Lisbon", true, time.Date(2026, 6, 14, 16, 3, 22, 0, time.UTC)},
		{"Uma", "UTC", true, clock},
		{"Ola", "Asia/Tokyo", false, clock}, // the file gave its offset: exact
	}
	for _, tt := range tests {
		pa, err := s.Join(ctx, ev, JoinInput{Name: tt.name, TimeZone: tt.zone})
		if err != nil {
			t.Fatal(err)
		}
		sub, _, err := s.SavePhotoAnswer(ctx, ev, pr, pa, "", PhotoMeta{Key: NewPhotoKey(ev.ID), Format: "jpeg", TakenAt: clock, TakenAtLocal: tt.local})
		if err != nil {
			t.Fatal(err)
		}
		stored, err := s.EventSubmission(ctx, ev.ID, sub.ID)
		if err != nil {
			t.Fatal(err)
		}
		if stored.TakenAt == nil || !stored.TakenAt.Equal(tt.want) {
			t.Errorf("%s in %s (local %t): stored %v, want %v", tt.name, tt.zone, tt.local, stored.TakenAt, tt.want)
		}
	}
}
