package state

import (
	"net/netip"
	"slices"
	"time"

	"cloudwall/internal/detect"
	"cloudwall/internal/model"
)

// Shadow says how the rules evaluated before one rule decide its traffic.
type Shadow struct {
	// Full says the rule never decides a packet: rules of the other
	// action evaluated before it decide all of its traffic.
	Full bool
	// By are the earlier rules of the other action that decide some (or,
	// when Full, all) of its traffic, in evaluation order.
	By []*model.Rule
}

// Shadows evaluates one snapshot firewall's rules in its cloud's order
// (the engine's, as Decide uses it) and returns, by index into fw.Rules,
// the allow and deny rules whose traffic rules of the other action
// evaluated first decide in whole or in part. Firewalls whose rules only
// allow (security groups, PaaS allow lists) have no order and no shadows.
//
// Each rule's traffic is probed at every point where the decision can
// change: each protocol it names (tcp, udp, icmp and one other for
// "all"), each stretch of ports between the bounds of the firewall's
// rules, each address where a peer of some rule begins or ends, the
// internet at large for world-open peers, and each target it applies to.
// Peers that are not addresses (tags, groups, prefix lists) are matched by
// name: only a rule naming the same peer, or any address, covers them.
func Shadows(fw *model.Firewall, det *detect.Detector) map[int]Shadow {
	e := New(Options{Detector: det})
	f := &firewall{family: familyOf(fw.Cloud, fw.Resource.Type), meta: *fw}
	f.meta.Rules = nil
	out := map[int]Shadow{}
	if f.family == allowOnly {
		return out
	}
	rows := make([]row, 0, len(fw.Rules))
	index := map[*rule]int{}
	for i := range fw.Rules {
		r := e.newRule(fw.Rules[i], nil)
		r.Protocol = protoName(r.Protocol)
		index[r] = i
		rows = append(rows, row{r: r, f: f})
	}
	sortRows(f.family, rows)
	for k, x := range rows {
		act := x.r.Action
		if x.r.Disabled || x.r.Priority == nil || act != model.Allow && act != model.Deny {
			continue
		}
		decided, other := 0, 0
		var by []*rule
		qs := e.probes(rows, x.r)
		for _, q := range qs {
			first := -1
			for j, y := range rows {
				if ok, _ := e.matches(y.r, q); ok {
					first = j
					break
				}
			}
			switch {
			case first < 0:
				// Not even the rule itself matches: a peer it cannot
				// match by address (not resolved): no verdict.
				continue
			case first == k:
				decided++
				continue
			}
			y := rows[first].r
			if first < k && y.Action != act && (y.Action == model.Allow || y.Action == model.Deny) {
				other++
				if !slices.Contains(by, y) {
					by = append(by, y)
				}
			}
		}
		if len(by) == 0 {
			continue
		}
		s := Shadow{Full: decided == 0 && other > 0 && other == len(qs)}
		for _, y := range by {
			s.By = append(s.By, &fw.Rules[index[y]])
		}
		out[index[x.r]] = s
	}
	return out
}

// probes returns the queries that cover rule r's traffic.
func (e *Engine) probes(rows []row, r *rule) []Query {
	dir := dirOf(r.Direction)
	protos := []string{protoName(r.Protocol)}
	if protos[0] == "all" || protos[0] == "" {
		// 253 stands for every protocol no rule names (RFC 3692
		// experimentation): only an "all" rule matches it.
		protos = []string{"tcp", "udp", "icmp", "253"}
	}
	ranges := r.Ports
	if len(ranges) == 0 || r.Ports.All() {
		ranges = model.PortList{model.AllPortRange}
	}
	var bounds []int
	for _, x := range rows {
		if dirOf(x.r.Direction) != dir {
			continue
		}
		for _, pr := range x.r.Ports {
			bounds = append(bounds, pr.From, pr.To+1)
		}
	}
	slices.Sort(bounds)
	bounds = slices.Compact(bounds)
	var portsOf []int // one port per stretch of r's ranges
	for _, pr := range ranges {
		lo := pr.From
		for lo <= pr.To {
			hi := pr.To
			if i, _ := slices.BinarySearch(bounds, lo+1); i < len(bounds) && bounds[i]-1 < hi {
				hi = bounds[i] - 1
			}
			portsOf = append(portsOf, lo)
			lo = hi + 1
		}
	}
	peers := e.peerProbes(rows, r)
	targets := [][]string{{}}
	if len(r.Targets) > 0 && !slices.Contains(r.Targets, "*") {
		targets = nil
		for _, t := range r.Targets {
			targets = append(targets, []string{t})
		}
	}
	var qs []Query
	for _, p := range protos {
		ps := portsOf
		if !portBearing(p) {
			ps = []int{0}
		}
		for _, port := range ps {
			for _, peer := range peers {
				for _, t := range targets {
					q := peer
					q.Direction, q.Protocol, q.Port = dir, p, port
					q.Targets, q.Scoped = t, true
					qs = append(qs, q)
				}
			}
		}
	}
	return qs
}

