package detect

import (
	"fmt"
	"strings"

	"cloudwall/internal/content"
	"cloudwall/internal/model"
)

// judged is the assessment of one rule change or setting.
type judged struct {
	sev model.Severity
	// change is the phrase for the title ("opened to the internet on 22/tcp (ssh)").
	change string
	// reasons explain sev.
	reasons []string
	// exposure is the "who -> what" line of an opened rule, or "".
	exposure []string
	// world says a world-scale peer was opened; v4 and v6 say which
	// address families it spans (both for "*", Any or a service tag), s4
	// and s6 how much of each.
	world, v4, v6 bool
	s4, s6        share
	// phrase is the internet phrase in change ("half of the IPv4 internet").
	phrase string
	// worldSensitive says a world-scale peer was opened on an
	// administrative or data port (a class from ports.yaml, all ports, or
	// ports not logged): never lowered below high by automation alone.
	worldSensitive bool
	// worldAdmin says a world-scale peer was opened on an administrative
	// port (or all ports), where remote-access advice applies.
	worldAdmin bool
	// closing says the change only narrows access: a deny added, an
	// allow removed, a setting that hardens.
	closing bool
	// opened and ports are change's two halves for an opening ("opened
	// to 10.0.0.0/8", every port text), so that the titles of equally
	// severe openings to the same peers can be joined.
	opened string
	ports  []string
}

// group is the peers of one rule that share a scope.
type group struct {
	scope content.Scope
	peers []sized
	// why explains a group made by union ("together cover every IPv4 address").
	why string
}

// change judges one rule change. Allow rules open, deny rules close; a
// removed rule closes if it was an allow and may open if it was a deny.
func (d *Detector) change(op *content.Operation, ch model.RuleChange) judged {
	w := d.c.Severity
	action := ch.Action
	if action == "" && op.AllowOnly {
		action = model.Allow
	}
	desc := describe(ch)
	switch {
	case ch.Effect == model.Removed && action == model.Allow:
		return judged{sev: w.Closing, change: "rule removed (closing access)", closing: true,
			reasons: []string{fmt.Sprintf("allow rule removed (%s): access narrows", desc)}}
	case ch.Effect == model.Removed && action == model.Deny:
		o := d.open(op, ch)
		sev := lower(o.sev, w.RemovedDenyStep)
		first := fmt.Sprintf("deny rule removed (%s): what it blocked flows if an allow rule admits it; %s, lowered %d step(s) to %s",
			desc, o.reasons[0], w.RemovedDenyStep, sev)
		if why := d.impliedEgressAllow(op, ch); why != "" {
			sev = o.sev
			first = fmt.Sprintf("deny rule removed (%s): %s; %s", desc, why, o.reasons[0])
		}
		j := judged{sev: sev, world: o.world, worldSensitive: o.worldSensitive, change: "deny rule removed (" + o.change + " is no longer blocked by it)"}
		j.reasons = append([]string{first}, o.reasons[1:]...)
		for _, e := range o.exposure {
			j.exposure = append(j.exposure, "no longer denied: "+e)
		}
		return j
	case ch.Effect == model.Removed:
		return judged{sev: w.RemovedUnknown, change: "rule removed (its action is not logged)",
			reasons: []string{fmt.Sprintf("rule removed (%s) and the log does not say whether it allowed or denied: if it was a deny, what it blocked may now be reachable", desc)}}
	case action == model.GotoNext:
		return d.gotoNext(ch)
	case action == model.Deny:
		phrase := "deny rule added (closing access)"
		if ch.Effect == model.Altered {
			phrase = "changed to deny (closing access)"
		}
		return judged{sev: w.Closing, change: phrase, closing: true,
			reasons: []string{fmt.Sprintf("deny rule %s (%s): access narrows", ch.Effect, desc)}}
	}
	o := d.open(op, ch)
	if action == "" {
		o.reasons = append(o.reasons, "the rule's action is not logged; judged as an allow")
	}
	if ch.Effect == model.Altered {
		o.reasons = append(o.reasons, replacedUnlogged)
	}
	return o
}

// replacedUnlogged is the reason an altered rule gives when the log does
// not say what the rule was before; assess replaces it when it does
// (Event.Original).
const replacedUnlogged = "rule replaced in place; its previous content is not logged"

// replacedLogged says what a rule replaced in place was before the call,
// from Event.Original; "" when the log does not say.
func replacedLogged(ev *model.Event) string {
	if len(ev.Original) == 0 {
		return ""
	}
	return "rule replaced in place; before the call it was: " + originalRules(ev)
}

// originalRules describes Event.Original, the rule as it was before the
// call, one entry per protocol.
func originalRules(ev *model.Event) string {
	var was []string
	for _, o := range ev.Original {
		was = append(was, string(o.Action)+" "+describe(o))
	}
	return strings.Join(was, "; ")
}

