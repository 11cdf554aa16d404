package models

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"retreat/models/backendtest"
)

// toolsStore opens a fresh database with an event in Lisbon running
// Tuesday 1 to Friday 4 December 2026.
func toolsStore(t *testing.T) (*Store, *Event, uint) {
	t.Helper()
	ctx := context.Background()
	s, err := Open(ctx, backendtest.DatabaseURL(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	o, err := s.CreateOrganizer(ctx, NewOrganizer{Email: "ana@example.com", Name: "Ana", Password: "correct horse battery"})
	if err != nil {
		t.Fatal(err)
	}
	lisbon := mustZone(t, "Europe/Lisbon")
	ev, err := s.CreateEvent(ctx, o.ID, EventInput{Name: "Hunt", TimeZone: "Europe/Lisbon",
		StartsAt: time.Date(2026, 12, 1, 9, 0, 0, 0, lisbon), EndsAt: time.Date(2026, 12, 4, 17, 0, 0, 0, lisbon)})
	if err != nil {
		t.Fatal(err)
	}
	return s, ev, o.ID
}

func titles(t *testing.T, s *Store, eventID uint) string {
	t.Helper()
	list, err := s.Prompts(context.Background(), eventID)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for i, p := range list {
		if p.Position != i {
			t.Errorf("%q has position %d at index %d", p.Title, p.Position, i)
		}
		out = append(out, p.Title)
	}
	return strings.Join(out, ",")
}

func TestMovePromptRenumbers(t *testing.T) {
	s, ev, _ := toolsStore(t)
	ctx := context.Background()
	ids := map[string]uint{}
	for _, title := range []string{"A", "B", "C", "D"} {
		p, err := s.CreatePrompt(ctx, ev, PromptInput{Kind: KindPhoto, Title: title, LatePercent: 50})
		if err != nil {
			t.Fatal(err)
		}
		ids[title] = p.ID
	}
	steps := []struct {
		do   func() error
		want string
	}{
		{func() error { return s.MovePrompt(ctx, ev, ids["C"], Up) }, "A,C,B,D"},
		{func() error { return s.MovePrompt(ctx, ev, ids["A"], Up) }, "A,C,B,D"}, // already first
		{func() error { return s.MovePrompt(ctx, ev, ids["A"], Down) }, "C,A,B,D"},
		{func() error { return s.MovePrompt(ctx, ev, ids["D"], Down) }, "C,A,B,D"}, // already last
		{func() error { return s.MovePromptTo(ctx, ev, ids["D"], 0) }, "D,C,A,B"},
		{func() error { return s.MovePromptTo(ctx, ev, ids["D"], 99) }, "C,A,B,D"},
		{func() error { return s.MovePromptTo(ctx, ev, ids["C"], 2) }, "A,B,C,D"},
	}
	for i, st := range steps {
		if err := st.do(); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		if got := titles(t, s, ev.ID); got != st.want {
			t.Fatalf("step %d: order %s, want %s", i, got, st.want)
		}
	}
	other, err := s.CreateEvent(ctx, 1, EventInput{Name: "Other", TimeZone: "UTC", StartsAt: ev.StartsAt, EndsAt: ev.EndsAt})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.MovePrompt(ctx, other, ids["A"], Down); !errors.Is(err, ErrNotFound) {
		t.Errorf("moving a prompt through another event: %v, want ErrNotFound", err)
	}
}

func TestImportPromptsAllOrNothing(t *testing.T) {
	s, ev, _ := toolsStore(t)
	ctx := context.Background()
	list := "A picture of you on a swing | 10\n\n- You at age 8|20\n  3. Your desk right now  \nA | B | 5\nNo points at all |\n"
	added, err := s.ImportPrompts(ctx, ev, list, ImportOptions{Kind: KindText, Points: 7})
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		title  string
		points int
	}
	want := []row{{"A picture of you on a swing", 10}, {"You at age 8", 20}, {"Your desk right now", 7}, {"A | B", 5}, {"No points at all", 7}}
	if len(added) != len(want) {
		t.Fatalf("added %d prompts, want %d", len(added), len(want))
	}
	for i, w := range want {
		if added[i].Title != w.title || added[i].Points != w.points || added[i].Kind != KindText || added[i].Schedule != ScheduleEvent {
			t.Errorf("prompt %d: %q %d %s %s, want %q %d text event", i, added[i].Title, added[i].Points, added[i].Kind, added[i].Schedule, w.title, w.points)
		}
	}

	for name, tc := range map[string]struct {
		text string
		opt  ImportOptions
		msg  string
	}{
		"bad points":         {"Fine\nA swing | ten\nFine too", ImportOptions{Kind: KindPhoto}, `Line 2: after | put the points`},
		"too many points":    {"Fine\n\nA swing | 99999", ImportOptions{Kind: KindPhoto}, `Line 3: after | put the points`},
		"too long":           {"Fine\n" + strings.Repeat("x", 201), ImportOptions{Kind: KindPhoto}, "Line 2 is too long"},
		"points only":        {"| 5", ImportOptions{Kind: KindPhoto}, "Line 1 has points but no title"},
		"empty":              {"\n  \n", ImportOptions{Kind: KindPhoto}, "Paste at least one prompt"},
		"daily past the end": {"1\n2\n3\n4\n5", ImportOptions{Kind: KindPhoto, Daily: true, DailyMinute: 480, DailyDays: 1}, "Line 5: the event has 4 days"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := s.ImportPrompts(ctx, ev, tc.text, tc.opt)
			var ve *ValidationError
			if !errors.As(err, &ve) || !strings.Contains(ve.Fields["list"], tc.msg) {
				t.Fatalf("got %v, want a list message containing %q", err, tc.msg)
			}
			if got := titles(t, s, ev.ID); strings.Count(got, ",") != 4 {
				t.Errorf("prompts after a refused import: %s, want the 5 from before", got)
			}
		})
	}

	daily, err := s.ImportPrompts(ctx, ev, "Breakfast\n\nLunch | 3", ImportOptions{Kind: KindPhoto, Daily: true, DailyMinute: 8 * 60, DailyDays: 2})
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range daily {
		if p.Schedule != ScheduleDaily || p.DailyDay != i+1 || p.DailyMinute != 480 || p.DailyDays != 2 || p.Position != 5+i {
			t.Errorf("daily prompt %d: %+v, want day %d at 08:00 for 2 days at position %d", i, p, i+1, 5+i)
		}
	}
}

