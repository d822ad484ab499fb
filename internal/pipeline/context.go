package pipeline

import (
	"slices"
	"time"

	"cloudwall/internal/correlate"
	"cloudwall/internal/model"
)

// Bounds of the context operations kept for the sequences.
const (
	maxContextPerKey    = 200
	maxContextPerWorker = 100_000
)

// contextBuffer is one worker's share of the context operations: no lock
// on the hot path, merged when the workers are done. A scan keeps tens of
// thousands of them and most share their texts (the same operations,
// sessions and classes), so each is kept as a time and five indexes into
// the buffer's table of texts: a fifth of a correlate.ContextEvent.
type contextBuffer struct {
	on bool
	// lists holds each actor's entries, keys their index by ContextKey.
	lists   [][]contextEntry
	keys    map[string]int
	texts   []string // texts[0] is ""
	index   map[string]uint32
	last    [fields]uint32
	key     []byte // the ContextKey being looked up
	n       int
	dropped int64
}

type contextEntry struct {
	time                                  time.Time
	session, op, resource, class, outcome uint32 // indexes into texts
}

func newContextBuffer(on bool) *contextBuffer {
	return &contextBuffer{on: on, keys: map[string]int{}, texts: []string{""}, index: map[string]uint32{"": 0}}
}

// Fields of a contextEntry, for text's memory of the last of each.
const (
	fieldSession = iota
	fieldOp
	fieldResource
	fieldClass
	fieldOutcome
	fields
)

// text returns the index of s, the value of field f, in the table,
// adding it. A worker's operations come in runs of the same texts, so the
// field's last one is tried first.
func (b *contextBuffer) text(f int, s string) uint32 {
	if last := b.last[f]; s == b.texts[last] {
		return last
	}
	i, ok := b.index[s]
	if !ok {
		i = uint32(len(b.texts))
		b.texts = append(b.texts, s)
		b.index[s] = i
	}
	b.last[f] = i
	return i
}

// add keeps ev when it is a context operation, within the bounds.
func (b *contextBuffer) add(ev *model.Event) {
	if b == nil || !b.on {
		return
	}
	class := correlate.ContextClass(ev)
	if class == "" {
		return
	}
	b.key = correlate.AppendContextKey(b.key[:0], ev.Cloud, ev.Account, ev.Actor)
	if len(b.key) == 0 {
		return
	}
	i, ok := b.keys[string(b.key)]
	if b.n >= maxContextPerWorker || ok && len(b.lists[i]) >= maxContextPerKey {
		b.dropped++
		return
	}
	if !ok {
		i = len(b.lists)
		b.keys[string(b.key)] = i
		b.lists = append(b.lists, nil)
	}
	b.n++
	b.lists[i] = append(b.lists[i], contextEntry{time: ev.Time, session: b.text(fieldSession, correlate.SessionOf(ev.Actor)),
		op: b.text(fieldOp, ev.Operation), resource: b.text(fieldResource, ev.Resource.ID),
		class: b.text(fieldClass, class), outcome: b.text(fieldOutcome, string(ev.Outcome))})
}

// event is the correlate.ContextEvent an entry stands for.
func (b *contextBuffer) event(e contextEntry) correlate.ContextEvent {
	return correlate.ContextEvent{Session: b.texts[e.session], TimelineEntry: model.TimelineEntry{
		Time: e.time, Operation: b.texts[e.op], Outcome: model.Outcome(b.texts[e.outcome]),
		Resource: b.texts[e.resource], Class: b.texts[e.class]}}
}

// mergeContext joins the workers' buffers, each actor's operations in
// time order, the same record read twice (a file given twice) kept once.
// want, when not nil, names the only keys asked for (those of the
// findings): the others are counted but not built.
func mergeContext(bufs []*contextBuffer, want map[string]bool) (correlate.Context, int64) {
	out := correlate.Context{}
	var dropped int64
	for _, b := range bufs {
		dropped += b.dropped
		for k, i := range b.keys {
			if want != nil && !want[k] {
				continue
			}
			for _, e := range b.lists[i] {
				out[k] = append(out[k], b.event(e))
			}
		}
	}
	for k, evs := range out {
		slices.SortFunc(evs, func(a, b correlate.ContextEvent) int {
			if c := a.Time.Compare(b.Time); c != 0 {
				return c
			}
			if a.Operation != b.Operation {
				if a.Operation < b.Operation {
					return -1
				}
				return 1
			}
			return 0
		})
		out[k] = slices.CompactFunc(evs, func(a, b correlate.ContextEvent) bool { return a == b })
	}
	return out, dropped
}

// contextKeys are the keys Sequences looks the findings' context up by.
func contextKeys(fs []model.Finding) map[string]bool {
	keys := map[string]bool{}
	for i := range fs {
		if k := correlate.ContextKey(fs[i].Cloud, fs[i].Account, fs[i].Actor); k != "" {
			keys[k] = true
		}
	}
	return keys
}
