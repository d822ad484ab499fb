package pipeline

import (
	"cmp"
	"fmt"
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
	// maxChangeHours bounds the hours of firewall changes a worker
	// remembers per actor (changeHour), for reading the disk back when
	// the findings are spilled too.
	maxChangeHours = 200_000
	// What is read back from disk: at most so many per actor and in all.
	maxContextLoadedPerKey = 2000
	maxContextLoaded       = 200_000
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
	// changes are the hours in which each actor changed a firewall;
	// changesFull says some were past maxChangeHours.
	changes     map[changeHour]struct{}
	changesFull bool
}

// changeHour is an hour (Unix hours) in which the actor of a ContextKey
// changed a firewall.
type changeHour struct {
	key  string
	hour int64
}

type contextEntry struct {
	time                                  time.Time
	session, op, resource, class, outcome uint32 // indexes into texts
}

// spilledContext is a context operation kept on disk.
type spilledContext struct {
	Key      string    `json:"k"`
	Time     time.Time `json:"t"`
	Session  string    `json:"s,omitempty"`
	Op       string    `json:"o"`
	Resource string    `json:"r,omitempty"`
	Class    string    `json:"c"`
	Outcome  string    `json:"x"`
}

// newContextBuffer returns the buffer of one of workers workers.
func newContextBuffer(on bool, workers int) *contextBuffer {
	return &contextBuffer{on: on, keys: map[string]int{}, texts: []string{""}, index: map[string]uint32{"": 0},
		onDisk: maxContextOnDisk / int64(max(workers, 1))}
}

// close removes the buffer's file, if it wrote one.
func (b *contextBuffer) close() error {
	if b == nil || b.disk == nil {
		return nil
	}
	return b.disk.Close()
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
	b.lists[i] = append(b.lists[i], contextEntry{time: ev.Time, session: b.text(fieldSession, correlate.SessionOf(ev.Actor)),
		op: b.text(fieldOp, ev.Operation), resource: b.text(fieldResource, ev.Resource.ID),
		class: b.text(fieldClass, class), outcome: b.text(fieldOutcome, string(ev.Outcome))})
}

// change notes the hour in which ev, a firewall operation, was made by
// its actor: when the findings are spilled, the operations on disk are
// read back near those hours (see changeTimes).
func (b *contextBuffer) change(ev *model.Event) {
	if b == nil || !b.on || b.changesFull {
		return
	}
	b.key = correlate.AppendContextKey(b.key[:0], ev.Cloud, ev.Account, ev.Actor)
	if len(b.key) == 0 {
		return
	}
	at := changeHour{string(b.key), ev.Time.Unix() / 3600}
	if _, ok := b.changes[at]; ok {
		return
	}
	if len(b.changes) >= maxChangeHours {
		b.changesFull = true
		b.changes = nil
		return
	}
	if b.changes == nil {
		b.changes = map[changeHour]struct{}{}
	}
	b.changes[at] = struct{}{}
}

// changeTimes are the workers' change hours as mergeContext's near: for
// each actor, the start and the end of each hour it changed a firewall
// in, so that what lies within correlate.SessionWindow of any change in
// the hour is near one of them. nil when a worker remembered too many.
func changeTimes(bufs []*contextBuffer) map[string][]time.Time {
	near := map[string][]time.Time{}
	for _, b := range bufs {
		if b.changesFull {
			return nil
		}
		for at := range b.changes {
			start := time.Unix(at.hour*3600, 0).UTC()
			near[at.key] = append(near[at.key], start, start.Add(time.Hour))
		}
	}
	for k, ts := range near {
		slices.SortFunc(ts, time.Time.Compare)
		near[k] = slices.Compact(ts)
	}
	return near
}

// toDisk keeps an operation past the bounds in the buffer's file. When
// the file cannot be written the operations are dropped from then on,
// counted, and the error is said in the summary.
func (b *contextBuffer) toDisk(ev *model.Event, class string) {
	if b.diskErr != nil {
		b.dropped++
		return
	}
	if b.spilled >= b.onDisk {
		b.full++
		return
	}
	if b.disk == nil {
		b.disk = spill.New(contextSpillHeld, func(x, y spilledContext) int { return 0 }) // kept in the order read
	}
	b.spilled++
	// A failed write leaves what the file holds in memory (the entry
	// included) still to be read: only the operations after it are lost.
	b.diskErr = b.disk.Add(spilledContext{Key: string(b.key), Time: ev.Time, Session: correlate.SessionOf(ev.Actor),
		Op: ev.Operation, Resource: ev.Resource.ID, Class: class, Outcome: string(ev.Outcome)})
}

