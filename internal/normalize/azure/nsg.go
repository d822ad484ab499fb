package azure

import (
	"strings"

	"cloudwall/internal/model"
	"cloudwall/internal/normalize/jv"
)

// nsg reads networkSecurityGroups/write, whose body is the whole group: its
// securityRules[] replace the group's rule set. The log does not show the
// rules that were there before, so each rule in the body is reported as
// added. A delete carries no rules.
func (p *parser) nsg() {
	if p.verb != "write" || p.body == nil {
		return
	}
	rules := jv.Objs(p.props, "securityRules")
	for _, r := range rules {
		name := jv.Str(r, "name")
		p.ev.Changes = append(p.ev.Changes, p.securityRule(name, inner(r)))
	}
	if len(rules) > 0 {
		p.note("networkSecurityGroups/write replaces the group's whole rule set; its %d rule(s) are reported as added", len(rules))
	}
}

// securityRuleOp reads securityRules/write (one rule, create-or-update) and
// securityRules/delete (the rule named by the resource id's last segment;
// its content is not logged).
func (p *parser) securityRuleOp() {
	switch p.verb {
	case "write":
		if p.body == nil {
			return
		}
		name := firstNonEmpty(jv.Str(p.body, "name"), lastSegment(p.rid))
		p.ev.Changes = append(p.ev.Changes, p.securityRule(name, p.props))
		p.note("securityRules/write is create-or-update: %s may have replaced an existing rule of that name", label("rule", name))
	case "delete":
		p.ev.Changes = append(p.ev.Changes, model.RuleChange{Effect: model.Removed, Name: lastSegment(p.rid)})
	}
}

// securityRule turns one NSG rule's properties into a change. For an
// outbound rule the peer is the destination and the rule's sources are
// the workloads it applies to, matching model.Peer's meaning. Classic
// (ASM) NSG rules spell access "action" and direction "type"; both are
// accepted.
func (p *parser) securityRule(name string, props map[string]any) model.RuleChange {
	rule := label("rule", name)
	c := model.RuleChange{Effect: model.Added, Name: name}
	c.Action = p.action(rule, firstStr(props, []string{"access"}, []string{"action"}))
	dir := jv.Str(props, "direction")
	if dir == "" {
		if t := jv.Str(props, "type"); isDirection(t) {
			dir = t
		}
	}
	c.Direction = p.direction(rule, dir)
	c.Priority = p.priority(rule, props, "priority")
	c.Protocol = protocol(jv.Str(props, "protocol"))
	if !portless(c.Protocol) {
		c.Ports = p.ports(rule, strs(props, "destinationPortRange", "destinationPortRanges"))
	}

	src := append(strs(props, "sourceAddressPrefix", "sourceAddressPrefixes"), ids(props, "sourceApplicationSecurityGroups")...)
	dst := append(strs(props, "destinationAddressPrefix", "destinationAddressPrefixes"), ids(props, "destinationApplicationSecurityGroups")...)
	if c.Direction == model.Egress {
		src, dst = dst, src
	}
	c.Peers = p.peers(rule, src, true)
	c.Targets = dst
	return c
}

// isDirection reports Inbound/Outbound spellings, so a classic rule's
// "type" is used only when it really is a direction.
func isDirection(s string) bool {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "inbound", "outbound":
		return true
	}
	return false
}

// inner returns an ARM sub-resource's properties object, or the object
// itself when it is logged flat.
func inner(m map[string]any) map[string]any {
	if pr := jv.Obj(m, "properties"); pr != nil {
		return pr
	}
	return m
}
