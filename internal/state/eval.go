package state

import (
	"cmp"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"

	"cloudwall/internal/model"
)

// Query is one packet as a firewall sees it.
type Query struct {
	Direction model.Direction
	// Protocol is tcp, udp, icmp, icmpv6 or a protocol name or number.
	Protocol string
	// Port is the destination port; ignored for protocols without ports.
	Port int
	// Peer is the source of ingress or the destination of egress. The
	// zero Addr means "the internet": any public address that no narrower
	// rule names, which only world-open rules (as the detector judges
	// peers) match.
	Peer netip.Addr
	// Family, with the zero Peer, narrows "the internet" to IPv4 (4) or
	// IPv6 (6) addresses: a rule open to ::/0 does not match IPv4
	// traffic. 0 means either.
	Family int
	// Named, when set, is a peer that is not an address (a tag, a group,
	// a prefix list, a service tag): only rules naming it, or any
	// address, match.
	Named *model.Peer
	// Scoped says Targets is the destination the packet goes to (the
	// instance's tags or service accounts, an NSG destination): a rule
	// scoped to targets matches only when it names one of them. Without
	// it targets are not considered (every instance).
	Scoped  bool
	Targets []string
	// within, with the zero Peer and a Family, narrows "the internet" to
	// one block of it (see internetBlocks): a world-scale rule matches
	// only when its peers hold the whole block.
	within netip.Prefix
}

func (q Query) String() string {
	who := "internet"
	if q.Peer.IsValid() {
		who = q.Peer.String()
	}
	p := protoName(q.Protocol)
	if portBearing(p) {
		p = fmt.Sprintf("%d/%s", q.Port, p)
	}
	return fmt.Sprintf("%s %s %s", dirOf(q.Direction), p, who)
}

// Decision is a firewall's verdict on a Query.
type Decision struct {
	Allowed bool
	// Rule is the rule that decided; nil when a default or implied rule
	// did (By says which).
	Rule *model.Rule
	// Firewall is whose rule decided (for GCP, one rule of the network).
	Firewall model.Resource
	// By says in words what decided ("rule 100 (allow)", "implied
	// deny-ingress rule (priority 65535)").
	By string
	// Known is false when the firewall's rules at that instant are not
	// all known: the decision rests on the rules the logs showed.
	Known bool
	// Caveats list what evaluation could not resolve (a referenced group,
	// a prefix list whose entries are not known).
	Caveats []string
}

// Decide evaluates q against the firewall res at instant t (the present
// when history is not kept), with the cloud's evaluation order.
func (e *Engine) Decide(cloud model.Cloud, res model.Resource, q Query, t time.Time) (Decision, bool) {
	f, ok := e.fws[firewallKey(cloud, res)]
	if !ok {
		return Decision{}, false
	}
	rows := e.rowsAt(f, t)
	d := e.decide(f, rows, q)
	d.Known = f.known && (t.IsZero() || !t.Before(f.since))
	return d, true
}

// row is one rule in evaluation, with its owner and stage.
type row struct {
	r     *rule
	f     *firewall
	stage int
	// key is the sort key sortRows fills: stage, priority, deny first;
	// seq is f's, which breaks ties.
	key int64
	seq int
}

// rowsAt returns the evaluation rows for f at t, sorted in the order the
// cloud evaluates them.
func (e *Engine) rowsAt(f *firewall, t time.Time) []row { return e.rowsAtInto(f, t, nil) }

