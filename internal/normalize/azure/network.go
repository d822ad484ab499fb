package azure

import (
	"cmp"
	"slices"
	"strings"

	"cloudwall/internal/model"
	"cloudwall/internal/normalize/jv"
)

// networkACLs reads the service firewall of storage accounts and key
// vaults: networkAcls.defaultAction (Allow opens the account to every
// network), its IP and virtual-network rules, and publicNetworkAccess. The
// rules in a write body are the account's whole list after the write.
func (p *parser) networkACLs() {
	if p.verb != "write" || p.body == nil {
		return
	}
	p.setFrom(model.SettingPublicAccess, p.props, "publicNetworkAccess")
	acls := jv.Obj(p.props, "networkAcls")
	if acls == nil {
		return
	}
	p.setFrom(model.SettingDefaultAction, acls, "defaultAction")
	if b := strings.TrimSpace(jv.Str(acls, "bypass")); b != "" && !strings.EqualFold(b, "none") {
		p.note("network rules bypassed for: %s", b)
	}
	n := 0
	for _, r := range jv.Objs(acls, "ipRules") {
		v := firstStr(r, []string{"value"}, []string{"ipAddressOrRange"})
		if v == "" {
			continue
		}
		p.ev.Changes = append(p.ev.Changes, p.aclRule(v, jv.Str(r, "action"), false))
		n++
	}
	for _, r := range jv.Objs(acls, "virtualNetworkRules") {
		id := strings.TrimSpace(jv.Str(r, "id"))
		if id == "" {
			continue
		}
		p.ev.Changes = append(p.ev.Changes, p.aclRule(id, jv.Str(r, "action"), true))
		n++
	}
	if n > 0 {
		p.note("networkAcls in a write body replace the whole rule list; its %d rule(s) are reported as added", n)
	}
}

// aclRule is one network-ACL entry. Only Allow entries exist today; the
// action is read anyway so a future Deny is not reported as an opening.
func (p *parser) aclRule(v, act string, subnet bool) model.RuleChange {
	c := model.RuleChange{Effect: model.Added, Direction: model.Ingress, Action: model.Allow}
	if act != "" {
		c.Action = p.action(label("network rule", v), act)
	}
	if subnet {
		c.Peers = []model.Peer{{Kind: model.PeerOther, Value: v}}
	} else if pr, ok := p.peer(label("network rule", v), v, false); ok {
		c.Peers = []model.Peer{pr}
	}
	return c
}

// nsgAttachment reads subnet and network-interface writes. Their PUT body
// is the whole resource, so properties.networkSecurityGroup.id is the NSG
// attached after the write, and its absence from a body detaches any NSG
// (unless the write created the resource: Event.Written, which the
// detector weighs). Without a body nothing is known and nothing is set.
func (p *parser) nsgAttachment() {
	if p.verb != "write" || !p.hasProps() {
		return
	}
	if id := strings.TrimSpace(jv.Str(p.props, "networkSecurityGroup", "id")); id != "" {
		p.set(model.SettingPolicy, id)
		p.addTarget(id)
		return
	}
	p.set(model.SettingPolicy, "")
	if strings.HasSuffix(p.typePath, "/subnets") && noNSGSubnet(p.ev.Resource.Name) {
		return // the catalogue says why it has none
	}
	p.note("written without a networkSecurityGroup: an NSG associated before is detached (a write that created the resource had none to detach)")
}

// noNSGSubnets are the subnets Azure reserves for a service that do not
// support a network security group (GatewaySubnet: one breaks the
// gateway); the catalogue names them too (az-subnet-nsg).
var noNSGSubnets = []string{"gatewaysubnet", "azurefirewallsubnet", "azurefirewallmanagementsubnet", "routeserversubnet"}

func noNSGSubnet(name string) bool {
	return slices.ContainsFunc(noNSGSubnets, func(n string) bool { return strings.EqualFold(n, strings.TrimSpace(name)) })
}

// virtualNetwork reads the subnets inlined in a virtualNetworks/write.
// The body replaces the subnets with their NSG associations, so a subnet
// written without a networkSecurityGroup loses its NSG as a subnet write
// would (SettingPolicy ""), unless it is one that cannot carry one; each
// subnet's NSG is a target.
func (p *parser) virtualNetwork() {
	if p.verb != "write" || !p.hasProps() {
		return
	}
	var bare, reserved []string
	for _, s := range jv.Objs(p.props, "subnets") {
		name := strings.TrimSpace(jv.Str(s, "name"))
		switch id := strings.TrimSpace(jv.Str(inner(s), "networkSecurityGroup", "id")); {
		case id != "":
			p.addTarget(id)
		case noNSGSubnet(name):
			reserved = append(reserved, name)
		default:
			bare = append(bare, cmp.Or(name, "(unnamed)"))
		}
	}
	if len(bare) > 0 {
		p.set(model.SettingPolicy, "")
		p.note("subnet(s) written without a networkSecurityGroup: %s; an NSG associated with them before is detached (a write that created the virtual network had none to detach)", strings.Join(bare, ", "))
	}
	if len(reserved) > 0 {
		p.note("subnet(s) that cannot carry a network security group written without one: %s", strings.Join(reserved, ", "))
	}
}
