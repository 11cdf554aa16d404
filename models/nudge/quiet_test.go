package nudge

import (
	"testing"
	"time"
)

func TestReminderTimeKeepsToEachPersonsDaytime(t *testing.T) {
	zone := func(name string) *time.Location {
		loc, err := time.LoadLocation(name)
		if err != nil {
			t.Fatal(err)
		}
		return loc
	}
	tokyo, ny := zone("Asia/Tokyo"), zone("America/New_York")
	utc := func(day, h, m int) time.Time { return time.Date(2026, 12, day, h, m, 0, 0, time.UTC) }
	for name, tc := range map[string]struct {
		zone           *time.Location
		opens, closes  time.Time
		remind         time.Duration
		want           time.Time
		ok             bool
		wantLocalClock string
	}{
		// Closes Thu 3 Dec 12:00 UTC; remind 3 h before: 09:00 UTC.
		"daytime in Tokyo: as asked": {tokyo, utc(1, 0, 0), utc(3, 12, 0), 3 * time.Hour, utc(3, 9, 0), true, "18:00"},
		// 09:00 UTC is 04:00 in New York; 08:00 there (13:00 UTC) is after
		// the close, so it goes back to 20:30 the evening before.
		"night in New York, closes before morning: evening before": {ny, utc(1, 0, 0), utc(3, 12, 0), 3 * time.Hour, utc(3, 1, 30), true, "20:30"},
		// Closes 18:00 UTC (13:00 NY); 3 h before is 10:00 NY: daytime.
		"daytime in New York": {ny, utc(1, 0, 0), utc(3, 18, 0), 3 * time.Hour, utc(3, 15, 0), true, "10:00"},
		// Closes Fri 4 Dec 15:00 Tokyo (06:00 UTC); 12 h before is 03:00
		// Tokyo: moved on to 08:00 Tokyo, still before the close.
		"night in Tokyo, closes later: next morning": {tokyo, utc(1, 0, 0), utc(4, 6, 0), 12 * time.Hour, utc(3, 23, 0), true, "08:00"},
		// Reminder at 22:30 Tokyo the same evening it is due: 21:00 starts
		// the quiet hours, so 22:30 moves; morning is after the close at
		// 23:30, so back to 20:30.
		"late evening, closes before midnight": {tokyo, utc(1, 0, 0), utc(3, 14, 30), time.Hour, utc(3, 11, 30), true, "20:30"},
		// The window opens at 22:00 and closes at 02:00 Tokyo: no daytime.
		"window only at night: no reminder": {tokyo, utc(3, 13, 0), utc(3, 17, 0), time.Hour, time.Time{}, false, ""},
		// A reminder longer than the window goes at the opening.
		"remind longer than window: at opening": {tokyo, utc(3, 1, 0), utc(3, 3, 0), 5 * time.Hour, utc(3, 1, 0), true, "10:00"},
	} {
		t.Run(name, func(t *testing.T) {
			got, ok := ReminderTime(tc.opens, tc.closes, tc.remind, tc.zone)
			if ok != tc.ok || !got.Equal(tc.want) {
				t.Fatalf("got %v %v, want %v %v", got, ok, tc.want, tc.ok)
			}
			if ok {
				if clock := got.In(tc.zone).Format("15:04"); clock != tc.wantLocalClock {
					t.Errorf("local time %s, want %s", clock, tc.wantLocalClock)
				}
				if Quiet(got, tc.zone) {
					t.Errorf("%v is in the quiet hours", got.In(tc.zone))
				}
			}
		})
	}
}

func TestQuietHoursAreNineToEight(t *testing.T) {
	for h, want := range map[int]bool{20: false, 21: true, 23: true, 0: true, 7: true, 8: false, 12: false} {
		if got := Quiet(time.Date(2026, 12, 3, h, 30, 0, 0, time.UTC), time.UTC); got != want {
			t.Errorf("%02d:30 quiet = %v, want %v", h, got, want)
		}
	}
}
