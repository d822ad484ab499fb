package azure

import (
	"maps"
	"slices"
	"strings"

	"cloudwall/internal/model"
	"cloudwall/internal/normalize/jv"
)

// ruleKind is the kind of an Azure Firewall rule; it decides which fields
// hold protocols, ports and destinations.
type ruleKind int

const (
	networkRule ruleKind = iota
	applicationRule
	natRule
)

// classicCollections are the rule lists of an Azure Firewall without a
// policy (classic rules), each a list of {name, properties:{priority,
// action:{type}, rules[]}}.
var classicCollections = []struct {
	key  string
	kind ruleKind
}{
	{"networkRuleCollections", networkRule},
	{"natRuleCollections", natRule},
	{"applicationRuleCollections", applicationRule},
}

// azureFirewall reads azureFirewalls/write: the threat-intelligence mode,
// the attached firewall policy and classic rule collections. The body is
// the whole firewall, so a firewall written with neither a policy nor
// classic rules has had its policy detached.
func (p *parser) azureFirewall() {
	if p.verb != "write" || p.body == nil {
		return
	}
	p.setFrom(model.SettingThreatIntelMode, p.props, "threatIntelMode")
	classic := 0
	for _, cc := range classicCollections {
		for _, coll := range jv.Objs(p.props, cc.key) {
			cp := inner(coll)
			name := firstNonEmpty(jv.Str(coll, "name"), jv.Str(cp, "name"))
			for _, r := range jv.Objs(cp, "rules") {
				classic++
				p.ev.Changes = append(p.ev.Changes, p.firewallRule(name, jv.Str(cp, "action", "type"), p.priority(label("rule collection", name), cp, "priority"), cc.kind, r)...)
			}
		}
	}
	if classic > 0 {
		p.note("azureFirewalls/write replaces the firewall's classic rule collections; their %d rule(s) are reported as added", classic)
	}
	switch policy := strings.TrimSpace(jv.Str(p.props, "firewallPolicy", "id")); {
	case policy != "":
		p.set(model.SettingPolicy, policy)
		p.addTarget(policy)
	case p.hasProps() && classic == 0 && !jv.Has(p.props, "networkRuleCollections") &&
		!jv.Has(p.props, "natRuleCollections") && !jv.Has(p.props, "applicationRuleCollections"):
		p.set(model.SettingPolicy, "")
		p.note("firewall written without a firewallPolicy or classic rules: any attached policy is detached")
	}
}

// firewallPolicy reads firewallPolicies/write: threat-intelligence mode,
// IDPS mode and the allowlists that bypass them.
func (p *parser) firewallPolicy() {
	if p.verb != "write" || p.body == nil {
		return
	}
	p.setFrom(model.SettingThreatIntelMode, p.props, "threatIntelMode")
	p.setFrom(model.SettingIntrusionDetection, p.props, "intrusionDetection", "mode")
	if allow := append(strs(jv.Get(p.props, "threatIntelWhitelist"), "ipAddresses"), strs(jv.Get(p.props, "threatIntelWhitelist"), "fqdns")...); len(allow) > 0 {
		p.note("threat intelligence allowlist: %s", strings.Join(allow, ", "))
	}
	for _, b := range jv.Objs(p.props, "intrusionDetection", "configuration", "bypassTrafficSettings") {
		p.note("IDPS bypass %q: sources %s to %s ports %s", jv.Str(b, "name"),
			strings.Join(strs(b, "sourceAddresses"), ","), strings.Join(strs(b, "destinationAddresses"), ","),
			strings.Join(strs(b, "destinationPorts"), ","))
	}
	if base := strings.TrimSpace(jv.Str(p.props, "basePolicy", "id")); base != "" {
		p.addTarget(base)
	}
}

