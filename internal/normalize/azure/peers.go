package azure

import (
	"net/netip"
	"strconv"
	"strings"

	"cloudwall/internal/model"
	"cloudwall/internal/normalize/jv"
)

// peer classifies one address value as logged. Service tags exist only in
// NSG rules; in Azure Firewall rules a name is an FQDN, so tags=false
// makes it PeerOther. Nothing is judged here (detect decides what is
// world-open); values that look like addresses but do not parse are kept as
// CIDRs and explained in a note.
func (p *parser) peer(rule, raw string, tags bool) (model.Peer, bool) {
	s := strings.TrimSpace(raw)
	switch {
	case s == "":
		return model.Peer{}, false
	case s == "*" || strings.EqualFold(s, "any"):
		return model.Peer{Kind: model.PeerAny, Value: s}, true
	case isAddrOrPrefix(s):
		return model.Peer{Kind: model.PeerCIDR, Value: s}, true
	case isRange(s):
		return model.Peer{Kind: model.PeerRange, Value: s}, true
	case strings.HasPrefix(strings.ToLower(s), "/subscriptions/"):
		// Application security groups and IP groups are referenced by id.
		return model.Peer{Kind: model.PeerGroup, Value: s}, true
	case looksNumeric(s):
		p.note("%s: unparseable address %q kept as logged", rule, s)
		return model.Peer{Kind: model.PeerCIDR, Value: s}, true
	case tags && isTagName(s):
		return model.Peer{Kind: model.PeerServiceTag, Value: s}, true
	case tags:
		// An NSG rule takes nothing else ("Ιnternet" with a Greek iota,
		// "*" and a zero-width space, "<x>/0"): kept as an address that
		// does not parse, judged as unreadable, never as a named set.
		p.note("%s: %q is not an address, range, service tag or application security group", rule, s)
		return model.Peer{Kind: model.PeerCIDR, Value: s}, true
	}
	return model.Peer{Kind: model.PeerOther, Value: s}, true
}

// peers classifies every value, dropping empty ones.
func (p *parser) peers(rule string, raws []string, tags bool) []model.Peer {
	var out []model.Peer
	for _, r := range raws {
		if pr, ok := p.peer(rule, r, tags); ok {
			out = append(out, pr)
		}
	}
	return out
}

func isAddrOrPrefix(s string) bool {
	if _, err := netip.ParsePrefix(s); err == nil {
		return true
	}
	_, err := netip.ParseAddr(s)
	return err == nil
}

// isRange reports an address range "first-last" (Azure Firewall and SQL).
func isRange(s string) bool {
	lo, hi, ok := strings.Cut(s, "-")
	if !ok {
		return false
	}
	_, err1 := netip.ParseAddr(strings.TrimSpace(lo))
	_, err2 := netip.ParseAddr(strings.TrimSpace(hi))
	return err1 == nil && err2 == nil
}

// looksNumeric reports text made of address characters with at least one
// digit: a hand-typed or malformed address ("00.0.0.0/0", "10.0.0.0/33")
// rather than a name.
func looksNumeric(s string) bool {
	digit := false
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digit = true
		case r == '.' || r == ':' || r == '/' || r == ' ' || r == '-':
		case (r >= 'a' && r <= 'f') || (r >= 'A' && r <= 'F'):
		default:
			return false
		}
	}
	return digit
}

// isTagName reports a service-tag spelling: Internet, VirtualNetwork,
// Storage.WestEurope, AzureCloud.eastus2.
func isTagName(s string) bool {
	for i, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z':
		case i > 0 && (r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-'):
		default:
			return false
		}
	}
	return true
}

// ports parses destination port values ("22", "8000-8080", "*"), noting
// the ones that cannot be read since a PortList cannot hold them.
func (p *parser) ports(rule string, raws []string) model.PortList {
	var out model.PortList
	for _, raw := range raws {
		for _, s := range strings.Split(raw, ",") {
			if s = strings.TrimSpace(s); s == "" {
				continue
			}
			r, err := model.ParsePortRange(s)
			if err != nil {
				p.note("%s: unreadable port %q", rule, s)
				continue
			}
			out = append(out, r)
		}
	}
	return out
}

// protocol lower-cases a protocol name; the wildcards become "all".
func protocol(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	switch s {
	case "*", "any", "all", "-1":
		return "all"
	}
	return s
}

// portless reports protocols whose rules carry no ports.
func portless(proto string) bool {
	switch proto {
	case "icmp", "icmpv6", "esp", "ah", "1", "50", "51", "58":
		return true
	}
	return false
}

// action maps Allow/Deny (NSG), Allow/Deny/Dnat/Snat (Azure Firewall) and
// Allow/Block (WAF) to a rule action, noting anything else.
func (p *parser) action(rule, s string) model.Action {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "allow", "dnat", "snat", "permit":
		return model.Allow
	case "deny", "block", "drop":
		return model.Deny
	case "":
		return ""
	}
	p.note("%s: unknown action %q", rule, s)
	return ""
}

// direction maps Inbound/Outbound to ingress/egress, noting anything else.
func (p *parser) direction(rule, s string) model.Direction {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "inbound", "ingress":
		return model.Ingress
	case "outbound", "egress":
		return model.Egress
	case "":
		return ""
	}
	p.note("%s: unknown direction %q", rule, s)
	return ""
}

// priority reads an integer priority, noting a value that is not one.
func (p *parser) priority(rule string, v any, path ...string) *int {
	if !jv.Has(v, path...) {
		return nil
	}
	if n, ok := jv.Int(v, path...); ok {
		return model.IntPtr(n)
	}
	p.note("%s: unreadable priority %q", rule, jv.Str(v, path...))
	return nil
}

// strs collects the non-empty strings at each of keys (singular and plural
// spellings of one field).
func strs(v any, keys ...string) []string {
	var out []string
	for _, k := range keys {
		for _, s := range jv.Strs(v, k) {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}

// ids collects the id of every object in the list at key.
func ids(v any, key string) []string {
	var out []string
	for _, o := range jv.Objs(v, key) {
		if id := strings.TrimSpace(jv.Str(o, "id")); id != "" {
			out = append(out, id)
		}
	}
	return out
}

// label names a rule in notes.
func label(kind, name string) string {
	if name == "" {
		return kind
	}
	return kind + " " + strconv.Quote(name)
}
