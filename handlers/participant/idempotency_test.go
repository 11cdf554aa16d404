package participant

import (
	"strings"
	"testing"

	"retreat/models"
)

func TestIdempotencyKey(t *testing.T) {
	const k = "0123456789abcdef0123"
	for _, tc := range []struct {
		name, header, field, want string
	}{
		{"quoted header (RFC draft)", `"` + k + `"`, "", k},
		{"bare header", k, "", k},
		{"form field", "", k, k},
		{"header wins", k, "ffffffffffffffffffff", k},
		{"bad header falls back to the field", "short", k, k},
		{"too short", "abc", "", ""},
		{"path characters", "../../../../etc/passwd-x", "", ""},
		{"too long", strings.Repeat("a", 65), "", ""},
		{"half quoted", `"` + k, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := idempotencyKey(tc.header, tc.field); got != tc.want {
				t.Errorf("idempotencyKey(%q, %q) = %q, want %q", tc.header, tc.field, got, tc.want)
			}
		})
	}
}

// FuzzIdempotencyKey: whatever the header and field say, the key is
// either empty or a valid key taken from one of them (it names a database
// row, never a file).
func FuzzIdempotencyKey(f *testing.F) {
	f.Add(`"0123456789abcdef0123"`, "")
	f.Add("", "0123456789abcdef0123")
	f.Add(`""`, `"`)
	f.Add("\x00\xff", "a/b/../c-0123456789")
	f.Fuzz(func(t *testing.T, header, field string) {
		got := idempotencyKey(header, field)
		if got == "" {
			return
		}
		if !models.ValidUploadKey(got) {
			t.Fatalf("invalid key %q accepted", got)
		}
		if !strings.Contains(header, got) && !strings.Contains(field, got) {
			t.Fatalf("key %q is in neither %q nor %q", got, header, field)
		}
	})
}