// ruleBefore says what a rule was before a call whose own content the
// log lacks (a GCP operation's last entry read alone), from Event.Original;
// "" when the log does not say.
func ruleBefore(ev *model.Event) string {
	if len(ev.Original) == 0 {
		return ""
	}
	return fmt.Sprintf("before the call the rule was: %s (resourceOriginalState of %s); what the call changed is in the first entry of its operation",
		originalRules(ev), model.RecordPlace(ev.OriginalAt.File, ev.OriginalAt.Index))
}

// open weighs an allow rule: every peer group against every port class,
// the worst cell wins.
func (d *Detector) open(op *content.Operation, ch model.RuleChange) judged {
	egress := ch.Direction == model.Egress
	table, dir := d.c.Severity.Ingress, "ingress"
	if egress {
		table, dir = d.c.Severity.Egress, "egress"
	}
	ps := d.ports(op, ch)
	groups, notes := d.groups(ch.Peers)
	var (
		j         judged
		best      group
		bestClass portClass
		bestCell  string
		first     = true
	)
	for _, g := range groups {
		for _, pc := range ps.classes {
			sev, cell := table.Lookup(g.scope, pc.name, pc.sensitive)
			if first || sev > j.sev {
				j.sev, best, bestClass, bestCell, first = sev, g, pc, cell, false
			}
		}
		if g.scope == content.World {
			j.world = true
			for _, pc := range ps.classes {
				if pc.sensitive || pc.name == "all" || pc.name == "unknown" {
					j.worldSensitive = !egress
				}
				if pc.name == "admin" || pc.name == "all" {
					j.worldAdmin = !egress
				}
			}
			s4, s6 := shares(g)
			j.s4, j.s6 = j.s4.join(s4), j.s6.join(s6)
			j.v4, j.v6 = j.s4.seen, j.s6.seen
		}
		line := who(g) + " -> " + strings.Join(ps.text, ", ")
		if egress {
			line = "egress to " + line
		}
		j.exposure = append(j.exposure, line)
	}
	j.s4, j.s6 = widen(j.s4, groups, 32), widen(j.s6, groups, 128)
	ports := short(ps.text, 3)
	to := title(best)
	if best.scope == content.World {
		to = internetPhrase(j.s4, j.s6)
		j.phrase = to
	}
	j.opened = "opened to " + to
	if egress {
		j.opened = "opened egress to " + to
	}
	j.change, j.ports = j.opened+" on "+ports, ps.text
	j.reasons = append(j.reasons, fmt.Sprintf("%s %s %s (%s) on %s, class %s: severity.%s.%s = %s",
		dir, fromTo(egress), peerList(best), scopeWhy(best), ports, bestClass.name, dir, bestCell, j.sev))
	if why := defaultEgress(op, ch); why != "" && j.sev > model.Low {
		j.sev = model.Low
		j.reasons = append(j.reasons, why)
	}
	if returnTraffic(op, ch) && j.world && j.sev > model.Medium {
		j.sev = model.Medium
		j.reasons = append(j.reasons, "the usual return-traffic entry of a stateless network ACL (inbound "+ch.Ports[0].String()+
			"/"+protocol(ch.Protocol)+" from anywhere, which replies to outbound connections need): it also admits new connections to services on those ports wherever a security group allows them: at most medium")
	}
	return j.withNotes(notes)
}

// returnTraffic reports whether ch is a network ACL's inbound allow of
// the ephemeral ports (from 1024 or above, up to 65535) over TCP or UDP:
// what a public subnet's NACL needs for the replies to its own outbound
// connections, since NACLs keep no connection state.
func returnTraffic(op *content.Operation, ch model.RuleChange) bool {
	if op.Resource != "network_acl" || ch.Direction == model.Egress || len(ch.Ports) != 1 {
		return false
	}
	p := protocol(ch.Protocol)
	r := ch.Ports[0]
	return (p == "tcp" || p == "udp") && r.From >= 1024 && r.To == 65535
}

func (j judged) withNotes(notes []string) judged {
	j.reasons = append(j.reasons, notes...)
	return j
}

// groups sizes a rule's peers and groups them by scope, widest first. CIDR
// and range peers that are world-scale only together form a world group.
// A rule with no logged peer gets one unreadable group.
func (d *Detector) groups(peers []model.Peer) ([]group, []string) {
	if len(peers) == 0 {
		return []group{{scope: content.Unreadable, why: "the rule's source or destination is not logged"}}, nil
	}
	var all []sized
	peers, notes := splitLists(peers)
	for _, p := range peers {
		s := d.size(p)
		all = append(all, s)
		if s.note != "" {
			notes = append(notes, s.note)
		}
	}
	var out []group
	used := map[int]bool{}
	for _, bits := range []int{32, 128} {
		why, ok := d.union(all, bits)
		if !ok {
			continue
		}
		g := group{scope: content.World, why: why}
		for i, s := range all {
			if s.span != nil && s.span.bits == bits {
				used[i] = true
				g.peers = append(g.peers, s)
			}
		}
		out = append(out, g)
	}
	for _, sc := range content.AllScopes() {
		g := group{scope: sc}
		for i, s := range all {
			if !used[i] && s.scope == sc {
				g.peers = append(g.peers, s)
			}
		}
		if len(g.peers) > 0 {
			out = append(out, g)
		}
	}
	return out, notes
}

