package live

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"retreat/models"
	"retreat/models/backendtest"
)

// pgHubs opens n stores and hubs on one fresh PostgreSQL database, as n
// app instances would, and an event to publish about.
func pgHubs(t *testing.T, n int) ([]*PostgresHub, *models.Store, uint, string) {
	t.Helper()
	ctx := context.Background()
	url := backendtest.PostgresURL(t)
	var hubs []*PostgresHub
	var first *models.Store
	for range n {
		store, err := models.Open(ctx, url, models.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { store.Close() })
		hub, err := NewPostgresHub(ctx, store, url, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(hub.Close)
		hubs = append(hubs, hub)
		if first == nil {
			first = store
		}
	}
	org, err := first.CreateFirstOrganizer(ctx, models.NewOrganizer{Email: "ana@example.com", Name: "Ana", Password: "correct horse battery staple"})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now().UTC().Truncate(time.Hour)
	ev, err := first.CreateEvent(ctx, org.ID, models.EventInput{Name: "Hunt", TimeZone: "UTC", StartsAt: start, EndsAt: start.Add(72 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	return hubs, first, ev.ID, url
}

func receive(t *testing.T, ch <-chan Message, within time.Duration) (Message, bool) {
	t.Helper()
	select {
	case m, ok := <-ch:
		return m, ok
	case <-time.After(within):
		return Message{}, false
	}
}

func TestPostgresHubCarriesMessagesBetweenInstances(t *testing.T) {
	hubs, _, eventID, _ := pgHubs(t, 2)
	a, b := hubs[0], hubs[1]
	onA, cancelA := a.Subscribe(eventID)
	defer cancelA()
	onB, cancelB := b.Subscribe(eventID)
	defer cancelB()
	other, cancelOther := b.Subscribe(eventID + 1)
	defer cancelOther()

	sent := time.Now()
	want := Message{Type: TypeSlide, Seq: 1, Data: []byte(`{"seq":1,"status":"live","index":0}`)}
	if err := a.Publish(context.Background(), eventID, want); err != nil {
		t.Fatal(err)
	}
	got, ok := receive(t, onB, time.Second)
	if !ok || got.Type != want.Type || got.Seq != want.Seq || string(got.Data) != string(want.Data) {
		t.Fatalf("instance B got %+v (%t) within a second, want %+v", got, ok, want)
	}
	t.Logf("A → B in %v", time.Since(sent))
	if got, ok := receive(t, onA, time.Second); !ok || got.Seq != 1 {
		t.Errorf("instance A's own follower got %+v, %t", got, ok)
	}
	// Once only: A does not deliver its own notification a second time.
	if got, ok := receive(t, onA, 200*time.Millisecond); ok {
		t.Errorf("instance A's follower got a second copy: %+v", got)
	}
	if got, ok := receive(t, other, 100*time.Millisecond); ok {
		t.Errorf("a follower of another event got %+v", got)
	}

	// Reactions (not state) go everywhere too; Seq 0 is never "stale".
	for i := range 3 {
		if err := b.Publish(context.Background(), eventID, Message{Type: "reaction", Data: []byte(fmt.Sprintf(`{"n":%d}`, i))}); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 3 {
		got, ok := receive(t, onA, time.Second)
		if !ok || got.Type != "reaction" || string(got.Data) != fmt.Sprintf(`{"n":%d}`, i) {
			t.Fatalf("reaction %d on A: %+v %t", i, got, ok)
		}
	}
}

// A message over NOTIFY's 8000-byte limit arrives whole, multi-byte
// characters included, and messages on either side of it keep their order.
func TestPostgresHubSendsLargeMessagesInParts(t *testing.T) {
	hubs, _, eventID, _ := pgHubs(t, 2)
	a, b := hubs[0], hubs[1]
	onB, cancel := b.Subscribe(eventID)
	defer cancel()
	big := `{"caption":"` + strings.Repeat("café 📸 ", 6000) + `"}`
	for i, m := range []Message{
		{Type: "reaction", Data: []byte(`{"before":true}`)},
		{Type: TypeSlide, Seq: 7, Data: []byte(big)},
		{Type: "reaction", Data: []byte(`{"after":true}`)},
	} {
		if err := a.Publish(context.Background(), eventID, m); err != nil {
			t.Fatalf("publish %d: %v", i, err)
		}
	}
	want := []string{`{"before":true}`, big, `{"after":true}`}
	for i, w := range want {
		got, ok := receive(t, onB, 2*time.Second)
		if !ok || string(got.Data) != w {
			t.Fatalf("message %d on B: %d bytes (%t), want %d bytes", i, len(got.Data), ok, len(w))
		}
	}
}

// Two presenters' changes can cross between instances: a state older than
// one already delivered is dropped, so followers never go back a slide.
func TestPostgresHubDropsOlderStates(t *testing.T) {
	hubs, _, eventID, _ := pgHubs(t, 2)
	a, b := hubs[0], hubs[1]
	onB, cancel := b.Subscribe(eventID)
	defer cancel()
	for _, seq := range []int64{5, 4, 6} {
		if err := a.Publish(context.Background(), eventID, Message{Type: TypeSlide, Seq: seq, Data: []byte(fmt.Sprintf(`{"seq":%d}`, seq))}); err != nil {
			t.Fatal(err)
		}
	}
	for _, want := range []int64{5, 6} {
		got, ok := receive(t, onB, time.Second)
		if !ok || got.Seq != want {
			t.Fatalf("B got seq %d (%t), want %d", got.Seq, ok, want)
		}
	}
}

// When the LISTEN connection is cut, the hub reconnects and gives its
// followers the reveal's current state from the database: a change made
// while it was away is not lost.
func TestPostgresHubCatchesUpAfterReconnecting(t *testing.T) {
	hubs, store, eventID, _ := pgHubs(t, 2)
	a, b := hubs[0], hubs[1]
	onB, cancel := b.Subscribe(eventID)
	defer cancel()
	ctx := context.Background()

	// Cut every LISTEN connection (both hubs'), as a database restart or a
	// network blip would.
	var pids []int
	if err := store.DB().Raw("SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN%'").Scan(&pids).Error; err != nil {
		t.Fatal(err)
	}
	if len(pids) != 2 {
		t.Fatalf("found %d LISTEN connections, want 2", len(pids))
	}
	for _, pid := range pids {
		if err := store.DB().Exec("SELECT pg_terminate_backend(?)", pid).Error; err != nil {
			t.Fatal(err)
		}
	}
	// The presenter moves on while B is not listening (the state is saved;
	// its notification is lost: nobody publishes it here).
	follower := `{"seq":3,"status":"live","index":2}`
	if err := store.SaveRevealState(ctx, &models.RevealState{EventID: eventID, Seq: 3, Status: models.RevealLive, Current: 2, Follower: follower}, 0, true); err != nil {
		t.Fatal(err)
	}

	got, ok := receive(t, onB, 5*time.Second)
	if !ok || got.Seq != 3 || string(got.Data) != follower {
		t.Fatalf("after reconnecting B's follower got %+v (%t), want the current state", got, ok)
	}
	// And the connection works again.
	if err := a.Publish(ctx, eventID, Message{Type: TypeSlide, Seq: 4, Data: []byte(`{"seq":4}`)}); err != nil {
		t.Fatal(err)
	}
	if got, ok := receive(t, onB, 2*time.Second); !ok || got.Seq != 4 {
		t.Fatalf("after reconnecting B got %+v (%t), want seq 4", got, ok)
	}
}

func TestPostgresHubClose(t *testing.T) {
	hubs, _, eventID, _ := pgHubs(t, 1)
	h := hubs[0]
	ch, cancel := h.Subscribe(eventID)
	defer cancel()
	h.Close()
	if _, ok := <-ch; ok {
		t.Error("subscription still open after Close")
	}
	if err := h.Publish(context.Background(), eventID, Message{Type: TypeSlide, Seq: 1, Data: []byte("{}")}); err != ErrHubClosed {
		t.Errorf("Publish after Close = %v, want ErrHubClosed", err)
	}
}
