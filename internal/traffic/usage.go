package traffic

import (
	"net/netip"
	"slices"
	"time"
)

// usage is what one worker saw of one opening. Its memory is bounded by
// Options.MaxTracked addresses and maxIfaces interfaces.
type usage struct {
	evidence             int
	first, last          time.Time
	moreFirst            time.Time // earliest later tuple (see more)
	flows, packets, byts int64
	sources              map[netip.Addr]*peerStat
	untracked            int64 // distinct-address overflow: counted in totals only
	rejected, before     int64
	unknown              int64 // in the window, the record saying no accept or reject
	trusted              int64
	// rejEvidence is the strongest tie of a rejected flow; rejRules the
	// rules the records name as denying them (at most maxRejRules).
	rejEvidence int
	rejRules    map[string]int64
	// byPorts counts accepted inbound flows whose record says no
	// direction, read as inbound from the opened port; undirected counts
	// those the opening's ports could not orient (an opening of every
	// port).
	byPorts, undirected int64
	// ifaces are the interfaces that received accepted inbound flows
	// through the opening, with the first arrival on each.
	ifaces map[string]time.Time
	// nameFlows counts accepted inbound flows tied by rule name alone (see
	// nameOnly), nameACLs the aclIDs they name (at most maxNameACLs).
	nameFlows int64
	nameACLs  []string
	// outbound, filled by the second pass.
	outFlows, outBytes int64
	dests              map[netip.Addr]*peerStat
	outUntracked       int64
}

type peerStat struct {
	flows, packets, bytes int64
	first                 time.Time
}

const maxNameACLs = 8

// byName records one flow tied by rule name alone, with its aclID.
func (u *usage) byName(acl string) {
	u.nameFlows++
	if acl != "" && len(u.nameACLs) < maxNameACLs && !slices.Contains(u.nameACLs, acl) {
		u.nameACLs = append(u.nameACLs, acl)
	}
}

// maxIfaces bounds the interfaces remembered per opening.
const maxIfaces = 64

func addPeer(m map[netip.Addr]*peerStat, limit int, a netip.Addr, f *Flow) (map[netip.Addr]*peerStat, bool) {
	if m == nil {
		m = map[netip.Addr]*peerStat{}
	}
	s := m[a]
	if s == nil {
		if len(m) >= limit {
			return m, false
		}
		s = &peerStat{first: f.Start}
		m[a] = s
	}
	s.flows++
	s.packets = sat(s.packets, f.Packets)
	s.bytes = sat(s.bytes, f.Bytes)
	if f.Start.Before(s.first) {
		s.first = f.Start
	}
	return m, true
}

// inbound records one accepted inbound flow from outside.
func (u *usage) inbound(f *Flow, ev int, limit int) {
	if ev > u.evidence {
		u.evidence = ev
	}
	if u.flows == 0 || f.Start.Before(u.first) {
		u.first = f.Start
	}
	if f.End.After(u.last) {
		u.last = f.End
	}
	u.flows++
	u.packets = sat(u.packets, f.Packets)
	u.byts = sat(u.byts, f.Bytes)
	var ok bool
	if u.sources, ok = addPeer(u.sources, limit, f.Src.Unmap(), f); !ok {
		u.untracked++
	}
	if f.Interface != "" {
		if u.ifaces == nil {
			u.ifaces = map[string]time.Time{}
		}
		if t, seen := u.ifaces[f.Interface]; !seen && len(u.ifaces) < maxIfaces || seen && f.Start.Before(t) {
			u.ifaces[f.Interface] = f.Start
		}
	}
}

// more adds to the accepted inbound flow counted before it the packets
// and bytes of a later tuple of the same connection (Azure C and E).
// The flow may have been counted by another worker, from another input,
// and its begin read after a later tuple: the earliest tuple is kept in
// moreFirst and becomes the first arrival when the usages are merged.
func (u *usage) more(f *Flow, limit int) {
	if f.End.After(u.last) {
		u.last = f.End
	}
	if u.moreFirst.IsZero() || f.Start.Before(u.moreFirst) {
		u.moreFirst = f.Start
	}
	u.packets = sat(u.packets, f.Packets)
	u.byts = sat(u.byts, f.Bytes)
	a := f.Src.Unmap()
	if u.sources == nil {
		u.sources = map[netip.Addr]*peerStat{}
	}
	s := u.sources[a]
	if s == nil && len(u.sources) < limit {
		s = &peerStat{first: f.Start} // counted elsewhere: no flow here
		u.sources[a] = s
	}
	if s != nil {
		s.packets = sat(s.packets, f.Packets)
		s.bytes = sat(s.bytes, f.Bytes)
		if f.Start.Before(s.first) {
			s.first = f.Start
		}
	}
}

