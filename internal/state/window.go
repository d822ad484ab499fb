package state

import (
	"crypto/sha256"
	"encoding/hex"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"cloudwall/internal/model"
)

// exposure is one rule through which the internet reaches the firewall,
// with the ports on which it is effective.
type exposure struct {
	// key names the exposure among f's: rule content and effective
	// ports (tupleKey), and the targets a deny protects.
	key string
	r   *rule
	// part is the part of r that is effective; nil when all of r is.
	part *model.RuleChange
	// except are targets a deny protects in full (exceptTargets).
	except []string
}

// refresh recomputes the exposures of f (and of the firewalls evaluated
// with it: a GCP network's rules, the networks a policy governs), opening
// windows for new ones and closing windows for those gone. edge is the
// call responsible, nil when loading a baseline; added are the rules the
// call added and touched every rule it added, removed or changed. With
// all false, a firewall evaluated with f is re-judged only when one of
// its world-open allow rules shares traffic (direction, protocol, ports)
// with a touched rule that internet traffic can match: nothing else can
// change what decides its packets. That keeps a change to one rule of a
// large GCP network from re-judging the whole network.
func (e *Engine) refresh(f *firewall, edge *model.WindowEdge, added, touched []*rule, all bool) (opened, closed []*model.Window) {
	group := []*firewall{f}
	switch {
	case f.family == gcpVPC && !all:
		group = e.interacting(f, internetRules(touched))
	case f.meta.Cloud == model.GCP && f.meta.Resource.Type == "network" && !all:
		group = append(group, e.networkRules(f)...)
	case f.family == gcpVPC || f.family == gcpPolicy:
		group = group[:0]
		project, network := gcpScope(f)
		cands := e.gcpCandidates(project)
		if f.family == gcpPolicy {
			cands = e.order // a policy governs networks of any project
		}
		reach := internetRules(touched)
		for _, x := range cands {
			if x.family == gcpPolicy && x == f {
				group = append(group, x)
				continue
			}
			if x.family != gcpVPC {
				continue
			}
			p, n := gcpScope(x)
			if f.family != gcpPolicy && (p != project || n != "" && network != "" && n != network) {
				continue
			}
			if x == f || all || interacts(x, reach) {
				group = append(group, x)
			}
		}
	}
	// The VPC rules of one network are evaluated together: their rows are
	// built once for the whole group, the first network's into the
	// engine's scratch set (a group rarely spans more than one).
	type network struct {
		k    [2]string
		rows *rowSet
	}
	var shared []network
	for _, x := range group {
		var rows *rowSet
		switch {
		case x.family == gcpVPC && !x.deleted && !x.exposes:
			rows = &rowSet{} // nothing to judge: no exposure
		case x.family == gcpVPC && !x.deleted:
			p, n := gcpScope(x)
			k := [2]string{p, n}
			i := slices.IndexFunc(shared, func(s network) bool { return s.k == k })
			if i < 0 {
				into := &e.scratch
				if len(shared) > 0 {
					into = &rowSet{}
				}
				shared = append(shared, network{k, e.internetRows(x, into)})
				i = len(shared) - 1
			}
			rows = shared[i].rows
		}
		o, c := e.refreshOne(x, edge, added, rows)
		opened = append(opened, o...)
		closed = append(closed, c...)
	}
	return opened, closed
}

// networkRules returns the GCP VPC rules that network n's settings
// govern (those enforcementBefore reads it for), in first-sight order: a
// call on the network can change its firewall policy enforcement order,
// which moves network firewall policies before or after all of them.
func (e *Engine) networkRules(n *firewall) []*firewall {
	project, _ := gcpScope(n)
	name := lastSegment(n.meta.Resource.ID)
	cands := e.order
	if project != "" {
		cands = e.gcpCandidates(project)
	}
	var out []*firewall
	for _, x := range cands {
		if x.family != gcpVPC {
			continue
		}
		p, net := gcpScope(x)
		if (project == "" || p == project) && (net == "" || net == name) {
			out = append(out, x)
		}
	}
	return out
}

