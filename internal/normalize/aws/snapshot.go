package aws

import (
	"maps"

	"cloudwall/internal/model"
	"cloudwall/internal/normalize/jv"
)

// Readers of single rules for configuration snapshots (package snapshot):
// the shapes `aws ec2 describe-*`, AWS Config and CloudTrail share, read by
// the same code as the events so a rule means the same thing wherever it
// was seen. Each returns the rule as an added RuleChange and the caveats
// found while reading it.

// Permission reads one IpPermission of direction dir: the PascalCase form
// of describe-security-groups, the camelCase form of AWS Config
// (ipRanges as plain strings) and CloudTrail requests.
func Permission(perm map[string]any, dir model.Direction) (model.RuleChange, []string) {
	p := &parser{ev: &model.Event{}}
	c := model.RuleChange{
		Effect:    model.Added,
		Direction: dir,
		Action:    model.Allow,
		Protocol:  protocolName(p.scalar(jv.Get(perm, "ipProtocol"), "ipProtocol")),
	}
	c.Ports = p.ports(c.Protocol, jv.Get(perm, "fromPort"), jv.Get(perm, "toPort"), "permission")
	c.Peers = p.permissionPeers(perm, "permission")
	return c, p.ev.Notes
}

// SecurityGroupRule reads one describe-security-group-rules entry (also
// the camelCase securityGroupRuleSet items of CloudTrail responses).
func SecurityGroupRule(r map[string]any) (model.RuleChange, []string) {
	p := &parser{ev: &model.Event{}, resp: map[string]any{"rules": []any{r}}}
	cs := p.responseRules("rules", model.Added, model.Ingress)
	return cs[0], p.ev.Notes
}

// ACLEntry reads one network ACL entry of describe-network-acls
// (RuleNumber, Egress, RuleAction, Protocol, CidrBlock, PortRange), or the
// CloudTrail request form (aclProtocol, portRange.from).
func ACLEntry(e map[string]any) (model.RuleChange, []string) {
	req := e
	if !jv.Has(e, "aclProtocol") && jv.Has(e, "protocol") {
		req = maps.Clone(e)
		req["aclProtocol"] = jv.Get(e, "protocol")
	}
	p := &parser{ev: &model.Event{}, req: req}
	p.naclEntry(model.Added)
	return p.ev.Changes[0], p.ev.Notes
}