// event is the correlate.ContextEvent an entry stands for.
func (b *contextBuffer) event(e contextEntry) correlate.ContextEvent {
	return correlate.ContextEvent{Session: b.texts[e.session], TimelineEntry: model.TimelineEntry{
		Time: e.time, Operation: b.texts[e.op], Outcome: model.Outcome(b.texts[e.outcome]),
		Resource: b.texts[e.resource], Class: b.texts[e.class]}}
}

// contextStats says what became of the context operations past the
// bounds.
type contextStats struct {
	spilled int64 // written to disk
	unread  int64 // on disk, not read back (no findings to read them for)
	cut     int64 // near a change, but past what is read back
	dropped int64 // not kept: the disk failed
	full    int64 // not kept: the disk held its bound
	err     error // why the disk failed
	readErr error // why reading it back failed
}

// notices are the summary's lines on operations a timeline may lack.
func (st contextStats) notices() []string {
	var out []string
	if st.dropped > 0 {
		out = append(out, fmt.Sprintf("session context: %d operations around changes were not kept, as the temporary file failed (%v); timelines and recon-then-change may miss them", st.dropped, st.err))
	}
	if st.full > 0 {
		out = append(out, fmt.Sprintf("session context: %d operations were not kept, past the %d a scan keeps on disk; timelines and recon-then-change may miss them", st.full, maxContextOnDisk))
	}
	if st.readErr != nil {
		out = append(out, fmt.Sprintf("session context: the operations past the memory bounds could not all be read back (%v); timelines and recon-then-change may miss them", st.readErr))
	}
	if st.unread > 0 {
		out = append(out, fmt.Sprintf("session context: %d operations past the memory bounds (%d per actor, %d per worker) were not read back: the findings were held on disk too (--max-held), and a worker saw firewall changes in more than %d actor-hours to read them for; timelines and recon-then-change may miss them", st.unread, maxContextPerKey, maxContextPerWorker, maxChangeHours))
	}
	if st.cut > 0 {
		out = append(out, fmt.Sprintf("session context: %d operations near changes were not read back from disk (at most %d per actor, %d in all); timelines and recon-then-change may miss them", st.cut, maxContextLoadedPerKey, maxContextLoaded))
	}
	return out
}

// mergeContext joins the workers' buffers, each actor's operations in
// time order, the same record read twice (a file given twice) kept once.
// near, when not nil, names the only keys asked for (those of the
// findings) with the times of their findings, oldest first: the others
// are not built, and of the operations on disk only those within
// correlate.SessionWindow of one of those times are read. With near nil
// every key held in memory is built and the disk is not read.
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
	loaded := map[string]int{}
	total := 0
	for _, b := range bufs {
		if b.disk == nil {
			continue
		}
		if near == nil {
			st.unread += b.disk.Len()
			continue
		}
		err := b.disk.Each(func(e spilledContext) error {
			if !nearAny(near[e.Key], e.Time) {
				return nil
			}
			if loaded[e.Key] >= maxContextLoadedPerKey || total >= maxContextLoaded {
				st.cut++
				return nil
			}
			loaded[e.Key]++
			total++
			out[e.Key] = append(out[e.Key], correlate.ContextEvent{Session: e.Session, TimelineEntry: model.TimelineEntry{
				Time: e.Time, Operation: e.Op, Outcome: model.Outcome(e.Outcome), Resource: e.Resource, Class: e.Class}})
			return nil
		})
		st.readErr = cmp.Or(st.readErr, err)
	}
	for k, evs := range out {
		slices.SortFunc(evs, func(a, b correlate.ContextEvent) int {
			if c := a.Time.Compare(b.Time); c != 0 {
				return c
			}
			return strings.Compare(a.Operation, b.Operation)
		})
		out[k] = slices.CompactFunc(evs, func(a, b correlate.ContextEvent) bool { return a == b })
	}
	return out, st
}

// nearAny reports whether t is within correlate.SessionWindow of one of
// times (oldest first).
func nearAny(times []time.Time, t time.Time) bool {
	i, _ := slices.BinarySearchFunc(times, t.Add(-correlate.SessionWindow), func(x, from time.Time) int { return x.Compare(from) })
	return i < len(times) && !times[i].After(t.Add(correlate.SessionWindow))
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
