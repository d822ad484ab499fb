package traffic

import (
	"net/netip"
	"time"
)

// ICMP has no ports, so an echo reply coming back to an interface that
// pinged an outside address reads like an inbound ping through an ICMP
// opening. Flow logs do not log the ICMP type, so the join tells the two
// by who spoke first: per interface and pair of addresses, the first pass
// keeps the earliest ICMP sent out (not rejected) and the earliest
// received; inbound ICMP that would count as use is held until the pass
// ends, and is a reply, not use, when the interface sent to that address
// before anything came from it.

// maxPendingICMP bounds the inbound ICMP flows one worker holds for the
// end of the pass; past it they are counted as use at once.
const maxPendingICMP = 1 << 14

type icmpKey struct {
	iface         string
	local, remote netip.Addr
}

// icmpPair is the earliest ICMP between the two ends, each way.
type icmpPair struct{ out, in time.Time }

type pendingICMP struct {
	open  int32
	f     Flow
	ev    int
	undir bool
}

// noteICMP records an accepted ICMP flow between the interface and an
// outside address.
func (w *worker) noteICMP(f *Flow, dir Direction) {
	var k icmpKey
	switch dir {
	case DirOut:
		k = icmpKey{f.Interface, f.Src.Unmap(), f.Dst.Unmap()}
	case DirIn:
		k = icmpKey{f.Interface, f.Dst.Unmap(), f.Src.Unmap()}
	default:
		return
	}
	if w.icmp == nil {
		w.icmp = map[icmpKey]icmpPair{}
	}
	p, ok := w.icmp[k]
	if !ok && len(w.icmp) >= maxCounted {
		return
	}
	if dir == DirOut && (p.out.IsZero() || f.Start.Before(p.out)) {
		p.out = f.Start
	}
	if dir == DirIn && (p.in.IsZero() || f.Start.Before(p.in)) {
		p.in = f.Start
	}
	w.icmp[k] = p
}

// settleICMP counts the held inbound ICMP flows that are not replies.
func settleICMP(ws []*worker, use []usage, limit int) {
	pairs := map[icmpKey]icmpPair{}
	for _, w := range ws {
		for k, p := range w.icmp {
			q, ok := pairs[k]
			if !ok {
				pairs[k] = p
				continue
			}
			if !p.out.IsZero() && (q.out.IsZero() || p.out.Before(q.out)) {
				q.out = p.out
			}
			if !p.in.IsZero() && (q.in.IsZero() || p.in.Before(q.in)) {
				q.in = p.in
			}
			pairs[k] = q
		}
	}
	for _, w := range ws {
		for i := range w.pending {
			h := &w.pending[i]
			p := pairs[icmpKey{h.f.Interface, h.f.Dst.Unmap(), h.f.Src.Unmap()}]
			if !p.out.IsZero() && (p.in.IsZero() || p.out.Before(p.in)) {
				continue // the answer to the interface's own ICMP
			}
			u := &use[h.open]
			u.inbound(&h.f, h.ev, limit)
			if h.undir {
				u.byPorts++
			}
		}
	}
}
