package pipeline

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"cloudwall/internal/correlate"
	"cloudwall/internal/model"
	"cloudwall/internal/spill"
)

// Bounds of the context operations held in memory for the sequences.
// Past them an operation goes to a temporary file, and only those near a
// finding's change are read back (see mergeContext): a scan of any size
// keeps the story of every change, in bounded memory.
const (
	maxContextPerKey    = 200
	maxContextPerWorker = 100_000
	// contextSpillHeld are the operations a worker's file holds in memory
	// before writing them.
	contextSpillHeld = 8192
	// maxContextOnDisk bounds the workers' files together (about 100
	// bytes each): a scan's temporary files hold at most about 1 GB.
	maxContextOnDisk = 10_000_000
	// maxChangeMinutes bounds the minutes of firewall changes a worker
	// remembers per actor (changeMinute), for reading the disk back when
	// the findings are spilled too.
	maxChangeMinutes = 200_000
	// maxChangeKeyBytes bounds the bytes of their actors' keys: actor
	// names and ids of up to normalize.MaxText bytes each would otherwise
	// take 400 MB at maxChangeMinutes.
	maxChangeKeyBytes = 8 << 20
	// What is read back from disk: the nearest so many to each change,
	// at most so many in all.
	maxContextPerChange = 200
	maxContextLoaded    = 200_000
)

// contextBuffer is one worker's share of the context operations: no lock
// on the hot path, merged when the workers are done. A scan keeps tens of
// thousands of them and most share their texts (the same operations,
// sessions and classes), so each is kept as a time and five indexes into
// the buffer's table of texts: a fifth of a correlate.ContextEvent. Those
// past the bounds go to disk whole (spilledContext).
type contextBuffer struct {
	on bool
	// lists holds each actor's entries, keys their index by ContextKey.
	lists [][]contextEntry
	keys  map[string]int
	texts []string // texts[0] is ""
	index map[string]uint32
	last  [fields]uint32
	key   []byte // the ContextKey being looked up
	n     int
	// disk holds the operations past the bounds (nil until the first);
	// diskErr is why it stopped taking them, dropped how many it did not
	// take since, full how many came when it held its share of
	// maxContextOnDisk (onDisk).
	disk    *spill.Sorter[spilledContext]
	spilled int64
	diskErr error
	dropped int64
	full    int64
	onDisk  int64
	// changes are the minutes in which each actor changed a firewall;
	// changesFull says some were past maxChangeMinutes or
	// maxChangeKeyBytes; changeBytes is the bytes of their keys.
	changes     map[changeMinute]struct{}
	changesFull bool
	changeBytes int64
}

// contextEntry holds no pointer, so that the collector never reads the
// lists: a time in Unix seconds and nanoseconds (UTC, as the parsers give
// it; any year) and indexes into texts.
type contextEntry struct {
	sec                                         int64
	nsec, session, op, resource, class, outcome uint32
}

// newContextBuffer returns the buffer of one of workers workers.
func newContextBuffer(on bool, workers int) *contextBuffer {
	return &contextBuffer{on: on, keys: map[string]int{}, texts: []string{""}, index: map[string]uint32{"": 0},
		onDisk: maxContextOnDisk / int64(max(workers, 1))}
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
		b.toDisk(ev, class)
		return
	}
	if !ok {
		i = len(b.lists)
		b.keys[string(b.key)] = i
		b.lists = append(b.lists, nil)
	}
	b.n++
	b.lists[i] = append(b.lists[i], contextEntry{sec: ev.Time.Unix(), nsec: uint32(ev.Time.Nanosecond()), session: b.text(fieldSession, correlate.SessionOf(ev.Actor)),
		op: b.text(fieldOp, ev.Operation), resource: b.text(fieldResource, ev.Resource.ID),
		class: b.text(fieldClass, class), outcome: b.text(fieldOutcome, string(ev.Outcome))})
}

// noFinding keeps, as context, an event of a catalogued operation that
// gave no finding once its records were folded: a call refused for lack
// of permission that changed no firewall (an instance's user data, a
// storage account's settings) is a denial in its actor's timeline, as a
// refused call of any other operation is. The workers are done: the
// first buffer takes it.
func noFinding(bufs []*contextBuffer, ev *model.Event) {
	if len(bufs) > 0 && ev.Outcome == model.Failure {
		bufs[0].add(ev)
	}
}

// event is the correlate.ContextEvent an entry stands for.
func (b *contextBuffer) event(e contextEntry) correlate.ContextEvent {
	return correlate.ContextEvent{Session: b.texts[e.session], TimelineEntry: model.TimelineEntry{
		Time: time.Unix(e.sec, int64(e.nsec)).UTC(), Operation: b.texts[e.op], Outcome: model.Outcome(b.texts[e.outcome]),
		Resource: b.texts[e.resource], Class: b.texts[e.class]}}
}

// mergeContext joins the workers' buffers, each actor's operations in
// time order, the same record read twice (a file given twice) kept once.
// near, when not nil, names the only keys asked for (those of the
// findings) with the times of their findings, oldest first: the others
// are not built, and of the operations on disk only the nearest to each
// of those times are read back (readBack). With near nil every key held
// in memory is built and the disk is not read.
func mergeContext(bufs []*contextBuffer, near map[string][]time.Time) (correlate.Context, contextStats) {
	out := correlate.Context{}
	var st contextStats
	for _, b := range bufs {
		st.dropped += b.dropped
		st.full += b.full
		st.spilled += b.spilled
		st.err = cmp.Or(st.err, b.diskErr)
		for k, i := range b.keys {
			if _, ok := near[k]; near != nil && !ok {
				continue
			}
			for _, e := range b.lists[i] {
				out[k] = append(out[k], b.event(e))
			}
		}
	}
	back := newReadBack(near)
	for _, b := range bufs {
		if b.disk == nil {
			continue
		}
		if near == nil {
			st.unread += b.disk.Len()
			continue
		}
		err := b.disk.Each(func(e spilledContext) error {
			back.add(e)
			return nil
		})
		st.readErr = cmp.Or(st.readErr, err)
	}
	back.events(out)
	st.cut = back.cut
	for k, evs := range out {
		// A total order: what the workers read and what is read back
		// from disk come in no fixed order.
		slices.SortFunc(evs, func(a, b correlate.ContextEvent) int {
			return cmp.Or(a.Time.Compare(b.Time), strings.Compare(a.Operation, b.Operation), strings.Compare(string(a.Outcome), string(b.Outcome)),
				strings.Compare(a.Resource, b.Resource), strings.Compare(a.Class, b.Class), strings.Compare(a.Session, b.Session),
				strings.Compare(a.FindingID, b.FindingID))
		})
		out[k] = slices.CompactFunc(evs, func(a, b correlate.ContextEvent) bool { return a == b })
	}
	return out, st
}

// contextKeys are the keys Sequences looks the findings' context up by,
// each with the times of its findings, oldest first.
func contextKeys(fs []model.Finding) map[string][]time.Time {
	keys := map[string][]time.Time{}
	for i := range fs {
		if k := correlate.ContextKey(fs[i].Cloud, fs[i].Account, fs[i].Actor); k != "" {
			keys[k] = append(keys[k], fs[i].Time)
		}
	}
	for _, ts := range keys {
		slices.SortFunc(ts, time.Time.Compare)
	}
	return keys
}
