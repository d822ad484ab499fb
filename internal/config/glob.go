package config

import "strings"

// Glob is a case-insensitive pattern: '*' matches any run of characters
// (slashes and colons included, so one pattern covers an ARN), '?' one
// character; everything else matches itself.
type Glob string

// NewGlob returns the pattern for s, trimmed and lower-cased.
func NewGlob(s string) Glob { return Glob(strings.ToLower(strings.TrimSpace(s))) }

// Match reports whether s matches the pattern.
func (g Glob) Match(s string) bool {
	return wildcard(string(g), strings.ToLower(s))
}

// String returns the pattern.
func (g Glob) String() string { return string(g) }

// wildcard matches p against s with '*' and '?', iteratively with one
// backtrack point, so hostile patterns cannot make it exponential.
func wildcard(p, s string) bool {
	pi, si := 0, 0
	star, mark := -1, 0
	for si < len(s) {
		switch {
		case pi < len(p) && (p[pi] == '?' || p[pi] == s[si]):
			pi++
			si++
		case pi < len(p) && p[pi] == '*':
			star, mark = pi, si
			pi++
		case star >= 0:
			pi = star + 1
			mark++
			si = mark
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}

// anyMatch reports whether some pattern matches some value; no patterns
// match everything.
func anyMatch(gs []Glob, values ...string) bool {
	if len(gs) == 0 {
		return true
	}
	for _, g := range gs {
		for _, v := range values {
			if v != "" && g.Match(v) {
				return true
			}
		}
	}
	return false
}

// AnyMatch reports whether some pattern matches some non-empty value.
// Unlike a scope field, an empty pattern list matches nothing.
func AnyMatch(gs []Glob, values ...string) bool {
	return len(gs) > 0 && anyMatch(gs, values...)
}
