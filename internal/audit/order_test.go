package audit

import (
	"strings"
	"testing"

	"cloudwall/internal/model"
	"cloudwall/internal/snapshot"
)

// Shadowing comes from the state engine's evaluation: several earlier
// rules can together decide all of a rule's traffic, and a rule scoped to
// other targets or other named peers decides none of it.
func TestShadowingByEngineEvaluation(t *testing.T) {
	world := cidr("0.0.0.0/0")
	ranged := func(from, to int, peer model.Peer) model.Rule {
		r := tcp(0, peer)
		r.Ports = model.PortList{{From: from, To: to}}
		return r
	}
	targeted := func(r model.Rule, targets ...string) model.Rule { r.Targets = targets; return r }
	fw := func(cloud model.Cloud, typ string, rules ...model.Rule) model.Firewall {
		return model.Firewall{Cloud: cloud, Resource: model.Resource{Type: typ, ID: typ + "-1"}, Rules: rules}
	}
	tests := []struct {
		name      string
		fw        model.Firewall
		shadowed  string // audit rule reported, "" for none
		by        []string
		worldOpen int
	}{
		{"NACL: two denies together cover the allow", fw(model.AWS, "network_acl",
			prio(ranged(0, 1023, world), 90, model.Deny, "90"),
			prio(ranged(1024, 65535, world), 91, model.Deny, "91"),
			prio(ranged(0, 65535, world), 100, model.Allow, "100")),
			RuleShadowedAllow, []string{"90", "91"}, 0},
		{"NACL: two denies leave port 1024 open", fw(model.AWS, "network_acl",
			prio(ranged(0, 1023, world), 90, model.Deny, "90"),
			prio(ranged(1025, 65535, world), 91, model.Deny, "91"),
			prio(ranged(0, 65535, world), 100, model.Allow, "100")),
			"", nil, 0},
		{"GCP: a deny on other target tags shadows nothing", fw(model.GCP, "network",
			targeted(prio(tcp(22, world), 900, model.Deny, "deny-db"), "db"),
			targeted(prio(tcp(22, world), 1000, model.Allow, "allow-web"), "web")),
			"", nil, 1},
		{"GCP: a deny on every instance shadows a targeted allow", fw(model.GCP, "network",
			prio(tcp(22, world), 900, model.Deny, "deny-all"),
			targeted(prio(tcp(22, world), 1000, model.Allow, "allow-web"), "web")),
			RuleShadowedAllow, []string{"deny-all"}, 0},
		{"GCP: a deny from one source tag shadows only that tag", fw(model.GCP, "network",
			prio(tcp(22, model.Peer{Kind: model.PeerTag, Value: "bastion"}), 900, model.Deny, "deny-bastion"),
			prio(tcp(22, model.Peer{Kind: model.PeerTag, Value: "ci"}), 1000, model.Allow, "allow-ci")),
			"", nil, 0},
		{"NSG: the internet denied first shadows an allow from Internet", fw(model.Azure, "nsg",
			prio(tcp(3389, model.Peer{Kind: model.PeerAny, Value: "*"}), 100, model.Deny, "deny-rdp"),
			prio(tcp(3389, model.Peer{Kind: model.PeerServiceTag, Value: "Internet"}), 200, model.Allow, "allow-rdp")),
			RuleShadowedAllow, []string{"deny-rdp"}, 0},
		{"NSG: an IPv4 deny leaves the IPv6 internet to an allow from Internet", fw(model.Azure, "nsg",
			prio(tcp(3389, world), 100, model.Deny, "deny-rdp"),
			prio(tcp(3389, model.Peer{Kind: model.PeerServiceTag, Value: "Internet"}), 200, model.Allow, "allow-rdp")),
			"", nil, 1},
		{"NSG: a deny to a subnet shadows an allow to an address in it", fw(model.Azure, "nsg",
			targeted(prio(tcp(22, world), 100, model.Deny, "deny-subnet"), "10.0.0.0/24"),
			targeted(prio(tcp(22, world), 200, model.Allow, "allow-one"), "10.0.0.5")),
			RuleShadowedAllow, []string{"deny-subnet"}, 0},
		{"NSG: a deny to another address shadows nothing", fw(model.Azure, "nsg",
			targeted(prio(tcp(22, world), 100, model.Deny, "deny-other"), "10.0.0.6"),
			targeted(prio(tcp(22, world), 200, model.Allow, "allow-one"), "10.0.0.5")),
			"", nil, 1},
		{"NACL: an IPv4 deny does not shadow an IPv6 allow", fw(model.AWS, "network_acl",
			prio(ranged(0, 65535, world), 90, model.Deny, "90"),
			prio(ranged(22, 22, cidr("::/0")), 100, model.Allow, "100")),
			"", nil, 0},
		{"NACL: an IPv6 deny shadows the IPv6 allow", fw(model.AWS, "network_acl",
			prio(ranged(0, 65535, cidr("::/0")), 90, model.Deny, "90"),
			prio(ranged(22, 22, cidr("::/0")), 100, model.Allow, "100")),
			RuleShadowedAllow, []string{"90"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := auditor(t).Audit(&snapshot.Set{Firewalls: []model.Firewall{tt.fw}})
			if got := len(byRule(fs, RuleWorldOpen)); got != tt.worldOpen {
				t.Errorf("world-open findings %d, want %d", got, tt.worldOpen)
			}
			sh := append(byRule(fs, RuleShadowedAllow), byRule(fs, RuleShadowedDeny)...)
			if tt.shadowed == "" {
				if len(sh) != 0 {
					t.Errorf("shadow findings %q, want none", sh[0].Title)
				}
				return
			}
			if len(sh) != 1 || sh[0].Rule != tt.shadowed {
				t.Fatalf("shadow findings %+v, want one %s", sh, tt.shadowed)
			}
			for _, b := range tt.by {
				if !strings.Contains(sh[0].Title, b) || !strings.Contains(sh[0].Reasons[0], b) {
					t.Errorf("%q / %q does not name rule %s", sh[0].Title, sh[0].Reasons[0], b)
				}
			}
		})
	}
}