// interacting returns f and the GCP VPC firewalls of its network whose
// exposure the rules in reach can alter, in first-sight order. It reads
// the exposer index, so a change costs the network's world-open allow
// rules, not all of its rules. A rule evaluated after another cannot
// change what decides that one's packets (first match wins): only
// world-open allows at or after a reached rule's priority are re-judged.
func (e *Engine) interacting(f *firewall, reach []*rule) []*firewall {
	group := []*firewall{f}
	if len(reach) == 0 {
		return group
	}
	project, network := gcpScope(f)
	scan := func(list []exposer) {
		for _, x := range list {
			if x.f == f || slices.Contains(group, x.f) {
				continue
			}
			if x.project != project || x.network != "" && network != "" && x.network != network {
				continue
			}
			if slices.ContainsFunc(reach, func(t *rule) bool { return rowKey(t, 2) <= x.key && overlap(x.r, t) }) {
				group = append(group, x.f)
			}
		}
	}
	// The same firewalls gcpCandidates would give: the project's rules
	// and those whose id names no project.
	scan(e.gcpExposers[project])
	if project != "" {
		scan(e.gcpExposers[""])
	}
	slices.SortFunc(group, func(a, b *firewall) int { return a.seq - b.seq })
	return group
}

// internetRules keeps the touched rules that a packet from the internet
// can match (world-open peers, or prefix lists that may be): only they
// can change another rule's exposure.
func internetRules(touched []*rule) []*rule {
	var out []*rule
	for _, t := range touched {
		if internetMatchable(t) {
			out = append(out, t)
		}
	}
	return out
}

// internetMatchable says whether a packet from the internet can match r.
func internetMatchable(r *rule) bool {
	return r.world || slices.ContainsFunc(r.Peers, func(p model.Peer) bool { return p.Kind == model.PeerPrefixList })
}

// internetRows returns the evaluation rows of f's GCP network that
// internet traffic can match, in evaluation order: what exposures are
// judged on. Rows no internet packet matches cannot decide one, so
// leaving them out changes no exposure and spares evaluating them. The
// rows are gathered into rs, reset first, whose buffers are reused.
func (e *Engine) internetRows(f *firewall, rs *rowSet) *rowSet {
	project, network := gcpScope(f)
	before := e.enforcementBefore(project, network)
	rs.reset()
	rows := slices.Grow(rs.rows, len(e.gcpInternet[project])+len(e.gcpInternet[""]))
	add := func(list []exposer) {
		for _, x := range list {
			if x.project == project && (x.network == "" || network == "" || x.network == network) {
				rows = append(rows, row{r: x.r, f: x.f, stage: 2, key: x.key, seq: x.seq})
			}
		}
	}
	add(e.gcpInternet[project])
	if project != "" {
		add(e.gcpInternet[""])
	}
	for _, x := range e.gcpOther {
		if x.family != gcpPolicy || x.meta.Cloud != model.GCP || x.deleted || !policyApplies(x, project, network) {
			continue
		}
		stage := 0
		if x.meta.Resource.Type == "network_firewall_policy" {
			stage = 3
			if before {
				stage = 1
			}
		}
		for _, r := range x.rules {
			rows = append(rows, row{r: r, f: x, stage: stage, key: rowKey(r, stage), seq: x.seq})
		}
	}
	sortKeyed(rows)
	rs.rows = rows
	return rs
}

// interacts says whether one of x's world-open allow rules shares
// traffic with one of the rules in reach, so that its exposure can
// depend on them.
func interacts(x *firewall, reach []*rule) bool {
	if len(reach) == 0 || x.deleted {
		return false
	}
	for _, r := range x.rules {
		if !r.world || r.Disabled || r.Action == model.Deny || r.Action == model.GotoNext {
			continue
		}
		for _, t := range reach {
			if overlap(r, t) {
				return true
			}
		}
	}
	return false
}

