package jv

import (
	"strings"
	"unicode/utf8"
)

// Parsers compare logged names with lower-case ASCII words whatever case
// the record spells them in. These do what strings.ToLower and a compare
// do, without the lower-case copy of ASCII text.

// LowerHasSuffix is strings.HasSuffix(strings.ToLower(s), suffix) for a
// lower-case ASCII suffix. When s ends in as many ASCII bytes, they are
// its last runes (no ASCII byte is part of another rune) and ToLower
// lowers them in place, whatever comes before.
func LowerHasSuffix(s, suffix string) bool {
	if len(s) < len(suffix) {
		return strings.HasSuffix(strings.ToLower(s), suffix)
	}
	tail := s[len(s)-len(suffix):]
	if !isASCII(tail) {
		return strings.HasSuffix(strings.ToLower(s), suffix)
	}
	return strings.EqualFold(tail, suffix)
}

// LowerIs is strings.ToLower(s) == t for a lower-case ASCII t.
func LowerIs(s, t string) bool {
	if !isASCII(s) {
		return strings.ToLower(s) == t
	}
	return strings.EqualFold(s, t)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
