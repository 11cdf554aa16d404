package models

import (
	"context"
	"testing"
	"time"
)

// TestJoinedEvents: a device's session names events and who it is in each;
// only pairs that still hold come back, the latest-ending event first.
func TestJoinedEvents(t *testing.T) {
	ctx := context.Background()
	s, hunt, orgID := toolsStore(t) // ends 4 Dec
	later, err := s.CreateEvent(ctx, orgID, EventInput{Name: "Summit", TimeZone: "UTC",
		StartsAt: time.Date(2027, 3, 1, 9, 0, 0, 0, time.UTC), EndsAt: time.Date(2027, 3, 3, 17, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	other, err := s.CreateEvent(ctx, orgID, EventInput{Name: "Other", TimeZone: "UTC",
		StartsAt: time.Date(2027, 1, 1, 9, 0, 0, 0, time.UTC), EndsAt: time.Date(2027, 1, 2, 17, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	join := func(ev *Event, name string) *Participant {
		t.Helper()
		p, err := s.Join(ctx, ev, JoinInput{Name: name, TimeZone: "UTC"})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	bea, beaLater, cy := join(hunt, "Bea"), join(later, "Bea S."), join(other, "Cy")

	got, err := s.JoinedEvents(ctx, map[uint]uint{
		hunt.ID:  bea.ID,
		later.ID: beaLater.ID,
		other.ID: bea.ID, // Bea is not in Other: a session cannot claim her there
		999:      cy.ID,  // nor Cy in an event that does not exist
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []JoinedEvent{
		{EventID: later.ID, EventName: "Summit", ParticipantName: "Bea S."},
		{EventID: hunt.ID, EventName: "Hunt", ParticipantName: "Bea"},
	}
	if len(got) != len(want) {
		t.Fatalf("joined events %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i].EventID != want[i].EventID || got[i].EventName != want[i].EventName || got[i].ParticipantName != want[i].ParticipantName {
			t.Errorf("joined event %d: %+v, want %+v", i, got[i], want[i])
		}
	}
	if !got[0].EndsAt.Equal(later.EndsAt) {
		t.Errorf("ends at %v, want %v", got[0].EndsAt, later.EndsAt)
	}
	if none, err := s.JoinedEvents(ctx, nil); err != nil || len(none) != 0 {
		t.Errorf("no session: %v %v", none, err)
	}
}