// overlap says whether some packet can match both rules, looking at
// direction, protocol and ports only (a superset of the packets both
// match).
func overlap(a, b *rule) bool {
	if dirOf(a.Direction) != dirOf(b.Direction) {
		return false
	}
	pa, pb := protoName(a.Protocol), protoName(b.Protocol)
	wild := func(p string) bool { return p == "" || p == "all" }
	if !wild(pa) && !wild(pb) && pa != pb {
		return false
	}
	if !portBearing(pa) || !portBearing(pb) || len(a.Ports) == 0 || len(b.Ports) == 0 {
		return true
	}
	for _, x := range a.Ports {
		for _, y := range b.Ports {
			if x.From <= y.To && y.From <= x.To {
				return true
			}
		}
	}
	return false
}

// rowSet is the evaluation rows of one firewall (or GCP network), with
// the port bounds of each direction's rules computed once.
type rowSet struct {
	rows []row
	// bounds are portBounds' answers, ingress then egress.
	bounds [2][]int
	done   [2]bool
}

// reset empties s, keeping its buffers: the engine's scratch set is
// reused by every call, as nothing keeps rows past a refresh.
func (s *rowSet) reset() {
	s.rows = s.rows[:0]
	s.bounds[0], s.bounds[1] = s.bounds[0][:0], s.bounds[1][:0]
	s.done = [2]bool{}
}

// portBounds returns the sorted distinct points where some rule of
// direction dir starts or stops matching a port.
func (s *rowSet) portBounds(dir model.Direction) []int {
	i := 0
	if dir == model.Egress {
		i = 1
	}
	if s.done[i] {
		return s.bounds[i]
	}
	n := 0
	for _, x := range s.rows {
		n += len(x.r.Ports)
	}
	bounds := slices.Grow(s.bounds[i][:0], 2*n)
	for _, x := range s.rows {
		if dirOf(x.r.Direction) != dir {
			continue
		}
		for _, pr := range x.r.Ports {
			bounds = append(bounds, pr.From, pr.To+1)
		}
	}
	slices.Sort(bounds)
	bounds = slices.Compact(bounds)
	s.bounds[i], s.done[i] = bounds, true
	return bounds
}

func (e *Engine) refreshOne(f *firewall, edge *model.WindowEdge, added []*rule, rows *rowSet) (opened, closed []*model.Window) {
	now := e.exposures(f, rows)
	still := func(k string) bool {
		_, ok := slices.BinarySearchFunc(now, k, func(x exposure, k string) int { return strings.Compare(x.key, k) })
		return ok
	}
	for k := range f.quiet {
		if !still(k) {
			delete(f.quiet, k)
		}
	}
	for k := range f.unwindowed {
		if !still(k) {
			delete(f.unwindowed, k)
		}
	}
	// Windows close, then open, in key order: only the keys that go are
	// sorted (a firewall can hold many open windows); now is in key order.
	var gone []string
	if len(f.open) > 0 { // most firewalls have none: spare the iteration
		for k := range f.open {
			if !still(k) {
				gone = append(gone, k)
			}
		}
	}
	slices.Sort(gone)
	for _, k := range gone {
		w := f.open[k]
		delete(f.open, k)
		e.close(f, w, edge)
		closed = append(closed, w)
	}
	var addedNow map[*rule]bool
	for _, x := range now {
		k := x.key
		if _, had := f.open[k]; had {
			continue
		}
		if _, q := f.quiet[k]; q {
			continue
		}
		if x.r.opened == nil && defaultEgress(f, &x.r.Rule) {
			// A default egress rule held from the baseline or added by
			// the firewall's creation is the normal state, as GCP's
			// implied allow-egress rule is: no window. A call that adds
			// it back after it was removed opens one.
			if f.quiet == nil {
				f.quiet = map[string]struct{}{}
			}
			f.quiet[k] = struct{}{}
			continue
		}
		if _, u := f.unwindowed[k]; u {
			continue
		}
		if len(f.open) >= MaxOpenWindows {
			// One call can add 60,000 world-open rules (one per peer
			// of a security group): past the bound, exposures are
			// counted, not each given a window. The finding still
			// judges every peer.
			if f.unwindowed == nil {
				f.unwindowed = map[string]struct{}{}
			}
			f.unwindowed[k] = struct{}{}
			e.unwindowed++
			continue
		}
		if addedNow == nil {
			addedNow = make(map[*rule]bool, len(added))
			for _, r := range added {
				addedNow[r] = true
			}
		}
		w := e.window(f, x, edge, addedNow[x.r])
		f.open[k] = w
		opened = append(opened, w)
	}
	return opened, closed
}