// peerProbes returns one query per distinct part of r's peers: the
// internet for a world-open rule, each address where some rule's peer
// begins or ends inside r's address peers, and each named peer.
func (e *Engine) peerProbes(rows []row, r *rule) []Query {
	var out []Query
	var edges []netip.Addr
	for _, x := range rows {
		for _, n := range x.r.nets {
			edges = append(edges, n.Addr())
			if next := lastAddr(n).Next(); next.IsValid() {
				edges = append(edges, next)
			}
		}
	}
	slices.SortFunc(edges, func(a, b netip.Addr) int { return a.Compare(b) })
	edges = slices.Compact(edges)
	seen := map[netip.Addr]bool{}
	addr := func(a netip.Addr) {
		if !seen[a] {
			seen[a] = true
			out = append(out, Query{Peer: a})
		}
	}
	within := func(n netip.Prefix) {
		addr(n.Addr())
		for _, a := range edges {
			if n.Contains(a) {
				addr(a)
			}
		}
	}
	out = append(out, internetProbes(r)...) // the internet at large
	for _, p := range r.Peers {
		switch p.Kind {
		case model.PeerAny:
			if !r.world {
				out = append(out, Query{Family: 4}, Query{Family: 6})
			}
			for _, n := range []netip.Prefix{netip.MustParsePrefix("0.0.0.0/0"), netip.MustParsePrefix("::/0")} {
				within(n)
			}
		case model.PeerCIDR, model.PeerRange:
			if nets, ok := parseNet(p); ok {
				for _, n := range nets {
					within(n)
				}
				continue
			}
			out = append(out, Query{Named: &model.Peer{Kind: p.Kind, Value: p.Value}})
		default:
			if r.world && e.opts.Detector != nil && e.opts.Detector.World([]model.Peer{p}) {
				continue // the internet, probed above
			}
			out = append(out, Query{Named: &model.Peer{Kind: p.Kind, Value: p.Value}})
		}
	}
	return out
}

// internetProbes returns the queries for "the internet" through a
// world-open rule: one per address family its peers open.
func internetProbes(r *rule) []Query {
	var out []Query
	if r.world4 {
		out = append(out, Query{Family: 4})
	}
	if r.world6 {
		out = append(out, Query{Family: 6})
	}
	if r.world && len(out) == 0 {
		out = append(out, Query{})
	}
	return out
}

// Covers reports whether the rules of by, together, match every packet
// rule r matches, as the engine matches packets (directions, protocols,
// ports, address peers by containment, named peers by name, targets); the
// rules' actions and order are not considered. A rule that matches no
// probe (its peers are not known) is covered only by an identical rule.
func Covers(r model.Rule, by []model.Rule) bool {
	e := New(Options{})
	x := e.newRule(r, nil)
	rows := []row{{r: x}}
	for i := range by {
		rows = append(rows, row{r: e.newRule(by[i], nil)})
	}
	matched := 0
	for _, q := range e.probes(rows, x) {
		if ok, _ := e.matches(x, q); !ok {
			continue
		}
		matched++
		if !slices.ContainsFunc(rows[1:], func(y row) bool { ok, _ := e.matches(y.r, q); return ok }) {
			return false
		}
	}
	if matched == 0 {
		return slices.ContainsFunc(by, func(y model.Rule) bool { return tupleKey(&y) == tupleKey(&r) })
	}
	return true
}

// shadowedAdds returns the deny rules that decide all the traffic of every
// allow rule a call just added to f, when each such rule is wholly decided
// by deny rules evaluated before it (an NSG allow at priority 200 under a
// deny at 100, a GCP allow under a higher-priority deny). Nil when some
// added allow decides any packet itself, or the call added no allow.
// Rules evaluated before the allow that are not known cannot make it
// decide a packet: at most they decide it first.
func (e *Engine) shadowedAdds(f *firewall, added []*rule) []model.Rule {
	if f.family == allowOnly || len(added) == 0 {
		return nil
	}
	rows := e.rowsAt(f, time.Time{})
	var by []*rule
	allows := 0
	for _, r := range added {
		if r.Disabled || r.Action != model.Allow {
			continue
		}
		allows++
		qs := e.probes(rows, r)
		if len(qs) == 0 {
			return nil
		}
		for _, q := range qs {
			j := slices.IndexFunc(rows, func(x row) bool { ok, _ := e.matches(x.r, q); return ok })
			if j < 0 || rows[j].r == r || rows[j].r.Action != model.Deny || rows[j].r.Disabled {
				return nil
			}
			if !slices.Contains(by, rows[j].r) {
				by = append(by, rows[j].r)
			}
		}
	}
	if allows == 0 {
		return nil
	}
	out := make([]model.Rule, len(by))
	for i, d := range by {
		out[i] = d.Rule
	}
	return out
}
