package detect

import (
	"encoding/json"
	"net/netip"
	"testing"

	"cloudwall/internal/model"
)

// ipPermissionsRef is IPPermissions of one rule as first written, through a map: the
// struct form must print the same JSON.
func ipPermissionsRef(r *model.RuleChange) (string, bool) {
	perm := map[string]any{}
	p := protocol(r.Protocol)
	switch p {
	case "":
		return "", false
	case "all":
		perm["IpProtocol"] = "-1"
	default:
		perm["IpProtocol"] = p
		if p == "tcp" || p == "udp" || p == "sctp" {
			pr := model.AllPortRange
			if len(r.Ports) > 0 {
				pr = r.Ports[0]
			}
			perm["FromPort"], perm["ToPort"] = pr.From, pr.To
		} else if p == "icmp" || p == "icmpv6" {
			perm["FromPort"], perm["ToPort"] = -1, -1
		}
	}
	if len(r.Peers) == 0 {
		return "", false
	}
	for _, peer := range r.Peers {
		switch peer.Kind {
		case model.PeerCIDR:
			if a, err := netip.ParsePrefix(peer.Value); err == nil && a.Addr().Is6() {
				perm["Ipv6Ranges"] = append(listRef(perm["Ipv6Ranges"]), map[string]string{"CidrIpv6": peer.Value})
			} else {
				perm["IpRanges"] = append(listRef(perm["IpRanges"]), map[string]string{"CidrIp": peer.Value})
			}
		case model.PeerPrefixList:
			perm["PrefixListIds"] = append(listRef(perm["PrefixListIds"]), map[string]string{"PrefixListId": peer.Value})
		case model.PeerGroup:
			perm["UserIdGroupPairs"] = append(listRef(perm["UserIdGroupPairs"]), map[string]string{"GroupId": peer.Value})
		default:
			return "", false
		}
	}
	b, _ := json.Marshal([]any{perm})
	return string(b), true
}

func listRef(v any) []any {
	l, _ := v.([]any)
	return l
}

func TestIPPermissionsJSON(t *testing.T) {
	peers := []model.Peer{cidr("0.0.0.0/0"), cidr("::/0"), cidr("10.0.0.0/8"), {Kind: model.PeerPrefixList, Value: "pl-1"},
		{Kind: model.PeerGroup, Value: "sg-1<&>"}, {Kind: model.PeerTag, Value: "x"}}
	for _, proto := range []string{"", "tcp", "6", "-1", "icmp", "icmpv6", "udp", "50"} {
		for _, ps := range []model.PortList{nil, ports(22, 22), ports(0, 65535), ports(80, 81, 443, 443)} {
			for i := range peers {
				for j := i; j < len(peers); j++ {
					r := model.RuleChange{Protocol: proto, Ports: ps, Peers: []model.Peer{peers[i], peers[j]}}
					got, ok := IPPermissions(r)
					want, wok := ipPermissionsRef(&r)
					if got != want || ok != wok {
						t.Fatalf("%+v: got %s %v, want %s %v", r, got, ok, want, wok)
					}
				}
			}
		}
	}
}

// respondCommands is every Respond command of a finding.
func respondCommands(f model.Finding) []string {
	var out []string
	for _, c := range f.Guidance.Commands {
		if c.Step == model.StepRespond {
			out = append(out, c.Run)
		}
	}
	return out
}

