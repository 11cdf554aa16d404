package models

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// FuzzParsePromptList checks a pasted list never panics and that what it
// accepts is valid: a title of at most 200 characters and points in range.
func FuzzParsePromptList(f *testing.F) {
	for _, s := range []string{"A swing | 10\n\nAge 8", "| 5", "- a\n* b\n• c\n3. d", "x | y | 7", strings.Repeat("z", 250), "a |\r\nb|-1"} {
		f.Add(s, false)
		f.Add(s, true)
	}
	ev := &Event{TimeZone: "UTC", StartsAt: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC), EndsAt: time.Date(2026, 12, 4, 17, 0, 0, 0, time.UTC)}
	f.Fuzz(func(t *testing.T, text string, daily bool) {
		list, err := ParsePromptList(ev, text, ImportOptions{Kind: KindPhoto, Points: 10, Daily: daily, DailyMinute: 480, DailyDays: 1})
		if err != nil {
			if list != nil {
				t.Fatal("a refused list returned prompts")
			}
			return
		}
		for i, in := range list {
			if in.Title == "" || utf8.RuneCountInString(in.Title) > 200 || in.Points < 0 || in.Points > MaxPoints {
				t.Fatalf("prompt %d accepted: %+v", i, in)
			}
			if daily && in.DailyDay != i+1 {
				t.Fatalf("daily prompt %d on day %d", i, in.DailyDay)
			}
		}
	})
}
