package snapshot

import (
	"iter"

	"cloudwall/internal/normalize/jv"
)

// A whole account's snapshot is one JSON document of tens of megabytes
// ({"SecurityGroups":[...]} of 30,000 groups, an AWS Config history, a
// Terraform state), which decoded at once costs ten times its bytes. Its
// long lists are left undecoded instead (lazyList) and read one element
// at a time by the readers (objs), so what a document costs beyond its
// bytes is its largest element and the firewalls read from it.

// lazyPaths names the lists of a document read element by element: a key
// mapped to nil is such a list, one mapped to more paths an object within
// which they are. Each is read by objs where its reader reads it.
var lazyPaths = lazySpec{
	"SecurityGroups":     nil,
	"SecurityGroupRules": nil,
	"NetworkAcls":        nil,
	"NetworkInterfaces":  nil,
	"configurationItems": nil,
	"values":             {"root_module": {"resources": nil, "child_modules": nil}},
}

type lazySpec map[string]lazySpec

// lazyFrom is the size from which a document's lists are read element by
// element; smaller documents are decoded whole (tests lower it to read
// every document in parts).
var lazyFrom = 1 << 20

// lazyList is a list of a document left undecoded: its elements' bytes,
// valid while the record is read.
type lazyList struct {
	elems  [][]byte
	docLen int
}

// decodeRecord decodes one record as jv.DecodeDocument does, leaving the
// lists lazyPaths names in a large object undecoded. A document the parts
// reader does not take (not an object, over the document budget, keys
// the same up to case) is decoded whole, so it reads and fails as before;
// so is every document when whole is set.
func decodeRecord(raw []byte, whole bool) (any, error) {
	if !whole && len(raw) >= lazyFrom && jv.SkimDocument(raw) {
		if m, ok := decodeParts(raw, len(raw), lazyPaths); ok {
			return m, nil
		}
	}
	return jv.DecodeDocument(raw)
}

// decodeParts decodes the object v, part of a document of docLen bytes,
// leaving the lists spec names as lazyLists.
func decodeParts(v []byte, docLen int, spec lazySpec) (map[string]any, bool) {
	ms, ok := jv.Members(v)
	if !ok {
		return nil, false
	}
	m := make(map[string]any, len(ms))
	for _, mb := range ms {
		sub, lazy := spec[mb.Key]
		switch {
		case lazy && sub == nil && mb.Value[0] == '[':
			es, ok := jv.Elements(mb.Value)
			if !ok {
				return nil, false
			}
			m[mb.Key] = &lazyList{elems: es, docLen: docLen}
			continue
		case lazy && sub != nil && mb.Value[0] == '{':
			if o, ok := decodeParts(mb.Value, docLen, sub); ok {
				m[mb.Key] = o
				continue
			}
		}
		x, err := jv.DecodePart(mb.Value, docLen)
		if err != nil {
			return nil, false
		}
		m[mb.Key] = x
	}
	return m, true
}

// objs is jv.Objs(v, path...) one object at a time: a lazyList's elements
// are decoded as they are reached, and each is garbage once its reader
// has read it.
func objs(v any, path ...string) iter.Seq[map[string]any] {
	return func(yield func(map[string]any) bool) {
		l, ok := jv.Get(v, path...).(*lazyList)
		if !ok {
			for _, o := range jv.Objs(v, path...) {
				if !yield(o) {
					return
				}
			}
			return
		}
		for _, e := range l.elems {
			x, err := jv.DecodePart(e, l.docLen)
			if err != nil {
				continue // SkimDocument took the document: not reached
			}
			if o := jv.Obj(x); o != nil && !yield(o) {
				return
			}
		}
	}
}