// TestUndoNamesWhatWasAdded: the printed undo of an authorize names what
// the call added as the log gives it. A security group rule by its sgr-
// id when the response logs one, else by its content from the request
// (older CloudTrail logs no securityGroupRuleSet); an RDS or Redshift
// security group grant by the CIDR or the EC2 group (id or name, and
// owner) of the request.
func TestUndoNamesWhatWasAdded(t *testing.T) {
	ssh := rule("tcp", port(22), cidr("0.0.0.0/0"), cidr("::/0"))
	egress := rule("-1", nil, cidr("0.0.0.0/0"))
	egress.Direction = model.Egress
	classic := func(key string, peers ...model.Peer) *model.Event {
		ev := event(model.AWS, key, model.RuleChange{Effect: model.Added, Direction: model.Ingress, Action: model.Allow, Peers: peers})
		ev.Resource = model.Resource{Type: "security_group", ID: "app-db-sg", Name: "app-db-sg"}
		return ev
	}
	group := func(v string) model.Peer { return model.Peer{Kind: model.PeerGroup, Value: v} }
	tests := []struct {
		name string
		ev   *model.Event
		want string // the first Respond command
	}{
		{"rule id logged", sgIngress(withName(ssh, "sgr-0aa")),
			"aws ec2 revoke-security-group-ingress --region us-east-1 --group-id sg-0abc --security-group-rule-ids sgr-0aa"},
		{"no rule id: the rules by content", sgIngress(ssh, rule("udp", ports(53, 53), cidr("10.0.0.0/8"))),
			`aws ec2 revoke-security-group-ingress --region us-east-1 --group-id sg-0abc --ip-permissions '[{"FromPort":22,"IpProtocol":"tcp","IpRanges":[{"CidrIp":"0.0.0.0/0"}],"Ipv6Ranges":[{"CidrIpv6":"::/0"}],"ToPort":22},{"FromPort":53,"IpProtocol":"udp","IpRanges":[{"CidrIp":"10.0.0.0/8"}],"ToPort":53}]'`},
		{"egress by content", event(model.AWS, "ec2:authorizesecuritygroupegress", egress),
			`aws ec2 revoke-security-group-egress --region us-east-1 --group-id sg-0abc --ip-permissions '[{"IpProtocol":"-1","IpRanges":[{"CidrIp":"0.0.0.0/0"}]}]'`},
		{"ports not logged: no content to name", sgIngress(rule("tcp", nil, cidr("0.0.0.0/0"))),
			"aws ec2 revoke-security-group-ingress --region us-east-1 --group-id sg-0abc --security-group-rule-ids '<RULE>'"},
		{"ICMP type not kept: no content to name", sgIngress(rule("icmp", nil, cidr("0.0.0.0/0"))),
			"aws ec2 revoke-security-group-ingress --region us-east-1 --group-id sg-0abc --security-group-rule-ids '<RULE>'"},
		{"RDS grant of a CIDR", classic("rds:authorizedbsecuritygroupingress", cidr("0.0.0.0/0")),
			"aws rds revoke-db-security-group-ingress --region us-east-1 --db-security-group-name app-db-sg --cidrip 0.0.0.0/0"},
		{"RDS grant of an EC2 group by id", classic("rds:authorizedbsecuritygroupingress", group("123456789012/sg-0123456789abcdef0")),
			"aws rds revoke-db-security-group-ingress --region us-east-1 --db-security-group-name app-db-sg --ec2-security-group-id sg-0123456789abcdef0 --ec2-security-group-owner-id 123456789012"},
		{"RDS grant of an EC2 group by name alone", classic("rds:authorizedbsecuritygroupingress", group("app-servers")),
			"aws rds revoke-db-security-group-ingress --region us-east-1 --db-security-group-name app-db-sg --ec2-security-group-name app-servers"},
		{"Redshift grant of an EC2 group", classic("redshift:authorizeclustersecuritygroupingress", group("111122223333/app-servers")),
			"aws redshift revoke-cluster-security-group-ingress --region us-east-1 --cluster-security-group-name app-db-sg --ec2-security-group-name app-servers --ec2-security-group-owner-id 111122223333"},
		{"RDS grant logged without its source", classic("rds:authorizedbsecuritygroupingress"),
			"aws rds revoke-db-security-group-ingress --region us-east-1 --db-security-group-name app-db-sg '<CLASSIC_SOURCE>'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmds := respondCommands(evaluate(t, tt.ev))
			if len(cmds) == 0 || cmds[0] != tt.want {
				t.Errorf("respond commands %q\nwant first %q", cmds, tt.want)
			}
		})
	}
}
