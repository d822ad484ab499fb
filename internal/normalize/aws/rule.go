package aws

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"cloudwall/internal/model"
	"cloudwall/internal/normalize/jv"
)

// protocolNames maps the IANA numbers AWS logs for protocols (EC2
// ipProtocol, NACL aclProtocol, Network Firewall protocols) to the names
// model.RuleChange uses. Numbers not listed stay as text.
var protocolNames = map[string]string{
	"-1":  "all",
	"all": "all",
	"any": "all",
	"*":   "all",
	"6":   "tcp",
	"17":  "udp",
	"1":   "icmp",
	"58":  "icmpv6",
}

// protocolName normalises a logged protocol: lower case, numbers to names,
// every "all protocols" spelling to "all".
func protocolName(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	if n, ok := protocolNames[s]; ok {
		return n
	}
	return s
}

// hasPorts reports whether a protocol carries ports. An unknown (empty)
// protocol may, so its ports are read too.
func hasPorts(proto string) bool {
	switch proto {
	case "icmp", "icmpv6", "all":
		return false
	case "", "tcp", "udp":
		return true
	}
	// A bare number other than 6 or 17 (ESP, GRE, ...) has no ports; an
	// application protocol name (Network Firewall "http", "tls") does.
	_, err := strconv.Atoi(proto)
	return err != nil
}

// fixPorts completes a change's ports from its protocol: "all" always
// covers every port, and protocols without ports lose any read by mistake.
func fixPorts(c *model.RuleChange) {
	switch {
	case c.Protocol == "all":
		c.Ports = model.PortList{model.AllPortRange}
	case !hasPorts(c.Protocol):
		c.Ports = nil
	}
}

// ports reads an AWS fromPort/toPort pair. It returns nil when the log did
// not say, and notes values it cannot use instead of guessing.
func (p *parser) ports(proto string, from, to any, where string) model.PortList {
	if proto == "all" {
		return model.PortList{model.AllPortRange}
	}
	if !hasPorts(proto) || (from == nil && to == nil) {
		return nil
	}
	lo, okLo := jv.Int(from)
	hi, okHi := jv.Int(to)
	switch {
	case from != nil && !okLo:
		p.notef("unparseable port %s in %s.fromPort", logged(from), where)
		return nil
	case to != nil && !okHi:
		p.notef("unparseable port %s in %s.toPort", logged(to), where)
		return nil
	case from == nil:
		lo = hi
	case to == nil:
		hi = lo
	}
	return p.portRange(lo, hi, where)
}

// portRange validates a numeric range. AWS writes -1 for "every port" in
// some forms; other out-of-range or reversed values are noted and dropped
// from Ports because PortRange cannot hold them, while the note keeps them.
func (p *parser) portRange(lo, hi int, where string) model.PortList {
	if lo == -1 && hi == -1 {
		return model.PortList{model.AllPortRange}
	}
	if lo < 0 || hi > 65535 || lo > hi {
		p.notef("port range %d-%d in %s is out of range", lo, hi, where)
		return nil
	}
	return model.PortList{{From: lo, To: hi}}
}

// logged renders a scalar as it appeared in the log, for notes.
func logged(v any) string {
	if s := jv.Str(v); s != "" {
		return strconv.Quote(s)
	}
	return jv.TypeName(v)
}

// scalar returns a scalar value as text. A value of the wrong type (an
// object or array where a string belongs) is noted and read as empty.
func (p *parser) scalar(v any, where string) string {
	switch v.(type) {
	case nil:
		return ""
	case map[string]any, []any:
		p.notef("%s is a JSON %s, not a string", where, jv.TypeName(v))
		return ""
	}
	return strings.TrimSpace(jv.Str(v))
}

// cidr turns a logged address into a CIDR peer, kept exactly as logged
// (trimmed). Values Go cannot parse (leading zeros, "/00") are kept too
// and noted, so detection can still judge them by their text.
func (p *parser) cidr(v any, where string) (model.Peer, bool) {
	s := p.scalar(v, where)
	if s == "" {
		return model.Peer{}, false
	}
	if !validAddr(s) {
		p.notef("unparseable CIDR %q in %s kept as logged", s, where)
	}
	return model.Peer{Kind: model.PeerCIDR, Value: s}, true
}

// validAddr reports whether s is a prefix or a bare address.
func validAddr(s string) bool {
	if _, err := netip.ParsePrefix(s); err == nil {
		return true
	}
	_, err := netip.ParseAddr(s)
	return err == nil
}

