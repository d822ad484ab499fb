package detect

import (
	"encoding/json"
	"net/netip"
	"strings"

	"cloudwall/internal/model"
)

// IPPermissions renders rules as the JSON value of the AWS CLI's
// --ip-permissions (EC2 security groups), one element per rule, so a
// revoke or authorize can name rules by their content when their sgr- ids
// are not known. A port-bearing rule without ports gets every port, an
// ICMP rule every type. It fails on a rule whose protocol is not known or
// whose peers are not all CIDRs, prefix lists or groups. The state
// engine's rollbacks and the scan's guidance both print it.
func IPPermissions(rules ...model.RuleChange) (string, bool) {
	if len(rules) == 0 {
		return "", false
	}
	perms := make([]ipPermission, 0, len(rules))
	for i := range rules {
		perm, ok := ipPermissionOf(&rules[i])
		if !ok {
			return "", false
		}
		perms = append(perms, perm)
	}
	b, _ := json.Marshal(perms)
	return string(b), true
}

// ipPermissionOf is one rule as an element of --ip-permissions.
func ipPermissionOf(r *model.RuleChange) (ipPermission, bool) {
	var perm ipPermission
	p := protocol(r.Protocol)
	switch p {
	case "":
		return perm, false
	case "all":
		perm.IpProtocol = "-1"
	default:
		perm.IpProtocol = p
		if p == "tcp" || p == "udp" || p == "sctp" {
			pr := model.AllPortRange
			if len(r.Ports) > 0 {
				pr = r.Ports[0]
			}
			perm.FromPort, perm.ToPort = &pr.From, &pr.To
		} else if p == "icmp" || p == "icmpv6" {
			anyType := -1
			perm.FromPort, perm.ToPort = &anyType, &anyType
		}
	}
	if len(r.Peers) == 0 {
		return perm, false
	}
	for _, peer := range r.Peers {
		switch peer.Kind {
		case model.PeerCIDR:
			if a, err := netip.ParsePrefix(peer.Value); err == nil && a.Addr().Is6() {
				perm.Ipv6Ranges = append(perm.Ipv6Ranges, struct{ CidrIpv6 string }{peer.Value})
			} else {
				perm.IpRanges = append(perm.IpRanges, struct{ CidrIp string }{peer.Value})
			}
		case model.PeerPrefixList:
			perm.PrefixListIds = append(perm.PrefixListIds, struct{ PrefixListId string }{peer.Value})
		case model.PeerGroup:
			perm.UserIdGroupPairs = append(perm.UserIdGroupPairs, struct{ GroupId string }{peer.Value})
		default:
			return perm, false
		}
	}
	return perm, true
}

// ipPermission is one element of --ip-permissions, its fields in the
// order the AWS CLI documents them (alphabetical).
type ipPermission struct {
	FromPort         *int `json:",omitempty"`
	IpProtocol       string
	IpRanges         []struct{ CidrIp string }       `json:",omitempty"`
	Ipv6Ranges       []struct{ CidrIpv6 string }     `json:",omitempty"`
	PrefixListIds    []struct{ PrefixListId string } `json:",omitempty"`
	ToPort           *int                            `json:",omitempty"`
	UserIdGroupPairs []struct{ GroupId string }      `json:",omitempty"`
}

// revokeByContent is the --ip-permissions value that revokes what an EC2
// security group authorize call added, for a call whose response names
// no sgr- rule ids (CloudTrail before securityGroupRuleSet was logged:
// responseElements {"_return": true}). It is "" when a rule id is logged
// (the revoke names the ids) or when the request does not give every
// rule whole: ports not logged, an ICMP type the parser does not keep,
// peers left out or rules merged.
func revokeByContent(ev *model.Event) string {
	if ev.Cloud != model.AWS || ev.Resource.Type != "security_group" || len(ev.Changes) == 0 {
		return ""
	}
	for _, ch := range ev.Changes {
		p := protocol(ch.Protocol)
		switch {
		case ch.Effect != model.Added, strings.HasPrefix(ch.Name, "sgr-"),
			ch.Merged > 0, ch.PeersOmitted > 0, len(ch.Ports) > 1,
			p == "icmp" || p == "icmpv6",
			(p == "tcp" || p == "udp" || p == "sctp") && len(ch.Ports) == 0:
			return ""
		}
	}
	perm, ok := IPPermissions(ev.Changes...)
	if !ok {
		return ""
	}
	return perm
}

// classicSource gives the flags of an RDS or Redshift security group
// revoke that name what the authorize call let in: --cidrip CIDR, or the
// EC2 group by id (--ec2-security-group-id, VPC) or name
// (--ec2-security-group-name, EC2-Classic) with its owner account
// (--ec2-security-group-owner-id) when the request names one. It is nil
// when the call logged neither.
func classicSource(ev *model.Event) []string {
	if ev.Cloud != model.AWS || len(ev.Changes) == 0 {
		return nil
	}
	for _, p := range ev.Changes[0].Peers {
		switch p.Kind {
		case model.PeerCIDR:
			return []string{"--cidrip", p.Value}
		case model.PeerGroup:
			owner, g, ok := strings.Cut(p.Value, "/")
			if !ok {
				owner, g = "", p.Value
			}
			flag := "--ec2-security-group-name"
			if strings.HasPrefix(g, "sg-") {
				flag = "--ec2-security-group-id"
			}
			out := []string{flag, g}
			if owner != "" {
				out = append(out, "--ec2-security-group-owner-id", owner)
			}
			return out
		}
	}
	return nil
}
