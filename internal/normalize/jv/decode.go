package jv

import (
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// fastDecode parses one JSON value into the same Go values as
// encoding/json with UseNumber (map[string]any, []any, string,
// json.Number, bool, nil): strings are unescaped the same way, invalid
// UTF-8 and lone surrogates become U+FFFD, a repeated key keeps its last
// value. It does one pass over raw without encoding/json's reflection and
// scanner state machine, which is most of the cost of decoding the
// records the prefilter keeps (a scan with correlations decodes every
// firewall read and "who am I" call around a change).
//
// ok is false for anything it does not accept: invalid JSON, nesting past
// MaxDepth, trailing data. The caller then decodes with encoding/json,
// which gives the error its usual words; FuzzFastDecode checks that both
// accept the same inputs and give the same values.
func fastDecode(raw []byte) (v any, ok bool) {
	p := newParser(raw, nil)
	return p.whole()
}

// whole reads p's bytes as one value and what may follow it.
func (p *fastParser) whole() (v any, ok bool) {
	v, ok = p.value(0)
	if !ok {
		return nil, false
	}
	p.space()
	// encoding/json's Decoder.More, which Decode's caller asks, reports
	// no more data before a closing bracket: accept what it accepts.
	if p.i < len(p.b) && p.b[p.i] != ']' && p.b[p.i] != '}' {
		return nil, false
	}
	return v, true
}

// fastParser copies each string on its own: cutting them from one copy of
// the record would save allocations, but an event that keeps one field
// would keep the whole record alive.
type fastParser struct {
	b []byte
	i int
	// keys and vals hold the members of the objects being read, innermost
	// last, so a key given twice (or in two letter cases) is found with
	// every value it was given.
	keys      []string
	vals      []any
	conflicts []Conflict
	more      int
	// skip names keys whose values are checked but not kept (DecodeLean);
	// skippedKeys holds the keys of the skipped objects being checked,
	// and skippedConflict is set when two of one object may be the same.
	skip            []string
	skippedKeys     [][]byte
	skippedConflict bool
	keyBuf          [32]string
	valBuf          [32]any
	// left is what the record's budget still allows; over is set when a
	// value was refused for want of it.
	left budget
	over bool
}

func (p *fastParser) space() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *fastParser) value(depth int) (any, bool) {
	p.space()
	if p.i >= len(p.b) {
		return nil, false
	}
	c := p.b[p.i]
	if c == '{' || c == '[' {
		if depth >= MaxDepth || !p.container() {
			return nil, false
		}
		if c == '{' {
			return p.object(depth + 1)
		}
		return p.array(depth + 1)
	}
	if !p.scalar() {
		return nil, false
	}
	switch {
	case c == '"':
		return p.text()
	case c == '-' || ('0' <= c && c <= '9'):
		return p.number()
	case c == 't':
		return true, p.literal("true")
	case c == 'f':
		return false, p.literal("false")
	case c == 'n':
		return nil, p.literal("null")
	}
	return nil, false
}

func (p *fastParser) literal(word string) bool {
	if len(p.b)-p.i < len(word) || string(p.b[p.i:p.i+len(word)]) != word {
		return false
	}
	p.i += len(word)
	return true
}

func (p *fastParser) object(depth int) (any, bool) {
	p.i++ // {
	p.space()
	if p.i < len(p.b) && p.b[p.i] == '}' {
		p.i++
		return map[string]any{}, true
	}
	if p.keys == nil {
		p.keys, p.vals = p.keyBuf[:0], p.valBuf[:0]
	}
	// The members are gathered first and the map made at its size once
	// the object ends: growing a map as members come is most of the cost
	// of an object.
	start := len(p.keys)
	for {
		p.space()
		if p.i >= len(p.b) || p.b[p.i] != '"' {
			return nil, false
		}
		k, ok := p.key()
		if !ok {
			return nil, false
		}
		p.space()
		if p.i >= len(p.b) || p.b[p.i] != ':' {
			return nil, false
		}
		p.i++
		if p.skipped(k) {
			if !p.skipValue(depth) {
				return nil, false
			}
		} else {
			v, ok := p.value(depth)
			if !ok {
				return nil, false
			}
			p.keys, p.vals = append(p.keys, k), append(p.vals, v)
		}
		if more, ok := p.after('}'); !ok {
			return nil, false
		} else if !more {
			m := make(map[string]any, len(p.keys)-start)
			for j, k := range p.keys[start:] {
				m[k] = p.vals[start+j] // a repeated key keeps its last value
			}
			p.conflict(m, start)
			clear(p.vals[start:])
			p.keys, p.vals = p.keys[:start], p.vals[:start]
			return m, true
		}
	}
}

