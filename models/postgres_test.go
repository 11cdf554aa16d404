package models

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"retreat/models/backendtest"
	"retreat/models/media"
)

func TestOpenRefusesUnknownSchemes(t *testing.T) {
	for _, raw := range []string{"mysql://u:secret@h/db", "postgress://h/db", ""} {
		if _, err := Open(context.Background(), raw, Options{}); err == nil {
			t.Errorf("Open(%q) succeeded, want an error", raw)
		} else if strings.Contains(err.Error(), "secret") {
			t.Errorf("Open(%q) error shows the password: %v", raw, err)
		}
	}
}

// Instances starting together on one fresh PostgreSQL database all come
// up, and each migration is applied once: the advisory lock makes them
// take turns.
func TestMigrationsTakeTurnsOnPostgres(t *testing.T) {
	url := backendtest.PostgresURL(t)
	const instances = 6
	var wg sync.WaitGroup
	stores := make([]*Store, instances)
	errs := make([]error, instances)
	for i := range instances {
		wg.Go(func() {
			stores[i], errs[i] = Open(context.Background(), url, Options{})
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("instance %d: %v", i, err)
		}
		t.Cleanup(func() { stores[i].Close() })
	}
	var ids []string
	if err := stores[0].db.Table("migrations").Order("id").Pluck("id", &ids).Error; err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, m := range migrations() {
		want = append(want, m.ID)
	}
	if fmt.Sprint(ids) != fmt.Sprint(want) {
		t.Errorf("migrations table holds %v, want each migration once: %v", ids, want)
	}
	if !stores[0].IsPostgres() {
		t.Error("IsPostgres() = false on a postgres:// URL")
	}
}

// Eight saves of one participant's answer at once, as a phone retrying
// against two instances would send them, leave exactly one photo folder in
// the store: the one the answer points at. On PostgreSQL the saves take
// turns on an advisory lock (SQLite's writers already do).
func TestConcurrentPhotoAnswersLeaveNoOrphans(t *testing.T) {
	ctx := context.Background()
	w := newScoreWorld(t)
	photos := backendtest.PhotoStore(t, filepath.Join(t.TempDir(), "media"))
	pa := w.person("Bea", nil)
	p, err := w.s.CreatePrompt(ctx, w.ev, PromptInput{Kind: KindPhoto, Title: "Swing", Points: 1})
	if err != nil {
		t.Fatal(err)
	}
	original := filepath.Join(t.TempDir(), "upload")
	if err := os.WriteFile(original, []byte("original bytes"), 0o600); err != nil {
		t.Fatal(err)
	}
	res := &media.Result{Format: "jpeg", Width: 4, Height: 3}
	for _, size := range media.Sizes {
		res.Renditions = append(res.Renditions, media.Rendition{Size: size, Width: 4, Height: 3, Data: []byte(string(size) + " bytes")})
	}

	const saves = 8
	var wg sync.WaitGroup
	errs := make(chan error, saves)
	for range saves {
		wg.Go(func() {
			_, err := w.s.StorePhotoAnswer(ctx, photos, w.ev, p, pa, "caption", original, res)
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("save: %v", err)
		}
	}
	subs, err := w.s.ParticipantSubmissions(ctx, pa.ID)
	if err != nil {
		t.Fatal(err)
	}
	sub, ok := subs[p.ID]
	if !ok {
		t.Fatal("no answer stored")
	}
	folders := map[string]bool{}
	if err := photos.List(ctx, "events/", func(key string) error {
		folders[key[:strings.LastIndexByte(key, '/')]] = true
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	var got []string
	for f := range folders {
		got = append(got, f)
	}
	sort.Strings(got)
	if len(got) != 1 || got[0] != sub.PhotoKey {
		t.Errorf("photo folders after %d concurrent saves: %v, want only the answer's %s", saves, got, sub.PhotoKey)
	}
}

// Two setups racing (two instances behind a load balancer) create one
// organizer, not two.
func TestFirstOrganizerIsCreatedOnce(t *testing.T) {
	s, err := Open(context.Background(), backendtest.DatabaseURL(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	const tries = 4
	var wg sync.WaitGroup
	var mu sync.Mutex
	created := 0
	for i := range tries {
		wg.Go(func() {
			_, err := s.CreateFirstOrganizer(context.Background(), NewOrganizer{
				Email: fmt.Sprintf("o%d@example.com", i), Name: "O", Password: "correct horse battery staple",
			})
			mu.Lock()
			defer mu.Unlock()
			if err == nil {
				created++
			}
		})
	}
	wg.Wait()
	n, err := s.OrganizerCount(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if created != 1 || n != 1 {
		t.Errorf("%d setups at once created %d (count %d), want 1", tries, created, n)
	}
}

// Leases hold across instances: of several stores on one database taking
// the same lease at once, one gets it.
func TestLeaseHasOneHolderAcrossInstances(t *testing.T) {
	url := backendtest.DatabaseURL(t)
	const instances = 4
	stores := make([]*Store, instances)
	for i := range stores {
		s, err := Open(context.Background(), url, Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		stores[i] = s
	}
	for round := range 5 {
		var wg sync.WaitGroup
		var mu sync.Mutex
		var holders []int
		for i, s := range stores {
			wg.Go(func() {
				ok, err := s.TakeLease(context.Background(), fmt.Sprintf("round-%d", round), fmt.Sprint(i), time.Minute)
				if err != nil {
					t.Errorf("instance %d: %v", i, err)
				}
				if ok {
					mu.Lock()
					holders = append(holders, i)
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if len(holders) != 1 {
			t.Errorf("round %d: lease held by %v, want exactly one instance", round, holders)
		}
	}
}
