package aws

import (
	"cloudwall/internal/model"
	"cloudwall/internal/normalize/jv"
)

// lightsail reads the Lightsail instance firewall: OpenInstancePublicPorts
// adds, CloseInstancePublicPorts removes, PutInstancePublicPorts replaces
// every rule (ports it does not list are closed). Open and Close carry one
// portInfo, Put a portInfos list; both keys are accepted for all three.
func (p *parser) lightsail(op string) {
	var eff model.Effect
	switch op {
	case "openinstancepublicports":
		eff = model.Added
	case "putinstancepublicports":
		eff = model.Altered
	case "closeinstancepublicports":
		eff = model.Removed
	default:
		return
	}
	name := p.scalar(jv.Get(p.req, "instanceName"), "requestParameters.instanceName")
	p.ev.Resource = model.Resource{Type: "lightsail_instance", ID: name, Name: name}
	key := "portInfos"
	infos := jv.Get(p.req, key)
	if infos == nil {
		key = "portInfo"
		infos = jv.Get(p.req, key)
	}
	p.expectObjects(infos, "requestParameters."+key)
	for i, pi := range jv.Objs(infos) {
		p.ev.Changes = append(p.ev.Changes, p.portInfo(pi, eff, where(key, i)))
	}
	if eff == model.Altered && p.req != nil {
		p.notef("PutInstancePublicPorts closes every port it does not list")
	}
}

// portInfo reads one Lightsail PortInfo. With no addresses at all the
// port is open to every IPv4 address, as the Lightsail console's
// "Any IPv4 address"; the peer is then filled in and noted.
func (p *parser) portInfo(pi map[string]any, eff model.Effect, w string) model.RuleChange {
	c := model.RuleChange{
		Effect:    eff,
		Direction: model.Ingress,
		Action:    model.Allow,
		Protocol:  protocolName(p.scalar(jv.Get(pi, "protocol"), w+".protocol")),
	}
	c.Ports = p.ports(c.Protocol, jv.Get(pi, "fromPort"), jv.Get(pi, "toPort"), w)
	for _, k := range [...]string{"cidrs", "ipv6Cidrs"} {
		v := jv.Get(pi, k)
		p.expectList(v, w+"."+k)
		for j, a := range elems(v) {
			if pr, ok := p.cidr(a, where(w+"."+k, j)); ok {
				c.Peers = append(c.Peers, pr)
			}
		}
	}
	for _, a := range jv.Strs(pi, "cidrListAliases") {
		c.Peers = append(c.Peers, model.Peer{Kind: model.PeerOther, Value: a})
	}
	if len(c.Peers) == 0 && eff != model.Removed {
		c.Peers = []model.Peer{{Kind: model.PeerCIDR, Value: "0.0.0.0/0"}}
		p.notef("%s lists no addresses; Lightsail then opens the port to 0.0.0.0/0 (default assumed)", w)
	}
	return c
}
