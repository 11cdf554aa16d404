package models

import (
	"strings"
	"testing"
)

func TestTextProblem(t *testing.T) {
	cases := []struct {
		name      string
		in        string
		multiline bool
		want      string // a part of the message; "" for none
	}{
		{"plain", "Our desk, day 2", false, ""},
		{"emoji joined by ZWJ", "👩\u200d💻 at work 🇵🇹", false, ""},
		{"right-to-left script", "שלום עולם", false, ""},
		{"override", "my \u202egpj.exe", false, "direction"},
		{"isolate", "a \u2066b\u2069", false, "direction"},
		{"mark", "x\u200fy", true, "direction"},
		{"override in a description", "line one\n\u202Eline two", true, "direction"},
		{"newline", "first\nsecond", false, "one line"},
		{"carriage return", "first\rsecond", false, "one line"},
		{"line separator", "first\u2028second", false, "one line"},
		{"next line", "first\u0085second", false, "one line"},
		{"tab", "a\tb", false, "tab"},
		{"newline in a description", "first\r\nsecond\tthird", true, ""},
		{"NUL", "a\x00b", true, "can't show"},
		{"escape", "a\x1b[31mred", false, "can't show"},
		{"invalid UTF-8", "a\xffb", false, "can't read"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := TextProblem("The caption", tc.in, tc.multiline)
			switch {
			case tc.want == "" && got != "":
				t.Errorf("TextProblem(%q) = %q, want none", tc.in, got)
			case tc.want != "" && !strings.Contains(got, tc.want):
				t.Errorf("TextProblem(%q) = %q, want a message about %q", tc.in, got, tc.want)
			case tc.want != "" && !strings.HasPrefix(got, "The caption "):
				t.Errorf("TextProblem(%q) = %q, want it to name the field", tc.in, got)
			}
		})
	}
}

// TestNamesRefuseWhatTextRefuses: a participant's name is stricter than
// other text (no format characters at all), so nothing TextProblem refuses
// in one line gets through as a name.
func TestNamesRefuseWhatTextRefuses(t *testing.T) {
	for _, s := range []string{"Bea\u202e", "\u2066Bea", "Bea\u200f"} {
		if _, problem := validParticipantName(s); problem == "" {
			t.Errorf("name %q accepted", s)
		}
	}
}
