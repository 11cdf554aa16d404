package models

import (
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"
)

// TestRevealSubmissionRemembersAndSeesWrites: the reveal's photo route
// reads an answer once for a crowd of requests; a write through the store
// is seen by the very next request; a write the store did not make (another
// instance) within answerFresh.
func TestRevealSubmissionRemembersAndSeesWrites(t *testing.T) {
	w := newScoreWorld(t)
	s := w.s
	var reads atomic.Int64
	if err := s.db.Callback().Query().After("gorm:query").Register("test:count_answer_reads", func(tx *gorm.DB) {
		if tx.Statement.Table == "submissions" {
			reads.Add(1)
		}
	}); err != nil {
		t.Fatal(err)
	}
	ana := w.person("Ana", nil)
	sub := w.answer(w.prompt("Desk", 10, 50, false), ana, false)
	get := func() (*Submission, error) { return s.RevealSubmission(w.ctx, w.ev.ID, sub.ID) }
	reads.Store(0) // answering read submissions too

	// A crowd of phones asking at once: one read.
	var wg sync.WaitGroup
	var failed atomic.Int64
	for range 50 {
		wg.Go(func() {
			if got, err := get(); err != nil || got.ID != sub.ID || got.Hidden {
				failed.Add(1)
			}
		})
	}
	wg.Wait()
	if failed.Load() > 0 {
		t.Fatalf("%d of 50 requests did not get the answer", failed.Load())
	}
	if n := reads.Load(); n != 1 {
		t.Errorf("50 requests read the answer %d times, want 1", n)
	}

	// Writes elsewhere (the reveal's state, sessions) keep what it read.
	if err := s.db.Exec("UPDATE organizers SET name = ? WHERE id > 0", "Ana B").Error; err != nil {
		t.Fatal(err)
	}
	if _, err := get(); err != nil || reads.Load() != 1 {
		t.Errorf("after an unrelated write: err %v, reads %d, want 1", err, reads.Load())
	}

	// The organizer hides it: the next request knows, at once.
	if _, err := s.SetHidden(w.ctx, w.ev.ID, sub.ID, true); err != nil {
		t.Fatal(err)
	}
	if got, err := get(); err != nil || !got.Hidden || got.MayReveal() {
		t.Fatalf("after hiding: %+v, %v", got, err)
	}
	// Raw SQL through the store counts too.
	if err := s.db.Exec("UPDATE submissions SET hidden = ? WHERE id = ?", false, sub.ID).Error; err != nil {
		t.Fatal(err)
	}
	if got, err := get(); err != nil || got.Hidden {
		t.Fatalf("after a raw update: %+v, %v", got, err)
	}

	// Another instance's write (straight to the database, past this
	// store): seen once answerFresh has passed.
	sqlDB, err := s.db.DB()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sqlDB.ExecContext(w.ctx, "UPDATE submissions SET not_for_live = true WHERE id = $1", sub.ID); err != nil {
		t.Fatal(err)
	}
	if got, err := get(); err != nil || !got.MayReveal() {
		t.Fatalf("within answerFresh of a write elsewhere: %+v, %v (want the remembered answer)", got, err)
	}
	w.advance(answerFresh)
	if got, err := get(); err != nil || got.MayReveal() {
		t.Fatalf("answerFresh after a write elsewhere: %+v, %v (want it read again)", got, err)
	}

	// Deleted, and never there: not found, remembered too.
	if err := s.db.Delete(&Submission{}, sub.ID).Error; err != nil {
		t.Fatal(err)
	}
	if _, err := get(); !errors.Is(err, ErrNotFound) {
		t.Fatalf("after delete: %v, want ErrNotFound", err)
	}
	before := reads.Load()
	for range 3 {
		if _, err := s.RevealSubmission(w.ctx, w.ev.ID, sub.ID+1000); !errors.Is(err, ErrNotFound) {
			t.Fatalf("an answer that never was: %v, want ErrNotFound", err)
		}
	}
	if n := reads.Load() - before; n != 1 {
		t.Errorf("three asks for a missing answer read %d times, want 1", n)
	}
	// Of another event: not found.
	w.advance(time.Second)
	other := w.answer(w.prompt("Lunch", 10, 50, false), ana, false)
	if _, err := s.RevealSubmission(w.ctx, w.ev.ID+1, other.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("an answer asked for under another event: %v, want ErrNotFound", err)
	}
}

// BenchmarkRevealPhotoAnswer: what a phone's photo request costs to load
// its answer, read each time versus through the memory (every phone asks
// for the same answer).
//
//	go test ./models -run '^$' -bench RevealPhotoAnswer
func BenchmarkRevealPhotoAnswer(b *testing.B) {
	w := newScoreWorld(b)
	sub := w.answer(w.prompt("Desk", 10, 50, false), w.person("Ana", nil), false)
	for _, bc := range []struct {
		name string
		load func() (*Submission, error)
	}{
		{"database", func() (*Submission, error) { return w.s.EventSubmission(w.ctx, w.ev.ID, sub.ID) }},
		{"remembered", func() (*Submission, error) { return w.s.RevealSubmission(w.ctx, w.ev.ID, sub.ID) }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, err := bc.load(); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}
