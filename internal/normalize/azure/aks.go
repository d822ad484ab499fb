package azure

import (
	"cloudwall/internal/model"
	"cloudwall/internal/normalize/jv"
)

// aksWorld stands for every address: a public AKS API server without
// authorized IP ranges admits any.
const aksWorld = "0.0.0.0/0"

// aksAPIServer reads the allowlist in front of an AKS cluster's API
// server: properties.apiServerAccessProfile.authorizedIPRanges, one allow
// rule whose peers are the ranges (the write body's list is the whole
// list). An empty list turns the allowlist off (the Azure CLI's
// --api-server-authorized-ip-ranges ""): every address may connect. A
// private cluster (enablePrivateCluster) has no public endpoint. A body
// without the profile, or the profile without the list, says nothing
// about it here (most cluster writes are scaling and upgrades), but a
// PUT replaces the cluster: Event.Sent says the body carried no list, and
// the state, when it knows the cluster had ranges, reads them removed.
func (p *parser) aksAPIServer() {
	if p.verb != "write" || !p.hasProps() {
		return
	}
	prof := jv.Obj(p.props, "apiServerAccessProfile")
	if private, ok := jv.Bool(prof, "enablePrivateCluster"); ok && private {
		p.set(model.SettingPublicAccess, "disabled")
		return
	}
	v, ok := jv.Field(prof, "authorizedIPRanges")
	if !ok || v == nil {
		p.ev.Sent = []string{} // the whole cluster written, without the list
		return
	}
	p.ev.Sent = []string{"authorizedipranges"}
	c := model.RuleChange{Effect: model.Altered, Direction: model.Ingress, Action: model.Allow, Protocol: "tcp"}
	for _, r := range jv.Strs(prof, "authorizedIPRanges") {
		if pr, ok := p.peer(label("authorized IP range", r), r, false); ok {
			c.Peers = append(c.Peers, pr)
		}
	}
	if len(c.Peers) == 0 {
		c.Peers = []model.Peer{{Kind: model.PeerCIDR, Value: aksWorld}}
		p.note("authorizedIPRanges is empty: the API server admits every address (%s assumed)", aksWorld)
	} else {
		p.note("authorizedIPRanges in a write body replace the cluster's whole list")
	}
	p.ev.Changes = append(p.ev.Changes, c)
}
