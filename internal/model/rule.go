package model

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Effect says what a call did to one firewall rule.
type Effect string

const (
	Added   Effect = "added"
	Removed Effect = "removed"
	Altered Effect = "altered" // replaced in place; the old content is usually not logged
)

// Direction of traffic a rule governs.
type Direction string

const (
	Ingress Direction = "ingress"
	Egress  Direction = "egress"
)

// Action a rule takes on matching traffic.
type Action string

const (
	Allow Action = "allow"
	Deny  Action = "deny"
	// GotoNext hands matching traffic to the next stage of evaluation
	// (GCP firewall policy rules).
	GotoNext Action = "goto_next"
)

// RuleChange is one firewall rule as a call added, removed or altered it.
// Fields the log does not carry stay empty: an empty Action on a removal
// means the removed rule's action is not known.
type RuleChange struct {
	Effect    Effect    `json:"effect,omitempty"`
	Direction Direction `json:"direction,omitempty"`
	Action    Action    `json:"action,omitempty"`
	// Protocol is lower case: "tcp", "udp", "icmp", "icmpv6", "all", or an
	// IANA protocol number as text.
	Protocol string `json:"protocol,omitempty"`
	// Ports are the destination ports; empty with a port-bearing protocol
	// means the log did not say, AllPorts means every port.
	Ports PortList `json:"ports,omitempty"`
	Peers []Peer   `json:"peers,omitempty"`
	// PeersOmitted counts peers left out of Peers: a finding shows at most
	// MaxPeersShown of a change, world-open ones first (the judgement saw
	// them all); a record naming more than normalize.MaxPeers in one rule
	// keeps the widest of them, and only those are judged.
	PeersOmitted int `json:"peers_omitted,omitempty"`
	// Merged counts the logged rule entries folded into this one change
	// when a record holds more than a cloud call can (see
	// normalize.MaxChanges): the change pairs each of their ports with
	// each of their peers, so it is at least as wide as any of them, and no
	// rollback is built from it.
	Merged   int  `json:"merged,omitempty"`
	Priority *int `json:"priority,omitempty"`
	// Name is the rule's own name or id where it has one (NSG rule name,
	// sgr- id, GCP firewall name, NACL rule number).
	Name string `json:"name,omitempty"`
	// Targets narrows which workloads the rule applies to (GCP target
	// tags, Azure destination prefixes); empty means all in scope.
	Targets []string `json:"targets,omitempty"`
}

// MaxPeersShown bounds the peers one change of a finding lists: a call
// naming 60,000 addresses yields a readable finding. The rest are counted
// in PeersOmitted; world-open peers are listed before any other, so the
// cut never hides that a rule opens to the internet.
const MaxPeersShown = 100

// PortRange is an inclusive range of ports.
type PortRange struct {
	From int
	To   int
}

// AllPortRange covers every port.
var AllPortRange = PortRange{From: 0, To: 65535}

// All reports whether r covers every port.
func (r PortRange) All() bool { return r.From <= 0 && r.To >= 65535 }

// Contains reports whether port p lies in r.
func (r PortRange) Contains(p int) bool { return p >= r.From && p <= r.To }

func (r PortRange) String() string {
	switch {
	case r.All():
		return "all"
	case r.From == r.To:
		return strconv.Itoa(r.From)
	default:
		return strconv.Itoa(r.From) + "-" + strconv.Itoa(r.To)
	}
}

// ParsePortRange reads "22", "8000-8080", "*", "all" or "0-65535".
func ParsePortRange(s string) (PortRange, error) {
	s = strings.TrimSpace(s)
	switch strings.ToLower(s) {
	case "*", "all", "any":
		return AllPortRange, nil
	}
	lo, hi, isRange := strings.Cut(s, "-")
	// The errors say what a port range is, not strconv's "invalid syntax":
	// they reach users through configuration and content files.
	from, err := strconv.Atoi(strings.TrimSpace(lo))
	if err != nil {
		return PortRange{}, fmt.Errorf("port range %q: not a port number or range (22, 8000-8080, all)", s)
	}
	to := from
	if isRange {
		if to, err = strconv.Atoi(strings.TrimSpace(hi)); err != nil {
			return PortRange{}, fmt.Errorf("port range %q: not a port number or range (22, 8000-8080, all)", s)
		}
	}
	switch {
	case from < 0 || to > 65535:
		return PortRange{}, fmt.Errorf("port range %q: out of range (ports are 0 to 65535)", s)
	case from > to:
		return PortRange{}, fmt.Errorf("port range %q: starts above its end", s)
	}
	return PortRange{From: from, To: to}, nil
}

