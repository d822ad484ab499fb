package normalize

// valueScanner finds the end of one JSON value, resumably across buffer
// refills. It tracks strings, escapes and bracket nesting; it does not
// check the rest of the grammar.
type valueScanner struct {
	stack   []byte // closers expected, innermost last
	started bool
	inStr   bool
	esc     bool
	scalar  bool // a bare number or literal, which ends at a delimiter
}

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
		if v.esc {
			v.esc = false
			i++
			continue
		}
		if v.inStr {
			i += indexStringStop(b[i:])
			if i == len(b) {
				break
			}
			switch b[i] {
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
		i += indexStructural(b[i:])
		if i == len(b) {
			break
		}
		switch c := b[i]; c {
		case '"':
			v.inStr = true
		case '{':
			v.stack = append(v.stack, '}')
		case '[':
			v.stack = append(v.stack, ']')
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
