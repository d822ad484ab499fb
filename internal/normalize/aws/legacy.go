package aws

import (
	"strings"

	"cloudwall/internal/model"
	"cloudwall/internal/normalize/jv"
)

// guardDuty reads the GuardDuty trusted IP list calls. A trusted IP set is
// not a traffic filter: GuardDuty raises no findings for its addresses,
// which is why attackers add themselves to one. The addresses live in the
// S3 object at location, not in the log; the location is the target.
func (p *parser) guardDuty(op string) {
	switch op {
	case "createipset", "updateipset", "deleteipset":
	default:
		return
	}
	p.ev.Resource = model.Resource{
		Type: "ip_set",
		ID:   first(p.scalar(jv.Get(p.req, "ipSetId"), "requestParameters.ipSetId"), jv.Str(p.resp, "ipSetId")),
		Name: p.scalar(jv.Get(p.req, "name"), "requestParameters.name"),
	}
	if v, ok := p.lowerBool(jv.Get(p.req, "activate"), "requestParameters.activate"); ok {
		p.setting(model.SettingEnabled, v)
	}
	if loc := p.scalar(jv.Get(p.req, "location"), "requestParameters.location"); loc != "" {
		p.ev.Targets = []string{loc}
	}
}

// classicGroupNames are the name keys of the EC2-Classic era security
// groups of RDS, Redshift and ElastiCache.
var classicGroupNames = [...]string{"dBSecurityGroupName", "clusterSecurityGroupName", "cacheSecurityGroupName"}

// classicGroups reads the RDS, Redshift and ElastiCache security groups:
// Authorize/Revoke...SecurityGroupIngress with a CIDRIP or an EC2 group,
// and their Create/Delete. These groups have no ports or protocol of their
// own (the database port applies), so Protocol and Ports stay empty.
func (p *parser) classicGroups(op string) {
	if !strings.Contains(op, "securitygroup") {
		return
	}
	var name string
	for _, k := range classicGroupNames {
		if name = p.scalar(jv.Get(p.req, k), "requestParameters."+k); name != "" {
			break
		}
	}
	p.ev.Resource = model.Resource{Type: "security_group", ID: name, Name: name}
	var eff model.Effect
	switch {
	case !strings.HasSuffix(op, "securitygroupingress"):
		return
	case strings.HasPrefix(op, "authorize"):
		eff = model.Added
	case strings.HasPrefix(op, "revoke"):
		eff = model.Removed
	default:
		return
	}
	if p.req == nil {
		return
	}
	c := model.RuleChange{Effect: eff, Direction: model.Ingress, Action: model.Allow}
	if pr, ok := p.cidr(jv.Get(p.req, "cIDRIP"), "requestParameters.cIDRIP"); ok {
		c.Peers = append(c.Peers, pr)
	}
	// The EC2 group is named by id (VPC) or by name (EC2-Classic), with
	// the account that owns it: OWNER/GROUP, as the EC2 console writes a
	// group of another account, so a revoke can name it as the call did.
	if g := first(p.scalar(jv.Get(p.req, "eC2SecurityGroupId"), "requestParameters.eC2SecurityGroupId"),
		p.scalar(jv.Get(p.req, "eC2SecurityGroupName"), "requestParameters.eC2SecurityGroupName")); g != "" {
		if owner := p.scalar(jv.Get(p.req, "eC2SecurityGroupOwnerId"), "requestParameters.eC2SecurityGroupOwnerId"); owner != "" && !strings.Contains(owner, "/") {
			g = owner + "/" + g
		}
		c.Peers = append(c.Peers, model.Peer{Kind: model.PeerGroup, Value: g})
	}
	p.ev.Changes = append(p.ev.Changes, c)
}
