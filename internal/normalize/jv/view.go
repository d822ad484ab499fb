package jv

import "unicode/utf8"

// Readers of an Object that build nothing, for values a parser only
// looks at: View for text it compares, ObjNodes for the objects of a
// list it reads field by field. On a decoded map they read as Str and
// Objs do.

// View returns what Str(v, path...) returns. When the value is a plain
// string of an Object (valid UTF-8 without escapes or control bytes,
// which the decoder keeps as it is) it is not built: the text is a view of the
// record's bytes, valid until the Raw is indexed again. Compare it or
// cut from it, and copy (strings.Clone) whatever is kept.
func View(v any, path ...string) string {
	if len(path) > 0 {
		if o, ok := Get(v, path[:len(path)-1]...).(Object); ok {
			if s, ok := o.view(path[len(path)-1]); ok {
				return s
			}
		}
	}
	return Str(v, path...)
}

// view reads the value of key as View does; ok is false when it is not a
// plain string.
func (o Object) view(key string) (string, bool) {
	i, ok := o.find(key)
	if !ok {
		return "", true // Str gives "" for an absent key
	}
	m := o.r.mems[i]
	b := o.r.b
	if b[m.v] != '"' {
		return "", false
	}
	// str's common case: the first byte that needs attention is the
	// closing quote, and the bytes before it are valid UTF-8.
	start := int(m.v) + 1
	j := stringStop(b, start)
	if j >= len(b) || b[j] != '"' || !utf8.Valid(b[start:j]) {
		return "", false
	}
	return unsafeString(b[start:j]), true
}

// ObjNodes returns the objects Objs(v, path...) returns, in order, each as
// Node would give it: when the list is a JSON array in an Object, its
// objects stay Objects read in place instead of being built into maps.
// Anything else (a list given as JSON text, a bare object standing for a
// list, elements that are JSON text) is read by Objs.
func ObjNodes(v any, path ...string) []any {
	if len(path) > 0 {
		if o, ok := Get(v, path[:len(path)-1]...).(Object); ok {
			if out, ok := o.objNodes(path[len(path)-1]); ok {
				return out
			}
		}
	}
	objs := Objs(v, path...)
	if objs == nil {
		return nil
	}
	out := make([]any, len(objs))
	for i, m := range objs {
		out[i] = m
	}
	return out
}

// objNodes reads the array at key in place; ok is false when the value is
// not an array or an element is a string (which may be JSON text of an
// object).
func (o Object) objNodes(key string) ([]any, bool) {
	i, ok := o.find(key)
	if !ok {
		return nil, true // Objs gives nothing for an absent key
	}
	r := o.r
	m := r.mems[i]
	if r.b[m.v] != '[' {
		return nil, false
	}
	p := newParser(r.b, nil)
	p.i = int(m.v) + 1
	var out []any
	next := int32(0) // where the next element's object is looked for
	for {
		p.space()
		if p.i >= len(p.b) {
			return nil, false
		}
		switch p.b[p.i] {
		case ']':
			return out, true
		case ',':
			p.i++
			continue
		case '"':
			return nil, false
		case '{':
			e, ok := r.objectAt(p.i, next)
			if !ok {
				return nil, false
			}
			out = append(out, e)
			next = e.o + 1
		}
		// Numbers, booleans, nulls and arrays are not objects: Objs
		// leaves them out.
		if !p.skipValue(0) { // checked by Index
			return nil, false
		}
	}
}

// objectAt returns the indexed object whose opening brace is at start,
// looking from objs[from] on. Objects are indexed as they close, so the
// objects of one array come in its order, each after the objects inside
// the one before: searching on from the last one found reads each object
// of the record once for the whole array, where searching from the first
// made a long array of objects cost its length squared.
func (r *Raw) objectAt(start int, from int32) (Object, bool) {
	for i := int(from); i < len(r.objs); i++ {
		if int(r.objs[i].start) == start {
			return Object{r, int32(i)}, true
		}
	}
	return Object{}, false
}
