package models

import (
	"testing"
	"time"
)

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := LoadZone(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestDailyPromptOpensAtBreakfastInEachZone(t *testing.T) {
	// The event starts Monday 30 Nov 2026 09:00 in London.
	london := mustZone(t, "Europe/London")
	ev := &Event{TimeZone: "Europe/London",
		StartsAt: time.Date(2026, 11, 30, 9, 0, 0, 0, london).UTC(),
		EndsAt:   time.Date(2026, 12, 4, 18, 0, 0, 0, london).UTC()}
	// Day 2 (Tuesday 1 Dec) at 08:00, open one day.
	p := &Prompt{Schedule: ScheduleDaily, DailyDay: 2, DailyMinute: 8 * 60, DailyDays: 1}
	for _, tc := range []struct {
		zone      string
		opensUTC  string
		closesUTC string
	}{
		{"Asia/Tokyo", "2026-11-30 23:00", "2026-12-01 23:00"},       // 08:00 JST is 23:00 UTC the day before
		{"America/New_York", "2026-12-01 13:00", "2026-12-02 13:00"}, // EST, UTC-5
		{"Asia/Kolkata", "2026-12-01 02:30", "2026-12-02 02:30"},     // half-hour offset
		{"Europe/London", "2026-12-01 08:00", "2026-12-02 08:00"},
	} {
		t.Run(tc.zone, func(t *testing.T) {
			zone := mustZone(t, tc.zone)
			opens, closes := p.Window(ev, zone)
			if got := opens.Format("2006-01-02 15:04"); got != tc.opensUTC {
				t.Errorf("opens %s UTC, want %s", got, tc.opensUTC)
			}
			if got := closes.Format("2006-01-02 15:04"); got != tc.closesUTC {
				t.Errorf("closes %s UTC, want %s", got, tc.closesUTC)
			}
			if local := opens.In(zone).Format("Mon 15:04"); local != "Tue 08:00" {
				t.Errorf("opens %s local, want Tue 08:00", local)
			}
			if s := p.StateAt(ev, zone, opens.Add(-time.Second)); s != StateUpcoming {
				t.Errorf("a second before: %s", s)
			}
			if s := p.StateAt(ev, zone, opens); s != StateOpen {
				t.Errorf("at opening: %s", s)
			}
			if s := p.StateAt(ev, zone, closes); s != StateClosed {
				t.Errorf("at closing: %s", s)
			}
		})
	}
}

func TestDailyPromptAcrossDaylightSavingChange(t *testing.T) {
	// New York leaves daylight saving on Sunday 1 Nov 2026 at 02:00.
	ny := mustZone(t, "America/New_York")
	ev := &Event{TimeZone: "America/New_York",
		StartsAt: time.Date(2026, 10, 30, 9, 0, 0, 0, ny).UTC(),
		EndsAt:   time.Date(2026, 11, 3, 18, 0, 0, 0, ny).UTC()}
	sat := &Prompt{Schedule: ScheduleDaily, DailyDay: 2, DailyMinute: 8 * 60, DailyDays: 1}
	sun := &Prompt{Schedule: ScheduleDaily, DailyDay: 3, DailyMinute: 8 * 60, DailyDays: 1}
	o1, c1 := sat.Window(ev, ny)
	o2, c2 := sun.Window(ev, ny)
	if o1.Format("15:04") != "12:00" || o2.Format("15:04") != "13:00" {
		t.Errorf("08:00 local is %s UTC on Saturday (EDT) and %s UTC on Sunday (EST), want 12:00 and 13:00", o1.Format("15:04"), o2.Format("15:04"))
	}
	// The day that contains the change is 25 hours long: the prompt still
	// closes at 08:00 local the next day.
	if d := c1.Sub(o1); d != 25*time.Hour {
		t.Errorf("Saturday's window is %v, want 25h", d)
	}
	if c1.In(ny).Format("Mon 15:04") != "Sun 08:00" || c2.In(ny).Format("Mon 15:04") != "Mon 08:00" {
		t.Errorf("closes %s and %s local, want Sun 08:00 and Mon 08:00", c1.In(ny), c2.In(ny))
	}
	if ev.EventDays() != 5 {
		t.Errorf("EventDays = %d, want 5", ev.EventDays())
	}
}

func TestGraceWindowAcceptsLateAnswers(t *testing.T) {
	ev := &Event{TimeZone: "UTC", StartsAt: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), EndsAt: time.Date(2026, 12, 5, 0, 0, 0, 0, time.UTC)}
	closes := time.Date(2026, 12, 2, 18, 0, 0, 0, time.UTC)
	p := &Prompt{Schedule: ScheduleWindow, ClosesAt: &closes, GraceMinutes: 60, LatePercent: 50}
	for _, tc := range []struct {
		at   time.Time
		want PromptState
		err  error
	}{
		{closes.Add(-time.Minute), StateOpen, nil},
		{closes, StateLate, nil},
		{closes.Add(59 * time.Minute), StateLate, nil},
		{closes.Add(time.Hour), StateClosed, ErrPromptClosed},
	} {
		if got := p.StateAt(ev, time.UTC, tc.at); got != tc.want {
			t.Errorf("at %s: %s, want %s", tc.at.Format("15:04"), got, tc.want)
		}
		if err := p.checkOpen(ev, time.UTC, tc.at); err != tc.err {
			t.Errorf("checkOpen at %s: %v, want %v", tc.at.Format("15:04"), err, tc.err)
		}
	}
}

func TestPromptInputValidation(t *testing.T) {
	ev := &Event{TimeZone: "UTC", StartsAt: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC), EndsAt: time.Date(2026, 12, 3, 17, 0, 0, 0, time.UTC)}
	ok := func() PromptInput { return PromptInput{Kind: KindPhoto, Title: "Swing", LatePercent: 50} }
	for name, tc := range map[string]struct {
		mod   func(*PromptInput)
		field string
	}{
		"daily day past the event": {func(in *PromptInput) { in.Schedule, in.DailyDay, in.DailyDays = ScheduleDaily, 4, 1 }, "daily_day"},
		"daily time out of range": {func(in *PromptInput) {
			in.Schedule, in.DailyDay, in.DailyMinute, in.DailyDays = ScheduleDaily, 1, 24*60, 1
		}, "daily_time"},
		"daily zero days":       {func(in *PromptInput) { in.Schedule, in.DailyDay, in.DailyDays = ScheduleDaily, 1, 0 }, "daily_days"},
		"unknown schedule":      {func(in *PromptInput) { in.Schedule = "weekly" }, "schedule"},
		"late percent over 100": {func(in *PromptInput) { in.LatePercent = 150 }, "late_percent"},
		"team prompt, no teams": {func(in *PromptInput) { in.TeamPrompt = true }, "team_prompt"},
		"points too many":       {func(in *PromptInput) { in.Points = MaxPoints + 1 }, "points"},
	} {
		t.Run(name, func(t *testing.T) {
			in := ok()
			tc.mod(&in)
			err := in.Validate(ev)
			ve, isVE := err.(*ValidationError)
			if !isVE || ve.Fields[tc.field] == "" {
				t.Fatalf("got %v, want a message for %s", err, tc.field)
			}
		})
	}
	in := ok()
	in.Schedule, in.DailyDay, in.DailyMinute, in.DailyDays = ScheduleDaily, 3, 23*60+59, 2
	if err := in.Validate(ev); err != nil {
		t.Errorf("valid daily prompt refused: %v", err)
	}
}
