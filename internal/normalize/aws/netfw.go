package aws

import (
	"strconv"
	"strings"

	"cloudwall/internal/model"
	"cloudwall/internal/normalize/jv"
)

// AWS Network Firewall (network-firewall.amazonaws.com). Its JSON protocol
// logs requestParameters in lower camelCase.

// networkFirewall dispatches the Network Firewall operations.
func (p *parser) networkFirewall(op string) {
	switch op {
	case "deletefirewall", "createfirewall":
		p.nfwResource("network_firewall", "firewall")
	case "disassociatesubnets":
		p.nfwResource("network_firewall", "firewall")
		p.ev.Targets = idsOf(jv.Get(p.req, "subnetIds"), "subnetId")
	case "updatefirewalldeleteprotection":
		p.nfwResource("network_firewall", "firewall")
		p.setBool(model.SettingDeleteProtection, "deleteProtection")
	case "updatesubnetchangeprotection":
		p.nfwResource("network_firewall", "firewall")
		p.setBool(model.SettingDeleteProtection, "subnetChangeProtection", "deleteProtection")
	case "updatefirewallpolicychangeprotection":
		p.nfwResource("network_firewall", "firewall")
		p.setBool(model.SettingDeleteProtection, "firewallPolicyChangeProtection", "deleteProtection")
	case "associatefirewallpolicy":
		p.nfwResource("network_firewall", "firewall")
		if v, ok := jv.Field(p.req, "firewallPolicyArn"); ok {
			p.setting(model.SettingPolicy, p.scalar(v, "requestParameters.firewallPolicyArn"))
		}
	case "updatefirewallpolicy":
		p.nfwResource("firewall_policy", "firewallPolicy")
		p.firewallPolicy()
	case "deletefirewallpolicy":
		p.nfwResource("firewall_policy", "firewallPolicy")
	case "updaterulegroup":
		p.nfwResource("rule_group", "ruleGroup")
		p.nfwRuleGroup()
	case "deleterulegroup":
		p.nfwResource("rule_group", "ruleGroup")
	}
}

// nfwResource sets a firewall, policy or rule group from its <prefix>Arn
// and <prefix>Name, falling back to the response's copy of the object.
func (p *parser) nfwResource(typ, prefix string) {
	resp := first(jv.Str(p.resp, prefix, prefix+"Arn"), jv.Str(p.resp, prefix+"Response", prefix+"Arn"))
	p.ev.Resource = model.Resource{
		Type: typ,
		ID:   first(p.scalar(jv.Get(p.req, prefix+"Arn"), "requestParameters."+prefix+"Arn"), resp),
		Name: first(p.scalar(jv.Get(p.req, prefix+"Name"), "requestParameters."+prefix+"Name"),
			jv.Str(p.resp, prefix, prefix+"Name"), jv.Str(p.resp, prefix+"Response", prefix+"Name")),
	}
}

// setting records a non-rule setting, lower case as the model asks. Ids
// and ARNs (SettingPolicy) are case-sensitive in AWS and are kept as
// logged.
func (p *parser) setting(key, value string) {
	if p.ev.Settings == nil {
		p.ev.Settings = make(map[string]string)
	}
	if key != model.SettingPolicy {
		value = strings.ToLower(value)
	}
	p.ev.Settings[key] = value
}

// setBool records the first of keys present as a "true"/"false" setting.
func (p *parser) setBool(key string, keys ...string) {
	for _, k := range keys {
		if v, ok := p.lowerBool(jv.Get(p.req, k), "requestParameters."+k); ok {
			p.setting(key, v)
			return
		}
	}
}

// firewallPolicy reads UpdateFirewallPolicy. The stateless default action
// decides what happens to traffic no rule matches: aws:pass lets it all
// through. The referenced rule groups become Targets, since the call
// replaces the whole list.
func (p *parser) firewallPolicy() {
	pol := jv.Obj(p.req, "firewallPolicy")
	if pol == nil {
		return
	}
	if a := statelessAction(jv.Strs(pol, "statelessDefaultActions")); a != "" {
		p.setting(model.SettingDefaultAction, string(a))
	}
	for _, s := range jv.Strs(pol, "statelessFragmentDefaultActions") {
		if strings.EqualFold(s, "aws:pass") {
			p.notef("stateless fragment default action is aws:pass")
		}
	}
	for _, list := range [...]string{"statelessRuleGroupReferences", "statefulRuleGroupReferences"} {
		p.ev.Targets = append(p.ev.Targets, idsOf(jv.Get(pol, list), "resourceArn")...)
	}
}