// MaxOpenWindows bounds the exposure windows open at once on one
// firewall; Unwindowed counts the exposures past it.
const MaxOpenWindows = 1000

// Unwindowed is how many exposures opened no window because their
// firewall already had MaxOpenWindows open.
func (e *Engine) Unwindowed() int64 { return e.unwindowed }

// window opens a window for exposure x.
func (e *Engine) window(f *firewall, x exposure, edge *model.WindowEdge, addedNow bool) *model.Window {
	w := &model.Window{
		Cloud: f.meta.Cloud, Account: f.meta.Account, Region: f.meta.Region,
		Firewall: f.meta.Resource, Rule: x.r.RuleChange, ExceptTargets: x.except,
	}
	if f.family == gcpVPC {
		_, w.Network = gcpScope(f)
	}
	if x.part != nil {
		w.Rule = *x.part
	}
	w.Rule.Effect = ""
	if edge != nil {
		w.Start, w.StartKnown = edge.Time, true
		o := *edge
		o.Why = "rule added"
		switch {
		case x.r == f.implicit:
			o.Why = "no firewall rule left: Azure Cache for Redis then admits every address"
		case !addedNow && x.part != nil && !slices.Equal(x.part.Peers, x.r.Peers):
			o.Why = "rule effective for these addresses only: a deny evaluated before it blocks the rest of the internet"
		case !addedNow:
			o.Why = "rule became effective: what was evaluated before it no longer blocks it"
		}
		w.Opened = &o
	} else {
		w.Start = f.since // zero until the data begins: see close and Windows
		w.StartUnbounded = f.since.IsZero()
	}
	e.judge(f, w)
	w.ID = windowID(f, w)
	w.Rollback = windowRollback(f, x.r)
	return w
}

// judge sets the window's severity and exposure from the detector.
func (e *Engine) judge(f *firewall, w *model.Window) {
	if e.opts.Detector == nil {
		return
	}
	typ := f.meta.Resource.Type
	switch typ {
	case "nsg":
		typ = "nsg_rule"
	case "sql_server":
		typ = "sql_firewall_rule"
	}
	w.Severity, w.Exposure = e.judgeRule(f.meta.Cloud, typ, &w.Rule)
	only, not, what := "only on instances with target ", "not on instances with target ", " (target tags, service accounts or destination ranges)"
	if f.family == nsg {
		only, not, what = "only to destination ", "not to destination ", " (the rule's destination prefixes or application security groups)"
	}
	if scopedByTargets(f) && len(w.Rule.Targets) > 0 && !slices.Contains(w.Rule.Targets, "*") {
		w.Exposure = append(slices.Clone(w.Exposure), only+strings.Join(w.Rule.Targets, ", ")+what)
	}
	if len(w.ExceptTargets) > 0 {
		w.Exposure = append(slices.Clone(w.Exposure), not+strings.Join(w.ExceptTargets, ", ")+
			": a deny evaluated first blocks all of it there")
	}
}

// judgement is the detector's verdict on a window's rule, as windows
// use it.
type judgement struct {
	sev      model.Severity
	exposure []string
}

// maxJudgeCache bounds the judgements remembered.
const maxJudgeCache = 1 << 14

// judgeRule asks the detector for the severity and exposure of rule r on
// a firewall of cloud and type typ. The same few rule shapes open most
// windows, so answers are remembered, keyed on every field the
// detector's severity and exposure read: all but the rule's name and
// priority, which only its reasons (not kept here) mention. Windows share
// a remembered exposure list, clipped so that appending copies it.
func (e *Engine) judgeRule(cloud model.Cloud, typ string, r *model.RuleChange) (model.Severity, []string) {
	k := judgeKey(cloud, typ, r)
	if j, ok := e.judged[k]; ok {
		return j.sev, j.exposure
	}
	d := e.opts.Detector.Judge(cloud, typ, *r)
	j := judgement{sev: d.Severity, exposure: slices.Clip(d.Exposure)}
	if e.judged == nil || len(e.judged) >= maxJudgeCache {
		e.judged = map[string]judgement{}
	}
	e.judged[k] = j
	return j.sev, j.exposure
}