// after reads what follows a member or an element: a comma, when more
// follow, or end, which closes the container.
func (p *fastParser) after(end byte) (more, ok bool) {
	p.space()
	if p.i >= len(p.b) {
		return false, false
	}
	switch p.b[p.i] {
	case ',':
		p.i++
		return true, true
	case end:
		p.i++
		return false, true
	}
	return false, false
}

func (p *fastParser) array(depth int) (any, bool) {
	p.i++ // [
	a := []any{}
	p.space()
	if p.i < len(p.b) && p.b[p.i] == ']' {
		p.i++
		return a, true
	}
	for {
		v, ok := p.value(depth)
		if !ok {
			return nil, false
		}
		a = append(a, v)
		if more, ok := p.after(']'); !ok {
			return nil, false
		} else if !more {
			return a, true
		}
	}
}

// number checks the JSON number grammar and keeps the text.
func (p *fastParser) number() (any, bool) {
	start := p.i
	if !p.skipNumber() {
		return nil, false
	}
	return json.Number(p.b[start:p.i]), true
}

// skipNumber moves past a number, checking its grammar.
func (p *fastParser) skipNumber() bool {
	b := p.b
	if p.i < len(b) && b[p.i] == '-' {
		p.i++
	}
	switch {
	case p.i < len(b) && b[p.i] == '0':
		p.i++
	case p.i < len(b) && '1' <= b[p.i] && b[p.i] <= '9':
		for p.i < len(b) && '0' <= b[p.i] && b[p.i] <= '9' {
			p.i++
		}
	default:
		return false
	}
	if p.i < len(b) && b[p.i] == '.' {
		p.i++
		if !p.digits() {
			return false
		}
	}
	if p.i < len(b) && (b[p.i] == 'e' || b[p.i] == 'E') {
		p.i++
		if p.i < len(b) && (b[p.i] == '+' || b[p.i] == '-') {
			p.i++
		}
		if !p.digits() {
			return false
		}
	}
	return true
}

func (p *fastParser) digits() bool {
	start := p.i
	for p.i < len(p.b) && '0' <= p.b[p.i] && p.b[p.i] <= '9' {
		p.i++
	}
	return p.i > start
}

// text reads a string value. A short plain one comes from the intern
// table already boxed: the same account ids, regions, services and
// identity types fill every record, and each would cost two allocations.
func (p *fastParser) text() (any, bool) {
	if b, ok := p.shortPlain(); ok {
		return internValue(b), true
	}
	s, ok := p.str()
	if !ok {
		return nil, false
	}
	return s, true
}

// key reads an object key: as str, but a plain key is taken from the
// intern table, since records repeat the same few dozen keys.
func (p *fastParser) key() (string, bool) {
	if b, ok := p.shortPlain(); ok {
		return intern(b), true
	}
	return p.str()
}

// shortPlain reads the string at p.i when it is at most maxInterned
// bytes of ASCII without escapes, and returns its bytes; else it leaves
// p.i where it was.
func (p *fastParser) shortPlain() ([]byte, bool) {
	start := p.i + 1
	for j := start; j < len(p.b) && j-start <= maxInterned; j++ {
		switch c := p.b[j]; {
		case c == '"':
			p.i = j + 1
			return p.b[start:j], true
		case c == '\\' || c < 0x20 || c >= 0x80:
			return nil, false
		}
	}
	return nil, false
}

