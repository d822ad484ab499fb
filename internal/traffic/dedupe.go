package traffic

import (
	"hash/maphash"
	"net/netip"
	"sync"

	"cloudwall/internal/model"
)

// A flow log can hold the same record twice: an object delivered again,
// a CloudWatch export that overlaps itself or an S3 delivery of the same
// log, the same file given twice or copied into two folders of an archive.
// Counting it twice doubles the flows, packets and bytes an opening is
// charged with, so the join remembers the records it counted, across all
// inputs of a pass, and counts an identical one once.
//
// The bound: at most maxCounted records are remembered per pass, each as
// a 128-bit hash under random seeds (16 bytes; a few MiB in all); past
// that, repeats are counted again. Only records that reach a counter are
// remembered, so the cost falls on the few flows that touch an opening,
// not on every record read.
const maxCounted = 1 << 17

// countedSet is the records counted in one pass, shared by its workers.
type countedSet struct {
	mu    sync.Mutex
	seeds [2]maphash.Seed
	m     map[[2]uint64]struct{}
	// conns are the Azure connections (begin, continuing and end tuples)
	// counted: a later tuple of one adds its packets and bytes, not
	// another flow. Bounded like m.
	conns map[connKey]conn
}

func newCountedSet() *countedSet {
	return &countedSet{seeds: [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()}, m: map[[2]uint64]struct{}{}, conns: map[connKey]conn{}}
}

// add remembers k and reports whether it was already there.
func (s *countedSet) add(k flowKey) bool {
	h := [2]uint64{maphash.Comparable(s.seeds[0], k), maphash.Comparable(s.seeds[1], k)}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.m[h]; ok {
		return true
	}
	if len(s.m) < maxCounted {
		s.m[h] = struct{}{}
	}
	return false
}

// flowKey is everything a record says that the join reads.
type flowKey struct {
	cloud                        model.Cloud
	account, network, iface      string
	firewall, rule, acl          string
	src, dst                     netip.Addr
	srcPort, dstPort, proto      int32
	dir                          Direction
	dec                          Decision
	external                     bool
	start, end, packets, byteCnt int64
}

func keyOf(f *Flow) flowKey {
	return flowKey{cloud: f.Cloud, account: f.Account, network: f.Network, iface: f.Interface,
		firewall: f.Firewall, rule: f.Rule, acl: f.ACL, src: f.Src, dst: f.Dst,
		srcPort: int32(f.SrcPort), dstPort: int32(f.DstPort), proto: int32(f.Protocol),
		dir: f.Direction, dec: f.Decision, external: f.External,
		start: f.Start.UnixNano(), end: f.End.UnixNano(), packets: f.Packets, byteCnt: f.Bytes}
}

// counted tells whether a record identical to the current one (the
// seq-th handed to the worker) was already counted in this pass. It is
// asked once per opening the record reaches and decides once per record.
type counted struct {
	seen       *countedSet
	seq, asked uint64
	repeat     bool
	connAsked  uint64
	continuing bool
}

// connKey names one connection of an Azure flow log: the tuples of its
// begin, continuing updates and end share it.
type connKey struct {
	iface, firewall, rule, network, acl string
	src, dst                            netip.Addr
	srcPort, dstPort, proto             int32
}

// conn is what the tuples read so far say of one connection, as Unix
// nanoseconds (0: not seen): its begin and end tuples, and the earliest
// and latest tuple.
type conn struct{ begin, end, first, last int64 }

func newConn(state byte, t int64) conn {
	c := conn{first: t, last: t}
	c.note(state, t)
	return c
}

func (c *conn) note(state byte, t int64) {
	switch state {
	case 'B':
		c.begin = t
	case 'E':
		c.end = t
	}
	c.first, c.last = min(c.first, t), max(c.last, t)
}

// holds says a tuple of the state at t can be of connection c: after its
// begin and before its end, a begin before all its tuples, an end after
// them, and one begin and one end each.
func (c *conn) holds(state byte, t int64) bool {
	switch {
	case c.begin != 0 && t < c.begin, c.end != 0 && t > c.end:
		return false
	case state == 'B':
		return (c.begin == 0 || c.begin == t) && t <= c.first
	case state == 'E':
		return (c.end == 0 || c.end == t) && t >= c.last
	}
	return true
}

// conn tells whether tuple f is of a connection a tuple of which was
// already counted in this pass, in any input (a connection over the hour
// has its begin in one hourly blob and its end in the next) and in any
// order (blobs are read in parallel); else it remembers f as a new one.
func (s *countedSet) conn(f *Flow) bool {
	k := connKey{iface: f.Interface, firewall: f.Firewall, rule: f.Rule, network: f.Network, acl: f.ACL, src: f.Src, dst: f.Dst,
		srcPort: int32(f.SrcPort), dstPort: int32(f.DstPort), proto: int32(f.Protocol)}
	t := f.Start.UnixNano()
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.conns[k]
	if ok && c.holds(f.State, t) {
		c.note(f.State, t)
		s.conns[k] = c
		return true
	}
	if ok || len(s.conns) < maxCounted {
		s.conns[k] = newConn(f.State, t) // a new connection on the same ports
	}
	return false
}

// continues tells whether f is a tuple of an Azure connection already
// counted (see countedSet.conn). Like isRepeat it decides once per record.
func (c *counted) continues(f *Flow) bool {
	if f.State == 0 || f.State == 'D' || c.seen == nil {
		return false
	}
	if c.connAsked == c.seq {
		return c.continuing
	}
	c.connAsked = c.seq
	c.continuing = c.seen.conn(f)
	return c.continuing
}

// next is called for every record handed to the worker, before isRepeat.
func (c *counted) next() { c.seq++ }

func (c *counted) isRepeat(f *Flow) bool {
	if c.asked == c.seq {
		return c.repeat
	}
	c.asked = c.seq
	c.repeat = c.seen != nil && c.seen.add(keyOf(f))
	return c.repeat
}