// rowsAtInto is rowsAt appending to buf[:0].
func (e *Engine) rowsAtInto(f *firewall, t time.Time, buf []row) []row {
	at := func(x *firewall) []*rule {
		if !e.opts.History || t.IsZero() {
			if x.deleted {
				return nil
			}
			return x.rules
		}
		var rules []*rule
		for _, v := range x.history {
			if v.at.After(t) {
				break
			}
			rules = v.rules
			if v.deleted {
				rules = nil
			}
		}
		return rules
	}
	if f.family != gcpVPC {
		rows := buf[:0]
		for _, r := range at(f) {
			rows = append(rows, row{r: r, f: f})
		}
		sortRows(f.family, rows)
		return rows
	}
	// GCP: the network's VPC rules in one stage, hierarchical policies
	// before them, network policies after (or before, by the network's
	// enforcement order).
	project, network := gcpScope(f)
	before := e.enforcementBefore(project, network)
	cands := e.gcpCandidates(project)
	rows := slices.Grow(buf[:0], len(cands))
	for _, x := range cands {
		switch {
		case x.family == gcpVPC:
			p, n := gcpScope(x)
			if p != project || (n != "" && network != "" && n != network) {
				continue
			}
			for _, r := range at(x) {
				rows = append(rows, row{r: r, f: x, stage: 2})
			}
		case x.family == gcpPolicy && x.meta.Cloud == model.GCP && policyApplies(x, project, network):
			stage := 0
			if x.meta.Resource.Type == "network_firewall_policy" {
				stage = 3
				if before {
					stage = 1
				}
			}
			for _, r := range at(x) {
				rows = append(rows, row{r: r, f: x, stage: stage})
			}
		}
	}
	sortRows(gcpVPC, rows)
	return rows
}

// sortRows orders rows as the family evaluates them: by stage, then
// priority (rule number), a deny before an allow at the same priority
// (GCP), then by rule key for a stable order.
func sortRows(fam family, rows []row) {
	if fam == allowOnly {
		return
	}
	for i := range rows {
		x := &rows[i]
		x.key, x.seq = rowKey(x.r, x.stage), seqOf(x.f)
	}
	sortKeyed(rows)
}

// rowKey is the sort key of r evaluated at stage.
func rowKey(r *rule, stage int) int64 {
	return int64(stage)<<50 | int64(orderOf(r))<<1 | int64(actionRank(r.Action))
}

// sortKeyed sorts rows whose key and seq are filled. Ties keep
// first-sight order of the firewalls (then rule order): the same order
// whichever index the rows were gathered from. Rows gathered from the
// sorted GCP index come in order already: they are only checked.
func sortKeyed(rows []row) {
	byKey := func(a, b row) int {
		if c := cmp.Compare(a.key, b.key); c != 0 {
			return c
		}
		return cmp.Compare(a.seq, b.seq)
	}
	if !slices.IsSortedFunc(rows, byKey) {
		slices.SortStableFunc(rows, byKey)
	}
}

func seqOf(f *firewall) int {
	if f == nil {
		return 0
	}
	return f.seq
}

// orderOf puts rules without a priority last.
func orderOf(r *rule) int {
	if r.order < 0 {
		return 1 << 40
	}
	return r.order
}

func actionRank(a model.Action) int {
	if a == model.Deny {
		return 0
	}
	return 1
}

// gcpScope returns the project and network of a GCP rule. It is asked
// for on every evaluation of a network, so it is kept until the id,
// account or network it was read from changes.
func gcpScope(f *firewall) (project, network string) {
	c := &f.scope
	if c.ok && c.id == f.meta.Resource.ID && c.account == f.meta.Account && c.network == f.meta.Network {
		return c.project, c.name
	}
	id := normID(model.GCP, f.meta.Resource.ID)
	if rest, ok := strings.CutPrefix(id, "projects/"); ok {
		project, _, _ = strings.Cut(rest, "/")
	}
	if project == "" {
		project = f.meta.Account
	}
	network = lastSegment(f.meta.Network)
	*c = scopeCache{ok: true, id: f.meta.Resource.ID, account: f.meta.Account, network: f.meta.Network, project: project, name: network}
	return project, network
}

// scopeCache holds gcpScope's answer and what it was read from.
type scopeCache struct {
	ok                   bool
	id, account, network string
	project, name        string
}

// policyApplies says whether a GCP firewall policy governs a network: its
// associations name the network, its project, or a folder or
// organisation (whose hierarchy is not known here, so it is assumed to
// hold the project), or no association is known at all.
func policyApplies(p *firewall, project, network string) bool {
	if len(p.meta.AttachedTo) == 0 {
		return true
	}
	for _, a := range p.meta.AttachedTo {
		a = strings.ToLower(a)
		switch {
		case strings.Contains(a, "organizations/"), strings.Contains(a, "folders/"):
			return true
		case network != "" && lastSegment(a) == strings.ToLower(network):
			return true
		case project != "" && strings.Contains(a, "projects/"+strings.ToLower(project)+"/") && strings.Contains(a, "/networks/") && network == "":
			return true
		}
	}
	return false
}