// statelessAction maps stateless actions (aws:pass, aws:drop,
// aws:forward_to_sfe, custom actions) to allow/deny. aws:forward_to_sfe
// hands the packet to the stateful engine, which is neither, so it yields "".
func statelessAction(acts []string) model.Action {
	var out model.Action
	for _, a := range acts {
		switch strings.ToLower(strings.TrimSpace(a)) {
		case "aws:pass":
			return model.Allow
		case "aws:drop":
			out = model.Deny
		}
	}
	return out
}

// nfwRuleGroup reads UpdateRuleGroup: the whole group is replaced, so every
// rule it now holds is Altered. Stateless rules, stateful rules, domain
// lists and Suricata text are all read.
func (p *parser) nfwRuleGroup() {
	src := jv.Obj(p.req, "ruleGroup", "rulesSource")
	for i, r := range jv.Objs(src, "statelessRulesAndCustomActions", "statelessRules") {
		p.statelessRule(r, where("statelessRules", i))
	}
	for i, r := range jv.Objs(src, "statefulRules") {
		p.statefulRule(r, where("statefulRules", i))
	}
	if list := jv.Obj(src, "rulesSourceList"); list != nil {
		p.domainList(list)
	}
	text := first(jv.Str(src, "rulesString"), jv.Str(p.req, "rules"))
	if text != "" {
		p.suricata(text)
	}
}

// statelessRule reads one stateless rule: one change per protocol, since
// RuleChange holds one protocol. No protocols means all; no sources means
// any address, as in the Network Firewall API.
func (p *parser) statelessRule(r map[string]any, w string) {
	def := jv.Obj(r, "ruleDefinition")
	m := jv.Obj(def, "matchAttributes")
	base := model.RuleChange{Effect: model.Altered, Action: statelessAction(jv.Strs(def, "actions"))}
	if n, ok := jv.Int(r, "priority"); ok {
		base.Priority = model.IntPtr(n)
	}
	for i, s := range jv.Objs(m, "sources") {
		if pr, ok := p.peer(jv.Str(s, "addressDefinition"), where(w+".sources", i)); ok {
			base.Peers = append(base.Peers, pr)
		}
	}
	if len(base.Peers) == 0 {
		base.Peers = []model.Peer{{Kind: model.PeerAny, Value: "ANY"}}
	}
	for _, d := range jv.Objs(m, "destinations") {
		if s := jv.Str(d, "addressDefinition"); s != "" {
			base.Targets = append(base.Targets, s)
		}
	}
	var ports model.PortList
	for i, pr := range jv.Objs(m, "destinationPorts") {
		ports = append(ports, p.ports("", jv.Get(pr, "fromPort"), jv.Get(pr, "toPort"), where(w+".destinationPorts", i))...)
	}
	protos := jv.Strs(m, "protocols")
	if len(protos) == 0 {
		protos = []string{"all"}
	}
	for _, proto := range protos {
		c := base
		c.Protocol = protocolName(proto)
		if c.Ports = ports; len(ports) == 0 {
			c.Ports = model.PortList{model.AllPortRange}
		}
		fixPorts(&c)
		p.ev.Changes = append(p.ev.Changes, c)
	}
}

// statefulRule reads one 5-tuple stateful rule. Network Firewall rules
// have no direction of their own: the source is the peer and the
// destination narrows the rule (RuleChange.Targets).
func (p *parser) statefulRule(r map[string]any, w string) {
	h := jv.Obj(r, "header")
	c := model.RuleChange{
		Effect:   model.Altered,
		Action:   action(jv.Str(r, "action")),
		Protocol: nfwProtocol(jv.Str(h, "protocol")),
		Name:     optionSid(jv.Arr(r, "ruleOptions")),
	}
	c.Peers = p.suricataPeers(jv.Str(h, "source"), w+".header.source")
	c.Targets = narrowing(jv.Str(h, "destination"))
	c.Ports = p.suricataPorts(jv.Str(h, "destinationPort"), w+".header.destinationPort")
	fixPorts(&c)
	p.ev.Changes = append(p.ev.Changes, c)
}