// str reads a string at p.i (the opening quote) and unescapes it.
func (p *fastParser) str() (string, bool) {
	p.i++ // "
	start := p.i
	// The common case: no escapes, ASCII or valid UTF-8, no control bytes.
	for p.i < len(p.b) {
		if p.i = stringStop(p.b, p.i); p.i >= len(p.b) {
			break
		}
		c := p.b[p.i]
		switch {
		case c == '"':
			s := p.b[start:p.i]
			p.i++
			if !utf8.Valid(s) {
				return string(fixUTF8(s)), true
			}
			return string(s), true
		case c == '\\':
			return p.slowStr(start)
		case c < 0x20:
			return "", false
		}
		p.i++
	}
	return "", false
}

// slowStr unescapes a string with escapes from start (after the quote),
// as encoding/json's unquote does.
func (p *fastParser) slowStr(start int) (string, bool) {
	out := make([]byte, 0, p.i-start+16)
	out = append(out, p.b[start:p.i]...)
	for p.i < len(p.b) {
		c := p.b[p.i]
		switch {
		case c == '"':
			p.i++
			return string(fixUTF8(out)), true
		case c < 0x20:
			return "", false
		case c != '\\':
			out = append(out, c)
			p.i++
			continue
		}
		// An escape.
		if p.i+1 >= len(p.b) {
			return "", false
		}
		e := p.b[p.i+1]
		p.i += 2
		switch e {
		case '"', '\\', '/':
			out = append(out, e)
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, ok := p.hex4()
			if !ok {
				return "", false
			}
			if utf16.IsSurrogate(r) {
				// A pair when a low surrogate follows; else U+FFFD.
				if p.i+1 < len(p.b) && p.b[p.i] == '\\' && p.b[p.i+1] == 'u' {
					save := p.i
					p.i += 2
					r2, ok := p.hex4()
					if !ok {
						return "", false
					}
					if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
						out = utf8.AppendRune(out, dec)
						break
					}
					p.i = save
				}
				r = utf8.RuneError
			}
			out = utf8.AppendRune(out, r)
		default:
			return "", false
		}
	}
	return "", false
}

func (p *fastParser) hex4() (rune, bool) {
	if len(p.b)-p.i < 4 {
		return 0, false
	}
	n, err := strconv.ParseUint(string(p.b[p.i:p.i+4]), 16, 32)
	if err != nil {
		return 0, false
	}
	p.i += 4
	return rune(n), true
}

// fixUTF8 replaces each invalid UTF-8 byte with U+FFFD, as encoding/json
// does.
func fixUTF8(s []byte) []byte {
	if utf8.Valid(s) {
		return s
	}
	out := make([]byte, 0, len(s)+8)
	for len(s) > 0 {
		r, n := utf8.DecodeRune(s)
		if r == utf8.RuneError && n == 1 {
			out = utf8.AppendRune(out, utf8.RuneError)
		} else {
			out = append(out, s[:n]...)
		}
		s = s[n:]
	}
	return out
}

// MaxConflicts bounds the conflicts one record reports; past it they are
// counted.
const MaxConflicts = 8

// Conflict is a key an object gives more than once: repeated, or in
// letter-case variants (cidrIp and CidrIp). The decoded object keeps the
// last value of a repeated key, as encoding/json does, and Field reads
// one of the variants; a reader that must judge the worst reading sets
// each in turn (Reading).
type Conflict struct {
	Obj map[string]any
	// Keys and Values are every spelling and value, in record order.
	Keys   []string
	Values []any
}

// Reading sets the object to hold only the i-th value, under its
// spelling, and returns the function that puts the object back.
func (c *Conflict) Reading(i int) (restore func()) {
	saved := map[string]any{}
	for _, k := range c.Keys {
		if v, ok := c.Obj[k]; ok {
			saved[k] = v
		}
		delete(c.Obj, k)
	}
	c.Obj[c.Keys[i]] = c.Values[i]
	return func() {
		for _, k := range c.Keys {
			delete(c.Obj, k)
		}
		for k, v := range saved {
			c.Obj[k] = v
		}
	}
}

