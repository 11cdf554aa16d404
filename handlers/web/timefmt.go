package web

import (
	"strconv"
	"time"

	"retreat/models"
)

// When formats an instant for a viewer in zone viewer, adding the time in the
// event's zone where the two differ: "Fri 27 Nov 18:00 · 02:00 Sat in Tokyo".
// Whether the two zones differ is judged at that instant, so a zone pair that
// only agrees part of the year (daylight saving) is still labelled right.
func When(t time.Time, viewer, event *time.Location, now time.Time) string {
	lt := t.In(viewer)
	s := dayLabel(lt, now.In(viewer)) + " " + lt.Format("15:04")
	et := t.In(event)
	_, vo := lt.Zone()
	_, eo := et.Zone()
	if vo != eo {
		s += " · " + et.Format("15:04")
		if et.YearDay() != lt.YearDay() {
			s += " " + et.Format("Mon")
		}
		s += " in " + models.ZoneCity(event.String())
	}
	return s
}

// dayLabel says "today", "tomorrow", "yesterday", a weekday within the week,
// or a date.
func dayLabel(t, now time.Time) string {
	ty, tm, td := t.Date()
	ny, nm, nd := now.Date()
	days := int(time.Date(ty, tm, td, 0, 0, 0, 0, time.UTC).Sub(time.Date(ny, nm, nd, 0, 0, 0, 0, time.UTC)).Hours() / 24)
	switch {
	case days == 0:
		return "today"
	case days == 1:
		return "tomorrow"
	case days == -1:
		return "yesterday"
	case days > 1 && days < 7:
		return t.Format("Mon")
	case ty == ny:
		return t.Format("Mon 2 Jan")
	default:
		return t.Format("Mon 2 Jan 2006")
	}
}

// Until says roughly how long until t: "in 3 h", "in 2 days", "in 12 min".
func Until(t, now time.Time) string {
	d := t.Sub(now)
	switch {
	case d < time.Minute:
		return "in under a minute"
	case d < time.Hour:
		return "in " + strconv.Itoa(int(d.Minutes())) + " min"
	case d < 48*time.Hour:
		return "in " + strconv.Itoa(int(d.Hours())) + " h"
	default:
		return "in " + strconv.Itoa(int(d.Hours()/24)) + " days"
	}
}

// LocalInput formats t for an <input type="datetime-local"> in loc.
func LocalInput(t *time.Time, loc *time.Location) string {
	if t == nil || t.IsZero() {
		return ""
	}
	return t.In(loc).Format("2006-01-02T15:04")
}

// ParseLocalInput reads a datetime-local value as a time in loc. A blank
// value gives nil. The formats cover browsers that send seconds. Years
// outside 1970–9999 are refused: nobody schedules a retreat there, and
// year 1 in UTC is Go's zero time, which the form would print back as
// blank (found by FuzzParseLocalInput).
func ParseLocalInput(s string, loc *time.Location) (*time.Time, bool) {
	if s == "" {
		return nil, true
	}
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02T15:04:05", "2006-01-02 15:04"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			if y := t.Year(); y < 1970 || y > 9999 {
				return nil, false
			}
			return &t, true
		}
	}
	return nil, false
}
