package detect

import (
	"fmt"
	"math/big"
	"net/netip"
	"slices"
	"strconv"
)

// share is how much of one address family's internet a world-open group
// admits: all of it, or a fraction such as 0.0.0.0/1 alone (half). A /1
// is world-scale for severity, but a title saying "the IPv4 internet"
// for half of it would misstate what was opened.
type share struct {
	seen, full bool
	frac       float64
	// spans are the address intervals measured, kept so that the shares
	// of several rules of one call can be joined (two rules, one per half).
	spans []*span
	bits  int
}

// join is the share of both together.
func (s share) join(o share) share {
	switch {
	case !o.seen:
		return s
	case !s.seen:
		return o
	case s.full:
		return s
	case o.full:
		return o
	}
	return familyShare(slices.Concat(s.spans, o.spans), s.bits)
}

// widen joins to a family's world share the rule's other prefixes of
// that family: 0.0.0.0/1 with 128.0.0.0/2 and 192.0.0.0/2 beside it is
// all of IPv4, though only the /1 is world-scale alone.
func widen(s share, groups []group, bits int) share {
	if !s.seen || s.full {
		return s
	}
	var spans []*span
	for _, g := range groups {
		for _, p := range g.peers {
			if p.span != nil && p.span.bits == bits {
				spans = append(spans, p.span)
			}
		}
	}
	return s.join(familyShare(spans, bits))
}

// globalUnicast is 2000::/3, every IPv6 address in public use: an IPv6
// group covering it is the whole IPv6 internet.
var globalUnicast = prefixSpan(netip.MustParsePrefix("2000::/3"))

// shares measures a world group per family. A peer without an address
// span ("*", Any, a service tag) is all of both.
func shares(g group) (v4, v6 share) {
	all := share{seen: true, full: true}
	var s4, s6 []*span
	for _, p := range g.peers {
		switch {
		case p.span == nil:
			return all, all
		case p.span.bits == 32:
			s4 = append(s4, p.span)
		default:
			s6 = append(s6, p.span)
		}
	}
	if len(s4) == 0 && len(s6) == 0 {
		return all, all
	}
	return familyShare(s4, 32), familyShare(s6, 128)
}

// familyShare measures spans of one family: IPv4 against every address,
// IPv6 against 2000::/3, or against every address when they lie outside
// it (8000::/1 is world-scale too).
func familyShare(spans []*span, bits int) share {
	if len(spans) == 0 {
		return share{}
	}
	whole := &span{lo: new(big.Int), hi: new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), uint(bits)), big.NewInt(1)), bits: bits}
	if bits == 128 {
		if s := measure(spans, globalUnicast); s.full || s.frac > 0 {
			return s
		}
	}
	return measure(spans, whole)
}

// measure is the share of within that spans cover.
func measure(spans []*span, within *span) share {
	covered := new(big.Int)
	for _, m := range merge(spans) {
		lo, hi := maxInt(m.lo, within.lo), minInt(m.hi, within.hi)
		if lo.Cmp(hi) <= 0 {
			n := new(big.Int).Sub(hi, lo)
			covered.Add(covered, n.Add(n, big.NewInt(1)))
		}
	}
	s := share{seen: true, spans: spans, bits: within.bits}
	total := within.size()
	if covered.Cmp(total) >= 0 {
		s.full = true
		return s
	}
	s.frac, _ = new(big.Rat).SetFrac(covered, total).Float64()
	return s
}

// merge joins overlapping and adjacent spans, sorted by start.
func merge(spans []*span) []*span {
	sorted := slices.Clone(spans)
	slices.SortFunc(sorted, func(a, b *span) int { return a.lo.Cmp(b.lo) })
	var out []*span
	for _, s := range sorted {
		if n := len(out); n > 0 {
			last := out[n-1]
			if next := new(big.Int).Add(last.hi, big.NewInt(1)); s.lo.Cmp(next) <= 0 {
				if s.hi.Cmp(last.hi) > 0 {
					last.hi = new(big.Int).Set(s.hi)
				}
				continue
			}
		}
		out = append(out, &span{lo: new(big.Int).Set(s.lo), hi: new(big.Int).Set(s.hi), bits: s.bits})
	}
	return out
}

func maxInt(a, b *big.Int) *big.Int {
	if a.Cmp(b) >= 0 {
		return a
	}
	return b
}

func minInt(a, b *big.Int) *big.Int {
	if a.Cmp(b) <= 0 {
		return a
	}
	return b
}

// internetPhrase names what a world-open opening admits per family:
// "the IPv4 internet", "half of the IPv4 internet", both families as
// "the internet" when both are whole.
func internetPhrase(v4, v6 share) string {
	switch {
	case v4.full && v6.full:
		return "the internet"
	case v4.seen && v6.seen:
		return familyPhrase("IPv4", v4) + " and " + familyPhrase("IPv6", v6)
	case v6.seen:
		return familyPhrase("IPv6", v6)
	}
	return familyPhrase("IPv4", v4)
}

func familyPhrase(fam string, s share) string {
	whole := "the " + fam + " internet"
	switch {
	case s.full:
		return whole
	case s.frac == 0.5:
		return "half of " + whole
	case s.frac == 0.25:
		return "a quarter of " + whole
	case s.frac == 0.75:
		return "three quarters of " + whole
	}
	pct := strconv.FormatFloat(s.frac*100, 'f', 1, 64)
	if pct == "100.0" {
		pct = "99.9"
	}
	return fmt.Sprintf("%s%% of %s", pct, whole)
}
