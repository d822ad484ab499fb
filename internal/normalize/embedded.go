package normalize

import (
	"bytes"
	"cmp"
	"encoding/json"
	"slices"
	"strings"

	"cloudwall/internal/normalize/jv"
)

// JSON held as text inside a record (an Azure requestbody, a BigQuery
// row's requestJson, a lookup-events CloudTrailEvent, a shipper's _raw)
// is decoded by the parsers last-wins, as the outer record is. Its
// conflicting keys get the same treatment as the record's own: each
// reading is written back into the text, the record is parsed again, and
// the note says which text held the conflict.

// maxEmbedDepth bounds JSON text inside JSON text followed.
const maxEmbedDepth = 3

// embedded is one conflicting key inside JSON text.
type embedded struct {
	where string      // the path of the text in the record
	c     jv.Conflict // the conflict, in the text's decoded object
	// lift makes a change to the text's decoded object visible in the
	// record: it applies mutate, writes the object back as text into the
	// record, undoes mutate, and returns what puts the record back.
	lift func(mutate func() (undo func())) (restore func())
}

// readings is how many readings of e are parsed besides the record's
// own: a duplicate key's last value is what the text already reads.
func (e *embedded) readings() int {
	if caseVariants(&e.c) {
		return len(e.c.Values)
	}
	return len(e.c.Values) - 1
}

// reading sets the record to read the j-th value of e.
func (e *embedded) reading(j int) (restore func()) {
	return e.lift(func() func() { return e.c.Reading(j) })
}

// findEmbedded walks v for strings holding a JSON object that gives a
// key more than once, at most jv.MaxConflicts of them (more counts the
// rest).
func findEmbedded(v any) (found []embedded, more int) {
	w := embedWalker{}
	w.walk(v, "", func(m func() func()) func() { return m() }, 0)
	// Maps are walked in no fixed order: the notes and the conflicts kept
	// past the bound must not change from run to run.
	slices.SortStableFunc(w.found, func(a, b embedded) int {
		return cmp.Or(strings.Compare(a.where, b.where), strings.Compare(a.c.Keys[0], b.c.Keys[0]))
	})
	if len(w.found) > jv.MaxConflicts {
		w.more += len(w.found) - jv.MaxConflicts
		w.found = w.found[:jv.MaxConflicts]
	}
	return w.found, w.more
}

type embedWalker struct {
	found []embedded
	more  int
}

func (w *embedWalker) walk(v any, path string, lift func(func() func()) func(), depth int) {
	switch t := v.(type) {
	case map[string]any:
		for k, x := range t {
			if s, ok := x.(string); ok {
				w.text(t, k, s, join(path, k), lift, depth)
				continue
			}
			w.walk(x, join(path, k), lift, depth)
		}
	case []any:
		for _, x := range t {
			// Text directly in an array is not read as JSON by any
			// parser; objects in it are walked.
			w.walk(x, path+"[]", lift, depth)
		}
	}
}

// text looks into the string s at parent[key].
func (w *embedWalker) text(parent map[string]any, key, s, path string, lift func(func() func()) func(), depth int) {
	if depth >= maxEmbedDepth || len(s) < 8 {
		return
	}
	t := strings.TrimSpace(s)
	if len(t) < 2 || t[0] != '{' || t[len(t)-1] != '}' || strings.IndexByte(t, ':') < 0 {
		return
	}
	inner, conflicts, more, err := jv.DecodeConflicts([]byte(t))
	if err != nil {
		return
	}
	obj, _ := inner.(map[string]any)
	if obj == nil {
		return
	}
	liftIn := func(mutate func() func()) func() {
		return lift(func() func() {
			undo := mutate()
			text := encode(obj)
			undo()
			parent[key] = text
			return func() { parent[key] = s }
		})
	}
	w.more += more
	for _, c := range conflicts {
		w.found = append(w.found, embedded{where: path, c: c, lift: liftIn})
	}
	w.walk(obj, path+" > ", liftIn, depth+1)
}

// join extends a path: "properties.requestbody", and within that text
// "_raw > properties.requestbody".
func join(path, key string) string {
	if path == "" || strings.HasSuffix(path, " > ") {
		return path + key
	}
	return path + "." + key
}

// encode writes a decoded object back as JSON text, as the parsers read
// it (no HTML escaping, numbers as logged).
func encode(v any) string {
	var b bytes.Buffer
	e := json.NewEncoder(&b)
	e.SetEscapeHTML(false)
	if err := e.Encode(v); err != nil {
		return ""
	}
	return strings.TrimSuffix(b.String(), "\n")
}
