package simulate

import (
	"strconv"
	"unicode/utf8"
)

// jw appends compact JSON to a byte slice. The generator writes hundreds of
// megabytes per run, so it builds records by appending instead of marshaling
// maps: that is an order of magnitude faster, allocates nothing per record
// and keeps the key order the clouds themselves use.
type jw struct {
	b []byte
	// comma[d] is true when the container at depth d already holds an
	// element, so the next one needs a separating comma.
	comma    []bool
	afterKey bool
}

func (w *jw) reset() {
	w.b = w.b[:0]
	w.comma = w.comma[:0]
	w.afterKey = false
}

// sep writes the comma that must precede a new element, if any.
func (w *jw) sep() {
	if w.afterKey {
		w.afterKey = false
		return
	}
	if n := len(w.comma); n > 0 {
		if w.comma[n-1] {
			w.b = append(w.b, ',')
		}
		w.comma[n-1] = true
	}
}

func (w *jw) obj() {
	w.sep()
	w.b = append(w.b, '{')
	w.comma = append(w.comma, false)
}

func (w *jw) end() {
	w.b = append(w.b, '}')
	w.comma = w.comma[:len(w.comma)-1]
}

func (w *jw) arr() {
	w.sep()
	w.b = append(w.b, '[')
	w.comma = append(w.comma, false)
}

func (w *jw) endArr() {
	w.b = append(w.b, ']')
	w.comma = w.comma[:len(w.comma)-1]
}

func (w *jw) key(k string) {
	w.sep()
	w.b = appendQuoted(w.b, k)
	w.b = append(w.b, ':')
	w.afterKey = true
}

func (w *jw) str(s string) {
	w.sep()
	w.b = appendQuoted(w.b, s)
}

// rawStr writes s between quotes without escaping it: s must already be
// valid JSON string content.
func (w *jw) rawStr(s string) {
	w.sep()
	w.b = append(w.b, '"')
	w.b = append(w.b, s...)
	w.b = append(w.b, '"')
}

func (w *jw) int(n int64) {
	w.sep()
	w.b = strconv.AppendInt(w.b, n, 10)
}

func (w *jw) float(f float64) {
	w.sep()
	w.b = strconv.AppendFloat(w.b, f, 'f', -1, 64)
}

func (w *jw) bool(v bool) {
	w.sep()
	w.b = strconv.AppendBool(w.b, v)
}

func (w *jw) null() {
	w.sep()
	w.b = append(w.b, "null"...)
}

func (w *jw) kstr(k, v string)       { w.key(k); w.str(v) }
func (w *jw) kint(k string, v int64) { w.key(k); w.int(v) }
func (w *jw) kbool(k string, v bool) { w.key(k); w.bool(v) }
func (w *jw) knull(k string)         { w.key(k); w.null() }
func (w *jw) kobj(k string)          { w.key(k); w.obj() }
func (w *jw) karr(k string)          { w.key(k); w.arr() }

// kempty writes "k":{} , the way EC2 logs an empty list.
func (w *jw) kempty(k string) { w.key(k); w.obj(); w.end() }

// strs writes a JSON array of strings.
func (w *jw) strs(k string, vs ...string) {
	w.karr(k)
	for _, v := range vs {
		w.str(v)
	}
	w.endArr()
}

const hexDigits = "0123456789abcdef"

// appendQuoted appends s as a JSON string. Non-ASCII UTF-8 passes through
// unchanged, as the clouds write it.
func appendQuoted(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				b = append(b, s[start:i]...)
				b = append(b, `\ufffd`...)
				i++
				start = i
				continue
			}
			i += size
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default:
			b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		}
		i++
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
