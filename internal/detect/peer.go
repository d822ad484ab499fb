package detect

import (
	"fmt"
	"math/big"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"cloudwall/internal/content"
	"cloudwall/internal/model"
)

// sized is one peer with the scope the detector gave it.
type sized struct {
	peer  model.Peer
	scope content.Scope
	// why explains the scope ("prefix length 0", "RFC 1918 range").
	why string
	// note is a caveat worth a reason of its own (an unparseable value, a
	// prefix list whose entries are not logged).
	note string
	// span is the address interval for CIDR and range peers, used to test
	// whether several prefixes together cover the address space.
	span *span
}

// span is an inclusive interval of addresses of one family.
type span struct {
	lo, hi *big.Int
	bits   int // 32 or 128
}

// size gives one peer its scope. World-openness is decided by parsing,
// never by comparing strings: 208.236.235.254/0 is as open as 0.0.0.0/0.
func (d *Detector) size(p model.Peer) sized {
	v := strings.TrimSpace(p.Value)
	switch p.Kind {
	case model.PeerCIDR:
		return d.sizeCIDR(p, v)
	case model.PeerRange:
		if !strings.Contains(v, "-") {
			return d.sizeCIDR(p, v)
		}
		return d.sizeRange(p, v)
	case model.PeerAny:
		return sized{peer: p, scope: content.World, why: fmt.Sprintf("%q matches any address", v)}
	case model.PeerServiceTag:
		sc := d.serviceTag(v)
		return sized{peer: p, scope: sc, why: fmt.Sprintf("service tag %s", v)}
	case model.PeerPrefixList:
		return sized{peer: p, scope: content.Reference, why: "managed prefix list",
			note: fmt.Sprintf("prefix list %s: its entries are not in this log; a list holding 0.0.0.0/0 opens the rule to the internet (aws ec2 get-managed-prefix-list-entries --prefix-list-id %s)", v, v)}
	case model.PeerGroup:
		return sized{peer: p, scope: content.Reference, why: "security group reference"}
	case model.PeerTag:
		return sized{peer: p, scope: content.Reference, why: "network tag"}
	case model.PeerServiceAccount:
		return sized{peer: p, scope: content.Reference, why: "service account"}
	case model.PeerOther:
		return sized{peer: p, scope: content.Reference, why: "named address set"}
	}
	return sized{peer: p, scope: content.Unreadable, why: fmt.Sprintf("peer kind %q", p.Kind)}
}

// serviceTag looks a tag up whole, then by its part before the dot
// (Storage.WestEurope -> storage).
func (d *Detector) serviceTag(tag string) content.Scope {
	s := d.c.Scopes
	t := strings.ToLower(tag)
	if sc, ok := s.ServiceTags[t]; ok {
		return sc
	}
	if base, _, ok := strings.Cut(t, "."); ok {
		if sc, ok := s.ServiceTags[base]; ok {
			return sc
		}
	}
	return s.DefaultServiceTag
}

// sizeCIDR sizes a prefix or bare address, reading hand-typed spellings
// the Go parsers reject (leading zeros, a padded length) as best it can
// and saying so.
func (d *Detector) sizeCIDR(p model.Peer, v string) sized {
	if v == "*" || strings.EqualFold(v, "any") {
		return sized{peer: p, scope: content.World, why: fmt.Sprintf("%q matches any address", v)}
	}
	if pfx, err := netip.ParsePrefix(v); err == nil {
		return d.sizePrefix(p, pfx, "")
	}
	addrText, bitsText, hasBits := strings.Cut(v, "/")
	if !hasBits {
		if a, err := netip.ParseAddr(v); err == nil {
			return d.sizePrefix(p, netip.PrefixFrom(a, a.BitLen()), bareUnspecified(a))
		}
		if a, ok := lenientAddr(v); ok {
			return d.sizePrefix(p, netip.PrefixFrom(a, a.BitLen()),
				fmt.Sprintf("unparseable CIDR %q read as %s", v, a))
		}
		return sized{peer: p, scope: content.Unreadable, why: "unparseable address",
			note: fmt.Sprintf("unparseable CIDR %q: scope unknown", v)}
	}
	bits, berr := strconv.Atoi(strings.TrimSpace(bitsText))
	a, aok := readAddr(addrText)
	if berr == nil && aok && bits >= 0 && bits <= a.BitLen() {
		pfx := netip.PrefixFrom(a, bits)
		return d.sizePrefix(p, pfx, fmt.Sprintf("unparseable CIDR %q read as %s", v, pfx.Masked()))
	}
	if berr == nil && bits == 0 {
		return sized{peer: p, scope: content.World, why: "prefix length 0",
			note: fmt.Sprintf("unparseable CIDR %q: prefix length 0, treated as world-open", v)}
	}
	return sized{peer: p, scope: content.Unreadable, why: "unparseable CIDR",
		note: fmt.Sprintf("unparseable CIDR %q: scope unknown", v)}
}