// enforcementBefore reads the network's firewall policy enforcement order.
func (e *Engine) enforcementBefore(project, network string) bool {
	for _, x := range e.gcpOther {
		if x.meta.Cloud != model.GCP || x.meta.Resource.Type != "network" {
			continue
		}
		p, _ := gcpScope(x)
		if p != "" && p != project || network != "" && lastSegment(x.meta.Resource.ID) != network {
			continue
		}
		if strings.HasPrefix(strings.ToLower(x.meta.Settings[model.SettingEnforcementOrder]), "before") {
			return true
		}
	}
	return false
}

// verdict is what evaluation found, before it is put in words: the row
// that decided (nil when a default or implied rule did), the Azure
// default rule that decided, and whether a policy handed the packet on.
type verdict struct {
	allowed bool
	x       *row
	def     *rule
	// passed: a GCP policy rule matched but handed the packet to the next
	// stage (goto_next).
	passed bool
}

// decide evaluates q over sorted rows with f's family semantics.
func (e *Engine) decide(f *firewall, rows []row, q Query) Decision {
	var caveats []string
	v := e.evaluate(f, rows, q, &caveats)
	d := e.words(f, v, dirOf(q.Direction))
	d.Caveats = append(d.Caveats, caveats...)
	return d
}

// evaluate finds what decides q over sorted rows with f's family
// semantics, adding what it could not resolve to caveats when caveats
// is not nil. It builds no text: exposure probes call it for every port
// stretch of every world-open rule.
func (e *Engine) evaluate(f *firewall, rows []row, q Query, caveats *[]string) verdict {
	q.Protocol = protoName(q.Protocol)
	q.Direction = dirOf(q.Direction)
	note := func(c string) {
		if caveats != nil && c != "" && !slices.Contains(*caveats, c) {
			*caveats = append(*caveats, c)
		}
	}
	switch f.family {
	case allowOnly:
		for i := range rows {
			x := &rows[i]
			ok, c := e.matches(x.r, q)
			note(c)
			if ok && x.r.Action != model.Deny {
				return verdict{allowed: true, x: x}
			}
		}
		return verdict{}
	case gcpVPC:
		skip := -1
		for i := range rows {
			x := &rows[i]
			if x.stage == skip {
				continue
			}
			ok, c := e.matches(x.r, q)
			note(c)
			if !ok {
				continue
			}
			switch x.r.Action {
			case model.Allow, "":
				return verdict{allowed: true, x: x}
			case model.Deny:
				return verdict{x: x}
			}
			// goto_next: the rest of this policy is skipped and the next
			// stage evaluates the packet.
			skip = x.stage
		}
		// The implied rules: allow egress, deny ingress.
		return verdict{allowed: q.Direction == model.Egress}
	case gcpPolicy:
		for i := range rows {
			x := &rows[i]
			ok, c := e.matches(x.r, q)
			note(c)
			if ok && (x.r.Action == model.Allow || x.r.Action == model.Deny) {
				return verdict{allowed: x.r.Action == model.Allow, x: x}
			}
			if ok {
				return verdict{x: x, passed: true}
			}
		}
		return verdict{}
	}
	for i := range rows {
		x := &rows[i]
		ok, c := e.matches(x.r, q)
		note(c)
		if ok {
			return verdict{allowed: x.r.Action != model.Deny, x: x}
		}
	}
	if f.family == nsg {
		if e.defaults == nil {
			for _, d := range nsgDefaults {
				e.defaults = append(e.defaults, e.newRule(d, nil))
			}
		}
		for _, r := range e.defaults {
			if ok, _ := e.matches(r, q); ok {
				return verdict{allowed: r.Action == model.Allow, def: r}
			}
		}
	}
	return verdict{}
}