// conflict records the keys of the object just read (members from start
// on) that are repeated or differ only in letter case. Objects of up to
// 64 keys are compared pairwise (lengths first), larger ones through a
// map, so a hostile object of many keys costs time linear in them.
func (p *fastParser) conflict(m map[string]any, start int) {
	keys := p.keys[start:]
	if len(m) == len(keys) && len(keys) < 2 {
		return
	}
	var groups [][]int
	if len(keys) <= 64 {
		// Keys are compared by a hash of their lower-case bytes first.
		var used [64]bool
		var folded [64]uint64
		for i, k := range keys {
			folded[i] = foldHash(k)
		}
		for i := range keys {
			if used[i] {
				continue
			}
			var g []int
			for j := i + 1; j < len(keys); j++ {
				if !used[j] && folded[j] == folded[i] && sameKey(keys[i], keys[j]) {
					used[j] = true
					g = append(g, j)
				}
			}
			if g != nil {
				groups = append(groups, append([]int{i}, g...))
			}
		}
	} else {
		by := map[string][]int{}
		var order []string
		for i, k := range keys {
			f := strings.ToLower(k)
			if by[f] == nil {
				order = append(order, f)
			}
			by[f] = append(by[f], i)
		}
		for _, f := range order {
			if len(by[f]) > 1 {
				groups = append(groups, by[f])
			}
		}
	}
	for _, g := range groups {
		same := true
		for _, i := range g[1:] {
			same = same && reflect.DeepEqual(p.vals[start+i], p.vals[start+g[0]])
		}
		if same {
			continue // spelled twice, read the same either way
		}
		if len(p.conflicts) >= MaxConflicts {
			p.more++
			continue
		}
		c := Conflict{Obj: m}
		for _, i := range g {
			c.Keys = append(c.Keys, keys[i])
			c.Values = append(c.Values, p.vals[start+i])
		}
		p.conflicts = append(p.conflicts, c)
	}
}

// foldHash hashes k's bytes with ASCII letters lower-cased (FNV-1a) and
// its length, so keys equal up to case hash the same.
func foldHash(k string) uint64 {
	h := uint64(14695981039346656037) ^ uint64(len(k))
	for i := 0; i < len(k); i++ {
		c := k[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		h = (h ^ uint64(c)) * 1099511628211
	}
	return h
}

// DecodeLean is DecodeConflicts that leaves out, at any depth, the
// members whose key is one of skip (exact spelling): their values are
// checked as JSON but not built, so a record read only for who did what
// and when costs little. Records the fast decoder refuses are decoded in
// full by encoding/json.
func DecodeLean(raw []byte, skip []string) (v any, conflicts []Conflict, more int, err error) {
	return decode(raw, skip)
}

// DecodeConflicts is Decode that also returns the keys the record gives
// more than once, at most MaxConflicts of them, and how many more there
// were. Records encoding/json must decode (invalid for the fast decoder)
// report none.
func DecodeConflicts(raw []byte) (v any, conflicts []Conflict, more int, err error) {
	return decode(raw, nil)
}

func decode(raw []byte, skip []string) (v any, conflicts []Conflict, more int, err error) {
	p := newParser(raw, skip)
	if v, ok := p.value(0); ok {
		p.space()
		if p.skippedConflict {
			// A conflict left out would change what the record says:
			// it is decoded in full.
			return decode(raw, nil)
		}
		if p.i >= len(p.b) || p.b[p.i] == ']' || p.b[p.i] == '}' {
			return v, p.conflicts, p.more, nil
		}
	}
	if p.over {
		return nil, nil, 0, budgetError(len(raw))
	}
	v, err = decodeStd(raw)
	return v, nil, 0, err
}
