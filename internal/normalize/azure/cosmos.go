package azure

import (
	"strings"

	"cloudwall/internal/model"
	"cloudwall/internal/normalize/jv"
)

// cosmosAccount reads the IP firewall of a Cosmos DB account write:
// properties.ipRules[].ipAddressOrRange (older API versions: the
// comma-separated ipRangeFilter), isVirtualNetworkFilterEnabled with the
// filter's subnets, and publicNetworkAccess. The list in a write body is
// the account's whole list after the write. Cosmos DB reads the entry
// 0.0.0.0 as "accept connections from within public Azure datacenters",
// read here as the Azure-services range 0.0.0.0-0.0.0.0; with public
// access enabled, no IP rule and no virtual network filter, the account
// accepts every address.
func (p *parser) cosmosAccount() {
	if p.verb != "write" || p.body == nil {
		return
	}
	p.setFrom(model.SettingPublicAccess, p.props, "publicNetworkAccess")
	values, listed := cosmosIPRules(p.props)
	for _, v := range values {
		c := p.aclRule(v, "", false)
		if v == "0.0.0.0" {
			c.Peers = []model.Peer{{Kind: model.PeerRange, Value: "0.0.0.0-0.0.0.0"}}
			p.note("IP rule 0.0.0.0: Cosmos DB accepts connections from within public Azure datacenters (every Azure tenant), not the one address")
		}
		p.ev.Changes = append(p.ev.Changes, c)
	}
	if len(values) > 0 {
		p.note("ipRules in a write body replace the whole list; its %d rule(s) are reported as added", len(values))
	}
	vnet, vnetKnown := jv.Bool(p.props, "isVirtualNetworkFilterEnabled")
	if vnet {
		for _, r := range jv.Objs(p.props, "virtualNetworkRules") {
			if id := strings.TrimSpace(jv.Str(r, "id")); id != "" {
				p.ev.Changes = append(p.ev.Changes, p.aclRule(id, "", true))
			}
		}
	}
	if b := strings.TrimSpace(jv.Str(p.props, "networkAclBypass")); b != "" && !strings.EqualFold(b, "none") {
		p.note("network rules bypassed for: %s", b)
	}
	public := strings.ToLower(strings.TrimSpace(jv.Str(p.props, "publicNetworkAccess")))
	switch {
	case !listed || len(values) > 0 || public == "disabled" || public == "securedbyperimeter":
	case vnetKnown && !vnet && public == "enabled":
		p.set(model.SettingDefaultAction, "allow")
		p.note("no IP rule, no virtual network filter and public network access enabled: the account accepts connections from every address")
	case !vnetKnown || public == "":
		p.note("no IP rule: unless public network access is disabled or the virtual network filter is on (the record does not show both), the account accepts connections from every address")
	}
}

// cosmosIPRules returns the account's IP rules and whether the body lists
// them at all (an empty list is a list).
func cosmosIPRules(props map[string]any) ([]string, bool) {
	var out []string
	listed := jv.Get(props, "ipRules") != nil // null is not a list
	for _, r := range jv.Objs(props, "ipRules") {
		if v := strings.TrimSpace(jv.Str(r, "ipAddressOrRange")); v != "" {
			out = append(out, v)
		}
	}
	if f, ok := jv.Get(props, "ipRangeFilter").(string); ok {
		listed = true
		for _, v := range strings.Split(f, ",") {
			if v = strings.TrimSpace(v); v != "" {
				out = append(out, v)
			}
		}
	}
	return out, listed
}