// words turns a verdict into a Decision that says what decided; dir is
// the packet's direction.
func (e *Engine) words(f *firewall, v verdict, dir model.Direction) Decision {
	switch {
	case v.x != nil && v.passed:
		x := v.x
		return Decision{Allowed: false, Rule: &x.r.Rule, Firewall: f.meta.Resource, By: fmt.Sprintf("rule %s (%s): not decided by this policy, handed to the next stage", ruleLabel(x.r), x.r.Action)}
	case v.x != nil:
		return decided(*v.x, v.allowed)
	case v.def != nil:
		r := v.def
		return Decision{Allowed: v.allowed, Rule: &r.Rule, Firewall: f.meta.Resource,
			By: fmt.Sprintf("default rule %s (priority %d, %s)", r.Name, *r.Priority, r.Action)}
	}
	d := Decision{Allowed: v.allowed, Firewall: f.meta.Resource}
	switch f.family {
	case allowOnly:
		d.By = "no rule allows it (this firewall only has allow rules)"
	case gcpVPC:
		d.By = "implied deny-ingress rule (priority 65535)"
		if dir == model.Egress {
			d.By = "implied allow-egress rule (priority 65535)"
		}
	case gcpPolicy:
		d.By = "no rule of this policy matches: handed to the next stage"
	case numbered:
		d.By = "the catch-all * entry (deny)"
	default:
		d.By = "no rule matches: denied"
	}
	return d
}

func decided(x row, allowed bool) Decision {
	return Decision{Allowed: allowed, Rule: &x.r.Rule, Firewall: x.f.meta.Resource,
		By: fmt.Sprintf("rule %s (%s)", ruleLabel(x.r), cmp.Or(string(x.r.Action), "allow"))}
}

// ruleLabel names a rule: its name, number or id, else its content.
func ruleLabel(r *rule) string {
	switch {
	case r.Name != "":
		return r.Name
	case r.ID != "":
		return r.ID
	case r.Priority != nil:
		return fmt.Sprint(*r.Priority)
	}
	return tupleKey(&r.Rule)
}

// matches reports whether rule r matches q, and a caveat when it could
// not tell (an unresolved reference).
func (e *Engine) matches(r *rule, q Query) (bool, string) {
	if !inScope(r, q) {
		return false, ""
	}
	if len(r.Peers) == 0 {
		return false, fmt.Sprintf("rule %s: peer not known", ruleLabel(r))
	}
	return e.matchesPeer(r, q)
}

// inScope reports whether rule r applies to q's direction, protocol,
// port and targets: whether it matches q when its peers do.
func inScope(r *rule, q Query) bool {
	if r.Disabled || dirOf(r.Direction) != q.Direction {
		return false
	}
	if p := protoName(r.Protocol); p != "" && p != "all" && p != q.Protocol {
		return false
	}
	if portBearing(q.Protocol) && len(r.Ports) > 0 {
		hit := false
		for _, pr := range r.Ports {
			if pr.Contains(q.Port) {
				hit = true
				break
			}
		}
		if !hit {
			return false
		}
	}
	if q.Scoped && len(r.Targets) > 0 && !slices.Contains(r.Targets, "*") {
		hit := false
		for _, t := range r.Targets {
			hit = hit || slices.ContainsFunc(q.Targets, func(u string) bool { return targetCovers(t, u) })
		}
		if !hit {
			return false
		}
	}
	return true
}

// matchesPeer reports whether q's peer is one of r's peers (r in scope).
func (e *Engine) matchesPeer(r *rule, q Query) (bool, string) {
	if q.Named != nil {
		for _, p := range r.Peers {
			if p.Kind == model.PeerAny || p.Kind == q.Named.Kind && strings.EqualFold(strings.TrimSpace(p.Value), strings.TrimSpace(q.Named.Value)) {
				return true, ""
			}
		}
		return false, ""
	}
	if !q.Peer.IsValid() {
		if q.Family == 4 && r.world4 || q.Family == 6 && r.world6 || q.Family == 0 && r.world {
			return !q.within.IsValid() || coversBlock(r, q.within), ""
		}
		for _, p := range r.Peers {
			if p.Kind == model.PeerPrefixList {
				entries, ok := e.prefixEntries(p.Value)
				if !ok {
					return false, fmt.Sprintf("prefix list %s: entries not known", p.Value)
				}
				if q.Family != 0 {
					entries = familyPeers(entries, q.Family)
				}
				if e.opts.Detector != nil && e.opts.Detector.World(entries) {
					return true, ""
				}
			}
		}
		return false, ""
	}
	a := q.Peer.Unmap()
	for _, n := range r.nets {
		if n.Contains(a) {
			return true, ""
		}
	}
	caveat := ""
	for _, p := range r.Peers {
		switch p.Kind {
		case model.PeerAny:
			return true, ""
		case model.PeerServiceTag:
			switch strings.ToLower(p.Value) {
			case "internet":
				if e.opts.Detector == nil || !e.opts.Detector.Private(a) {
					return true, ""
				}
			case "virtualnetwork":
				if e.opts.Detector != nil && e.opts.Detector.Private(a) {
					return true, "service tag VirtualNetwork read as the private ranges"
				}
			case "azureloadbalancer":
				if a == netip.MustParseAddr("168.63.129.16") {
					return true, ""
				}
			default:
				caveat = "service tag " + p.Value + ": addresses not known"
			}
		case model.PeerPrefixList:
			entries, ok := e.prefixEntries(p.Value)
			if !ok {
				caveat = "prefix list " + p.Value + ": entries not known"
				continue
			}
			for _, en := range entries {
				nets, _ := parseNet(en)
				for _, n := range nets {
					if n.Contains(a) {
						return true, ""
					}
				}
			}
		case model.PeerGroup, model.PeerTag, model.PeerServiceAccount, model.PeerOther:
			caveat = fmt.Sprintf("%s: which addresses it names is not resolved", p)
		}
	}
	return false, caveat
}