// addrLike reports whether s looks like an address or prefix, parseable or
// not, as opposed to a name.
func addrLike(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !strings.ContainsRune("0123456789abcdefABCDEF.:/", r) {
			return false
		}
	}
	return strings.ContainsAny(s, ".:") || strings.Contains(s, "/")
}

// peer classifies a free-form address field (WAF, Network Firewall,
// Suricata headers): ids by prefix, wildcards, then CIDRs; anything else
// is PeerOther.
func (p *parser) peer(s, where string) (model.Peer, bool) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return model.Peer{}, false
	case s == "*" || strings.EqualFold(s, "any"):
		return model.Peer{Kind: model.PeerAny, Value: s}, true
	case strings.HasPrefix(s, "sg-"):
		return model.Peer{Kind: model.PeerGroup, Value: s}, true
	case strings.HasPrefix(s, "pl-"):
		return model.Peer{Kind: model.PeerPrefixList, Value: s}, true
	case addrLike(s):
		return p.cidr(s, where)
	}
	return model.Peer{Kind: model.PeerOther, Value: s}, true
}

// canonical returns a comparable form of a CIDR peer value: the masked
// prefix, so that a request's "100.68.0.18/18" matches the response's
// canonicalised "100.68.0.0/18" and a bare address matches its /32.
func canonical(s string) string {
	if pfx, err := netip.ParsePrefix(s); err == nil {
		return pfx.Masked().String()
	}
	if a, err := netip.ParseAddr(s); err == nil {
		return netip.PrefixFrom(a, a.BitLen()).String()
	}
	return s
}

// samePeer reports whether two peers name the same thing.
func samePeer(a, b model.Peer) bool {
	if a.Kind != b.Kind {
		return false
	}
	if a.Kind == model.PeerCIDR {
		return canonical(a.Value) == canonical(b.Value)
	}
	return a.Value == b.Value
}

// samePorts reports whether two port lists are equal.
func samePorts(a, b model.PortList) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// covers reports whether any change in cs carries peer pr under the same
// protocol and ports as c.
func covers(cs []model.RuleChange, c model.RuleChange, pr model.Peer) bool {
	for _, d := range cs {
		if d.Protocol != c.Protocol || !samePorts(d.Ports, c.Ports) {
			continue
		}
		for _, q := range d.Peers {
			if samePeer(q, pr) {
				return true
			}
		}
	}
	return false
}

// action maps a logged rule action to model.Action. Actions that neither
// allow nor block (count, alert, forward) are returned empty.
func action(s string) model.Action {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "allow", "pass", "aws:pass":
		return model.Allow
	case "deny", "block", "drop", "reject", "aws:drop":
		return model.Deny
	}
	return ""
}

// itoa formats a rule number for RuleChange.Name.
func itoa(n int) string { return strconv.Itoa(n) }

// splitList splits a text list ("sg-1,sg-2", "sg-1 sg-2") into its items.
func splitList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool {
		return r == ',' || r == ' ' || r == '\t' || r == '\n' || r == '[' || r == ']' || r == '"'
	})
}

// idsOf reads a list whose elements are ids: strings, or objects holding
// the id under key (EC2's {"items":[{"groupId":...}]}). Text lists are
// split, because some exporters flatten them.
func idsOf(v any, key string) []string {
	var out []string
	for _, e := range jv.Arr(v) {
		if m, ok := e.(map[string]any); ok {
			if s := strings.TrimSpace(jv.Str(m, key)); s != "" {
				out = append(out, s)
			}
			continue
		}
		out = append(out, splitList(jv.Str(e))...)
	}
	if len(out) == 0 {
		if s := jv.Str(v); s != "" && !strings.HasPrefix(strings.TrimSpace(s), "{") {
			out = splitList(s)
		}
	}
	return out
}

// lowerBool renders a logged boolean setting as "true"/"false", noting a
// value that is not a boolean and keeping its lower-cased text.
func (p *parser) lowerBool(v any, where string) (string, bool) {
	if v == nil {
		return "", false
	}
	if b, ok := jv.Bool(v); ok {
		return strconv.FormatBool(b), true
	}
	s := strings.ToLower(p.scalar(v, where))
	if s == "" {
		return "", false
	}
	p.notef("%s is %q, not a boolean", where, s)
	return s, true
}

// where formats an element path for notes ("ipPermissions[2]").
func where(path string, i int) string { return fmt.Sprintf("%s[%d]", path, i) }
