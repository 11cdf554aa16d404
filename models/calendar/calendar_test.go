package calendar

import (
	"bytes"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"
)

func TestTimezoneListsEachDaylightSavingChange(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	from := time.Date(2027, 1, 10, 0, 0, 0, 0, time.UTC)
	to := time.Date(2027, 12, 10, 0, 0, 0, 0, time.UTC)
	tz := Timezone(ny, from, to)
	var got []string
	for _, c := range tz.Components {
		var cb *ics.ComponentBase
		kind := "STANDARD"
		switch o := c.(type) {
		case *ics.Standard:
			cb = &o.ComponentBase
		case *ics.Daylight:
			cb, kind = &o.ComponentBase, "DAYLIGHT"
		}
		got = append(got, strings.Join([]string{kind,
			cb.GetProperty(ics.ComponentPropertyDtStart).Value,
			cb.GetProperty(ics.ComponentProperty(ics.PropertyTzoffsetfrom)).Value,
			cb.GetProperty(ics.ComponentProperty(ics.PropertyTzoffsetto)).Value,
			cb.GetProperty(ics.ComponentProperty(ics.PropertyTzname)).Value}, " "))
	}
	want := []string{
		"STANDARD 20270109T190000 -0500 -0500 EST",
		"DAYLIGHT 20270314T020000 -0500 -0400 EDT", // clocks go from 02:00 to 03:00
		"STANDARD 20271107T020000 -0400 -0500 EST", // and from 02:00 back to 01:00
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("VTIMEZONE observances:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestWriteRoundTripsAcrossAClockChange(t *testing.T) {
	ny, _ := time.LoadLocation("America/New_York")
	// Openings at 08:00 the day before and the day after the spring change.
	entries := []Entry{
		{UID: "a@x", Title: "Before", Opens: time.Date(2027, 3, 13, 8, 0, 0, 0, ny)},
		{UID: "b@x", Title: "After, with a comma, and; semicolon", Opens: time.Date(2027, 3, 15, 8, 0, 0, 0, ny), URL: "https://x/e/1"},
	}
	var buf bytes.Buffer
	if err := Write(&buf, "Spring hunt", ny, entries, time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	cal, err := ics.ParseCalendar(&buf)
	if err != nil {
		t.Fatal(err)
	}
	evs := cal.Events()
	if len(evs) != 2 {
		t.Fatalf("%d events", len(evs))
	}
	for i, e := range evs {
		start, err := e.GetStartAt()
		if err != nil || !start.Equal(entries[i].Opens) {
			t.Errorf("event %d starts %v (%v), want %v", i, start, err, entries[i].Opens)
		}
		if v := e.GetProperty(ics.ComponentPropertyDtStart).Value; !strings.HasSuffix(v, "T080000") {
			t.Errorf("event %d DTSTART %q, want 08:00 wall time", i, v)
		}
		if s := e.GetProperty(ics.ComponentPropertySummary).Value; s != entries[i].Title {
			t.Errorf("summary %q, want %q", s, entries[i].Title)
		}
		if len(e.Alarms()) != 1 {
			t.Errorf("event %d has %d alarms, want one at the opening", i, len(e.Alarms()))
		}
	}
}
