package normalize

import (
	"bytes"
	"testing"
)

// TestSWARMatchesByteLoop compares the word-at-a-time searches with plain
// byte searches at every position of inputs that hold every byte value.
func TestSWARMatchesByteLoop(t *testing.T) {
	var all []byte
	for c := 0; c < 256; c++ {
		all = append(all, bytes.Repeat([]byte{'a'}, c%11)...)
		all = append(all, byte(c))
	}
	for start := range all {
		b := all[start:]
		if got, want := indexStringStop(b), slowIndex(b, "\"\\\n"); got != want {
			t.Fatalf("indexStringStop at %d = %d, want %d", start, got, want)
		}
		if got, want := indexStructural(b), slowIndex(b, "{}[]\""); got != want {
			t.Fatalf("indexStructural at %d = %d, want %d", start, got, want)
		}
	}
}

func slowIndex(b []byte, set string) int {
	if i := bytes.IndexAny(b, set); i >= 0 {
		return i
	}
	return len(b)
}
