package web

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// windowsReserved are names Windows refuses for a file or folder whatever
// the extension.
var windowsReserved = map[string]bool{"CON": true, "PRN": true, "AUX": true, "NUL": true,
	"COM1": true, "COM2": true, "COM3": true, "COM4": true, "COM5": true, "COM6": true, "COM7": true, "COM8": true, "COM9": true,
	"LPT1": true, "LPT2": true, "LPT3": true, "LPT4": true, "LPT5": true, "LPT6": true, "LPT7": true, "LPT8": true, "LPT9": true}

// SafeName keeps the letters and digits of s (any script: "Zoë", "山田"),
// turns every run of anything else into one dash, and cuts it to max
// characters; fallback stands in when nothing is left. Downloads (the
// export, the offline deck) name their files with it, so no name can climb
// out of a folder or trip a file system.
func SafeName(s string, max int, fallback string) string {
	var b strings.Builder
	dash := false
	n := 0
	for _, r := range s {
		if n >= max {
			break
		}
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
				n++
			}
			dash = false
			b.WriteRune(r)
			n++
			continue
		}
		dash = true
	}
	out := strings.TrimRight(b.String(), "-")
	if out == "" || !utf8.ValidString(out) {
		return fallback
	}
	if windowsReserved[strings.ToUpper(out)] {
		out += "-"
	}
	return out
}
