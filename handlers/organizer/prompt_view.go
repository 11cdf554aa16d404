package organizer

import (
	"fmt"
	"time"

	"retreat/handlers/web"
	"retreat/models"
)

// promptSchedule is a prompt's schedule as the dashboard prints it: in
// words, and as instants in the organizer's zone with the event's beside.
type promptSchedule struct {
	// State is where the prompt stands for anyone (a daily prompt is open
	// while it is open somewhere).
	State models.PromptState
	// ScheduleText says in words how it is scheduled.
	ScheduleText string
	// Opens and Closes are the window (for a daily prompt: first opening and
	// last closing across time zones).
	Opens  string
	Closes string
	// Spread is set for daily prompts, whose window differs per zone.
	Spread bool
	// Late describes the grace window ("" without one); Remind the nudge.
	Late   string
	Remind string
	// First and Last disable the move-up and move-down arrows at the ends.
	First bool
	Last  bool
}

func scheduleOf(ev *models.Event, p *models.Prompt, viewer *time.Location, now time.Time, i, n int) promptSchedule {
	home := ev.Location()
	opens, closes := p.Span(ev)
	s := promptSchedule{
		State: p.StateAnywhere(ev, now), ScheduleText: p.DescribeSchedule(ev),
		Opens: web.When(opens, viewer, home, now), Closes: web.When(closes, viewer, home, now),
		Spread: p.Schedule == models.ScheduleDaily, First: i == 0, Last: i == n-1,
	}
	if p.GraceMinutes > 0 {
		if s.Spread {
			s.Late = fmt.Sprintf("Late answers count %d%% for %s after each close", p.LatePercent, minutes(p.GraceMinutes))
		} else {
			s.Late = fmt.Sprintf("Late answers count %d%% until %s", p.LatePercent, web.When(p.GraceEnds(closes), viewer, home, now))
		}
	}
	if p.RemindMinutes > 0 {
		s.Remind = fmt.Sprintf("Reminder %s before the close", minutes(p.RemindMinutes))
	}
	return s
}

// minutes prints a duration typed in minutes the way people say it:
// "45 min", "2 h", "1 h 30 min", "2 days".
func minutes(m int) string {
	switch {
	case m < 60:
		return fmt.Sprintf("%d min", m)
	case m%(24*60) == 0:
		d := m / (24 * 60)
		if d == 1 {
			return "1 day"
		}
		return fmt.Sprintf("%d days", d)
	case m%60 == 0:
		return fmt.Sprintf("%d h", m/60)
	default:
		return fmt.Sprintf("%d h %d min", m/60, m%60)
	}
}

// zoneNote says which zone dashboard times are in.
func zoneNote(viewer *time.Location, ev *models.Event) string {
	if viewer.String() == ev.TimeZone {
		return fmt.Sprintf("Times are in %s time, the event's zone.", models.ZoneCity(ev.TimeZone))
	}
	return fmt.Sprintf("Times are in your zone (%s), with %s time, the event's, beside them where it differs.",
		models.ZoneCity(viewer.String()), models.ZoneCity(ev.TimeZone))
}
