package normalize

import (
	"bytes"
	"strings"
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

func TestEqExact(t *testing.T) {
	for c := range 256 {
		for v := range 256 {
			x := uint64(v) | 0x4142434445464700 // one variable byte among letters
			want := uint64(0)
			if v == c {
				want = 0x80
			}
			for k := 1; k < 8; k++ {
				if byte(x>>(8*k)) == byte(c) {
					want |= 0x80 << (8 * k)
				}
			}
			if got := eqExact(x, byte(c)); got != want {
				t.Fatalf("eqExact(%#x, %#x) = %#x, want %#x", x, c, got, want)
			}
		}
	}
}

// TestScanFastPathMatchesSlow feeds the same inputs to the scanner whole
// and one byte at a time (which never takes the word path).
func TestScanFastPathMatchesSlow(t *testing.T) {
	inputs := []string{
		`{"a":"b{c}","d":[1,2,{"e":"]"}]}`,
		`{"a":"x\"}"}`,
		`{"k":"` + strings.Repeat("z", 37) + `"}`,
		`"top level string with {brackets} inside"`,
		`[[[[[[[[[[]]]]]]]]]]`,
		`{"a":"line` + "\n" + `break"}`,
		`{"a":1]`,
		`{"Records":[{"eventName":"AuthorizeSecurityGroupIngress","requestParameters":{"ipPermissions":{"items":[{"ipRanges":{"items":[{"cidrIp":"0.0.0.0/0"}]}}]}}}]}`,
	}
	for _, in := range inputs {
		for cut := 0; cut <= len(in); cut++ {
			var fast valueScanner
			n1, d1, e1 := fast.scan([]byte(in))
			var slow valueScanner
			n2, d2, e2 := 0, false, error(nil)
			for n2 < len(in) && !d2 && e2 == nil {
				var k int
				k, d2, e2 = slow.scan([]byte(in[n2 : n2+1]))
				n2 += k
				if k == 0 && !d2 && e2 == nil {
					break
				}
			}
			if n1 != n2 || d1 != d2 || (e1 == nil) != (e2 == nil) {
				t.Errorf("%q: word scan (%d, %v, %v), byte scan (%d, %v, %v)", in, n1, d1, e1, n2, d2, e2)
			}
		}
	}
}