func TestDuplicateEventCopiesPromptsOnly(t *testing.T) {
	s, ev, orgID := toolsStore(t)
	ctx := context.Background()
	closes := ev.StartsAt.Add(48 * time.Hour)
	if _, err := s.CreatePrompt(ctx, ev, PromptInput{Kind: KindPhoto, Title: "Swing", Points: 10, ClosesAt: &closes, GraceMinutes: 60, LatePercent: 25}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreatePrompt(ctx, ev, PromptInput{Kind: KindText, Title: "Joke", Schedule: ScheduleDaily, DailyDay: 2, DailyMinute: 480, DailyDays: 1, LatePercent: 50}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Join(ctx, ev, JoinInput{Name: "Bea", TimeZone: "Asia/Tokyo"}); err != nil {
		t.Fatal(err)
	}
	cp, err := s.DuplicateEvent(ctx, orgID, ev)
	if err != nil {
		t.Fatal(err)
	}
	if cp.ID == ev.ID || cp.Name != "Copy of Hunt" || cp.JoinToken == ev.JoinToken || !cp.StartsAt.Equal(ev.StartsAt) || cp.TimeZone != ev.TimeZone {
		t.Errorf("copy: %+v", cp)
	}
	if got := titles(t, s, cp.ID); got != "Swing,Joke" {
		t.Errorf("copied prompts %s, want Swing,Joke", got)
	}
	list, _ := s.Prompts(ctx, cp.ID)
	if p := list[0]; p.ClosesAt == nil || !p.ClosesAt.Equal(closes) || p.GraceMinutes != 60 || p.LatePercent != 25 || p.Schedule != ScheduleWindow {
		t.Errorf("copied window prompt: %+v", p)
	}
	if p := list[1]; p.Schedule != ScheduleDaily || p.DailyDay != 2 || p.DailyMinute != 480 {
		t.Errorf("copied daily prompt: %+v", p)
	}
	if people, _ := s.Participants(ctx, cp.ID); len(people) != 0 {
		t.Errorf("copy has %d participants, want none", len(people))
	}
	if oe, err := s.EventForOrganizer(ctx, orgID, cp.ID); err != nil || oe.Role != RoleOwner {
		t.Errorf("organizer's role in the copy: %v %v", oe, err)
	}
	if got := titles(t, s, ev.ID); got != "Swing,Joke" {
		t.Errorf("original's prompts changed: %s", got)
	}
}

func TestTurningTeamsOffIsRefusedWhileTeamPromptsExist(t *testing.T) {
	s, ev, _ := toolsStore(t)
	ctx := context.Background()
	in := EventInput{Name: ev.Name, TimeZone: ev.TimeZone, StartsAt: ev.StartsAt, EndsAt: ev.EndsAt, TeamsEnabled: true}
	if err := s.UpdateEvent(ctx, ev, in); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreatePrompt(ctx, ev, PromptInput{Kind: KindPhoto, Title: "Team photo", TeamPrompt: true, LatePercent: 50}); err != nil {
		t.Fatal(err)
	}
	in.TeamsEnabled = false
	err := s.UpdateEvent(ctx, ev, in)
	var ve *ValidationError
	if !errors.As(err, &ve) || !strings.Contains(ve.Fields["teams_enabled"], "1 prompt is a team prompt") {
		t.Fatalf("turning teams off: %v", err)
	}
	if !ev.TeamsEnabled {
		t.Error("the refused update changed the event in memory")
	}
	stored, _ := s.Event(ctx, ev.ID)
	if !stored.TeamsEnabled {
		t.Error("the refused update was stored")
	}
}

func TestDailyPromptSpanCoversEveryZone(t *testing.T) {
	london := mustZone(t, "Europe/London")
	ev := &Event{TimeZone: "Europe/London",
		StartsAt: time.Date(2026, 11, 30, 9, 0, 0, 0, london).UTC(),
		EndsAt:   time.Date(2026, 12, 4, 18, 0, 0, 0, london).UTC()}
	p := &Prompt{Schedule: ScheduleDaily, DailyDay: 2, DailyMinute: 8 * 60, DailyDays: 1, GraceMinutes: 30}
	opens, closes := p.Span(ev)
	// 08:00 on 1 Dec at UTC+14 is 18:00 UTC on 30 Nov; at UTC-12, 08:00 on 2 Dec is 20:00 UTC.
	if opens.Format("2006-01-02 15:04") != "2026-11-30 18:00" || closes.Format("2006-01-02 15:04") != "2026-12-02 20:00" {
		t.Errorf("span %s – %s", opens, closes)
	}
	for _, tc := range []struct {
		at   time.Time
		want PromptState
	}{
		{opens.Add(-time.Minute), StateUpcoming},
		{opens, StateOpen},
		{closes.Add(time.Minute), StateLate},
		{closes.Add(30 * time.Minute), StateClosed},
	} {
		if got := p.StateAnywhere(ev, tc.at); got != tc.want {
			t.Errorf("at %s: %s, want %s", tc.at, got, tc.want)
		}
	}
}

func TestEventSettingsValidation(t *testing.T) {
	start := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	ok := func() EventInput {
		return EventInput{Name: "Hunt", TimeZone: "UTC", StartsAt: start, EndsAt: start.Add(72 * time.Hour)}
	}
	freeze, reveal := start.Add(70*time.Hour), start.Add(71*time.Hour)
	for name, tc := range map[string]struct {
		mod   func(*EventInput)
		field string
	}{
		"freeze after reveal": {func(in *EventInput) { in.FreezeAt, in.RevealAt = &reveal, &freeze }, "freeze_at"},
		"negative retention":  {func(in *EventInput) { in.RetentionDays = -1 }, "retention_days"},
		"retention too long":  {func(in *EventInput) { in.RetentionDays = MaxRetentionDays + 1 }, "retention_days"},
	} {
		t.Run(name, func(t *testing.T) {
			in := ok()
			tc.mod(&in)
			var ve *ValidationError
			if err := in.Validate(); !errors.As(err, &ve) || ve.Fields[tc.field] == "" {
				t.Fatalf("got %v, want a message for %s", err, tc.field)
			}
		})
	}
	in := ok()
	in.FreezeAt, in.RevealAt, in.RetentionDays = &freeze, &reveal, MaxRetentionDays
	if err := in.Validate(); err != nil {
		t.Errorf("valid settings refused: %v", err)
	}
}
