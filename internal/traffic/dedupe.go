package traffic

import (
	"net/netip"

	"cloudwall/internal/model"
)

// A flow log can hold the same record twice: an object delivered again,
// a CloudWatch export that overlaps itself, the same file copied into two
// folders of an archive. Counting it twice doubles the flows, packets and
// bytes an opening is charged with, so each worker remembers the records it
// counted in the input (file or archive) it is reading and counts an
// identical one once.
//
// The bound: at most maxCounted records per input are remembered (a few
// MiB per worker); past that, repeats are counted again. Only records that
// reach a counter are remembered, so the cost falls on the few flows that
// touch an opening, not on every record read. Repeats across two inputs
// are not recognised (the inputs are read in parallel).
const maxCounted = 1 << 15

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

// counted tells whether the worker already counted a record identical to
// the current one (the seq-th handed to it) in this input. It is asked
// once per opening the record reaches and decides once per record.
type counted struct {
	seen       map[flowKey]struct{}
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

// reset forgets the records of the last input; a large set is dropped
// rather than cleared, so many small inputs after a big one stay cheap.
func (c *counted) reset() {
	if len(c.seen) > 1024 {
		c.seen = nil
	}
	clear(c.seen)
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
	k := keyOf(f)
	if _, ok := c.seen[k]; ok {
		c.repeat = true
		return true
	}
	if c.seen == nil {
		c.seen = map[flowKey]struct{}{}
	}
	if len(c.seen) < maxCounted {
		c.seen[k] = struct{}{}
	}
	c.repeat = false
	return false
}