// judgeKey spells cloud, typ and r's fields as given, but its name and
// priority.
func judgeKey(cloud model.Cloud, typ string, r *model.RuleChange) string {
	var b strings.Builder
	b.Grow(96)
	for _, s := range []string{string(cloud), typ, string(r.Effect), string(r.Direction), string(r.Action), r.Protocol} {
		b.WriteString(s)
		b.WriteByte(0)
	}
	var buf [20]byte
	for _, pr := range r.Ports {
		b.Write(strconv.AppendInt(buf[:0], int64(pr.From), 10))
		b.WriteByte('-')
		b.Write(strconv.AppendInt(buf[:0], int64(pr.To), 10))
		b.WriteByte(',')
	}
	b.WriteByte(0)
	for _, p := range r.Peers {
		b.WriteString(string(p.Kind))
		b.WriteByte(1)
		b.WriteString(p.Value)
		b.WriteByte(2)
	}
	b.WriteByte(0)
	for _, t := range r.Targets {
		b.WriteString(t)
		b.WriteByte(2)
	}
	b.WriteByte(0)
	b.Write(strconv.AppendInt(buf[:0], int64(r.PeersOmitted), 10))
	return b.String()
}

// close ends window w at edge.
func (e *Engine) close(f *firewall, w *model.Window, edge *model.WindowEdge) {
	end := e.last
	if edge != nil {
		end = edge.Time
		c := *edge
		c.Why = "rule removed or narrowed"
		switch {
		case f.deleted:
			c.Why = "firewall deleted"
		case e.ruleGone(f, w):
			c.Why = "rule removed or changed"
		default:
			c.Why = "rule no longer effective: disabled, or a rule evaluated before it now blocks it"
		}
		w.Closed = &c
	}
	if w.Start.IsZero() {
		w.Start = e.first
	}
	w.End = &end
	w.Short = w.StartKnown && end.Sub(w.Start) <= e.opts.ShortWindow
	// Nothing left to close: the command that would have closed it (a
	// disable or revoke of what may no longer exist) is not printed.
	w.Rollback = nil
	e.closed = append(e.closed, w)
}

// ruleGone says whether the window's rule is no longer in force at all.
func (e *Engine) ruleGone(f *firewall, w *model.Window) bool {
	want := tupleKey(&model.Rule{RuleChange: w.Rule})
	for _, r := range f.rules {
		if r.Disabled {
			continue
		}
		if r.key == want {
			return false
		}
		rc := r.RuleChange
		rc.Ports = w.Rule.Ports
		if tupleKey(&model.Rule{RuleChange: rc}) == want {
			return false
		}
	}
	return true
}

// unseen records a world-open allow rule that a call removed without the
// state having seen it: it was open before the data begins, so its window
// starts unknown and ends now.
func (e *Engine) unseen(f *firewall, r *rule, edge *model.WindowEdge) {
	if !r.world || r.Action == model.Deny || r.Action == model.GotoNext || defaultEgress(f, &r.Rule) {
		return
	}
	w := &model.Window{Cloud: f.meta.Cloud, Account: f.meta.Account, Region: f.meta.Region,
		Firewall: f.meta.Resource, Rule: r.RuleChange, Start: e.first, StartUnbounded: true}
	if f.family == gcpVPC {
		_, w.Network = gcpScope(f)
	}
	w.Rule.Effect = ""
	e.judge(f, w)
	w.ID = windowID(f, w)
	e.close(f, w, edge)
}