// ruleCollectionGroup reads firewallPolicies/ruleCollectionGroups/write
// (ruleCollections[].rules[]) and the legacy ruleGroups/write
// (rules[].ruleConditions[]). The body replaces the whole group, so every
// rule in it is reported as added.
func (p *parser) ruleCollectionGroup() {
	if p.verb != "write" || p.body == nil {
		return
	}
	n := 0
	for _, coll := range jv.Objs(p.props, "ruleCollections") {
		cp := inner(coll)
		name := firstNonEmpty(jv.Str(coll, "name"), jv.Str(cp, "name"))
		kind := networkRule
		if strings.Contains(strings.ToLower(jv.Str(cp, "ruleCollectionType")), "nat") {
			kind = natRule
		}
		prio := p.priority(label("rule collection", name), cp, "priority")
		for _, r := range jv.Objs(cp, "rules") {
			n++
			p.ev.Changes = append(p.ev.Changes, p.firewallRule(name, jv.Str(cp, "action", "type"), prio, ruleKindOf(jv.Str(r, "ruleType"), kind), r)...)
		}
	}
	n += p.legacyRuleGroup()
	if n > 0 {
		p.note("ruleCollectionGroups/write replaces the group's rules; its %d rule(s) are reported as added", n)
	}
}

// legacyRuleGroup reads the pre-2020 ruleGroups body, where each rule has
// its own action and a list of conditions.
func (p *parser) legacyRuleGroup() int {
	n := 0
	for _, r := range jv.Objs(p.props, "rules") {
		name := jv.Str(r, "name")
		nat := strings.Contains(strings.ToLower(jv.Str(r, "ruleType")), "nat")
		prio := p.priority(label("rule", name), r, "priority")
		conds := append(jv.Objs(r, "ruleConditions"), jv.Objs(r, "ruleCondition")...)
		for _, c := range conds {
			kind := ruleKindOf(jv.Str(c, "ruleConditionType"), networkRule)
			if nat {
				kind = natRule
				c = withTranslation(c, r)
			}
			if jv.Str(c, "name") == "" {
				c = withName(c, name)
			}
			n++
			p.ev.Changes = append(p.ev.Changes, p.firewallRule("", jv.Str(r, "action", "type"), prio, kind, c)...)
		}
	}
	return n
}

// ruleKindOf reads ruleType (NetworkRule, ApplicationRule, NatRule) or a
// legacy condition type, defaulting to def.
func ruleKindOf(t string, def ruleKind) ruleKind {
	switch t = strings.ToLower(t); {
	case strings.Contains(t, "application"):
		return applicationRule
	case strings.Contains(t, "nat"):
		return natRule
	case strings.Contains(t, "network"):
		return networkRule
	}
	return def
}

