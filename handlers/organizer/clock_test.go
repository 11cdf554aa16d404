package organizer

import "testing"

func TestParseClock(t *testing.T) {
	for in, want := range map[string]int{
		"08:00": 480, "8:00": 480, "08:00:00": 480, "8.30": 510, "0830": 510, "830": 510, "8": 480,
		" 23:59 ": 23*60 + 59, "00:00": 0, "12:05:59": 725,
	} {
		if got, ok := parseClock(in); !ok || got != want {
			t.Errorf("parseClock(%q) = %d, %v; want %d", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "25:00", "24:00", "12:60", "8:5", "-1:00", "12:00:60", "12::00", "1:2:3:4", "breakfast",
		"08:00 am", "123456", "１２:００", "12:0a", ":30", "12:"} {
		if got, ok := parseClock(in); ok {
			t.Errorf("parseClock(%q) = %d, want refused", in, got)
		}
	}
}

func FuzzParseClock(f *testing.F) {
	for _, s := range []string{"08:00", "8.30", "0830", "25:00", "12:00:00", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if m, ok := parseClock(s); ok && (m < 0 || m >= 24*60) {
			t.Fatalf("parseClock(%q) = %d, outside a day", s, m)
		}
	})
}
