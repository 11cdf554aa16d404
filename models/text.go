package models

import (
	"unicode"
	"unicode/utf8"
)

// Text people type for others to read (captions, prompt titles and
// descriptions, text answers) ends up on phones, slides, the dashboard and
// the export's CSV. Two kinds of character there can make it say something
// else than it seems to:
//   - bidirectional controls (the overrides U+202A–U+202E and isolates
//     U+2066–U+2069, the marks U+200E, U+200F, U+061C) reorder what is
//     displayed, on the line and after it: "‮gpj.exe" reads as "exe.jpg",
//     and an unclosed override flips the names printed after a caption;
//   - line breaks in a one-line field split a slide's title or a CSV cell
//     into lines the author of the layout never planned.
// Names refuse both (and every other format character, see cleanName);
// other text refuses bidi controls everywhere and line breaks where a line
// is expected, but keeps joiners and variation selectors, which emoji
// need (👩‍💻 is three code points joined by U+200D).

// IsBidiControl reports whether r is a Unicode bidirectional formatting
// character: an embedding, override or isolate, or an implicit mark.
func IsBidiControl(r rune) bool {
	switch {
	case r == 0x061C, r == 0x200E, r == 0x200F:
		return true
	case r >= 0x202A && r <= 0x202E:
		return true
	case r >= 0x2066 && r <= 0x2069:
		return true
	}
	return false
}

// isLineBreak reports whether r ends a line somewhere: in a browser, a
// text editor or a spreadsheet.
func isLineBreak(r rune) bool {
	switch r {
	case '\n', '\r', '\v', '\f', 0x85, 0x2028, 0x2029:
		return true
	}
	return false
}

// TextProblem says what is wrong with text typed for others to read, in a
// sentence about the field named by what ("The caption"), or "" when
// nothing is. multiline allows line breaks and tabs (a description, a text
// answer); bidi controls, other control characters and invalid UTF-8 are
// refused either way. Length is the caller's rule.
func TextProblem(what, s string, multiline bool) string {
	if !utf8.ValidString(s) {
		return what + " has characters we can't read."
	}
	for _, r := range s {
		switch {
		case IsBidiControl(r):
			return what + " has an invisible character that changes the direction of the text around it (such as U+202E). Remove it: retype the text instead of pasting it."
		case multiline && (isLineBreak(r) || r == '\t'):
		case isLineBreak(r):
			return what + " must fit on one line: remove the line breaks."
		case r == '\t':
			return what + " has a tab in it: use a space instead."
		case unicode.IsControl(r):
			return what + " has characters we can't show. Remove them and try again."
		}
	}
	return ""
}
