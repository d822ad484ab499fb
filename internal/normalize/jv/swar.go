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

// plainKeyEnd returns the index of the quote that ends a key starting at
// i, or -1 when the key is not plain (printable ASCII without escapes,
// which the decoder keeps as it is) or not ended: one pass over a key
// where checking its string and then its bytes took two. Azure's claims
// have keys of seventy bytes, read eight at a time.
func plainKeyEnd(b []byte, i int) int {
	for ; i+8 <= len(b); i += 8 {
		x := binary.LittleEndian.Uint64(b[i:])
		// As stringStop, and x marks the bytes of 0x80 or more.
		if m := ((x-lo8*0x20)&^x | zero(x^(lo8*'"')) | zero(x^(lo8*'\\')) | x) & hi8; m != 0 {
			if j := i + bits.TrailingZeros64(m)/8; b[j] == '"' {
				return j
			}
			return -1
		}
	}
	for ; i < len(b); i++ {
		switch c := b[i]; {
		case c == '"':
			return i
		case c < 0x20 || c >= 0x80 || c == '\\':
			return -1
		}
	}
	return -1
}
