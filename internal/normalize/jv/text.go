package jv

import "hash/maphash"

// text reads the value of key as Str reads it, without building the
// value: a string is unquoted straight into a string (from the intern
// table when short and plain, as the decoder does), never boxed in an
// interface on the way. Most of what a parser reads of a record read in
// place is text, and boxing each string to unbox it again cost an
// allocation for each that missed the intern table.
func (o Object) text(key string) string {
	i, ok := o.find(key)
	if !ok {
		return ""
	}
	return o.r.textAt(i)
}

// textAt is text for mems[i].
func (r *Raw) textAt(i int) string {
	switch {
	case r.have[i]&haveText != 0:
		return r.texts[i]
	case r.have[i]&haveVal != 0:
		return text(r.vals[i])
	}
	m := r.mems[i]
	var s string
	switch c := r.b[m.v]; {
	case c == '"':
		p := &r.p // reused as build reuses it
		p.reread(r.b, int(m.v), r.skip)
		if b, ok := p.shortPlain(); ok {
			s = internText(b)
		} else {
			s, _ = p.str() // checked by Index
		}
	case c == '-' || '0' <= c && c <= '9':
		s = string(r.b[m.v:m.end]) // a json.Number's text
	case c == 't':
		return "true"
	case c == 'f':
		return "false"
	default:
		return "" // null, objects and arrays have no text
	}
	r.texts[i] = s
	r.have[i] |= haveText
	return s
}

// internText is internValue for a string wanted as a string: it shares
// internValue's table, so a value either has read before is a hit.
func internText(b []byte) string {
	h := maphash.Bytes(internSeed, b)
	i := h % uint64(len(valueTable))
	if v := valueTable[i].Load(); v != nil {
		if s := (*v).(string); s == string(b) {
			return s
		}
	}
	s := string(b)
	if valueSeen[i].Swap(h) == h {
		kept := new(any)
		*kept = s
		valueTable[i].Store(kept)
	}
	return s
}
