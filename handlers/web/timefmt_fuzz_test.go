package web_test

import (
	"testing"
	"time"

	"retreat/handlers/web"
)

// FuzzParseLocalInput reads arbitrary datetime-local values in a few zones
// (one with DST gaps and overlaps, one far east, one with a half-hour
// offset). What it accepts prints back (LocalInput) to a value that reads
// as the same wall-clock minute: the form shows what was stored. (Not
// got.Truncate(time.Minute): before 1912 Lisbon was 36 min 45 s off UTC,
// so a local minute is not a UTC minute. Found by this target.)
func FuzzParseLocalInput(f *testing.F) {
	for _, s := range []string{"2026-12-07T09:00", "2026-12-07T09:00:59", "2026-12-07 09:00", "", "2026-03-29T01:30",
		"2026-10-25T01:30", "0000-01-01T00:00", "9999-12-31T23:59", "2026-02-30T10:00", "2026-12-07T24:00", "garbage"} {
		f.Add(s, uint8(0))
	}
	zones := []string{"UTC", "Europe/Lisbon", "Pacific/Kiritimati", "Asia/Kolkata", "America/St_Johns"}
	locs := make([]*time.Location, len(zones))
	for i, z := range zones {
		loc, err := time.LoadLocation(z)
		if err != nil {
			f.Fatal(err)
		}
		locs[i] = loc
	}
	f.Fuzz(func(t *testing.T, s string, zone uint8) {
		loc := locs[int(zone)%len(locs)]
		got, ok := web.ParseLocalInput(s, loc)
		switch {
		case !ok:
			if got != nil {
				t.Fatalf("refused %q but returned %v", s, got)
			}
			return
		case s == "":
			if got != nil {
				t.Fatalf("blank gave %v", got)
			}
			return
		case got == nil:
			t.Fatalf("accepted %q without a time", s)
		}
		printed := web.LocalInput(got, loc)
		again, ok := web.ParseLocalInput(printed, loc)
		if !ok || again == nil {
			t.Fatalf("%q read as %v prints as %q, which does not read back", s, got, printed)
		}
		w := got.In(loc)
		if want := time.Date(w.Year(), w.Month(), w.Day(), w.Hour(), w.Minute(), 0, 0, loc); !again.Equal(want) {
			t.Fatalf("%q in %s: read %v, printed %q, read back %v", s, loc, got, printed, again)
		}
	})
}
