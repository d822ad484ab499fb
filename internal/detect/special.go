package detect

import (
	"net/netip"
	"strings"
)

// specialRanges name the blocks of the private list that are not private
// networks, so a title does not call loopback or 0.0.0.0/16 a "private
// range" a reader would take for an internal network. Each is named
// only for a peer wholly inside it; the rest of the list (RFC 1918, ULA,
// ranges a content file adds) stays "private range".
var specialRanges = []struct {
	pfx  netip.Prefix
	name string
}{
	{netip.MustParsePrefix("0.0.0.0/8"), "this network (0.0.0.0/8, RFC 1122: not routable, never a packet's source)"},
	{netip.MustParsePrefix("127.0.0.0/8"), "loopback (127.0.0.0/8)"},
	{netip.MustParsePrefix("::1/128"), "loopback (::1)"},
	{netip.MustParsePrefix("169.254.0.0/16"), "link-local (169.254.0.0/16)"},
	{netip.MustParsePrefix("fe80::/10"), "link-local (fe80::/10)"},
	{netip.MustParsePrefix("100.64.0.0/10"), "shared address space (100.64.0.0/10, carrier-grade NAT, RFC 6598)"},
}

// privateName says what the private-sized span lo-hi is.
func privateName(lo, hi netip.Addr) string {
	for _, r := range specialRanges {
		if r.pfx.Contains(lo) && r.pfx.Contains(hi) {
			return r.name
		}
	}
	return "private range"
}

// lastAddr returns the last address of a masked prefix.
func lastAddr(pfx netip.Prefix) netip.Addr {
	b := pfx.Addr().AsSlice()
	for i := pfx.Bits(); i < len(b)*8; i++ {
		b[i/8] |= 0x80 >> (i % 8)
	}
	a, _ := netip.AddrFromSlice(b)
	return a
}

// privateLabel is the short name of a private peer's range in a title
// ("loopback", "this network", "private range"), read from its why.
func privateLabel(why string) string {
	why = strings.TrimPrefix(why, "IPv4-mapped, ")
	label, _, _ := strings.Cut(why, " (")
	if label == "" {
		return "private range"
	}
	return label
}
