package aws

import (
	"strings"

	"cloudwall/internal/model"
	"cloudwall/internal/normalize/jv"
)

// Route 53 Resolver DNS Firewall (route53resolver.amazonaws.com): rule
// groups of domain-list rules associated with VPCs, and the per-VPC
// fail-open setting.

// dnsFirewall dispatches the DNS Firewall operations.
func (p *parser) dnsFirewall(op string) {
	switch op {
	case "updatefirewallconfig":
		p.dnsConfig()
	case "createfirewallrule":
		p.dnsRuleGroup()
		p.dnsRule(model.Added)
	case "updatefirewallrule":
		p.dnsRuleGroup()
		p.dnsRule(model.Altered)
	case "deletefirewallrule":
		p.dnsRuleGroup()
		p.dnsRule(model.Removed)
	case "createfirewallrulegroup", "deletefirewallrulegroup":
		p.dnsRuleGroup()
	case "associatefirewallrulegroup", "disassociatefirewallrulegroup", "updatefirewallrulegroupassociation":
		p.dnsAssociation()
	case "createfirewalldomainlist", "deletefirewalldomainlist", "importfirewalldomains":
		p.dnsDomainList()
	case "updatefirewalldomains":
		p.dnsDomainList()
		p.dnsDomains()
	}
}

// dnsConfig reads UpdateFirewallConfig. firewallFailOpen ENABLED lets DNS
// queries through unfiltered whenever the firewall is impaired.
func (p *parser) dnsConfig() {
	cfg := jv.Obj(p.resp, "firewallConfig")
	p.ev.Resource = model.Resource{
		Type: "dns_firewall_config",
		ID:   first(p.scalar(jv.Get(p.req, "resourceId"), "requestParameters.resourceId"), jv.Str(cfg, "resourceId")),
	}
	if s := p.scalar(jv.Get(p.req, "firewallFailOpen"), "requestParameters.firewallFailOpen"); s != "" {
		p.setting(model.SettingFailOpen, s)
	}
}

// dnsRuleGroup sets the rule group a call names or created.
func (p *parser) dnsRuleGroup() {
	g := jv.Obj(p.resp, "firewallRuleGroup")
	p.ev.Resource = model.Resource{
		Type: "dns_firewall_rule_group",
		ID: first(p.scalar(jv.Get(p.req, "firewallRuleGroupId"), "requestParameters.firewallRuleGroupId"),
			jv.Str(g, "id"), jv.Str(p.resp, "firewallRule", "firewallRuleGroupId")),
		Name: jv.Str(g, "name"),
	}
}

// dnsRule reads one DNS Firewall rule: a domain list (the peer) with an
// action (ALLOW, BLOCK, or ALERT, which blocks nothing).
func (p *parser) dnsRule(eff model.Effect) {
	if p.req == nil {
		return
	}
	list := p.scalar(jv.Get(p.req, "firewallDomainListId"), "requestParameters.firewallDomainListId")
	c := model.RuleChange{
		Effect: eff,
		Name:   first(p.scalar(jv.Get(p.req, "name"), "requestParameters.name"), list),
		Action: action(jv.Str(p.req, "action")),
	}
	if n, ok := jv.Int(p.req, "priority"); ok {
		c.Priority = model.IntPtr(n)
	}
	if list != "" {
		c.Peers = []model.Peer{{Kind: model.PeerOther, Value: list}}
	}
	p.ev.Changes = append(p.ev.Changes, c)
}

// dnsAssociation reads the association of a rule group with a VPC. The VPC
// is the target; mutationProtection is the association's delete
// protection.
func (p *parser) dnsAssociation() {
	a := jv.Obj(p.resp, "firewallRuleGroupAssociation")
	p.ev.Resource = model.Resource{
		Type: "dns_firewall_rule_group",
		ID: first(p.scalar(jv.Get(p.req, "firewallRuleGroupId"), "requestParameters.firewallRuleGroupId"),
			jv.Str(a, "firewallRuleGroupId")),
	}
	if t := first(p.scalar(jv.Get(p.req, "vpcId"), "requestParameters.vpcId"), jv.Str(a, "vpcId"),
		p.scalar(jv.Get(p.req, "firewallRuleGroupAssociationId"), "requestParameters.firewallRuleGroupAssociationId")); t != "" {
		p.ev.Targets = []string{t}
	}
	switch strings.ToUpper(jv.Str(p.req, "mutationProtection")) {
	case "ENABLED":
		p.setting(model.SettingDeleteProtection, "true")
	case "DISABLED":
		p.setting(model.SettingDeleteProtection, "false")
	}
}

// dnsDomainList sets the domain list a call names. The resource types
// have no domain list of their own; the list belongs to rule groups.
func (p *parser) dnsDomainList() {
	l := jv.Obj(p.resp, "firewallDomainList")
	p.ev.Resource = model.Resource{
		Type: "dns_firewall_rule_group",
		ID: first(p.scalar(jv.Get(p.req, "firewallDomainListId"), "requestParameters.firewallDomainListId"),
			jv.Str(l, "id"), jv.Str(p.resp, "id")),
		Name: first(jv.Str(l, "name"), jv.Str(p.resp, "name")),
	}
}

// dnsDomains reads UpdateFirewallDomains: domains added, removed or
// replacing the whole list.
func (p *parser) dnsDomains() {
	c := model.RuleChange{Name: p.ev.Resource.ID}
	switch strings.ToUpper(jv.Str(p.req, "operation")) {
	case "ADD":
		c.Effect = model.Added
	case "REMOVE":
		c.Effect = model.Removed
	default:
		c.Effect = model.Altered
	}
	for _, d := range jv.Strs(p.req, "domains") {
		c.Peers = append(c.Peers, model.Peer{Kind: model.PeerOther, Value: d})
	}
	if p.req != nil {
		p.ev.Changes = append(p.ev.Changes, c)
	}
}
