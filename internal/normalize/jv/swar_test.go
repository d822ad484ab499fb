package jv

import (
	"math/rand/v2"
	"testing"
)

// plainKeyEndBytes is plainKeyEnd a byte at a time.
func plainKeyEndBytes(b []byte, i int) int {
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

// TestPlainKeyEnd compares the eight-at-a-time reading with the byte
// loop on keys holding each kind of byte at each place.
func TestPlainKeyEnd(t *testing.T) {
	special := []byte{'"', '\\', 0x00, 0x1f, 0x20, 0x7f, 0x80, 0xff, 'a', 'Z', '!', '#'}
	rng := rand.New(rand.NewPCG(1, 2))
	for n := 0; n < 40; n++ {
		for range 200 {
			b := make([]byte, n)
			for i := range b {
				if rng.IntN(8) == 0 {
					b[i] = special[rng.IntN(len(special))]
				} else {
					b[i] = byte('a' + rng.IntN(26))
				}
			}
			for i := 0; i <= n; i++ {
				if got, want := plainKeyEnd(b, i), plainKeyEndBytes(b, i); got != want {
					t.Fatalf("plainKeyEnd(%q, %d) = %d, want %d", b, i, got, want)
				}
			}
		}
	}
}
