package pipeline

import (
	"fmt"
	"slices"
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

// changeHour is an hour (Unix hours) in which the actor of a ContextKey
// changed a firewall.
type changeHour struct {
	key  string
	hour int64
}

// close removes the buffer's file, if it wrote one.
func (b *contextBuffer) close() error {
	if b == nil || b.disk == nil {
		return nil
	}
	return b.disk.Close()
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

// nearAny reports whether t is within correlate.SessionWindow of one of
// times (oldest first).
func nearAny(times []time.Time, t time.Time) bool {
	i, _ := slices.BinarySearchFunc(times, t.Add(-correlate.SessionWindow), func(x, from time.Time) int { return x.Compare(from) })
	return i < len(times) && !times[i].After(t.Add(correlate.SessionWindow))
}
