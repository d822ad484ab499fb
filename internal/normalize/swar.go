package normalize

import (
	"encoding/binary"
	"math/bits"
)

// The splitter spends its time looking for a few byte values: quotes,
// backslashes and line breaks inside strings, brackets and quotes outside.
// These helpers test eight bytes per step with word arithmetic ("SIMD
// within a register"), which is several times faster than a byte loop.

const (
	lo8 = 0x0101010101010101
	hi8 = 0x8080808080808080
)

// zeroBytes marks (with the high bit) the bytes of x that are zero. Bits
// above the lowest mark can be false positives, the lowest never is.
func zeroBytes(x uint64) uint64 { return (x - lo8) &^ x & hi8 }

// eq marks bytes of x equal to c.
func eq(x uint64, c byte) uint64 { return zeroBytes(x ^ (lo8 * uint64(c))) }

// indexStringStop returns the index of the first '"', '\\' or '\n' in b,
// or len(b).
func indexStringStop(b []byte) int {
	i := 0
	for ; i+8 <= len(b); i += 8 {
		x := binary.LittleEndian.Uint64(b[i:])
		if m := eq(x, '"') | eq(x, '\\') | eq(x, '\n'); m != 0 {
			return i + bits.TrailingZeros64(m)/8
		}
	}
	for ; i < len(b); i++ {
		if c := b[i]; c == '"' || c == '\\' || c == '\n' {
			return i
		}
	}
	return i
}

// indexStructural returns the index of the first '{', '}', '[', ']' or
// '"' in b, or len(b). Clearing bit 5 maps '{' to '[' and '}' to ']', so
// two tests cover four brackets.
func indexStructural(b []byte) int {
	i := 0
	for ; i+8 <= len(b); i += 8 {
		x := binary.LittleEndian.Uint64(b[i:])
		y := x &^ (lo8 * 0x20)
		if m := eq(y, '[') | eq(y, ']') | eq(x, '"'); m != 0 {
			return i + bits.TrailingZeros64(m)/8
		}
	}
	for ; i < len(b); i++ {
		switch b[i] {
		case '{', '}', '[', ']', '"':
			return i
		}
	}
	return i
}

// eqExact marks, exactly, the bytes of x equal to c (no false positives,
// unlike zeroBytes), so the marks can be used as a whole mask.
func eqExact(x uint64, c byte) uint64 {
	v := x ^ (lo8 * uint64(c))
	t := (v & 0x7f7f7f7f7f7f7f7f) + 0x7f7f7f7f7f7f7f7f
	return ^(t | v | 0x7f7f7f7f7f7f7f7f)
}
