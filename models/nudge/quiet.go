package nudge

import "time"

// Quiet hours, in each participant's own zone: no scheduled nudge between
// 21:00 and 08:00.
const (
	QuietStartHour = 21
	QuietEndHour   = 8
	// lastCall is how long before the quiet hours a reminder moved back out
	// of them goes: 20:30, leaving the once-a-minute runner plenty of time
	// to send it before 21:00.
	lastCall = 30 * time.Minute
)

// Quiet reports whether t falls in the quiet hours of zone.
func Quiet(t time.Time, zone *time.Location) bool {
	h := t.In(zone).Hour()
	return h >= QuietStartHour || h < QuietEndHour
}

// ReminderTime is when the scheduled reminder of a window [opens, closes)
// goes out for someone in zone: remind before the close (at the opening if
// the window is shorter than that). When that moment falls in the quiet
// hours it moves:
//
//   - forward to 08:00, if that is still before the close;
//   - otherwise back to 20:30 the evening before (earlier than asked, but
//     in daytime), if the prompt is open by then;
//   - otherwise nowhere: the window has no daytime before its close, so
//     ok is false and no scheduled reminder is sent (an organizer can still
//     nudge by hand).
func ReminderTime(opens, closes time.Time, remind time.Duration, zone *time.Location) (at time.Time, ok bool) {
	at = closes.Add(-remind)
	if at.Before(opens) {
		at = opens
	}
	if !Quiet(at, zone) {
		return at, true
	}
	local := at.In(zone)
	y, m, d := local.Date()
	// The quiet night at belongs to started at 21:00 on its evening.
	evening := d
	if local.Hour() < QuietEndHour {
		evening = d - 1
	}
	morning := time.Date(y, m, evening+1, QuietEndHour, 0, 0, 0, zone)
	if morning.Before(closes) {
		return morning, true
	}
	before := time.Date(y, m, evening, QuietStartHour, 0, 0, 0, zone).Add(-lastCall)
	if !before.Before(opens) {
		return before, true
	}
	return time.Time{}, false
}
