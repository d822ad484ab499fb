package normalize

import (
	"encoding/binary"
	"fmt"
	"math/bits"

	"cloudwall/internal/normalize/jv"
)

// valueScanner finds the end of one JSON value, resumably across buffer
// refills. It tracks strings, escapes and bracket nesting; it does not
// check the rest of the grammar.
type valueScanner struct {
	stack   []byte // closers expected, innermost last
	started bool
	inStr   bool
	esc     bool
	scalar  bool // a bare number or literal, which ends at a delimiter
	// prevNL says the byte before the slice given to scan is a line
	// break; the caller sets it before each call.
	prevNL bool
	// cand is the index, in the slice of the last scan call, of the
	// first '{' nested in the value that starts a line: in JSON lines,
	// where the next record begins if this one was cut off. -1: none.
	cand int
}

// MaxDepth bounds how deeply values may nest in a record: real audit
// records nest a dozen levels; a file of a billion '[' would otherwise
// grow the scanner's stack (and the decoder's recursion) without end.
const MaxDepth = jv.MaxDepth

var errTooDeep = &syntaxError{fmt.Sprintf("values nested more than %d deep", MaxDepth)}

// Byte classes, indexed by byte value.
var (
	// scalarEnd marks bytes that end a bare number or literal.
	scalarEnd = func() (t [256]bool) {
		for _, c := range []byte(" \t\r\n,]}") {
			t[c] = true
		}
		return t
	}()
)

func (v *valueScanner) reset() {
	v.stack = v.stack[:0]
	v.started, v.inStr, v.esc, v.scalar = false, false, false, false
	v.cand = -1
}

func (v *valueScanner) scalarPending() bool { return v.started && v.scalar }

// scan consumes the bytes of b that belong to the value and reports how
// many, and whether the value is complete.
func (v *valueScanner) scan(b []byte) (n int, done bool, err error) {
	i := 0
	if !v.started {
		if len(b) == 0 {
			return 0, false, nil
		}
		v.started = true
		switch c := b[0]; {
		case c == '{':
			v.stack = append(v.stack, '}')
		case c == '[':
			v.stack = append(v.stack, ']')
		case c == '"':
			v.inStr = true
		case c == '-' || c >= '0' && c <= '9' || c == 't' || c == 'f' || c == 'n':
			v.scalar = true
		default:
			return 0, false, &syntaxError{"unexpected " + describe(c) + " where a value was expected"}
		}
		i = 1
	}
	for i < len(b) {
		// Fast path, inside an object or array, over whole words with no
		// backslash or line break (a bare top-level string, such as a key
		// the splitter reads, ends at its first quote and takes the byte
		// path below).
		if !v.esc && len(v.stack) > 0 && i+8 <= len(b) {
			var end int
			var err error
			i, end, err = v.words(b, i)
			if err != nil || end > 0 {
				return end, err == nil, err
			}
		}
		if v.esc {
			v.esc = false
			i++
			continue
		}
		if v.scalar {
			for i < len(b) && !scalarEnd[b[i]] {
				i++
			}
			if i < len(b) {
				v.scalar = false
				return i, true, nil
			}
			break
		}
		// Find the next byte that matters in the current state, eight
		// bytes at a time; the word loop is inlined here because this is
		// where a scan spends its time.
		j := i
		for ; j+8 <= len(b); j += 8 {
			x := binary.LittleEndian.Uint64(b[j:])
			var m uint64
			if v.inStr {
				m = eq(x, '"') | eq(x, '\\') | eq(x, '\n')
			} else {
				y := x &^ (lo8 * 0x20) // '{' -> '[', '}' -> ']'
				m = eq(y, '[') | eq(y, ']') | eq(x, '"')
			}
			if m != 0 {
				j += bits.TrailingZeros64(m) / 8
				goto found
			}
		}
		for ; j < len(b); j++ {
			if c := b[j]; v.inStr && (c == '"' || c == '\\' || c == '\n') || !v.inStr && (c == '{' || c == '}' || c == '[' || c == ']' || c == '"') {
				goto found
			}
		}
		return len(b), false, nil
	found:
		i = j
		c := b[i]
		if v.inStr {
			switch c {
			case '"':
				v.inStr = false
				i++
				if len(v.stack) == 0 {
					return i, true, nil
				}
			case '\\':
				v.esc = true
				i++
			default: // '\n'
				return i, false, &syntaxError{"line break inside a string (unterminated string?)"}
			}
			continue
		}
		switch c {
		case '"':
			v.inStr = true
		case '{', '[':
			if len(v.stack) >= MaxDepth {
				return i, false, errTooDeep
			}
			if c == '{' && v.cand < 0 && (i > 0 && b[i-1] == '\n' || i == 0 && v.prevNL) {
				v.cand = i
			}
			v.stack = append(v.stack, c+2) // '{'+2 == '}', '['+2 == ']'
		default: // '}' or ']'
			if len(v.stack) == 0 || v.stack[len(v.stack)-1] != c {
				return i, false, &syntaxError{"mismatched " + describe(c)}
			}
			v.stack = v.stack[:len(v.stack)-1]
			if len(v.stack) == 0 {
				return i + 1, true, nil
			}
		}
		i++
	}
	return i, false, nil
}

// words scans b from i a word at a time while no word holds a backslash or
// a line break, using bit masks for quotes and brackets and a prefix-XOR
// of the quotes to tell which brackets are outside strings. It returns
// where it stopped, and end > 0 when the value closed (end is the index
// after its last byte).
func (v *valueScanner) words(b []byte, i int) (next, end int, err error) {
	// State lives in locals for the loop (a deferred write-back would
	// keep it in memory) and is stored back on every return.
	inStr, stack := v.inStr, v.stack
	for ; i+8 <= len(b); i += 8 {
		x := binary.LittleEndian.Uint64(b[i:])
		if zeroBytes(x^(lo8*'\\'))|zeroBytes(x^(lo8*'\n')) != 0 {
			v.inStr, v.stack = inStr, stack
			return i, 0, nil
		}
		q := eqExact(x, '"')
		y := x &^ (lo8 * 0x20) // '{' -> '[', '}' -> ']'
		br := eqExact(y, '[') | eqExact(y, ']')
		// Prefix-XOR of the quote marks: the high bit of byte k is set when
		// an odd number of quotes stand at or before k.
		inside := q ^ q<<8
		inside ^= inside << 16
		inside ^= inside << 32
		parity := inside >> 63
		if inStr {
			inside ^= hi8
		}
		for br &^= inside; br != 0; br &= br - 1 {
			k := bits.TrailingZeros64(br) / 8
			c := b[i+k]
			if c == '{' || c == '[' {
				if len(stack) >= MaxDepth {
					v.inStr, v.stack = inStr, stack
					return i + k, i + k, errTooDeep
				}
				if c == '{' && v.cand < 0 && (i+k > 0 && b[i+k-1] == '\n' || i+k == 0 && v.prevNL) {
					v.cand = i + k
				}
				stack = append(stack, c+2) // '{'+2 == '}', '['+2 == ']'
				continue
			}
			if len(stack) == 0 || stack[len(stack)-1] != c {
				v.inStr, v.stack = inStr, stack
				return i + k, i + k, &syntaxError{"mismatched " + describe(c)}
			}
			stack = stack[:len(stack)-1]
			if len(stack) == 0 {
				v.inStr, v.stack = inStr, stack
				return i + k + 1, i + k + 1, nil
			}
		}
		inStr = inStr != (parity == 1)
	}
	v.inStr, v.stack = inStr, stack
	return i, 0, nil
}