// PortList is a set of port ranges, rendered in JSON as strings ("22",
// "80-443", "all").
type PortList []PortRange

// All reports whether the list covers every port.
func (l PortList) All() bool {
	for _, r := range l {
		if r.All() {
			return true
		}
	}
	return false
}

// Strings renders each range.
func (l PortList) Strings() []string {
	out := make([]string, len(l))
	for i, r := range l {
		out[i] = r.String()
	}
	return out
}

func (l PortList) MarshalJSON() ([]byte, error) { return json.Marshal(l.Strings()) }

func (l *PortList) UnmarshalJSON(b []byte) error {
	var ss []string
	if err := json.Unmarshal(b, &ss); err != nil {
		return err
	}
	out := make(PortList, 0, len(ss))
	for _, s := range ss {
		r, err := ParsePortRange(s)
		if err != nil {
			return err
		}
		out = append(out, r)
	}
	*l = out
	return nil
}

// PeerKind says what a Peer's value names.
type PeerKind string

const (
	// PeerCIDR is an IPv4 or IPv6 prefix, or a bare address.
	PeerCIDR PeerKind = "cidr"
	// PeerRange is an address range "first-last" (Azure SQL firewall rules).
	PeerRange PeerKind = "range"
	// PeerAny is a wildcard for every address ("*", "Any").
	PeerAny PeerKind = "any"
	// PeerServiceTag is a named address set (Azure "Internet", "VirtualNetwork").
	PeerServiceTag PeerKind = "service-tag"
	// PeerGroup is a security group or application security group. An
	// AWS group whose owner account the log names (the EC2 group of an
	// RDS, Redshift or ElastiCache security group) is OWNER/GROUP, GROUP
	// its sg- id or its name.
	PeerGroup PeerKind = "group"
	// PeerPrefixList is an AWS managed prefix list.
	PeerPrefixList PeerKind = "prefix-list"
	// PeerTag is a GCP network tag or secure tag.
	PeerTag PeerKind = "tag"
	// PeerServiceAccount is a GCP service account.
	PeerServiceAccount PeerKind = "service-account"
	// PeerOther is anything else (FQDNs, region codes, address groups).
	PeerOther PeerKind = "other"
)

// Peer is the other end of a rule: the source of ingress, the destination
// of egress. In JSON a CIDR or range is written as is, other kinds as
// "kind:value" ("group:sg-0abc", "tag:web", "service-tag:Internet", "any:*").
type Peer struct {
	Kind  PeerKind
	Value string
}

func (p Peer) String() string {
	switch p.Kind {
	case PeerCIDR, PeerRange:
		return p.Value
	default:
		return string(p.Kind) + ":" + p.Value
	}
}

// ParsePeer is the inverse of Peer.String.
func ParsePeer(s string) Peer {
	for _, k := range []PeerKind{PeerAny, PeerServiceTag, PeerGroup, PeerPrefixList, PeerTag, PeerServiceAccount, PeerOther} {
		if v, ok := strings.CutPrefix(s, string(k)+":"); ok {
			return Peer{Kind: k, Value: v}
		}
	}
	if strings.Contains(s, "-") && !strings.Contains(s, "/") {
		return Peer{Kind: PeerRange, Value: s}
	}
	return Peer{Kind: PeerCIDR, Value: s}
}

func (p Peer) MarshalJSON() ([]byte, error) { return json.Marshal(p.String()) }

func (p *Peer) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	*p = ParsePeer(s)
	return nil
}

// IntPtr returns a pointer to v, for optional integer fields.
func IntPtr(v int) *int { return &v }
