package jv

// skipped reports whether the member of key k is left out (DecodeLean).
func (p *fastParser) skipped(k string) bool {
	for _, s := range p.skip {
		if k == s {
			return true
		}
	}
	return false
}

// skipValue moves past one value, checking it as value would, without
// building it.
func (p *fastParser) skipValue(depth int) bool {
	p.space()
	if p.i >= len(p.b) {
		return false
	}
	c := p.b[p.i]
	if c == '{' || c == '[' {
		if depth >= MaxDepth || !p.container() {
			return false
		}
		return p.skipContainer(depth + 1)
	}
	if !p.scalar() {
		return false
	}
	switch {
	case c == '"':
		return p.skipString()
	case c == '-' || ('0' <= c && c <= '9'):
		return p.skipNumber()
	case c == 't':
		return p.literal("true")
	case c == 'f':
		return p.literal("false")
	case c == 'n':
		return p.literal("null")
	}
	return false
}

// skipContainer moves past an object or array at p.i.
func (p *fastParser) skipContainer(depth int) bool {
	object := p.b[p.i] == '{'
	end := byte(']')
	if object {
		end = '}'
	}
	p.i++
	p.space()
	if p.i < len(p.b) && p.b[p.i] == end {
		p.i++
		return true
	}
	base := len(p.skippedKeys)
	ok := p.skipMembers(depth, object, end, base)
	p.skippedKeys = p.skippedKeys[:base]
	return ok
}

// skipMembers moves past the members or elements of a container, up to
// its end; base is where its keys start in skippedKeys.
func (p *fastParser) skipMembers(depth int, object bool, end byte, base int) bool {
	for {
		if object {
			p.space()
			k0 := p.i + 1
			if p.i >= len(p.b) || p.b[p.i] != '"' {
				return false
			}
			if k1 := plainKeyEnd(p.b, k0); k1 >= 0 {
				p.i = k1 + 1
				p.notePlainKey(p.b[k0:k1], base)
			} else if !p.skipString() {
				return false
			} else {
				p.noteSkippedKey(p.b[k0:p.i-1], base)
			}
			p.space()
			if p.i >= len(p.b) || p.b[p.i] != ':' {
				return false
			}
			p.i++
		}
		if !p.skipValue(depth) {
			return false
		}
		if more, ok := p.after(end); !more {
			return ok
		}
	}
}

// skipString moves past a string at p.i (the opening quote), checking
// its escapes and control bytes as str does. Invalid UTF-8 is no error
// (str replaces it).
func (p *fastParser) skipString() bool {
	p.i++ // "
	// Most strings hold no escape: find the first quote, backslash or
	// control byte eight bytes at a time; a quote ends the string.
	if j := stringStop(p.b, p.i); j < len(p.b) && p.b[j] == '"' {
		p.i = j + 1
		return true
	}
	for p.i < len(p.b) {
		if p.i = stringStop(p.b, p.i); p.i >= len(p.b) {
			return false
		}
		c := p.b[p.i]
		switch {
		case c == '"':
			p.i++
			return true
		case c < 0x20:
			return false
		case c == '\\':
			if p.i+1 >= len(p.b) {
				return false
			}
			e := p.b[p.i+1]
			p.i += 2
			switch e {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if _, ok := p.hex4(); !ok {
					return false
				}
			default:
				return false
			}
			continue
		}
		p.i++
	}
	return false
}

// noteSkippedKey remembers a key of a skipped object and notes when it
// could read as the same key as one before it in the object (up to case,
// or behind an escape or a non-ASCII byte): the decoder would report such
// keys as a conflict, which a lean decode must not hide (see decode). An
// object of more than maxRawMembers keys is noted too, unchecked: the
// check is quadratic, and the full decode that follows finds conflicts
// by hashing.
func (p *fastParser) noteSkippedKey(k []byte, base int) {
	for _, c := range k {
		if c == '\\' || c >= 0x80 {
			p.skippedConflict = true
			return
		}
	}
	p.notePlainKey(k, base)
}

// notePlainKey is noteSkippedKey for a key known to hold neither an
// escape nor a non-ASCII byte.
func (p *fastParser) notePlainKey(k []byte, base int) {
	if p.skippedConflict {
		return
	}
	if len(p.skippedKeys)-base >= maxRawMembers {
		p.skippedConflict = true
		return
	}
	for _, prev := range p.skippedKeys[base:] {
		if sameKey(unsafeString(prev), unsafeString(k)) {
			p.skippedConflict = true
			return
		}
	}
	p.skippedKeys = append(p.skippedKeys, k)
}
