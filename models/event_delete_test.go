package models

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/alexedwards/argon2id"

	"retreat/models/backendtest"
)

// cheapHashing keeps password hashes from costing 64 MiB in tests that are
// not about hashing.
var cheapHashing = &argon2id.Params{Memory: 64, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32}

// TestDeleteEventTakesEverythingInIt deletes an event with people, teams,
// answers, a vote and reactions: every row goes, the photo folders are
// returned for the caller, and another event is untouched.
func TestDeleteEventTakesEverythingInIt(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, backendtest.DatabaseURL(t), Options{HashParams: cheapHashing})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	o, err := s.CreateOrganizer(ctx, NewOrganizer{Email: "ana@example.com", Name: "Ana", Password: "a long enough password"})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	newEvent := func(name string) (*Event, []*Submission) {
		ev, err := s.CreateEvent(ctx, o.ID, EventInput{Name: name, TimeZone: "UTC", StartsAt: now.Add(-time.Hour), EndsAt: now.Add(time.Hour), TeamsEnabled: true})
		if err != nil {
			t.Fatal(err)
		}
		team, err := s.CreateTeam(ctx, ev, "Owls")
		if err != nil {
			t.Fatal(err)
		}
		text, err := s.CreatePrompt(ctx, ev, PromptInput{Kind: KindText, Title: "Hello"})
		if err != nil {
			t.Fatal(err)
		}
		var subs []*Submission
		for _, name := range []string{"Bea", "Cy"} {
			pa, err := s.Join(ctx, ev, JoinInput{Name: name, TimeZone: "UTC", TeamID: team.ID})
			if err != nil {
				t.Fatal(err)
			}
			sub, _, err := s.SaveTextAnswer(ctx, ev, text, pa, "hi from "+name)
			if err != nil {
				t.Fatal(err)
			}
			// A photo row as StorePhotoAnswer leaves it (the files do not
			// matter here).
			photo, err := s.CreatePrompt(ctx, ev, PromptInput{Kind: KindPhoto, Title: "Desk of " + name})
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := s.SavePhotoAnswer(ctx, ev, photo, pa, "", PhotoMeta{Key: NewPhotoKey(ev.ID), Format: "jpeg", Width: 10, Height: 10}); err != nil {
				t.Fatal(err)
			}
			subs = append(subs, sub)
		}
		return ev, subs
	}
	ev, subs := newEvent("Doomed")
	other, _ := newEvent("Kept")
	bea, err := s.EventParticipant(ctx, ev.ID, subs[0].ParticipantID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.SaveVote(ctx, bea, subs[1]); err != nil {
		t.Fatal(err)
	}
	if err := s.AddReactions(ctx, map[ReactionKey]int64{{EventID: ev.ID, SubmissionID: subs[1].ID, Emoji: "👏"}: 3}); err != nil {
		t.Fatal(err)
	}

	keys, err := s.DeleteEvent(ctx, ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 2 || !strings.HasPrefix(keys[0], "events/") {
		t.Errorf("photo folders = %v, want the two answers' folders", keys)
	}
	if _, err := s.Event(ctx, ev.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("load the deleted event: %v, want ErrNotFound", err)
	}
	for _, table := range []string{"event_organizers", "teams", "prompts", "participants", "submissions", "votes", "reaction_counts"} {
		var n int64
		if err := s.db.Table(table).Where("event_id = ?", ev.ID).Count(&n).Error; err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("%s still holds %d rows of the deleted event", table, n)
		}
	}
	if left, _ := s.EventSubmissions(ctx, other.ID); len(left) != 4 {
		t.Errorf("the other event has %d answers left, want its 4", len(left))
	}
	if _, err := s.DeleteEvent(ctx, ev.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("deleting it again: %v, want ErrNotFound", err)
	}

	if err := s.DeleteOrganizer(ctx, o.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.EventForOrganizer(ctx, o.ID, other.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("the deleted organizer still manages an event: %v", err)
	}
	if _, err := s.Event(ctx, other.ID); err != nil {
		t.Errorf("the organizer's other event went with the account: %v", err)
	}
	if err := s.DeleteOrganizer(ctx, o.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("deleting the organizer again: %v, want ErrNotFound", err)
	}
}
