// Package calendar writes iCalendar (.ics) files of prompt openings with
// github.com/arran4/golang-ical: one event per prompt at the moment it opens
// for the reader, in the reader's own time zone, so a phone's calendar
// shows "08:00" for someone in Tokyo and "08:00" for someone in New York.
package calendar

import (
	"fmt"
	"io"
	"time"

	ics "github.com/arran4/golang-ical"
)

// Entry is one prompt opening.
type Entry struct {
	// UID stays the same across downloads, so importing the file again
	// updates the events instead of adding copies.
	UID         string
	Title       string
	Description string
	URL         string
	Opens       time.Time
	Closes      time.Time
}

// reminderLength is how long each event lasts in the calendar: a short slot
// at the opening (the prompt itself stays open much longer, which the
// description says), shown as free time.
const reminderLength = 15 * time.Minute

// localFormat is an iCalendar local date-time, read in the zone its TZID names.
const localFormat = "20060102T150405"

// Write writes a calendar named name to w: a VTIMEZONE describing zone over
// the span of the entries, then one VEVENT per entry starting at its
// opening, written as wall time in zone (DTSTART;TZID=…), with an alert at
// that moment. stamp is the DTSTAMP of every event (the time of the export).
func Write(w io.Writer, name string, zone *time.Location, entries []Entry, stamp time.Time) error {
	cal := ics.NewCalendarFor("Retreat")
	cal.SetMethod(ics.MethodPublish)
	cal.SetName(name)
	cal.SetXWRCalName(name)
	cal.SetXWRTimezone(zone.String())
	if len(entries) > 0 {
		from, to := entries[0].Opens, entries[0].Opens
		for _, e := range entries {
			if e.Opens.Before(from) {
				from = e.Opens
			}
			if e.Opens.After(to) {
				to = e.Opens
			}
		}
		cal.AddVTimezone(Timezone(zone, from.Add(-48*time.Hour), to.Add(48*time.Hour)))
	}
	tzid := ics.WithTZID(zone.String())
	for _, e := range entries {
		ev := cal.AddEvent(e.UID)
		ev.SetDtStampTime(stamp)
		ev.SetProperty(ics.ComponentPropertyDtStart, e.Opens.In(zone).Format(localFormat), tzid)
		ev.SetProperty(ics.ComponentPropertyDtEnd, e.Opens.Add(reminderLength).In(zone).Format(localFormat), tzid)
		ev.SetSummary(e.Title)
		if e.Description != "" {
			ev.SetDescription(e.Description)
		}
		if e.URL != "" {
			ev.SetURL(e.URL)
		}
		ev.SetTimeTransparency(ics.TransparencyTransparent)
		alarm := ev.AddAlarm()
		alarm.SetAction(ics.ActionDisplay)
		alarm.SetTrigger("PT0M")
		alarm.SetProperty(ics.ComponentPropertyDescription, e.Title)
	}
	if err := cal.SerializeTo(w); err != nil {
		return fmt.Errorf("write calendar: %w", err)
	}
	return nil
}

// Timezone describes zone between from and to as a VTIMEZONE: the offset in
// force at from, then one observance per change of offset (daylight saving)
// up to to. Go's zone database has no rules to print as RRULEs, so each
// change is listed as it happens, which RFC 5545 allows and every
// calendar reads.
func Timezone(zone *time.Location, from, to time.Time) *ics.VTimezone {
	tz := ics.NewTimezone(zone.String())
	prev := from.In(zone)
	_, prevOffset := prev.Zone()
	addObservance(tz, prev, prevOffset)
	// Offsets change at most a few times a year and never twice within a
	// day, so scanning day by day and bisecting finds every change.
	for t := from.Add(24 * time.Hour); ; t = t.Add(24 * time.Hour) {
		if t.After(to) {
			t = to
		}
		if _, off := t.In(zone).Zone(); off != prevOffset {
			change := bisect(zone, prev, t, prevOffset)
			addObservance(tz, change.In(zone), prevOffset)
			_, prevOffset = change.In(zone).Zone()
		}
		prev = t
		if !t.Before(to) {
			break
		}
	}
	return tz
}

// bisect finds the first second after lo at which zone's offset is no
// longer offset (it is at lo, and not at hi).
func bisect(zone *time.Location, lo, hi time.Time, offset int) time.Time {
	for hi.Sub(lo) > time.Second {
		mid := lo.Add(hi.Sub(lo) / 2).Truncate(time.Second)
		if _, off := mid.In(zone).Zone(); off == offset {
			lo = mid
		} else {
			hi = mid
		}
	}
	return hi
}

// addObservance adds a STANDARD or DAYLIGHT block starting at at (a time in
// the zone), whose DTSTART is the wall time in the offset in force just
// before (fromOffset), as RFC 5545 asks: 02:00 for New York's spring change.
func addObservance(tz *ics.VTimezone, at time.Time, fromOffset int) {
	name, toOffset := at.Zone()
	var c *ics.ComponentBase
	if at.IsDST() {
		d := &ics.Daylight{}
		tz.Components = append(tz.Components, d)
		c = &d.ComponentBase
	} else {
		s := tz.AddStandard()
		c = &s.ComponentBase
	}
	wall := at.UTC().Add(time.Duration(fromOffset) * time.Second)
	c.SetProperty(ics.ComponentPropertyDtStart, wall.Format(localFormat))
	c.SetProperty(ics.ComponentProperty(ics.PropertyTzoffsetfrom), offsetString(fromOffset))
	c.SetProperty(ics.ComponentProperty(ics.PropertyTzoffsetto), offsetString(toOffset))
	c.SetProperty(ics.ComponentProperty(ics.PropertyTzname), name)
}

// offsetString writes seconds east of UTC as iCalendar's UTC-OFFSET: "+0900".
func offsetString(sec int) string {
	sign := '+'
	if sec < 0 {
		sign, sec = '-', -sec
	}
	s := fmt.Sprintf("%c%02d%02d", sign, sec/3600, sec/60%60)
	if sec%60 != 0 {
		s += fmt.Sprintf("%02d", sec%60)
	}
	return s
}