// targetCovers says a rule scoped to target t applies to every instance
// of target u: the same tag, account or group (letter case aside), or an
// address range holding all of u's (an NSG rule to 10.0.0.0/24 applies
// to 10.0.0.5; one to 10.0.0.5 does not apply to all of 10.0.0.0/24).
func targetCovers(t, u string) bool {
	if strings.EqualFold(t, u) {
		return true
	}
	if !mayBeAddr(t) || !mayBeAddr(u) {
		return false // a tag or account: parsing it for an address fails
	}
	tn, ok1 := parseNet(model.Peer{Kind: model.PeerCIDR, Value: t})
	un, ok2 := parseNet(model.Peer{Kind: model.PeerCIDR, Value: u})
	if !ok1 || !ok2 || len(tn) != 1 || len(un) != 1 {
		return false
	}
	return tn[0].Bits() <= un[0].Bits() && tn[0].Contains(un[0].Addr())
}

// mayBeAddr says whether s could parse as an address or a prefix: IPv4
// text starts with a digit, IPv6 text holds a colon. Matching a probe
// asks it of every target pair, and most targets are tags.
func mayBeAddr(s string) bool {
	s = strings.TrimSpace(s)
	return s != "" && ('0' <= s[0] && s[0] <= '9' || strings.Contains(s, ":"))
}

// prefixEntries returns a managed prefix list's entries where known.
func (e *Engine) prefixEntries(id string) ([]model.Peer, bool) {
	f, ok := e.prefixLists[normID(model.AWS, id)]
	if !ok || f.deleted {
		return nil, false
	}
	var out []model.Peer
	for _, r := range f.rules {
		out = append(out, r.Peers...)
	}
	return out, f.known || len(out) > 0
}

// nsgDefaults are the default rules of every Azure NSG, evaluated after
// its own rules.
var nsgDefaults = func() []model.Rule {
	mk := func(name string, prio int, dir model.Direction, act model.Action, peer model.Peer) model.Rule {
		return model.Rule{RuleChange: model.RuleChange{Direction: dir, Action: act, Protocol: "all",
			Ports: model.PortList{model.AllPortRange}, Peers: []model.Peer{peer}, Priority: model.IntPtr(prio), Name: name}}
	}
	vnet := model.Peer{Kind: model.PeerServiceTag, Value: "VirtualNetwork"}
	any := model.Peer{Kind: model.PeerAny, Value: "*"}
	return []model.Rule{
		mk("AllowVnetInBound", 65000, model.Ingress, model.Allow, vnet),
		mk("AllowAzureLoadBalancerInBound", 65001, model.Ingress, model.Allow, model.Peer{Kind: model.PeerServiceTag, Value: "AzureLoadBalancer"}),
		mk("DenyAllInBound", 65500, model.Ingress, model.Deny, any),
		mk("AllowVnetOutBound", 65000, model.Egress, model.Allow, vnet),
		mk("AllowInternetOutBound", 65001, model.Egress, model.Allow, model.Peer{Kind: model.PeerServiceTag, Value: "Internet"}),
		mk("DenyAllOutBound", 65500, model.Egress, model.Deny, any),
	}
}()