// exposures returns the rules of f through which the internet reaches it
// now, one per key (rule content and effective ports), in key order.
func (e *Engine) exposures(f *firewall, rows *rowSet) []exposure {
	var out []exposure // nil until an exposure is found: most firewalls have none
	if f.deleted {
		return out
	}
	for _, r := range f.rules {
		// Ingress windows say who could reach the firewall's workloads;
		// egress windows where they could send data (exfiltration, command
		// and control), judged by the detector's egress table.
		if !r.world || r.Disabled || r.Action == model.Deny || r.Action == model.GotoNext {
			continue
		}
		var parts []model.RuleChange
		full := true
		if f.family != allowOnly {
			if rows == nil {
				rows = &rowSet{}
				if f.family != gcpPolicy {
					// Judged alone: refresh holds no other rows, so
					// the scratch set is free.
					rows = &e.scratch
					rows.reset()
				}
				rows.rows = e.rowsAtInto(f, time.Time{}, rows.rows)
			}
			parts, full = e.effective(f, rows, r)
		}
		if !full && len(parts) == 0 {
			continue
		}
		var except []string
		suffix := ""
		if scopedByTargets(f) && (len(r.Targets) == 0 || slices.Contains(r.Targets, "*")) {
			except = e.exceptTargets(f, rows, r)
		}
		if len(except) > 0 {
			// Part of the exposure: a deny added or removed on a target
			// changes it.
			suffix = "|except " + strings.Join(except, ",")
		}
		if full {
			// The whole rule is effective: its own key.
			out = append(out, exposure{key: r.key + suffix, r: r, except: except})
			continue
		}
		for i := range parts {
			out = append(out, exposure{key: tupleKey(&model.Rule{RuleChange: parts[i]}) + suffix, r: r, part: &parts[i], except: except})
		}
	}
	if r := e.redisOpen(f); r != nil {
		out = append(out, exposure{key: r.key, r: r})
	}
	if len(out) < 2 {
		return out
	}
	// One exposure per key: the last found.
	slices.SortStableFunc(out, func(a, b exposure) int { return strings.Compare(a.key, b.key) })
	keep := out[:0]
	for i := range out {
		if i+1 < len(out) && out[i+1].key == out[i].key {
			continue
		}
		keep = append(keep, out[i])
	}
	return keep
}

// scopedByTargets says f's rules apply only to the targets they name: GCP
// target tags, service accounts and destination ranges, Azure NSG
// destination prefixes and application security groups. A deny to one
// destination does not stop traffic to another.
func scopedByTargets(f *firewall) bool {
	return f.family == gcpVPC || f.family == gcpPolicy || f.family == nsg
}

// exceptTargets returns, for a GCP allow (or an NSG rule to every
// destination) that applies to every instance,
// the targets of earlier-evaluated denies on which it decides none of its
// internet traffic: those instances were not exposed through it. A
// target the deny protects only in part is not listed (the window's
// ports stay those of an instance without it).
func (e *Engine) exceptTargets(f *firewall, rs *rowSet, r *rule) []string {
	var out []string
	for _, x := range rs.rows {
		if x.r.Action != model.Deny || x.r.Disabled || len(x.r.Targets) == 0 || !overlap(x.r, r) {
			continue
		}
		for _, t := range x.r.Targets {
			if t == "*" || slices.Contains(out, t) {
				continue
			}
			open := false
			for _, q := range internetProbes(r) {
				parts, _ := e.effectiveFor(f, rs, r, Query{Scoped: true, Targets: []string{t}, Family: q.Family})
				open = open || len(parts) > 0
			}
			if !open {
				out = append(out, t)
			}
		}
	}
	slices.Sort(out)
	return out
}

// defaultEgress reports an egress rule every firewall of its kind starts
// with: the egress-all rule AWS adds to a new security group, the
// allow-all entry 100 of a VPC's default network ACL, and rules the
// snapshot marks built in (Azure's AllowInternetOutBound).
func defaultEgress(f *firewall, r *model.Rule) bool {
	if dirOf(r.Direction) != model.Egress {
		return false
	}
	if r.Builtin {
		return true
	}
	typ := f.meta.Resource.Type
	if typ != "security_group" && !(typ == "network_acl" && f.meta.Default) || protoName(r.Protocol) != "all" || len(r.Peers) != 1 {
		return false
	}
	p := r.Peers[0]
	return p.Kind == model.PeerCIDR && (strings.TrimSpace(p.Value) == "0.0.0.0/0" || strings.TrimSpace(p.Value) == "::/0")
}

