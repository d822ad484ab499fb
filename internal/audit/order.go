package audit

import (
	"cmp"
	"net/netip"
	"slices"
	"strings"

	"cloudwall/internal/model"
)

// Evaluation order, for the firewalls whose rules are ordered: NACL
// entries by rule number and Azure NSG rules by priority, first match
// wins; GCP rules by priority with a deny winning a tie; GCP policy and
// Network Firewall stateless rules by priority. Security groups, SQL
// firewall rules and storage rules only allow and have no order.
//
// This is a static reading of one firewall's rules: it finds rules that
// can never decide anything because an earlier rule of the other action
// matches all of their traffic. The state engine (package state) owns
// evaluation for replay; this analysis should move onto it once it can
// answer "which rule decides" for a rule set.

// ordering is the result of evaluating one firewall's rule order.
type ordering struct {
	// shadow[i] is the earlier rule that matches all of rule i's traffic
	// with the other action, or nil.
	shadow map[int]*model.Rule
	// partly[i] lists earlier rules of the other action that match part
	// of rule i's traffic.
	partly map[int][]*model.Rule
}

// ordered reports whether a firewall type evaluates rules in order.
func ordered(typ string) bool {
	switch typ {
	case "network_acl", "nsg", "network", "firewall_policy", "network_firewall_policy", "rule_group":
		return true
	}
	return false
}

// evaluate finds shadowed and partly overridden rules.
func evaluate(fw *model.Firewall) ordering {
	o := ordering{shadow: map[int]*model.Rule{}, partly: map[int][]*model.Rule{}}
	if !ordered(fw.Resource.Type) {
		return o
	}
	idx := make([]int, 0, len(fw.Rules))
	for i, r := range fw.Rules {
		if !r.Disabled && r.Priority != nil && (r.Action == model.Allow || r.Action == model.Deny) {
			idx = append(idx, i)
		}
	}
	slices.SortStableFunc(idx, func(x, y int) int {
		a, b := &fw.Rules[x], &fw.Rules[y]
		c := cmp.Compare(*a.Priority, *b.Priority)
		if c == 0 && fw.Cloud == model.GCP {
			// GCP: at equal priority a deny wins.
			return cmp.Compare(actionRank(a.Action), actionRank(b.Action))
		}
		return c
	})
	for k, i := range idx {
		r := &fw.Rules[i]
		for _, j := range idx[:k] {
			e := &fw.Rules[j]
			if e.Direction != r.Direction || e.Action == r.Action {
				continue
			}
			if covers(e.RuleChange, r.RuleChange) {
				o.shadow[i] = e
				break
			}
			if overlaps(e.RuleChange, r.RuleChange) {
				o.partly[i] = append(o.partly[i], e)
			}
		}
	}
	return o
}

func actionRank(a model.Action) int {
	if a == model.Deny {
		return 0
	}
	return 1
}

// covers reports whether rule e matches every packet rule r matches:
// protocol, ports, peers and targets.
func covers(e, r model.RuleChange) bool {
	return protoCovers(e.Protocol, r.Protocol) && portsCover(e, r) && peersCover(e.Peers, r.Peers) && targetsCover(e.Targets, r.Targets)
}

// overlaps reports whether some packet matches both rules: protocols,
// ports and at least one pair of peers intersect (targets are assumed to).
func overlaps(e, r model.RuleChange) bool {
	if !protoCovers(e.Protocol, r.Protocol) && !protoCovers(r.Protocol, e.Protocol) {
		return false
	}
	if portBearing(e.Protocol) && portBearing(r.Protocol) && len(e.Ports) > 0 && len(r.Ports) > 0 {
		hit := false
		for _, x := range e.Ports {
			for _, y := range r.Ports {
				hit = hit || x.From <= y.To && y.From <= x.To
			}
		}
		if !hit {
			return false
		}
	}
	for _, p := range r.Peers {
		for _, q := range e.Peers {
			if peerCovers(q, p) || peerCovers(p, q) {
				return true
			}
		}
	}
	return false
}

func protoCovers(e, r string) bool {
	return e == "all" || e != "" && e == r
}

func portBearing(p string) bool {
	switch p {
	case "tcp", "udp", "sctp", "all":
		return true
	}
	return false
}

func portsCover(e, r model.RuleChange) bool {
	if !portBearing(r.Protocol) || e.Ports.All() || e.Protocol == "all" && len(e.Ports) == 0 {
		return true
	}
	if len(r.Ports) == 0 {
		return false
	}
	for _, y := range r.Ports {
		if !slices.ContainsFunc(e.Ports, func(x model.PortRange) bool { return x.From <= y.From && x.To >= y.To }) {
			return false
		}
	}
	return true
}

// peersCover reports whether every peer of r is inside some peer of e.
// Unknown peers (none logged) are never covered.
func peersCover(e, r []model.Peer) bool {
	if len(e) == 0 || len(r) == 0 {
		return false
	}
	for _, p := range r {
		if !slices.ContainsFunc(e, func(q model.Peer) bool { return peerCovers(q, p) }) {
			return false
		}
	}
	return true
}

// peerCovers reports whether peer q contains peer p.
func peerCovers(q, p model.Peer) bool {
	if q.Kind == model.PeerAny {
		return true
	}
	if q.Kind == model.PeerCIDR && p.Kind == model.PeerCIDR {
		qp, ok1 := prefix(q.Value)
		pp, ok2 := prefix(p.Value)
		return ok1 && ok2 && qp.Addr().Is4() == pp.Addr().Is4() && qp.Bits() <= pp.Bits() && qp.Contains(pp.Addr())
	}
	return q.Kind == p.Kind && strings.EqualFold(strings.TrimSpace(q.Value), strings.TrimSpace(p.Value))
}

func prefix(s string) (netip.Prefix, bool) {
	s = strings.TrimSpace(s)
	if p, err := netip.ParsePrefix(s); err == nil {
		return p.Masked(), true
	}
	if a, err := netip.ParseAddr(s); err == nil {
		return netip.PrefixFrom(a, a.BitLen()), true
	}
	return netip.Prefix{}, false
}

// targetsCover reports whether e applies to at least everything r does.
func targetsCover(e, r []string) bool {
	if len(e) == 0 || slices.Contains(e, "*") {
		return true
	}
	if len(r) == 0 {
		return false
	}
	for _, t := range r {
		if !slices.ContainsFunc(e, func(x string) bool { return strings.EqualFold(x, t) }) {
			return false
		}
	}
	return true
}
