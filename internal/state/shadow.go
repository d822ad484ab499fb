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
	c := cutsOf(rows)
	sc := scopes{}
	var cand []int
	for k, x := range rows {
		act := x.r.Action
		if x.r.Disabled || x.r.Priority == nil || act != model.Allow && act != model.Deny {
			continue
		}
		decided, other := 0, 0
		var by []*rule
		protos, ranges := probeSpace(x.r)
		// Only the rules up to this one that can match some of its
		// traffic can decide a probe first: the others are never looked
		// at, and their address edges cut nothing that matters (cuts.for).
		cand = cand[:0]
		for j := range rows[:k+1] {
			if mayMatch(rows[j].r, dirOf(x.r.Direction), protos, ranges) {
				cand = append(cand, j)
			}
		}
		qs := e.probesCut(x.r, c.bounds[dirOf(x.r.Direction)], c.edgesFor(rows, cand))
		for _, first := range e.firstMatches(rows, k, qs, sc) {
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
			if y.Action != act && (y.Action == model.Allow || y.Action == model.Deny) {
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

// cuts are where the rules of one firewall can change a decision: the
// port bounds of each direction, and every address where a peer of some
// rule begins or ends, sorted, each with the row it came from. They are
// gathered once per firewall, not once per rule probed: a network of
// thousands of GCP rules would otherwise sort all of them for each.
type cuts struct {
	bounds map[model.Direction][]int
	edges  []edge
	all    []netip.Addr
	// mapped says some edge is an IPv4-mapped IPv6 address: probed, it
	// reads as its IPv4 address (matches unmaps), outside every cell.
	mapped bool
}

type edge struct {
	a   netip.Addr
	row int
}

func cutsOf(rows []row) cuts {
	c := cuts{bounds: map[model.Direction][]int{}}
	for j, x := range rows {
		d := dirOf(x.r.Direction)
		for _, pr := range x.r.Ports {
			c.bounds[d] = append(c.bounds[d], pr.From, pr.To+1)
		}
		for _, n := range x.r.nets {
			c.mapped = c.mapped || n.Addr().Is4In6()
			c.edges = append(c.edges, edge{n.Addr(), j})
			if next := lastAddr(n).Next(); next.IsValid() {
				c.edges = append(c.edges, edge{next, j})
			}
		}
	}
	for d, b := range c.bounds {
		slices.Sort(b)
		c.bounds[d] = slices.Compact(b)
	}
	slices.SortStableFunc(c.edges, func(x, y edge) int { return x.a.Compare(y.a) })
	for _, e := range c.edges {
		if len(c.all) == 0 || c.all[len(c.all)-1] != e.a {
			c.all = append(c.all, e.a)
		}
	}
	return c
}

// edgesFor returns the address edges a rule's probes are cut along when
// only the rows cand (ascending) can decide them: their own edges. Any
// address between two of them is matched by the same of those rows as
// the lower one, which is probed first, so the probes at the others'
// edges would only repeat a verdict. That holds while the candidates
// match addresses by their parsed prefixes alone: a service tag or a
// prefix list matches by ranges that are not edges, and an IPv4-mapped
// edge is probed as its IPv4 address, so then every edge is kept, as
// before.
func (c cuts) edgesFor(rows []row, cand []int) []netip.Addr {
	if c.mapped {
		return c.all
	}
	in := make([]bool, len(rows))
	for _, j := range cand {
		r := rows[j].r
		for _, p := range r.Peers {
			if p.Kind == model.PeerServiceTag || p.Kind == model.PeerPrefixList {
				return c.all
			}
		}
		in[j] = true
	}
	var out []netip.Addr
	for _, e := range c.edges {
		if in[e.row] && (len(out) == 0 || out[len(out)-1] != e.a) {
			out = append(out, e.a)
		}
	}
	return out
}

// mayMatch says whether rule y can match any probe of traffic in
// direction dir, of protocols protos, on ports ranges: false only when
// it surely cannot.
func mayMatch(y *rule, dir model.Direction, protos []string, ranges model.PortList) bool {
	if y.Disabled || dirOf(y.Direction) != dir {
		return false
	}
	p := protoName(y.Protocol)
	anyProto := p == "" || p == "all"
	if !anyProto && !slices.Contains(protos, p) {
		return false
	}
	if len(y.Ports) == 0 {
		return true
	}
	for _, q := range protos {
		if (anyProto || q == p) && !portBearing(q) {
			return true // probed on no port
		}
	}
	for _, a := range y.Ports {
		for _, b := range ranges {
			if a.From <= b.To && b.From <= a.To {
				return true
			}
		}
	}
	return false
}

// probes returns the queries that cover rule r's traffic.
func (e *Engine) probes(rows []row, r *rule) []Query {
	c := cutsOf(rows)
	return e.probesCut(r, c.bounds[dirOf(r.Direction)], c.all)
}

// probeSpace returns the protocols and port ranges r's probes are in.
func probeSpace(r *rule) ([]string, model.PortList) {
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
	return protos, ranges
}

// probesCut returns the queries that cover rule r's traffic, cut at the
// port bounds of its direction and the address edges given (sorted).
func (e *Engine) probesCut(r *rule, bounds []int, edges []netip.Addr) []Query {
	dir := dirOf(r.Direction)
	protos, ranges := probeSpace(r)
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
	peers := e.peerProbes(r, edges)
	targets := [][]string{{}}
	if len(r.Targets) > 0 && !slices.Contains(r.Targets, "*") {
		targets = nil
		for _, t := range r.Targets {
			targets = append(targets, []string{t})
		}
	}
	qs := make([]Query, 0, len(protos)*len(portsOf)*len(peers)*len(targets))
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
func (e *Engine) peerProbes(r *rule, edges []netip.Addr) []Query {
	var out []Query
	seen := map[netip.Addr]bool{}
	addr := func(a netip.Addr) {
		if !seen[a] {
			seen[a] = true
			out = append(out, Query{Peer: a})
		}
	}
	within := func(n netip.Prefix) {
		addr(n.Addr())
		// edges are sorted: those in n are one stretch of them.
		i, _ := slices.BinarySearchFunc(edges, n.Masked().Addr(), netip.Addr.Compare)
		for _, a := range edges[i:] {
			if !n.Contains(a) {
				break
			}
			addr(a)
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

// unattachedPolicy says f is a GCP firewall policy whose associations are
// not known (no snapshot named them; logs alone never do). Evaluation
// assumes such a policy governs the network, but that is no evidence to
// lower an opening on: anyone who can add a rule to a policy attached to
// nothing could otherwise make a world-open VPC rule look shadowed.
func unattachedPolicy(f *firewall) bool {
	return f != nil && f.family == gcpPolicy && len(f.meta.AttachedTo) == 0
}

// otherReading reports whether deny d is another reading of allow r: the
// same named rule added by the same call (a record whose conflicting keys
// read one GCP rule as both allowed and denied). One rule cannot both
// allow and deny, so it shadows nothing.
func otherReading(d, r *rule, added []*rule) bool {
	return d.Name != "" && d.Name == r.Name && slices.Contains(added, d)
}

// shadowedAdds returns the deny rules that decide all the traffic of every
// allow rule a call just added to f, when each such rule is wholly decided
// by deny rules evaluated before it (an NSG allow at priority 200 under a
// deny at 100, a GCP allow under a higher-priority deny). Nil when some
// added allow decides any packet itself, or the call added no allow.
// Rules evaluated before the allow that are not known cannot make it
// decide a packet: at most they decide it first. A deny of a GCP firewall
// policy whose associations are unknown shadows nothing here.
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
			if j < 0 || rows[j].r == r || rows[j].r.Action != model.Deny || rows[j].r.Disabled || otherReading(rows[j].r, r, added) || unattachedPolicy(rows[j].f) {
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
