package models

import (
	"fmt"
	"time"
)

// ScheduleKind says how a prompt's opening and closing are worked out.
type ScheduleKind string

// Schedules.
const (
	// ScheduleEvent: open for the whole event (a hunt has them all open together).
	ScheduleEvent ScheduleKind = "event"
	// ScheduleWindow: fixed instants, entered in the event's zone.
	ScheduleWindow ScheduleKind = "window"
	// ScheduleDaily: on day N of the event at HH:MM in each participant's own
	// zone, open for some days: breakfast wherever each person is.
	ScheduleDaily ScheduleKind = "daily"
)

// Window returns when the prompt opens and closes for a viewer in zone
// (which matters only for daily prompts).
//
// A daily prompt's day is a calendar date of the event's home zone (day 1 is
// the date the event starts there) and its time is read on that date in the
// viewer's zone: "Tuesday 08:00" means 08:00 on Tuesday in Tokyo for one
// person and 08:00 on Tuesday in New York for another. time.Date normalises
// a wall time skipped or repeated by a daylight-saving change, so the window
// is well defined on those days too.
func (p *Prompt) Window(ev *Event, zone *time.Location) (opens, closes time.Time) {
	switch p.Schedule {
	case ScheduleDaily:
		if zone == nil {
			zone = ev.Location()
		}
		y, m, d := ev.StartsAt.In(ev.Location()).Date()
		day := d + max(p.DailyDay, 1) - 1
		h, min := p.DailyMinute/60, p.DailyMinute%60
		opens = time.Date(y, m, day, h, min, 0, 0, zone)
		closes = time.Date(y, m, day+max(p.DailyDays, 1), h, min, 0, 0, zone)
		return opens.UTC(), closes.UTC()
	default:
		opens, closes = ev.StartsAt, ev.EndsAt
		if p.OpensAt != nil {
			opens = *p.OpensAt
		}
		if p.ClosesAt != nil {
			closes = *p.ClosesAt
		}
		return opens, closes
	}
}

// GraceEnds is the end of the late window after the close (the close
// itself when there is no grace).
func (p *Prompt) GraceEnds(closes time.Time) time.Time {
	return closes.Add(time.Duration(p.GraceMinutes) * time.Minute)
}

// StateAt says where the prompt stands at now for a viewer in zone.
func (p *Prompt) StateAt(ev *Event, zone *time.Location, now time.Time) PromptState {
	opens, closes := p.Window(ev, zone)
	switch {
	case now.Before(opens):
		return StateUpcoming
	case now.Before(closes):
		return StateOpen
	case now.Before(p.GraceEnds(closes)):
		return StateLate
	default:
		return StateClosed
	}
}

// checkOpen returns nil when answers are accepted at now from a participant
// in zone (late ones included), or the sentinel saying why not.
func (p *Prompt) checkOpen(ev *Event, zone *time.Location, now time.Time) error {
	switch p.StateAt(ev, zone, now) {
	case StateUpcoming:
		return ErrNotOpenYet
	case StateClosed:
		return ErrPromptClosed
	}
	return nil
}

// Describe says in words how the prompt is scheduled, for the dashboard.
func (p *Prompt) DescribeSchedule(ev *Event) string {
	switch p.Schedule {
	case ScheduleDaily:
		opens, _ := p.Window(ev, ev.Location())
		s := fmt.Sprintf("Day %d (%s) at %02d:%02d in each participant's zone", max(p.DailyDay, 1),
			opens.In(ev.Location()).Format("Mon 2 Jan"), p.DailyMinute/60, p.DailyMinute%60)
		if p.DailyDays > 1 {
			s += fmt.Sprintf(", open %d days", p.DailyDays)
		}
		return s
	case ScheduleWindow:
		return "Fixed times"
	default:
		return "Open the whole event"
	}
}

// EventDays is how many calendar days the event spans in its home zone.
func (ev *Event) EventDays() int {
	loc := ev.Location()
	sy, sm, sd := ev.StartsAt.In(loc).Date()
	ey, em, ed := ev.EndsAt.In(loc).Date()
	start := time.Date(sy, sm, sd, 0, 0, 0, 0, time.UTC)
	end := time.Date(ey, em, ed, 0, 0, 0, 0, time.UTC)
	return int(end.Sub(start).Hours()/24) + 1
}
