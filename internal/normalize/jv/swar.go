package jv

import (
	"encoding/binary"
	"math/bits"
)

const (
	lo8 = 0x0101010101010101
	hi8 = 0x8080808080808080
)

// zero marks (high bit, before masking) the zero bytes of x; the mark of
// the lowest zero byte is exact.
func zero(x uint64) uint64 { return (x - lo8) &^ x }

// stringStop returns the index of the first quote, backslash or control
// byte in b from i on: where a string that starts before i needs
// attention. It returns len(b) when there is none.
func stringStop(b []byte, i int) int {
	for ; i+8 <= len(b); i += 8 {
		x := binary.LittleEndian.Uint64(b[i:])
		// The lowest mark of each term is exact, so the lowest of the
		// three is the first byte wanted.
		if m := ((x-lo8*0x20)&^x | zero(x^(lo8*'"')) | zero(x^(lo8*'\\'))) & hi8; m != 0 {
			return i + bits.TrailingZeros64(m)/8
		}
	}
	for ; i < len(b); i++ {
		if c := b[i]; c < 0x20 || c == '"' || c == '\\' {
			return i
		}
	}
	return len(b)
}