// effective returns the parts of allow rule r through which internet
// traffic reaches the firewall (r decides the packet): r itself when it
// decides everything it matches, else one part per protocol with the
// ports on which it decides. IPv4 and IPv6 internet traffic are judged
// apart (an IPv6 deny does not stop IPv4 traffic), and a part that holds
// for one family only keeps only that family's address peers. On GCP a
// rule applies only to the instances its targets name (tags, service
// accounts, destination ranges): each target is judged on its own, a
// deny scoped to other targets does not block it, and the parts name the
// targets on which they are effective. full says r is effective whole:
// parts is then nil.
func (e *Engine) effective(f *firewall, rs *rowSet, r *rule) (parts []model.RuleChange, full bool) {
	scoped := scopedByTargets(f)
	targets := [][]string{nil}
	if scoped && len(r.Targets) > 0 && !slices.Contains(r.Targets, "*") {
		targets = targets[:0]
		for _, t := range r.Targets {
			targets = append(targets, []string{t})
		}
	}
	var famBuf [2]int
	fams := famBuf[:0]
	switch {
	case r.world4 || r.world6:
		if r.world4 {
			fams = append(fams, 4)
		}
		if r.world6 {
			fams = append(fams, 6)
		}
	default:
		fams = append(fams, 0)
	}
	whole := r.RuleChange
	whole.Effect = ""
	if len(targets) == 1 && len(fams) == 1 {
		// One scope: nothing to group or narrow.
		parts, full := e.effectiveFor(f, rs, r, Query{Scoped: scoped, Targets: targets[0], Family: fams[0]})
		if full {
			return nil, true
		}
		return parts, false
	}
	type group struct {
		parts   []model.RuleChange
		full    bool
		targets []string
		fams    []int
	}
	var groups []*group
	byKey := map[string]*group{}
	for _, sc := range targets {
		for _, fam := range fams {
			parts, full := e.effectiveFor(f, rs, r, Query{Scoped: scoped, Targets: sc, Family: fam})
			if full {
				parts = []model.RuleChange{whole}
			}
			var k strings.Builder
			for i := range parts {
				k.WriteString(tupleKey(&model.Rule{RuleChange: parts[i]}))
				k.WriteByte(0)
			}
			g := byKey[k.String()]
			if g == nil {
				g = &group{parts: parts, full: full}
				byKey[k.String()] = g
				groups = append(groups, g)
			}
			if len(sc) > 0 && !slices.Contains(g.targets, sc[0]) {
				g.targets = append(g.targets, sc...)
			}
			if !slices.Contains(g.fams, fam) {
				g.fams = append(g.fams, fam)
			}
		}
	}
	if len(groups) == 1 && groups[0].full {
		return nil, true
	}
	var out []model.RuleChange
	for _, g := range groups {
		for _, p := range g.parts {
			if targets[0] != nil {
				p.Targets = slices.Clone(g.targets)
			}
			if len(g.fams) == 1 && len(fams) > 1 {
				p.Peers = familyPeers(p.Peers, g.fams[0])
			}
			out = append(out, p)
		}
	}
	return out, false
}

