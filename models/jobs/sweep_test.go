package jobs_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"slices"
	"testing"
	"time"

	"retreat/handlers/handlertest"
	"retreat/models"
	"retreat/models/jobs"
)

// TestOrphanPhotosAreSweptOnSchedule: photo folders orphaned while the
// server runs (a save killed between its files and its row, on this
// instance or another) are removed by the next hourly sweep of the
// background jobs once ten minutes old, and not sooner; answered photos
// stay. The runner is driven with the pinned clock; file ages are the
// store's own (the bucket's Last-Modified on S3).
func TestOrphanPhotosAreSweptOnSchedule(t *testing.T) {
	app := handlertest.New(t)
	o := app.Organizer("owner@example.com", "Olga")
	ev := app.Event(o, "Spring hunt", "UTC")
	prompt := app.Prompt(ev, models.KindPhoto, "Swing", nil, nil)
	c := app.Client()
	c.Join(ev, "Bea")
	if rec := c.Upload(handlertest.AnswerPath(ev, prompt), "hi", handlertest.PhotoPath(t, "orient-6.jpg")); rec.Code != http.StatusSeeOther {
		t.Fatalf("upload: %d %s", rec.Code, rec.Body.String())
	}
	answered := app.MediaFiles()
	if len(answered) == 0 {
		t.Fatal("the answer stored no files")
	}
	photo, err := os.ReadFile(handlertest.PhotoPath(t, "grayscale.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	r := app.Server.Jobs()
	run := func(at time.Time) {
		t.Helper()
		app.Clock.Set(at)
		if ran, err := r.RunOnce(ctx); err != nil || !ran {
			t.Fatalf("run at %v: ran %v, %v", at, ran, err)
		}
	}
	// orphan leaves a photo folder no answer points at, and returns its
	// file's age as the store tells it.
	orphan := func(name string) (key string, at time.Time) {
		t.Helper()
		key = fmt.Sprintf("events/%d/%s/full.jpg", ev.ID, name)
		if err := app.Photos.Put(ctx, key, bytes.NewReader(photo)); err != nil {
			t.Fatal(err)
		}
		at, err := app.Photos.(interface {
			ModTime(context.Context, string) (time.Time, error)
		}).ModTime(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		return key, at
	}
	present := func(when string, want map[string]bool) {
		t.Helper()
		files := app.MediaFiles()
		for key, kept := range want {
			if got := slices.Contains(files, key); got != kept {
				t.Errorf("%s: %s present %v, want %v (files: %v)", when, key, got, kept, files)
			}
		}
		for _, f := range answered {
			if !slices.Contains(files, f) {
				t.Errorf("%s: the answered photo's %s was swept", when, f)
			}
		}
	}

	// The server starts (its first round sweeps) an hour before now.
	run(time.Now().Add(-time.Hour))
	// Then two saves die half-way, a second apart (the bucket's clock
	// counts whole seconds).
	older, _ := orphan("1-older")
	time.Sleep(1100 * time.Millisecond)
	fresh, freshAt := orphan("2-fresh")
	// The next sweep is due: the older folder is past the ten minutes,
	// the fresh one just not.
	due := freshAt.Add(jobs.OrphanMinAge)
	run(due)
	present("at the next sweep", map[string]bool{older: false, fresh: true})
	// Within the hour no sweep runs, though the fresh one is now old.
	run(due.Add(30 * time.Minute))
	present("half an hour later", map[string]bool{fresh: true})
	// The sweep after that removes it.
	run(due.Add(jobs.OrphanSweepEvery + time.Second))
	present("an hour later", map[string]bool{fresh: false})
}