// who names a group on the left of an exposure line.
func who(g group) string {
	switch g.scope {
	case content.World:
		name := strings.TrimPrefix(internetPhrase(shares(g)), "the ")
		if g.why != "" {
			return name + " (" + peerList(g) + ")"
		}
		return name
	case content.AzureServices:
		return "all Azure services"
	case content.Trusted:
		return "trusted network " + trustedName(g) + " (" + peerList(g) + ")"
	case content.Unreadable:
		if len(g.peers) == 0 {
			return "source not logged"
		}
	}
	return peerList(g)
}

// title names a group in a finding title.
func title(g group) string {
	switch g.scope {
	case content.World:
		return "the internet"
	case content.AzureServices:
		return "all Azure services"
	case content.PublicWide:
		return "a wide public range (" + peerList(g) + ")"
	case content.Private:
		return privateTitle(g)
	case content.Trusted:
		return "trusted network " + trustedName(g) + " (" + peerList(g) + ")"
	case content.Unreadable:
		if len(g.peers) == 0 {
			return "an unlogged source"
		}
		return "unreadable source " + peerList(g)
	}
	return peerList(g)
}

// serviceTagMeaning says what the Azure service tags sized as private
// stand for: they are not address ranges a reader would recognise.
var serviceTagMeaning = map[string]string{
	"azureloadbalancer": "the platform's health probes",
	"virtualnetwork":    "the virtual network and connected networks",
}

// privateTitle names a private group: its ranges by what they are
// ("private range 10.0.0.0/8", "loopback 127.0.0.1/32", "this network
// 0.0.0.0/16"), its service tags as what they stand for ("service tag
// AzureLoadBalancer (the platform's health probes)").
func privateTitle(g group) string {
	if len(g.peers) == 0 {
		return "private range " + peerList(g)
	}
	var labels, parts []string
	ranges := map[string][]string{}
	for _, p := range g.peers {
		if p.peer.Kind != model.PeerServiceTag {
			l := privateLabel(p.why)
			if _, ok := ranges[l]; !ok {
				labels = append(labels, l)
			}
			ranges[l] = append(ranges[l], p.peer.Value)
			continue
		}
		tag := "service tag " + p.peer.Value
		if m, ok := serviceTagMeaning[strings.ToLower(strings.TrimSpace(p.peer.Value))]; ok {
			tag += " (" + m + ")"
		}
		parts = append(parts, tag)
	}
	var named []string
	for _, l := range labels {
		named = append(named, l+" "+short(ranges[l], 3))
	}
	if len(parts) == 0 && len(named) == 1 {
		return labels[0] + " " + peerList(g)
	}
	return short(append(named, parts...), 3)
}

// trustedName names the trusted network of a group's first peer.
func trustedName(g group) string {
	if len(g.peers) > 0 {
		if _, n, ok := strings.Cut(g.peers[0].why, "trusted network "); ok {
			return n
		}
	}
	return ""
}

// scopeWhy says why a group has its scope.
func scopeWhy(g group) string {
	if g.why != "" {
		return string(g.scope) + ": " + g.why
	}
	if len(g.peers) > 0 && g.peers[0].why != "" {
		return string(g.scope) + ": " + g.peers[0].why
	}
	return string(g.scope)
}

func peerList(g group) string {
	if len(g.peers) == 0 {
		return "not logged"
	}
	var v []string
	for _, p := range g.peers {
		v = append(v, p.peer.Value)
	}
	return short(v, 3)
}

func fromTo(egress bool) string {
	if egress {
		return "to"
	}
	return "from"
}

// describe renders a rule compactly for reasons: "ingress 100 tcp 22 from 0.0.0.0/0".
func describe(ch model.RuleChange) string {
	var parts []string
	dir := ch.Direction
	if dir == "" {
		dir = model.Ingress
	}
	parts = append(parts, string(dir))
	if ch.Name != "" {
		parts = append(parts, ch.Name)
	}
	if ch.Protocol != "" {
		parts = append(parts, protocol(ch.Protocol))
	}
	if len(ch.Ports) > 0 {
		parts = append(parts, strings.Join(ch.Ports.Strings(), ","))
	}
	if len(ch.Peers) > 0 {
		var v []string
		for _, p := range ch.Peers {
			v = append(v, p.String())
		}
		parts = append(parts, fromTo(dir == model.Egress), short(v, 3))
	}
	return strings.Join(parts, " ")
}

// short joins up to n values and counts the rest.
func short(v []string, n int) string {
	if len(v) <= n {
		return strings.Join(v, ", ")
	}
	return strings.Join(v[:n], ", ") + fmt.Sprintf(" and %d more", len(v)-n)
}

// lower moves s down by steps, not below info.
func lower(s model.Severity, steps int) model.Severity {
	s -= model.Severity(steps)
	if s < model.Info {
		return model.Info
	}
	return s
}
