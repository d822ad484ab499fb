package state

import (
	"net/netip"
	"slices"

	"cloudwall/internal/model"
)

// maxBlocks bounds the address blocks one family's internet is split
// into (a bit each in a uint64): past it the internet is judged whole.
const maxBlocks = 64

// internetBlocks splits the internet of one address family (4 or 6) into
// the blocks that world-scale rules of rows name in part, such as a
// network ACL deny of 0.0.0.0/1 put before an allow of 0.0.0.0/0: within
// one block each such rule matches every address or none, so judging a
// block as "the internet" judges all of it. It returns nil when no rule
// names part of the family's internet (one block: the whole of it), and
// when the split would exceed maxBlocks.
func internetBlocks(rows []row, dir model.Direction, fam int) []netip.Prefix {
	if fam != 4 && fam != 6 {
		return nil
	}
	var cuts []netip.Prefix
	for i := range rows {
		r := rows[i].r
		if r.Disabled || dirOf(r.Direction) != dir || !(fam == 4 && r.world4 || fam == 6 && r.world6) {
			continue
		}
		for _, n := range r.nets {
			if n.Bits() > 0 && n.Addr().Is4() == (fam == 4) && !slices.Contains(cuts, n) {
				cuts = append(cuts, n)
			}
		}
	}
	if len(cuts) == 0 {
		return nil
	}
	root := netip.PrefixFrom(netip.IPv4Unspecified(), 0)
	if fam == 6 {
		root = netip.PrefixFrom(netip.IPv6Unspecified(), 0)
	}
	var out []netip.Prefix
	var split func(p netip.Prefix) bool
	split = func(p netip.Prefix) bool {
		inside := slices.ContainsFunc(cuts, func(c netip.Prefix) bool { return c.Bits() > p.Bits() && p.Contains(c.Addr()) })
		if !inside {
			out = append(out, p)
			return len(out) <= maxBlocks
		}
		lo, hi := halves(p)
		return split(lo) && split(hi)
	}
	if !split(root) {
		return nil
	}
	return out
}

// halves splits p into its two halves.
func halves(p netip.Prefix) (lo, hi netip.Prefix) {
	b := p.Addr().AsSlice()
	bit := p.Bits()
	lo = netip.PrefixFrom(p.Addr(), bit+1)
	b[bit/8] |= 0x80 >> (bit % 8)
	a, _ := netip.AddrFromSlice(b)
	return lo, netip.PrefixFrom(a, bit+1)
}

// coversBlock says rule r's peers admit every address of block b: a peer
// that is not an address range (any address, a service tag, a prefix
// list) is taken as the whole internet its world-scale judgement says.
func coversBlock(r *rule, b netip.Prefix) bool {
	for _, p := range r.Peers {
		if p.Kind != model.PeerCIDR && p.Kind != model.PeerRange {
			return true
		}
	}
	for _, n := range r.nets {
		if n.Addr().Is4() == b.Addr().Is4() && n.Bits() <= b.Bits() && n.Contains(b.Addr()) {
			return true
		}
	}
	return false
}

// blockPeers turns the blocks set in mask into CIDR peers, joining two
// halves of one prefix back into it.
func blockPeers(blocks []netip.Prefix, mask uint64) []model.Peer {
	var ps []netip.Prefix
	for i, b := range blocks {
		if mask&(1<<i) != 0 {
			ps = append(ps, b)
		}
	}
	for joined := true; joined; {
		joined = false
		for i := 0; i+1 < len(ps); i++ {
			if ps[i].Bits() == ps[i+1].Bits() && ps[i].Bits() > 0 {
				if lo, hi := halves(netip.PrefixFrom(ps[i].Addr(), ps[i].Bits()-1).Masked()); lo == ps[i] && hi == ps[i+1] {
					ps[i] = netip.PrefixFrom(lo.Addr(), lo.Bits()-1)
					ps = slices.Delete(ps, i+1, i+2)
					joined = true
				}
			}
		}
	}
	out := make([]model.Peer, len(ps))
	for i, p := range ps {
		out[i] = model.Peer{Kind: model.PeerCIDR, Value: p.String()}
	}
	return out
}
