package models

import (
	"crypto/rand"
	"encoding/base32"
	"encoding/hex"
	"strings"
)

// newToken returns an unguessable URL-safe token with 160 bits of entropy
// (join links, personal return links).
func newToken() string {
	var b [20]byte
	rand.Read(b[:]) // never fails on supported platforms (Go 1.24+)
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:]))
}

// newPhotoID names one stored photo (a folder of original + renditions).
func newPhotoID() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// ValidToken reports whether s has the shape of a token newToken makes, so
// malformed links are refused before any query.
func ValidToken(s string) bool {
	if len(s) != 32 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '2' && r <= '7') {
			return false
		}
	}
	return true
}