// settle folds the earliest continuing tuple into the first arrival,
// once every worker's usage is merged.
func (u *usage) settle() {
	if u.flows > 0 && !u.moreFirst.IsZero() && u.moreFirst.Before(u.first) {
		u.first = u.moreFirst
	}
}

// moreOut is more for an outbound flow.
func (u *usage) moreOut(f *Flow) {
	u.outBytes = sat(u.outBytes, f.Bytes)
	if s := u.dests[f.Dst.Unmap()]; s != nil {
		s.packets = sat(s.packets, f.Packets)
		s.bytes = sat(s.bytes, f.Bytes)
	}
}

const maxRejRules = 8

// reject records one rejected inbound flow from outside in the window.
func (u *usage) reject(f *Flow, ev int) {
	u.rejected++
	if ev > u.rejEvidence {
		u.rejEvidence = ev
	}
	if f.Rule != "" {
		u.addRejRule(f.Rule, 1)
	}
}

func (u *usage) addRejRule(rule string, n int64) {
	if _, ok := u.rejRules[rule]; !ok && len(u.rejRules) >= maxRejRules {
		return
	}
	if u.rejRules == nil {
		u.rejRules = map[string]int64{}
	}
	u.rejRules[rule] += n
}

// outbound records one flow to outside from an interface behind the
// opening, after the first inbound arrival on it.
func (u *usage) outbound(f *Flow, limit int) {
	u.outFlows++
	u.outBytes = sat(u.outBytes, f.Bytes)
	var ok bool
	if u.dests, ok = addPeer(u.dests, limit, f.Dst.Unmap(), f); !ok {
		u.outUntracked++
	}
}

// merge adds o into u.
func (u *usage) merge(o *usage, limit int) {
	if o.evidence > u.evidence {
		u.evidence = o.evidence
	}
	if o.flows > 0 && (u.flows == 0 || o.first.Before(u.first)) {
		u.first = o.first
	}
	if o.last.After(u.last) {
		u.last = o.last
	}
	if !o.moreFirst.IsZero() && (u.moreFirst.IsZero() || o.moreFirst.Before(u.moreFirst)) {
		u.moreFirst = o.moreFirst
	}
	u.flows += o.flows
	u.packets = sat(u.packets, o.packets)
	u.byts = sat(u.byts, o.byts)
	u.rejected += o.rejected
	u.unknown += o.unknown
	u.nameFlows += o.nameFlows
	for _, a := range o.nameACLs {
		if len(u.nameACLs) < maxNameACLs && !slices.Contains(u.nameACLs, a) {
			u.nameACLs = append(u.nameACLs, a)
		}
	}
	u.rejEvidence = max(u.rejEvidence, o.rejEvidence)
	for r, n := range o.rejRules {
		u.addRejRule(r, n)
	}
	u.byPorts += o.byPorts
	u.undirected += o.undirected
	u.before += o.before
	u.trusted += o.trusted
	u.untracked += o.untracked
	u.sources, u.untracked = mergePeers(u.sources, o.sources, limit, u.untracked)
	for k, t := range o.ifaces {
		if u.ifaces == nil {
			u.ifaces = map[string]time.Time{}
		}
		if old, seen := u.ifaces[k]; !seen && len(u.ifaces) < maxIfaces || seen && t.Before(old) {
			u.ifaces[k] = t
		}
	}
	u.outFlows += o.outFlows
	u.outBytes = sat(u.outBytes, o.outBytes)
	u.outUntracked += o.outUntracked
	u.dests, u.outUntracked = mergePeers(u.dests, o.dests, limit, u.outUntracked)
}

func mergePeers(dst, src map[netip.Addr]*peerStat, limit int, over int64) (map[netip.Addr]*peerStat, int64) {
	for a, s := range src {
		if dst == nil {
			dst = map[netip.Addr]*peerStat{}
		}
		d := dst[a]
		if d == nil {
			if len(dst) >= limit {
				over += s.flows
				continue
			}
			d = &peerStat{first: s.first}
			dst[a] = d
		}
		d.flows += s.flows
		d.packets = sat(d.packets, s.packets)
		d.bytes = sat(d.bytes, s.bytes)
		if s.first.Before(d.first) {
			d.first = s.first
		}
	}
	return dst, over
}
