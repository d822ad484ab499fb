package detect

import (
	"net/netip"

	"cloudwall/internal/content"
	"cloudwall/internal/model"
)

// Judge weighs rule r as if a call had just added it to a firewall of the
// given cloud and resource type, with the catalogue's rule operation for
// that type (its service ports, e.g. 1433/tcp for a SQL firewall rule
// without ports): allow rules are sized by their peers and ports, deny
// rules close. Types the catalogue has no rule operation for are judged
// with an allow-or-deny firewall's defaults.
func (d *Detector) Judge(cloud model.Cloud, resourceType string, r model.RuleChange) Judgement {
	r.Effect = model.Added
	op := d.ruleOperation(cloud, resourceType)
	j := d.change(op, r)
	return Judgement{Severity: j.sev, World: j.world, Change: j.change, Exposure: j.exposure, Reasons: j.reasons}
}

// World reports whether peers, alone or together (0.0.0.0/1 and
// 128.0.0.0/1), cover every address of a family: the test the scan uses
// for "open to the internet".
func (d *Detector) World(peers []model.Peer) bool {
	if len(peers) == 0 {
		return false
	}
	groups, _ := d.groups(peers)
	for _, g := range groups {
		if g.scope == content.World {
			return true
		}
	}
	return false
}

// ruleOperation finds the catalogue's first rule-changing entry for a
// resource type; one with no service and no allow-only flag otherwise.
func (d *Detector) ruleOperation(cloud model.Cloud, resourceType string) *content.Operation {
	for i := range d.c.Operations {
		op := &d.c.Operations[i]
		if op.Cloud == cloud && op.Resource == resourceType && op.Kind == content.KindRules {
			return op
		}
	}
	return &content.Operation{Cloud: cloud, Resource: resourceType, Kind: content.KindRules}
}

// Private reports whether address a lies in a range the content calls
// private (not reachable from the internet).
func (d *Detector) Private(a netip.Addr) bool {
	a = a.Unmap()
	return d.private(netip.PrefixFrom(a, a.BitLen()))
}