// optionSid finds the sid among a stateful rule's options, logged as
// {"keyword":"sid","settings":["1"]} objects.
func optionSid(opts []any) string {
	for _, o := range opts {
		if strings.EqualFold(jv.Str(o, "keyword"), "sid") {
			if s := jv.Strs(o, "settings"); len(s) > 0 {
				return s[0]
			}
		}
	}
	return ""
}

// sid finds the sid option in the options of a Suricata rule line.
func sid(opts []string) string {
	for _, o := range opts {
		if k, v, ok := strings.Cut(o, ":"); ok && strings.EqualFold(strings.TrimSpace(k), "sid") {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// nfwProtocol maps a Suricata or stateful-header protocol: IP is every
// protocol; application protocols (http, tls, dns) stay as named.
func nfwProtocol(s string) string {
	if strings.EqualFold(strings.TrimSpace(s), "ip") {
		return "all"
	}
	return protocolName(s)
}

// domainList reads a stateful domain list: an allow list or deny list of
// domain names, each a PeerOther.
func (p *parser) domainList(list map[string]any) {
	c := model.RuleChange{Effect: model.Altered}
	switch strings.ToUpper(jv.Str(list, "generatedRulesType")) {
	case "ALLOWLIST":
		c.Action = model.Allow
	case "DENYLIST", "REJECTLIST":
		c.Action = model.Deny
	}
	for _, t := range jv.Strs(list, "targets") {
		c.Peers = append(c.Peers, model.Peer{Kind: model.PeerOther, Value: t})
	}
	p.ev.Changes = append(p.ev.Changes, c)
}

// suricata reads Suricata-compatible rules text, one rule a line:
// action proto src sport dir dst dport (options). Lines it cannot read are
// noted, not guessed at.
func (p *parser) suricata(text string) {
	for n, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		head, opts, _ := strings.Cut(line, "(")
		f := strings.Fields(head)
		w := "rules line " + strconv.Itoa(n+1)
		if len(f) != 7 {
			p.notef("%s is not a Suricata rule header; not read", w)
			continue
		}
		c := model.RuleChange{
			Effect:   model.Altered,
			Action:   action(f[0]),
			Protocol: nfwProtocol(f[1]),
			Name:     sid(strings.Split(opts, ";")),
		}
		c.Peers = p.suricataPeers(f[2], w+" source")
		c.Targets = narrowing(f[5])
		c.Ports = p.suricataPorts(f[6], w+" destination port")
		fixPorts(&c)
		p.ev.Changes = append(p.ev.Changes, c)
	}
}

// splitAddrs splits a Suricata address ("[10.0.0.0/8,192.0.2.1]").
func splitAddrs(s string) []string {
	return strings.FieldsFunc(strings.TrimSpace(s), func(r rune) bool {
		return r == ',' || r == '[' || r == ']' || r == ' '
	})
}

// narrowing returns the destinations that narrow a rule: "any" does not,
// and RuleChange.Targets leaves it out, since empty means all in scope.
func narrowing(s string) []string {
	var out []string
	for _, a := range splitAddrs(s) {
		if !strings.EqualFold(a, "any") {
			out = append(out, a)
		}
	}
	return out
}

// suricataPeers reads a Suricata source address. Variables ($HOME_NET)
// and negations are kept as PeerOther: their meaning is defined elsewhere.
func (p *parser) suricataPeers(s, w string) []model.Peer {
	var peers []model.Peer
	for _, a := range splitAddrs(s) {
		if strings.HasPrefix(a, "$") || strings.HasPrefix(a, "!") {
			peers = append(peers, model.Peer{Kind: model.PeerOther, Value: a})
			continue
		}
		if pr, ok := p.peer(a, w); ok {
			peers = append(peers, pr)
		}
	}
	return peers
}

// suricataPorts reads a Suricata port spec: any, 22, 1024:65535, [80,443].
func (p *parser) suricataPorts(s, w string) model.PortList {
	var out model.PortList
	for _, f := range splitAddrs(s) {
		r, err := model.ParsePortRange(strings.ReplaceAll(f, ":", "-"))
		if err != nil {
			p.notef("unparseable port %q in %s", f, w)
			continue
		}
		out = append(out, r)
	}
	return out
}
