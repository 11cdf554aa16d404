package web

import (
	"encoding/base64"
	"strings"
	"testing"
)

func TestMaskedTokensCarryTheirSecretOnly(t *testing.T) {
	secret, other := newCSRFSecret(), newCSRFSecret()
	seen := map[string]bool{}
	for range 100 {
		tok := maskCSRF(secret)
		if seen[tok] {
			t.Fatalf("mask repeated: %q", tok)
		}
		seen[tok] = true
		if !csrfTokenMatches(tok, secret) {
			t.Fatalf("masked token %q does not carry its secret", tok)
		}
		if csrfTokenMatches(tok, other) {
			t.Fatalf("masked token %q carries another secret", tok)
		}
		if strings.Contains(tok, secret) {
			t.Fatalf("masked token %q shows the secret", tok)
		}
	}
	if !csrfTokenMatches(secret, secret) {
		t.Error("the bare secret (what scripts read from the cookie) is refused")
	}
	for _, bad := range []string{"", secret[:42], secret + "A", " " + secret, strings.ToUpper(secret), "null"} {
		if bad != secret && csrfTokenMatches(bad, secret) {
			t.Errorf("token %q accepted", bad)
		}
	}
	if validCSRFSecret("") || validCSRFSecret("tok") || !validCSRFSecret(secret) {
		t.Error("secret validation")
	}
}

// FuzzCSRFToken checks arbitrary tokens (they come straight from a header,
// the query or a form) against a secret: never a panic, and a match only
// for a token that carries it, bare or under a pad.
func FuzzCSRFToken(f *testing.F) {
	secret := newCSRFSecret()
	for _, s := range []string{"", secret, maskCSRF(secret), maskCSRF(newCSRFSecret()), "====", strings.Repeat("A", 86), strings.Repeat("A", 43), "\x00\xff"} {
		f.Add(s)
	}
	want, _ := base64.RawURLEncoding.DecodeString(secret)
	f.Fuzz(func(t *testing.T, token string) {
		if !csrfTokenMatches(token, secret) {
			return
		}
		got, err := base64.RawURLEncoding.DecodeString(token)
		if err != nil {
			t.Fatalf("accepted a token that is not base64: %q", token)
		}
		switch len(got) {
		case len(want):
			if string(got) != string(want) {
				t.Fatalf("accepted %q, not the secret", token)
			}
		case 2 * len(want):
			for i := range want {
				if got[i]^got[len(want)+i] != want[i] {
					t.Fatalf("accepted %q, which does not unmask to the secret", token)
				}
			}
		default:
			t.Fatalf("accepted a token of %d bytes", len(got))
		}
	})
}
