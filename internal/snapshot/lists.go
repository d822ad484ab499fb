package snapshot

import (
	"cloudwall/internal/model"
)

// streamedLists are the long lists of an account's snapshot that the
// splitter streams element by element (normalize.Splitter.Lists), so that
// a describe-security-groups of a gigabyte never sits in memory: each
// element is read as the document holding only it would be, and the
// document is counted, dated and reported as one record, as when it is
// read whole (Options.Whole). They are the top-level lists of lazyPaths,
// which a document the splitter hands over whole reads lazily instead.
var streamedLists = topLists(lazyPaths)

// topLists are the keys of spec that name a list at its own level.
func topLists(spec lazySpec) map[string]bool {
	m := map[string]bool{}
	for k, sub := range spec {
		if sub == nil {
			m[k] = true
		}
	}
	return m
}

// streamLists is off in tests that compare the lazy reading of a whole
// document with decoding it at once.
var streamLists = true

// listDoc is a document whose list is being streamed: what its elements
// made of it so far.
type listDoc struct {
	key    string
	src    model.SourceRef
	offset int64
	n      int
	read   bool
	first  result // the first element's result, for a list of one
	left   []string
}

// element reads one element of d's list.
func (b *builder) element(d *listDoc, data []byte) {
	d.n++
	v, err := decodeRecord(data, true)
	if err != nil {
		d.left = append(d.left, "an unreadable element: invalid JSON: "+err.Error())
		if d.n == 1 {
			d.first = result{known: true, err: "invalid JSON: " + err.Error()}
		}
		return
	}
	r := b.record(map[string]any{d.key: []any{v}}, d.src)
	if d.n == 1 {
		d.first = r
	}
	switch {
	case !r.known:
		d.left = append(d.left, "an element of unknown shape ("+keyList(v)+")")
	case r.err != "":
		d.left = append(d.left, "an unreadable element: "+r.err)
	case r.skip != "":
		d.left = append(d.left, r.skip)
	default:
		d.read = true
	}
}

// endList tallies d as one record: read when an element was, with the
// others named as parts left out; otherwise as its one element, or as
// the document without elements, reads.
func (b *builder) endList(d *listDoc) bool {
	b.sum.Records++
	var res result
	switch {
	case d.read:
		for _, why := range d.left {
			b.skipPart(d.src, why)
		}
		res = recognised
	case d.n == 1:
		res = d.first
	default:
		res = b.record(map[string]any{d.key: []any{}}, d.src)
	}
	return b.tally(res, map[string]any{d.key: nil}, "", d.src, d.offset)
}
