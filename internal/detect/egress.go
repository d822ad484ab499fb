package detect

import (
	"net/netip"
	"strings"

	"cloudwall/internal/content"
	"cloudwall/internal/model"
)

// defaultEgress says why an added egress allow is the rule the cloud has
// by default anyway, or "": every protocol to 0.0.0.0/0 (and ::/0) on an
// AWS security group is the egress rule every new VPC group is created
// with, and on a GCP VPC firewall at priority 65535 it is the implied
// allow-egress rule (a deny of any priority, even 65535, wins over it).
// Re-adding it restores the default; it does not lift a restriction
// unless the group's egress was restricted, which the pipeline checks
// against the replayed state.
func defaultEgress(op *content.Operation, ch model.RuleChange) string {
	if ch.Direction != model.Egress || ch.Action == model.Deny || protocol(ch.Protocol) != "all" || len(ch.Peers) == 0 {
		return ""
	}
	for _, p := range ch.Peers {
		pfx, err := netip.ParsePrefix(strings.TrimSpace(p.Value))
		if p.Kind != model.PeerCIDR || err != nil || pfx.Bits() != 0 {
			return ""
		}
	}
	switch {
	case op.Cloud == model.AWS && op.Resource == "security_group":
		return "the allow-all egress rule every new VPC security group is created with: re-adding it restores the default, it lifts a restriction only where the group's egress had been narrowed: at most low"
	case op.Cloud == model.GCP && op.Resource == "vpc_firewall_rule" && ch.Priority != nil && *ch.Priority == 65535:
		return "the same as the implied allow-egress rule of every VPC network (priority 65535, where any deny wins over it): it admits nothing that was not already admitted: at most low"
	}
	return ""
}

// RestoresDefaultEgress reports whether ev adds the allow-all egress rule
// a new AWS security group has by default (and nothing else): low alone,
// but lifting a restriction when the group's rules were known to hold no
// such rule.
func (d *Detector) RestoresDefaultEgress(ev *model.Event) bool {
	op, ok := d.c.Operation(ev.OperationKey)
	if !ok || op.Cloud != model.AWS || len(ev.Changes) == 0 {
		return false
	}
	for _, ch := range ev.Changes {
		if ch.Effect == model.Removed || ch.Action == model.Deny || defaultEgress(op, ch) == "" {
			return false
		}
	}
	return true
}

// impliedEgressAllow says why a removed egress deny needs no allow rule
// of anyone's making to let its traffic out, or "": a GCP VPC network's
// implied allow-egress rule (priority 65535, every protocol to
// 0.0.0.0/0) admits every destination, whether the deny was a VPC rule
// or a firewall policy's (what no policy or VPC rule decides reaches the
// implied rules), and an Azure NSG's default rule
// AllowInternetOutBound (priority 65001) every internet destination.
// What the deny blocked leaves at once, unless another deny also blocks
// it: the removal is weighed as the same allow added, not a step lower.
// AWS has no such rule: a security group holds no deny, and a network
// ACL's last entry denies.
func (d *Detector) impliedEgressAllow(op *content.Operation, ch model.RuleChange) string {
	if ch.Direction != model.Egress {
		return ""
	}
	switch {
	case op.Cloud == model.GCP && op.Resource == "vpc_firewall_rule":
		return "the network's implied allow-egress rule (priority 65535, every protocol to 0.0.0.0/0) admits what it blocked, so it leaves now unless another deny blocks it: not lowered"
	case op.Cloud == model.GCP && (op.Resource == "firewall_policy" || op.Resource == "network_firewall_policy"):
		return "what no policy rule or VPC rule decides reaches the network's implied allow-egress rule (every protocol to 0.0.0.0/0), which admits what it blocked, so it leaves now unless another deny blocks it: not lowered"
	case op.Cloud == model.Azure && (op.Resource == "nsg_rule" || op.Resource == "nsg") && d.World(ch.Peers):
		return "the group's default rule AllowInternetOutBound (priority 65001) admits what it blocked, so it leaves now unless another deny blocks it: not lowered"
	}
	return ""
}