// bareUnspecified says how a bare 0.0.0.0 or :: (no prefix length) was
// read, or "" for any other address. Every cloud reads a bare address as
// that one address (GCP App Engine and Azure NSG rules document it; AWS
// and WAF take only CIDR notation and reject it), not as the /0 it
// resembles; and no packet comes from or goes to the unspecified
// address, so the rule admits no one.
func bareUnspecified(a netip.Addr) string {
	if !a.IsUnspecified() {
		return ""
	}
	return fmt.Sprintf("%s has no prefix length: read as the one address %s, as the clouds read a bare address (AWS rejects it: it takes only CIDR notation), not as %s/0; no packet comes from it, so it admits no one", a, a, a)
}

// lenientAddr reads a dotted IPv4 address whose octets carry leading
// zeros ("00.0.0.0", "010.0.0.1") as decimal. The clouds' own handling of
// such values is unverified, so callers always report the reading.
func lenientAddr(s string) (netip.Addr, bool) {
	parts := strings.Split(strings.TrimSpace(s), ".")
	if len(parts) != 4 {
		return netip.Addr{}, false
	}
	var b [4]byte
	for i, part := range parts {
		if part == "" || strings.Trim(part, "0123456789") != "" {
			return netip.Addr{}, false
		}
		digits := strings.TrimLeft(part, "0")
		if digits == "" {
			digits = "0"
		}
		n, err := strconv.Atoi(digits)
		if err != nil || len(digits) > 3 || n > 255 {
			return netip.Addr{}, false
		}
		b[i] = byte(n)
	}
	return netip.AddrFrom4(b), true
}

// readAddr parses an address, falling back to lenientAddr.
func readAddr(s string) (netip.Addr, bool) {
	s = strings.TrimSpace(s)
	if a, err := netip.ParseAddr(s); err == nil {
		return a, true
	}
	return lenientAddr(s)
}

// sizePrefix sizes a parsed prefix by its length and whether it lies in a
// private range. An IPv4-mapped IPv6 prefix (::ffff:0.0.0.0/96) is
// unmapped first: it is all of IPv4.
func (d *Detector) sizePrefix(p model.Peer, pfx netip.Prefix, note string) sized {
	why := ""
	if pfx.Addr().Is4In6() && pfx.Bits() >= 96 {
		pfx = netip.PrefixFrom(pfx.Addr().Unmap(), pfx.Bits()-96)
		why = "IPv4-mapped, "
	}
	pfx = pfx.Masked()
	s := sized{peer: p, note: note, span: prefixSpan(pfx)}
	w := d.widths(pfx.Addr())
	switch name, ok := d.trusted(pfx); {
	case ok:
		s.scope, s.why = content.Trusted, why+"trusted network "+name
	case pfx.Bits() <= w.World:
		s.scope, s.why = content.World, why+fmt.Sprintf("prefix length %d", pfx.Bits())
	case d.private(pfx):
		s.scope, s.why = content.Private, why+privateName(pfx.Addr(), lastAddr(pfx))
	case pfx.IsSingleIP():
		s.scope, s.why = content.Single, why+"single address"
	case pfx.Bits() <= w.Wide:
		s.scope, s.why = content.PublicWide, why+fmt.Sprintf("public /%d", pfx.Bits())
	default:
		s.scope, s.why = content.PublicNarrow, why+fmt.Sprintf("public /%d", pfx.Bits())
	}
	return s
}

// sizeRange sizes "first-last" by counting its addresses. The Azure SQL
// 0.0.0.0-0.0.0.0 rule means "all Azure services", not one address.
func (d *Detector) sizeRange(p model.Peer, v string) sized {
	loText, hiText, _ := strings.Cut(v, "-")
	lo, lok := readAddr(loText)
	hi, hok := readAddr(hiText)
	lo, hi = lo.Unmap(), hi.Unmap()
	if !lok || !hok || lo.Is4() != hi.Is4() || hi.Less(lo) {
		return sized{peer: p, scope: content.Unreadable, why: "unreadable range",
			note: fmt.Sprintf("unparseable address range %q: scope unknown", v)}
	}
	if lo.Is4() && lo.IsUnspecified() && hi.IsUnspecified() {
		return sized{peer: p, scope: content.AzureServices, why: "0.0.0.0-0.0.0.0 admits every Azure service and tenant"}
	}
	sp := &span{lo: addrInt(lo), hi: addrInt(hi), bits: lo.BitLen()}
	s := sized{peer: p, span: sp}
	count := sp.size()
	eq := sp.bits - (count.BitLen() - 1) // the prefix length of an equally large block
	w := d.widths(lo)
	switch name, ok := d.trustedSpan(lo, hi); {
	case ok:
		s.scope, s.why = content.Trusted, "trusted network "+name
	case eq <= w.World:
		s.scope, s.why = content.World, fmt.Sprintf("%s addresses, as many as a /%d", count, eq)
	case d.privateSpan(lo, hi):
		s.scope, s.why = content.Private, privateName(lo, hi)
	case count.Cmp(big.NewInt(1)) == 0:
		s.scope, s.why = content.Single, "single address"
	case eq <= w.Wide:
		s.scope, s.why = content.PublicWide, fmt.Sprintf("%s public addresses, as many as a /%d", count, eq)
	default:
		s.scope, s.why = content.PublicNarrow, fmt.Sprintf("%s public addresses", count)
	}
	return s
}

