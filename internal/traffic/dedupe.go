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
}

func newCountedSet() *countedSet {
	return &countedSet{seeds: [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()}, m: map[[2]uint64]struct{}{}}
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
	firewall, rule               string
	src, dst                     netip.Addr
	srcPort, dstPort, proto      int32
	dir                          Direction
	dec                          Decision
	external                     bool
	start, end, packets, byteCnt int64
}

func keyOf(f *Flow) flowKey {
	return flowKey{cloud: f.Cloud, account: f.Account, network: f.Network, iface: f.Interface,
		firewall: f.Firewall, rule: f.Rule, src: f.Src, dst: f.Dst,
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
	// conns are the Azure connections (begin, continuing and end tuples)
	// counted in this input: a later tuple of one adds its packets and
	// bytes, not another flow. Bounded like seen.
	conns      map[connKey]struct{}
	connAsked  uint64
	continuing bool
}

// connKey names one connection of an Azure flow log: the tuples of its
// begin, continuing updates and end share it.
type connKey struct {
	iface, firewall, rule, network string
	src, dst                       netip.Addr
	srcPort, dstPort, proto        int32
}

// reset forgets the connections of the last input; a large set is
// dropped rather than cleared, so many small inputs after a big one stay
// cheap.
func (c *counted) reset() {
	if len(c.conns) > 1024 {
		c.conns = nil
	}
	clear(c.conns)
}

// continues tells whether f is a later tuple (C or E) of a connection
// one of whose tuples was already counted in this input; a tuple of a
// state that starts or stands alone is remembered. Like isRepeat it
// decides once per record.
func (c *counted) continues(f *Flow) bool {
	if f.State == 0 || f.State == 'D' {
		return false
	}
	if c.connAsked == c.seq {
		return c.continuing
	}
	c.connAsked = c.seq
	k := connKey{iface: f.Interface, firewall: f.Firewall, rule: f.Rule, network: f.Network, src: f.Src, dst: f.Dst,
		srcPort: int32(f.SrcPort), dstPort: int32(f.DstPort), proto: int32(f.Protocol)}
	_, seen := c.conns[k]
	c.continuing = seen && f.State != 'B'
	switch {
	case f.State == 'E' && seen:
		delete(c.conns, k) // ended: a new connection on the same ports counts again
	case !seen && f.State != 'E' && len(c.conns) < maxCounted:
		if c.conns == nil {
			c.conns = map[connKey]struct{}{}
		}
		c.conns[k] = struct{}{}
	}
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
