package jv

import "encoding/binary"

const (
	lo8 = 0x0101010101010101
	hi8 = 0x8080808080808080
)

// plainRun returns how many bytes of b, from the start, are string bytes
// needing no attention: none a quote, a backslash or a control byte. It
// tests eight bytes per step with word arithmetic and stops at the word
// holding the first such byte, so the caller's byte loop finds it.
func plainRun(b []byte) int {
	i := 0
	for ; i+8 <= len(b); i += 8 {
		x := binary.LittleEndian.Uint64(b[i:])
		// (x - lo8*n) &^ x & hi8 is non-zero exactly when some byte of x
		// is below n (for n <= 0x80); a quote or backslash is found as a
		// zero byte of x XOR that byte.
		stop := (x-lo8*0x20)&^x | zero(x^(lo8*'"')) | zero(x^(lo8*'\\'))
		if stop&hi8 != 0 {
			return i
		}
	}
	return i
}

// zero marks (high bit, before masking) the zero bytes of x; the mark of
// the lowest zero byte is exact.
func zero(x uint64) uint64 { return (x - lo8) &^ x }

// plain reports whether b holds no backslash and no control byte.
func plain(b []byte) bool {
	i := 0
	var stop uint64
	for ; i+8 <= len(b); i += 8 {
		x := binary.LittleEndian.Uint64(b[i:])
		stop |= (x-lo8*0x20)&^x | zero(x^(lo8*'\\'))
	}
	for ; i < len(b); i++ {
		if c := b[i]; c < 0x20 || c == '\\' {
			return false
		}
	}
	return stop&hi8 == 0
}
