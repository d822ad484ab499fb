package pipeline

import (
	"cmp"
	"container/heap"
	"fmt"
	"slices"
	"strings"
	"time"

	"cloudwall/internal/correlate"
	"cloudwall/internal/model"
	"cloudwall/internal/spill"
)

// The context operations past the memory bounds of a contextBuffer go to
// a temporary file (one per worker, mode 0600, removed by close), and
// mergeContext reads back those near a finding's change.

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

// changeMinute is a minute (Unix minutes) in which the actor of a
// ContextKey changed a firewall.
type changeMinute struct {
	key    string
	minute int64
}

// close removes the buffer's file, if it wrote one.
func (b *contextBuffer) close() error {
	if b == nil || b.disk == nil {
		return nil
	}
	return b.disk.Close()
}

// change notes the minute in which ev, a firewall operation, was made by
// its actor: when the findings are spilled, the operations on disk are
// read back near those minutes (see changeTimes).
func (b *contextBuffer) change(ev *model.Event) {
	if b == nil || !b.on || b.changesFull {
		return
	}
	b.key = correlate.AppendContextKey(b.key[:0], ev.Cloud, ev.Account, ev.Actor)
	if len(b.key) == 0 {
		return
	}
	at := changeMinute{string(b.key), ev.Time.Unix() / 60}
	if _, ok := b.changes[at]; ok {
		return
	}
	if len(b.changes) >= maxChangeMinutes || b.changeBytes+int64(len(b.key)) > maxChangeKeyBytes {
		b.changesFull = true
		b.changes = nil
		return
	}
	if b.changes == nil {
		b.changes = map[changeMinute]struct{}{}
	}
	b.changes[at] = struct{}{}
	b.changeBytes += int64(len(b.key))
}

// changeTimes are the workers' change minutes as mergeContext's near:
// for each actor, the start and the end of each minute it changed a
// firewall in, so that what lies within correlate.SessionWindow of any
// change in the minute is near one of them. nil when a worker remembered
// too many.
func changeTimes(bufs []*contextBuffer) map[string][]time.Time {
	near := map[string][]time.Time{}
	for _, b := range bufs {
		if b.changesFull {
			return nil
		}
		for at := range b.changes {
			start := time.Unix(at.minute*60, 0).UTC()
			near[at.key] = append(near[at.key], start, start.Add(time.Minute))
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
		out = append(out, fmt.Sprintf("session context: %d operations past the memory bounds (%d per actor, %d per worker) were not read back: the findings were held on disk too (--max-held), and a worker saw firewall changes in more than %d actor-minutes (or %d MiB of actor names) to read them for; timelines and recon-then-change may miss them", st.unread, maxContextPerKey, maxContextPerWorker, maxChangeMinutes, maxChangeKeyBytes>>20))
	}
	if st.cut > 0 {
		out = append(out, fmt.Sprintf("session context: %d operations near changes were not read back from disk (the %d nearest to each change, at most %d in all, were); timelines and recon-then-change may miss them", st.cut, maxContextPerChange, maxContextLoaded))
	}
	return out
}

// nearest returns the index of the time of times (oldest first) nearest
// to t, the earlier on a tie, when it is within correlate.SessionWindow;
// else -1.
func nearest(times []time.Time, t time.Time) int {
	i, _ := slices.BinarySearchFunc(times, t, time.Time.Compare)
	best := -1
	for _, j := range []int{i - 1, i} {
		if j >= 0 && j < len(times) && (best < 0 || absDur(t.Sub(times[j])) < absDur(t.Sub(times[best]))) {
			best = j
		}
	}
	if best < 0 || absDur(t.Sub(times[best])) > correlate.SessionWindow {
		return -1
	}
	return best
}

func absDur(d time.Duration) time.Duration { return max(d, -d) }

// readBack chooses the operations on disk to read back: for each change
// time of each actor, the maxContextPerChange nearest to it (the story a
// timeline tells is the nearest), at most maxContextLoaded in all. The
// choice depends on the operations alone, not on the order the workers
// read them in: ties are broken by their content.
type readBack struct {
	near  map[string][]time.Time
	kept  map[changeRef]*farthestFirst
	total int
	cut   int64
}

// changeRef names a change time: near[key][i].
type changeRef struct {
	key string
	i   int
}

func newReadBack(near map[string][]time.Time) *readBack {
	return &readBack{near: near, kept: map[changeRef]*farthestFirst{}}
}

// add offers e.
func (r *readBack) add(e spilledContext) {
	ts := r.near[e.Key]
	i := nearest(ts, e.Time)
	if i < 0 {
		return
	}
	it := keptOp{dist: absDur(e.Time.Sub(ts[i])), op: e}
	ref := changeRef{e.Key, i}
	h := r.kept[ref]
	if h == nil {
		h = &farthestFirst{}
		r.kept[ref] = h
	}
	switch {
	case len(*h) < maxContextPerChange && r.total < maxContextLoaded:
		heap.Push(h, it)
		r.total++
	case len(*h) > 0 && it.nearer((*h)[0]):
		(*h)[0] = it
		heap.Fix(h, 0)
		r.cut++
	default:
		r.cut++
	}
}

// events adds what was chosen to cx.
func (r *readBack) events(cx correlate.Context) {
	for ref, h := range r.kept {
		for _, it := range *h {
			e := it.op
			cx[ref.key] = append(cx[ref.key], correlate.ContextEvent{Session: e.Session, TimelineEntry: model.TimelineEntry{
				Time: e.Time, Operation: e.Op, Outcome: model.Outcome(e.Outcome), Resource: e.Resource, Class: e.Class}})
		}
	}
}

// keptOp is an operation read back, with its distance to its change.
type keptOp struct {
	dist time.Duration
	op   spilledContext
}

// nearer orders operations by distance, then by content.
func (a keptOp) nearer(b keptOp) bool {
	if a.dist != b.dist {
		return a.dist < b.dist
	}
	x, y := a.op, b.op
	return cmp.Or(x.Time.Compare(y.Time), strings.Compare(x.Op, y.Op), strings.Compare(x.Resource, y.Resource),
		strings.Compare(x.Session, y.Session), strings.Compare(x.Class, y.Class), strings.Compare(x.Outcome, y.Outcome)) < 0
}

// farthestFirst is a heap of kept operations, the farthest on top.
type farthestFirst []keptOp

func (h farthestFirst) Len() int           { return len(h) }
func (h farthestFirst) Less(i, j int) bool { return h[j].nearer(h[i]) }
func (h farthestFirst) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *farthestFirst) Push(x any)        { *h = append(*h, x.(keptOp)) }
func (h *farthestFirst) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
