package jv

// Reading a large document in parts. A snapshot of a whole account is one
// JSON document of tens of megabytes ({"SecurityGroups":[...]}), and
// decoded at once it costs ten times its bytes. These readers check the
// document as DecodeDocument would, building nothing, then cut it into
// the byte spans of its members and elements, so the caller decodes one
// element at a time (DecodePart) and lets go of it before the next.

// Member is one member of an object read in place: its key, decoded, and
// the bytes of its value.
type Member struct {
	Key   string
	Value []byte
}

// SkimDocument reports whether DecodeDocument's fast reader takes b whole
// within the document budget, building nothing. When it does, the parts
// Members and Elements cut from b decode with DecodePart to what they are
// in the document decoded whole. When it does not, decode b whole, for
// its error or for the slower reader.
func SkimDocument(b []byte) bool {
	p := newParser(b, nil)
	p.left = documentDensity.budget(len(b))
	if !p.skipValue(0) {
		return false
	}
	p.space()
	// whole accepts a closing bracket after the value: so does this.
	return p.i == len(b) || b[p.i] == ']' || b[p.i] == '}'
}

// Members cuts v, an object within a document SkimDocument took, into
// its members in order. ok is false when v is not an object, or when two
// of its keys are the same up to letter case: decoded whole, the last of
// them would win, so such an object is decoded whole.
func Members(v []byte) (ms []Member, ok bool) {
	p := fastParser{b: v, left: budget{containers: len(v), scalars: len(v)}}
	p.space()
	if p.i >= len(v) || v[p.i] != '{' {
		return nil, false
	}
	p.i++
	p.space()
	if p.i < len(v) && v[p.i] == '}' {
		return nil, true
	}
	for {
		p.space()
		if p.i >= len(v) || v[p.i] != '"' {
			return nil, false
		}
		k, ok := p.key()
		if !ok {
			return nil, false
		}
		for _, m := range ms {
			if sameKey(m.Key, k) {
				return nil, false
			}
		}
		p.space()
		if p.i >= len(v) || v[p.i] != ':' {
			return nil, false
		}
		p.i++
		p.space()
		start := p.i
		if !p.skipValue(0) {
			return nil, false
		}
		ms = append(ms, Member{Key: k, Value: v[start:p.i]})
		if more, ok := p.after('}'); !ok {
			return nil, false
		} else if !more {
			return ms, true
		}
	}
}

// Elements cuts v, an array within a document SkimDocument took, into the
// bytes of its elements in order; ok is false when v is not an array.
func Elements(v []byte) (es [][]byte, ok bool) {
	p := fastParser{b: v, left: budget{containers: len(v), scalars: len(v)}}
	p.space()
	if p.i >= len(v) || v[p.i] != '[' {
		return nil, false
	}
	p.i++
	p.space()
	if p.i < len(v) && v[p.i] == ']' {
		return nil, true
	}
	for {
		p.space()
		start := p.i
		if !p.skipValue(0) {
			return nil, false
		}
		es = append(es, v[start:p.i])
		if more, ok := p.after(']'); !ok {
			return nil, false
		} else if !more {
			return es, true
		}
	}
}

// DecodePart decodes part, a member's value or an element cut from a
// document of docLen bytes that SkimDocument took, within that document's
// budget (the document was counted whole when it was skimmed).
func DecodePart(part []byte, docLen int) (any, error) {
	p := newParser(part, nil)
	p.left = documentDensity.budget(max(docLen, len(part)))
	return p.decode(documentDensity)
}
