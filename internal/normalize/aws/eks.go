package aws

import (
	"cloudwall/internal/model"
	"cloudwall/internal/normalize/jv"
)

// eksWorld is the publicAccessCidrs EKS applies when a public endpoint is
// created without a list.
const eksWorld = "0.0.0.0/0"

// eks reads the allowlist in front of an EKS cluster's public API
// endpoint: resourcesVpcConfig.endpointPublicAccess (public_network_access)
// and publicAccessCidrs, the only addresses the public endpoint admits.
// The list an UpdateClusterConfig sends replaces the cluster's whole list;
// one that sends none keeps it. CreateCluster's response gives the
// cluster's config as created, defaults filled in, and is preferred.
func (p *parser) eks(op string) {
	var eff model.Effect
	switch op {
	case "createcluster":
		eff = model.Added
	case "updateclusterconfig":
		eff = model.Altered
	default:
		return
	}
	name := p.scalar(jv.Get(p.req, "name"), "requestParameters.name")
	if name == "" {
		name = p.scalar(jv.Get(p.resp, "cluster", "name"), "responseElements.cluster.name")
	}
	p.ev.Resource = model.Resource{Type: "eks_cluster", ID: name, Name: name}
	cfg, path := jv.Obj(p.req, "resourcesVpcConfig"), "requestParameters.resourcesVpcConfig"
	if c := jv.Obj(p.resp, "cluster", "resourcesVpcConfig"); c != nil && eff == model.Added {
		if _, ok := jv.Field(cfg, "publicAccessCidrs"); !ok && jv.Get(c, "publicAccessCidrs") != nil {
			p.notef("the request names no publicAccessCidrs: the response's list is EKS's default (default assumed)")
		}
		cfg, path = c, "responseElements.cluster.resourcesVpcConfig"
	}
	if cfg == nil {
		return
	}
	public, sent := p.lowerBool(jv.Get(cfg, "endpointPublicAccess"), path+".endpointPublicAccess")
	_, cidrsSent := jv.Field(cfg, "publicAccessCidrs")
	if eff == model.Altered {
		// Which of the two the update sent: the state reads a list sent
		// without endpointPublicAccess as waiting while the endpoint is
		// off, and one sent with it true as in force.
		p.ev.Sent = []string{}
		if sent {
			p.ev.Sent = append(p.ev.Sent, "endpointpublicaccess")
		}
		if cidrsSent {
			p.ev.Sent = append(p.ev.Sent, "publicaccesscidrs")
		}
	}
	if sent && public != "true" && public != "false" {
		return // not a boolean, noted
	}
	v := jv.Get(cfg, "publicAccessCidrs")
	p.expectList(v, path+".publicAccessCidrs")
	c := model.RuleChange{Effect: eff, Direction: model.Ingress, Action: model.Allow, Protocol: "tcp"}
	for i, a := range elems(v) {
		if pr, ok := p.cidr(a, where(path+".publicAccessCidrs", i)); ok {
			c.Peers = append(c.Peers, pr)
		}
	}
	if public == "false" {
		p.setting(model.SettingPublicAccess, "disabled")
		if len(c.Peers) > 0 {
			// EKS keeps the list while the endpoint is off and applies it
			// when a later call turns the endpoint on: the state needs it
			// (a cluster created private gets 0.0.0.0/0, which its
			// response shows).
			p.ev.Changes = append(p.ev.Changes, c)
			p.notef("the public endpoint is off: the publicAccessCidrs %s admit no one until a later call turns it on, and are the list it applies then",
				map[bool]string{true: "sent", false: "it was created with"}[eff == model.Altered])
		}
		return
	}
	switch {
	case len(c.Peers) > 0:
		// The list says who gets in; whether the endpoint was on before
		// does not change that.
		p.ev.Changes = append(p.ev.Changes, c)
		if eff == model.Altered {
			p.notef("publicAccessCidrs in UpdateClusterConfig replace the cluster's whole list")
		}
	case eff == model.Added:
		// Created with a public endpoint and no list: EKS's default.
		c.Peers = []model.Peer{{Kind: model.PeerCIDR, Value: eksWorld}}
		p.ev.Changes = append(p.ev.Changes, c)
		p.notef("%s names no publicAccessCidrs; EKS then admits %s to the public endpoint (default assumed)", path, eksWorld)
	case public == "true":
		p.setting(model.SettingPublicAccess, "enabled")
		p.notef("public endpoint turned on without publicAccessCidrs: the cluster's earlier list applies (%s unless it was changed)", eksWorld)
	}
}