// firewallRule turns one Azure Firewall rule into changes, one per
// protocol since a RuleChange has a single protocol. A network or DNAT
// rule is ingress to the firewall: its sources are the peers and its
// destinations go to Targets. A DNAT rule exposes its translated port on
// the translated address, so that port is what the change opens. An
// application rule filters what the workloads behind the firewall reach
// (FQDNs, URLs, web categories): it is egress, its destinations are the
// peers (model.Peer) and its sources the workloads it applies to.
func (p *parser) firewallRule(collection, act string, prio *int, kind ruleKind, r map[string]any) []model.RuleChange {
	r = inner(r)
	name := jv.Str(r, "name")
	if collection != "" {
		name = collection + "/" + name
	}
	rule := label("rule", name)
	base := model.RuleChange{
		Effect:    model.Added,
		Direction: model.Ingress,
		Action:    p.action(rule, act),
		Priority:  prio,
		Name:      name,
	}
	if kind == natRule && base.Action == "" {
		base.Action = model.Allow
	}
	base.Peers = append(p.peers(rule, strs(r, "sourceAddresses"), false), groupPeers(strs(r, "sourceIpGroups"))...)
	base.Targets = strs(r, "destinationAddresses", "destinationIpGroups", "destinationFqdns", "targetFqdns", "fqdnTags", "webCategories", "targetUrls")

	var protos []string
	var ports model.PortList
	switch kind {
	case applicationRule:
		protos, ports = p.applicationProtocols(rule, r)
		base.Direction = model.Egress
		base.Targets = append(strs(r, "sourceAddresses"), strs(r, "sourceIpGroups")...)
		base.Peers = append(p.peers(rule, strs(r, "targetFqdns", "targetUrls", "fqdnTags", "webCategories", "destinationAddresses"), false),
			groupPeers(strs(r, "destinationIpGroups"))...)
	case natRule:
		protos = protocols(strs(r, "ipProtocols", "protocols"))
		public := strs(r, "destinationPorts")
		if tp := strs(r, "translatedPort"); len(tp) > 0 {
			ports = p.ports(rule, tp)
			p.note("%s: DNAT from port(s) %s to %s on %s", rule, strings.Join(public, ","), strings.Join(tp, ","),
				firstNonEmpty(jv.Str(r, "translatedAddress"), jv.Str(r, "translatedFqdn"), "?"))
		} else {
			ports = p.ports(rule, public)
		}
		base.Targets = append(strs(r, "translatedAddress", "translatedFqdn"), base.Targets...)
	default:
		protos = protocols(strs(r, "ipProtocols", "protocols"))
		ports = p.ports(rule, strs(r, "destinationPorts"))
	}
	if len(protos) == 0 {
		protos = []string{""}
	}
	out := make([]model.RuleChange, 0, len(protos))
	for _, proto := range protos {
		c := base
		c.Protocol = proto
		if !portless(proto) {
			c.Ports = ports
		}
		out = append(out, c)
	}
	return out
}

// protocols normalises a protocol list, dropping repeats.
func protocols(raw []string) []string {
	var out []string
	for _, s := range raw {
		if pr := protocol(s); pr != "" && !slices.Contains(out, pr) {
			out = append(out, pr)
		}
	}
	return out
}

// appProtocolPorts are the default ports of application-rule protocols
// logged without one.
var appProtocolPorts = map[string]int{"http": 80, "https": 443, "mssql": 1433}

// applicationProtocols reads an application rule's protocols
// ([{protocolType: Https, port: 443}]); they all run over TCP.
func (p *parser) applicationProtocols(rule string, r map[string]any) ([]string, model.PortList) {
	var ports model.PortList
	for _, pr := range jv.Objs(r, "protocols") {
		t := strings.ToLower(jv.Str(pr, "protocolType"))
		if n, ok := jv.Int(pr, "port"); ok && n >= 0 && n <= 65535 {
			ports = append(ports, model.PortRange{From: n, To: n})
		} else if n, ok := appProtocolPorts[t]; ok {
			ports = append(ports, model.PortRange{From: n, To: n})
		} else {
			p.note("%s: unreadable protocol %s port %q", rule, t, jv.Str(pr, "port"))
		}
	}
	ports = append(ports, p.ports(rule, strs(r, "destinationPorts"))...)
	if len(ports) == 0 {
		return nil, nil
	}
	return []string{"tcp"}, ports
}

// groupPeers turns IP group ids into group peers.
func groupPeers(ids []string) []model.Peer {
	var out []model.Peer
	for _, id := range ids {
		out = append(out, model.Peer{Kind: model.PeerGroup, Value: id})
	}
	return out
}

// withTranslation copies a legacy NAT rule's translated address and port
// onto its condition, where firewallRule looks for them.
func withTranslation(cond, rule map[string]any) map[string]any {
	out := maps.Clone(cond)
	if out == nil {
		out = map[string]any{}
	}
	for _, k := range []string{"translatedAddress", "translatedPort", "translatedFqdn"} {
		if v, ok := jv.Field(rule, k); ok {
			out[k] = v
		}
	}
	return out
}

func withName(m map[string]any, name string) map[string]any {
	out := maps.Clone(m)
	if out == nil {
		out = map[string]any{}
	}
	out["name"] = name
	return out
}