func (d *Detector) widths(a netip.Addr) content.Widths {
	if a.Is4() {
		return d.c.Scopes.IPv4
	}
	return d.c.Scopes.IPv6
}

// private reports whether pfx lies entirely inside a private range.
func (d *Detector) private(pfx netip.Prefix) bool {
	for _, r := range d.c.Scopes.Private {
		if r.Addr().Is4() == pfx.Addr().Is4() && r.Bits() <= pfx.Bits() && r.Contains(pfx.Addr()) {
			return true
		}
	}
	return false
}

// trusted returns the name of the trusted network holding all of pfx.
func (d *Detector) trusted(pfx netip.Prefix) (string, bool) {
	for _, t := range d.trustedNets {
		for _, r := range t.Prefixes {
			if r.Addr().Is4() == pfx.Addr().Is4() && r.Bits() <= pfx.Bits() && r.Contains(pfx.Addr()) {
				return t.Name, true
			}
		}
	}
	return "", false
}

// trustedSpan returns the name of the trusted network holding lo-hi.
func (d *Detector) trustedSpan(lo, hi netip.Addr) (string, bool) {
	for _, t := range d.trustedNets {
		for _, r := range t.Prefixes {
			if r.Contains(lo) && r.Contains(hi) {
				return t.Name, true
			}
		}
	}
	return "", false
}

// privateSpan reports whether lo-hi lies inside one private range.
func (d *Detector) privateSpan(lo, hi netip.Addr) bool {
	for _, r := range d.c.Scopes.Private {
		if r.Contains(lo) && r.Contains(hi) {
			return true
		}
	}
	return false
}

func addrInt(a netip.Addr) *big.Int { return new(big.Int).SetBytes(a.AsSlice()) }

// prefixSpan returns the interval a masked prefix covers.
func prefixSpan(pfx netip.Prefix) *span {
	bits := pfx.Addr().BitLen()
	lo := addrInt(pfx.Addr())
	n := new(big.Int).Lsh(big.NewInt(1), uint(bits-pfx.Bits()))
	hi := new(big.Int).Add(lo, n)
	return &span{lo: lo, hi: hi.Sub(hi, big.NewInt(1)), bits: bits}
}

// size returns the number of addresses in s.
func (s *span) size() *big.Int {
	n := new(big.Int).Sub(s.hi, s.lo)
	return n.Add(n, big.NewInt(1))
}

// union reports whether the CIDR and range peers of one family together
// are world-scale although none is alone: 0.0.0.0/1 + 128.0.0.0/1 is the
// whole IPv4 internet split in two. It says why when they are.
func (d *Detector) union(peers []sized, bits int) (string, bool) {
	var in []sized
	for _, p := range peers {
		if p.span != nil && p.span.bits == bits {
			if p.scope == content.World {
				return "", false // already world on its own
			}
			in = append(in, p)
		}
	}
	if len(in) < 2 {
		return "", false
	}
	spans := make([]*span, len(in))
	for i, p := range in {
		spans[i] = p.span
	}
	slices.SortFunc(spans, func(a, b *span) int { return a.lo.Cmp(b.lo) })
	total := new(big.Int)
	cur := &span{lo: spans[0].lo, hi: spans[0].hi, bits: bits}
	merged := 1
	for _, s := range spans[1:] {
		next := new(big.Int).Add(cur.hi, big.NewInt(1))
		if s.lo.Cmp(next) <= 0 {
			if s.hi.Cmp(cur.hi) > 0 {
				cur.hi = s.hi
			}
			continue
		}
		total.Add(total, cur.size())
		cur = &span{lo: s.lo, hi: s.hi, bits: bits}
		merged++
	}
	total.Add(total, cur.size())
	w := d.c.Scopes.IPv4
	fam := "IPv4"
	if bits == 128 {
		w, fam = d.c.Scopes.IPv6, "IPv6"
	}
	eq := bits - (total.BitLen() - 1)
	if eq > w.World {
		return "", false
	}
	all := new(big.Int).Lsh(big.NewInt(1), uint(bits))
	if merged == 1 && total.Cmp(all) == 0 {
		return fmt.Sprintf("together cover every %s address", fam), true
	}
	return fmt.Sprintf("together cover %s %s addresses, as many as a /%d", total, fam, eq), true
}
