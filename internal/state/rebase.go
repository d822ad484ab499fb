package state

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"maps"
	"slices"
	"time"

	"cloudwall/internal/model"
)

// A snapshot taken at time S describes the state at S (state-formats
// §7): it supersedes what the events before S did, and nothing after.
// Load holds a dated snapshot back until the replay reaches S: the
// events before S replay without it (prior content unknown, as with no
// baseline), then the snapshot sets the state at S (rebase), and the
// events after S apply on it. A snapshot dated before every event, or
// with no date, is the state before them all, as it always was.

// settle applies the held snapshots dated before t; all of them when t
// is zero (the replay is over). Before any event was applied they load as
// a plain baseline.
func (e *Engine) settle(t time.Time) {
	if len(e.pending) == 0 {
		return
	}
	n := 0
	for n < len(e.pending) && (t.IsZero() || e.pending[n].AsOf.Before(t)) {
		n++
	}
	if n == 0 {
		return
	}
	due := e.pending[:n:n]
	e.pending = e.pending[n:]
	if e.first.IsZero() {
		e.load(due)
		return
	}
	for i := range due {
		e.rebase(&due[i])
	}
}

// rebase sets a firewall's state to snapshot s at s.AsOf, after events
// before it were applied. A rule the events left in force and the
// snapshot still shows keeps its window; a window the snapshot no longer
// shows was closed at some time before s.AsOf by a call the logs do not
// hold; an exposure the snapshot shows that the events did not open
// began at some unknown time before s.AsOf.
func (e *Engine) rebase(s *model.Firewall) {
	at := s.AsOf
	k := firewallKey(s.Cloud, s.Resource)
	f, ok := e.fws[k]
	if !ok {
		f = e.add(k, s.Cloud, s.Resource)
	}
	meta := *s
	meta.Rules = nil
	meta.Settings = maps.Clone(s.Settings) // calls change it; the caller's snapshot stays as read
	// What the events said that the snapshot omits.
	meta.Account = cmp.Or(meta.Account, f.meta.Account)
	meta.Region = cmp.Or(meta.Region, f.meta.Region)
	meta.Network = cmp.Or(meta.Network, f.meta.Network)
	if meta.Resource.Name == "" {
		meta.Resource.Name = f.meta.Resource.Name
	}
	f.meta = meta

	// The snapshot's rules, keeping the replayed rule (its name, the call
	// that added it) where the snapshot shows the same one.
	old := map[string]*rule{}
	for _, r := range f.rules {
		if _, dup := old[r.key]; !dup {
			old[r.key] = r
		}
	}
	var rules []*rule
	for _, sr := range s.Rules {
		for _, r := range e.split(f, sr, nil) {
			if o, ok := old[r.key]; ok && o.Disabled == r.Disabled {
				delete(old, r.key)
				r = o
			}
			rules = append(rules, r)
		}
	}
	if s.Partial {
		// A rule list: the rules it does not list stay as replayed.
		for _, r := range f.rules {
			if o, ok := old[r.key]; ok && o == r {
				rules = append(rules, r)
			}
		}
	}
	f.rules = rules
	if f.deleted {
		f.deleted, f.deletedAt = false, time.Time{}
	}
	f.fromBaseline = true
	if !s.Partial {
		if !f.known {
			f.since = at
		}
		f.known, f.unloggedAt = true, time.Time{}
	}
	e.reindex(f)
	if at.After(e.baseline) {
		e.baseline = at
	}
	// The snapshot is data of its account: the data runs at least to it.
	if at.After(e.last) {
		e.last = at
	}
	if ak := (acctKey{f.meta.Cloud, f.meta.Account}); at.After(e.lastBy[ak]) {
		if e.lastBy == nil {
			e.lastBy = map[acctKey]time.Time{}
		}
		e.lastBy[ak] = at
		e.endBy = nil
	}
	e.snapshot(f, at)

	opened, closed := e.refresh(f, nil, nil, nil, true)
	for _, w := range closed {
		end := at
		w.End = &end
		w.Closed = &model.WindowEdge{Time: at, Operation: model.SnapshotEdge,
			Why: "not in the snapshot taken at " + at.UTC().Format(time.RFC3339) + ": closed by then at the latest, by a change the logs do not hold"}
		w.Short = w.StartKnown && end.Sub(w.Start) <= e.opts.ShortWindow
	}
	for _, w := range opened {
		w.Start, w.StartKnown = at, false
		sum := sha256.Sum256([]byte(windowID(f, w) + "\x00" + at.UTC().Format(time.RFC3339Nano)))
		w.ID = hex.EncodeToString(sum[:8])
	}
}

// hold keeps dated snapshots back until the replay reaches their time,
// in time order.
func (e *Engine) hold(fws []model.Firewall) {
	e.pending = append(e.pending, fws...)
	slices.SortStableFunc(e.pending, func(a, b model.Firewall) int { return a.AsOf.Compare(b.AsOf) })
}
