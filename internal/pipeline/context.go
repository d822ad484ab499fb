package pipeline

import (
	"slices"

	"cloudwall/internal/correlate"
	"cloudwall/internal/model"
)

// Bounds of the context operations kept for the sequences.
const (
	maxContextPerKey    = 200
	maxContextPerWorker = 100_000
)

// contextBuffer is one worker's share of the context operations: no lock
// on the hot path, merged when the workers are done.
type contextBuffer struct {
	on      bool
	by      correlate.Context
	n       int
	dropped int64
}

func newContextBuffer(on bool) *contextBuffer {
	return &contextBuffer{on: on, by: correlate.Context{}}
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
	k := correlate.ContextKey(ev.Cloud, ev.Account, ev.Actor)
	if k == "" {
		return
	}
	if b.n >= maxContextPerWorker || len(b.by[k]) >= maxContextPerKey {
		b.dropped++
		return
	}
	b.n++
	b.by[k] = append(b.by[k], correlate.ContextEvent{Session: correlate.SessionOf(ev.Actor), TimelineEntry: model.TimelineEntry{
		Time: ev.Time, Operation: ev.Operation, Outcome: ev.Outcome, Resource: ev.Resource.ID, Class: class}})
}

// mergeContext joins the workers' buffers, each actor's operations in
// time order, the same record read twice (a file given twice) kept once.
func mergeContext(bufs []*contextBuffer) (correlate.Context, int64) {
	out := correlate.Context{}
	var dropped int64
	for _, b := range bufs {
		dropped += b.dropped
		for k, evs := range b.by {
			out[k] = append(out[k], evs...)
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