// effectiveFor returns the parts of r that decide packets shaped like
// base (its targets), and whether r decides all it matches there. Ports
// are probed once per stretch between the bounds of every rule of the
// same direction. Where world-scale rules name part of the internet (a
// deny of 0.0.0.0/1 before an allow of 0.0.0.0/0), each block of it is
// probed on its own: r decides for the blocks no earlier rule takes, and
// a part that holds for some blocks only names them as its peers.
func (e *Engine) effectiveFor(f *firewall, rs *rowSet, r *rule, base Query) ([]model.RuleChange, bool) {
	dir := dirOf(r.Direction)
	proto := protoName(r.Protocol)
	protos := []string{proto}
	if proto == "all" || proto == "" {
		protos = []string{"tcp", "udp", "icmp"}
	}
	ranges := r.Ports
	if len(ranges) == 0 {
		ranges = model.PortList{model.AllPortRange}
	}
	bounds := rs.portBounds(dir)
	var blocks []netip.Prefix
	if !base.Peer.IsValid() && base.Named == nil {
		blocks = internetBlocks(rs.rows, dir, base.Family)
	}
	want := uint64(1) // the blocks r's peers hold; one bit: the whole internet
	if blocks != nil {
		want = 0
		for i, b := range blocks {
			if coversBlock(r, b) {
				want |= 1 << i
			}
		}
		if want == 0 {
			blocks, want = nil, 1 // judged as the whole internet, as before
		}
	}
	// decides returns the blocks (bits of want) in which r decides.
	decides := func(p string, port int) uint64 {
		q := base
		q.Direction, q.Protocol, q.Port = dir, p, port
		if blocks == nil {
			if v := e.evaluate(f, rs.rows, q, nil); v.allowed && v.x != nil && v.x.r == r {
				return 1
			}
			return 0
		}
		var m uint64
		for i, b := range blocks {
			if want&(1<<i) == 0 {
				continue
			}
			q.within = b
			if v := e.evaluate(f, rs.rows, q, nil); v.allowed && v.x != nil && v.x.r == r {
				m |= 1 << i
			}
		}
		return m
	}
	whole := r.RuleChange
	whole.Effect = ""
	var parts []model.RuleChange
	full := true
	// add appends the part of ports eff (nil: no ports) that holds for
	// the blocks in mask.
	add := func(part model.RuleChange, eff model.PortList, mask uint64) {
		part.Ports = eff
		if mask != want {
			part.Peers = blockPeers(blocks, mask)
		}
		parts = append(parts, part)
	}
	for _, p := range protos {
		part := whole
		part.Protocol = p
		if !portBearing(p) {
			m := decides(p, 0)
			full = full && m == want
			if m != 0 {
				add(part, nil, m)
			}
			continue
		}
		// The ports on which r decides, per set of blocks, in the order
		// first seen.
		var masks []uint64
		var effs []model.PortList
		for _, pr := range ranges {
			lo := pr.From
			for lo <= pr.To {
				hi := pr.To
				if i, _ := slices.BinarySearch(bounds, lo+1); i < len(bounds) && bounds[i]-1 < hi {
					hi = bounds[i] - 1
				}
				m := decides(p, lo)
				full = full && m == want
				if m != 0 {
					k := slices.Index(masks, m)
					if k < 0 {
						masks, effs = append(masks, m), append(effs, nil)
						k = len(masks) - 1
					}
					effs[k] = appendRange(effs[k], model.PortRange{From: lo, To: hi})
				}
				lo = hi + 1
			}
		}
		for k := range masks {
			add(part, effs[k], masks[k])
		}
	}
	return parts, full
}

// appendRange adds pr to l, merging with an adjacent or overlapping last
// range and keeping l sorted by start.
func appendRange(l model.PortList, pr model.PortRange) model.PortList {
	for i := range l {
		if pr.From <= l[i].To+1 && pr.To >= l[i].From-1 {
			l[i].From, l[i].To = min(l[i].From, pr.From), max(l[i].To, pr.To)
			return l
		}
	}
	l = append(l, pr)
	slices.SortFunc(l, func(a, b model.PortRange) int { return a.From - b.From })
	return l
}

// windowID hashes the firewall, the rule and the start.
func windowID(f *firewall, w *model.Window) string {
	var b strings.Builder
	b.WriteString(f.key)
	b.WriteByte(0)
	b.WriteString(tupleKey(&model.Rule{RuleChange: w.Rule}))
	b.WriteByte(0)
	if w.Opened != nil {
		b.WriteString(w.Opened.Time.UTC().Format(time.RFC3339Nano))
		b.WriteString(w.Opened.EventID)
	}
	sum := sha256.Sum256([]byte(b.String()))
	return hex.EncodeToString(sum[:8])
}
