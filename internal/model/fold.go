package model

// IndexFold returns the index in s of the first instance of sub, with
// ASCII letters compared without case, or -1. Unlike an index found in
// strings.ToLower(s) it is an index into s itself: lower-casing can
// change the length of non-ASCII text (Ⱥ is 2 bytes, ⱥ is 3), so cutting
// s at such an index cuts in the wrong place or past its end.
func IndexFold(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if equalFoldASCII(s[i:i+len(sub)], sub) {
			return i
		}
	}
	return -1
}

func equalFoldASCII(a, b string) bool {
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}
