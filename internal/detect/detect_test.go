package detect

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"cloudwall/internal/content"
	"cloudwall/internal/model"
)

// defaults parses the embedded content once for all tests.
var defaults = sync.OnceValues(content.Default)

func detector(t testing.TB) *Detector {
	t.Helper()
	c, err := defaults()
	if err != nil {
		t.Fatalf("content.Default: %v", err)
	}
	return New(c)
}

var t0 = time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)

// Peer helpers.
func cidr(v string) model.Peer { return model.Peer{Kind: model.PeerCIDR, Value: v} }
func any_(v string) model.Peer { return model.Peer{Kind: model.PeerAny, Value: v} }
func tag(v string) model.Peer  { return model.Peer{Kind: model.PeerServiceTag, Value: v} }
func rng(v string) model.Peer  { return model.Peer{Kind: model.PeerRange, Value: v} }

func ports(rs ...int) model.PortList {
	var l model.PortList
	for i := 0; i+1 < len(rs); i += 2 {
		l = append(l, model.PortRange{From: rs[i], To: rs[i+1]})
	}
	return l
}

func port(p int) model.PortList { return ports(p, p) }

// rule is an added ingress allow rule.
func rule(proto string, pl model.PortList, peers ...model.Peer) model.RuleChange {
	return model.RuleChange{Effect: model.Added, Direction: model.Ingress, Action: model.Allow,
		Protocol: proto, Ports: pl, Peers: peers}
}

// event builds a successful event for an operation key.
func event(cloud model.Cloud, key string, changes ...model.RuleChange) *model.Event {
	return &model.Event{
		Cloud: cloud, Time: t0, Account: "111122223333", Region: "us-east-1",
		Operation: key, OperationKey: key, Outcome: model.Success,
		Actor:    model.Actor{Type: "IAMUser", ID: "arn:aws:iam::111122223333:user/alice", Name: "alice"},
		SourceIP: "198.51.100.7", UserAgent: "aws-cli/2.15.0",
		Resource: model.Resource{Type: "security_group", ID: "sg-0abc"},
		Changes:  changes, EventID: "evt-1", OperationID: "evt-1",
		Source: model.SourceRef{File: "trail.json", Index: 3},
	}
}

// armorRule is a Cloud Armor or App Engine rule: HTTP(S), no ports.
func armorRule(effect model.Effect, action model.Action, priority int, peers ...model.Peer) model.RuleChange {
	return model.RuleChange{Effect: effect, Direction: model.Ingress, Action: action, Priority: model.IntPtr(priority), Peers: peers}
}

func sgIngress(changes ...model.RuleChange) *model.Event {
	return event(model.AWS, "ec2:authorizesecuritygroupingress", changes...)
}

func evaluate(t *testing.T, ev *model.Event) model.Finding {
	t.Helper()
	f, ok := detector(t).Evaluate(ev)
	if !ok {
		t.Fatalf("Evaluate(%s) = not a firewall event", ev.OperationKey)
	}
	return f
}

// TestWorldOpenSpellings covers operations.md section 5: every spelling
// of "everyone" is world-scale, decided by parsing.
func TestWorldOpenSpellings(t *testing.T) {
	d := detector(t)
	for _, tc := range []struct {
		name  string
		peers []model.Peer
		note  string // a reason that must be present
	}{
		{"canonical", []model.Peer{cidr("0.0.0.0/0")}, ""},
		{"host bits", []model.Peer{cidr("208.236.235.254/0")}, ""},
		{"ipv6", []model.Peer{cidr("::/0")}, ""},
		{"ipv6 0::", []model.Peer{cidr("0::/0")}, ""},
		{"ipv6 long", []model.Peer{cidr("0:0:0:0:0:0:0:0/0")}, ""},
		{"ipv4-mapped", []model.Peer{cidr("::ffff:0.0.0.0/96")}, ""},
		{"star", []model.Peer{any_("*")}, ""},
		{"Any", []model.Peer{any_("Any")}, ""},
		{"Internet tag", []model.Peer{tag("Internet")}, ""},
		{"full range", []model.Peer{rng("0.0.0.0-255.255.255.255")}, ""},
		{"half range is world-scale", []model.Peer{rng("0.0.0.0-127.255.255.255")}, ""},
		{"split halves", []model.Peer{cidr("0.0.0.0/1"), cidr("128.0.0.0/1")}, ""},
		{"quarters", []model.Peer{cidr("0.0.0.0/2"), cidr("64.0.0.0/2"), cidr("128.0.0.0/2"), cidr("192.0.0.0/2")}, ""},
		{"ipv6 halves", []model.Peer{cidr("::/1"), cidr("8000::/1")}, ""},
		{"leading zeros", []model.Peer{cidr("00.0.0.0/0")}, "unparseable CIDR"},
		{"padded length", []model.Peer{cidr("0.0.0.0/00")}, "unparseable CIDR"},
		{"garbage before /0", []model.Peer{cidr("0/0")}, "unparseable CIDR"},
		{"spaces", []model.Peer{cidr(" 0.0.0.0/0 ")}, ""},
		// Several addresses in one value, which read whole is unparseable
		// (an unreadable source, medium): each is read.
		{"comma list", []model.Peer{cidr("0.0.0.0/0,10.0.0.0/8")}, "holds 2 addresses in one value"},
		{"semicolon list of halves", []model.Peer{cidr("10.0.0.0/8; 0.0.0.0/1 ;128.0.0.0/1")}, "holds 3 addresses in one value"},
		{"space list", []model.Peer{cidr("192.168.0.0/16 ::/0")}, "holds 2 addresses in one value"},
		{"range list", []model.Peer{rng("10.0.0.1 - 10.0.0.9, 0.0.0.0-255.255.255.255")}, "holds 2 addresses in one value"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			op := &content.Operation{Kind: content.KindRules}
			j := d.open(op, rule("tcp", port(22), tc.peers...))
			if !j.world {
				t.Errorf("not world-open: %+v", j)
			}
			if j.sev != model.Critical {
				t.Errorf("severity %s, want critical", j.sev)
			}
			if tc.note != "" && !slices.ContainsFunc(j.reasons, func(r string) bool { return strings.Contains(r, tc.note) }) {
				t.Errorf("reasons %q lack %q", j.reasons, tc.note)
			}
		})
	}
}

// TestPeerListNotWidened: splitting a value that lists addresses reads
// each at its own width; private addresses listed together stay private,
// and a range written with spaces around its dash stays one range.
func TestPeerListNotWidened(t *testing.T) {
	d := detector(t)
	for _, tc := range []struct {
		name string
		peer model.Peer
		want model.Severity
	}{
		{"private list", cidr("10.0.0.0/8, 192.168.0.0/16"), model.Low},
		{"spaced range", rng("10.0.0.1 - 10.0.0.9"), model.Low},
	} {
		t.Run(tc.name, func(t *testing.T) {
			op := &content.Operation{Kind: content.KindRules}
			j := d.open(op, rule("tcp", port(22), tc.peer))
			if j.world || j.sev != tc.want {
				t.Errorf("world %v severity %s, want %s: %q", j.world, j.sev, tc.want, j.reasons)
			}
		})
	}
}

func TestScopes(t *testing.T) {
	d := detector(t)
	for _, tc := range []struct {
		peer model.Peer
		want content.Scope
	}{
		{cidr("10.0.0.0/8"), content.Private},
		{cidr("172.16.5.0/24"), content.Private},
		{cidr("100.64.0.0/10"), content.Private},
		{cidr("169.254.169.254"), content.Private},
		{cidr("fd00::/8"), content.Private},
		{cidr("010.0.0.0/8"), content.Private}, // leading zero, read as 10.0.0.0/8
		{cidr("8.0.0.0/8"), content.PublicWide},
		{cidr("203.0.113.0/24"), content.PublicNarrow},
		{cidr("203.0.113.7/32"), content.Single},
		{cidr("203.0.113.7"), content.Single},
		{cidr("2001:db8::1/128"), content.Single},
		{cidr("2001:db8::/16"), content.PublicWide},
		// 0.0.0.0/8 is "this network" (RFC 1122), never a source:
		// 0.0.0.0/16 in a real 2020 console event admits no one.
		{cidr("0.0.0.0"), content.Private},
		{cidr("0.0.0.0/16"), content.Private},
		{cidr("0.0.0.0/7"), content.PublicWide},
		{cidr("0.0.0.0/1"), content.World},
		{cidr("2000::/3"), content.World},
		{cidr("garbage"), content.Unreadable},
		{cidr("1.2.3.4/33"), content.Unreadable},
		{rng("0.0.0.0-0.0.0.0"), content.AzureServices},
		{rng("1.0.0.0-1.255.255.255"), content.PublicWide},
		{rng("10.0.0.1-10.0.0.9"), content.Private},
		{rng("203.0.113.7-203.0.113.7"), content.Single},
		{rng("9.9.9.9-1.1.1.1"), content.Unreadable},
		{tag("VirtualNetwork"), content.Private},
		{tag("AzureLoadBalancer"), content.Private},
		{tag("Storage.WestEurope"), content.Reference},
		{model.Peer{Kind: model.PeerGroup, Value: "sg-1"}, content.Reference},
		{model.Peer{Kind: model.PeerPrefixList, Value: "pl-1"}, content.Reference},
		{model.Peer{Kind: model.PeerTag, Value: "web"}, content.Reference},
		{model.Peer{Kind: model.PeerServiceAccount, Value: "sa@p.iam.gserviceaccount.com"}, content.Reference},
	} {
		if got := d.size(tc.peer); got.scope != tc.want {
			t.Errorf("%s: scope %s (%s), want %s", tc.peer, got.scope, got.why, tc.want)
		}
	}
}

func TestSeverity(t *testing.T) {
	removedNACL := model.RuleChange{Effect: model.Removed, Direction: model.Ingress, Name: "100"}
	for _, tc := range []struct {
		name string
		ev   *model.Event
		want model.Severity
		// title and exposure substrings, when set
		title, exposure string
	}{
		{"private 22", sgIngress(rule("tcp", port(22), cidr("10.0.0.0/8"))), model.Low,
			"opened to private range 10.0.0.0/8 on 22/tcp (ssh)", "10.0.0.0/8 -> 22/tcp (ssh)"},
		{"world 22", sgIngress(rule("tcp", port(22), cidr("0.0.0.0/0"))), model.Critical,
			"Security group sg-0abc opened to the IPv4 internet on 22/tcp (ssh)", "IPv4 internet -> 22/tcp (ssh)"},
		{"world 22 IPv6", sgIngress(rule("tcp", port(22), cidr("::/0"))), model.Critical,
			"Security group sg-0abc opened to the IPv6 internet on 22/tcp (ssh)", "IPv6 internet -> 22/tcp (ssh)"},
		{"world 22 both families in one rule", sgIngress(rule("tcp", port(22), cidr("0.0.0.0/0"), cidr("::/0"))), model.Critical,
			"Security group sg-0abc opened to the internet on 22/tcp (ssh)", "internet -> 22/tcp (ssh)"},
		{"world 22 one rule per family", sgIngress(rule("tcp", port(22), cidr("0.0.0.0/0")), rule("tcp", port(22), cidr("::/0"))), model.Critical,
			"Security group sg-0abc opened to the internet on 22/tcp (ssh)", "IPv6 internet -> 22/tcp (ssh)"},
		{"world 443", sgIngress(rule("tcp", port(443), cidr("0.0.0.0/0"))), model.Medium, "", "internet -> 443/tcp"},
		{"world 3306", sgIngress(rule("tcp", port(3306), cidr("0.0.0.0/0"))), model.High, "", "3306/tcp (mysql)"},
		{"world docker", sgIngress(rule("tcp", port(2375), cidr("::/0"))), model.Critical, "", ""},
		{"world all traffic", sgIngress(rule("all", ports(0, 65535), cidr("0.0.0.0/0"))), model.Critical,
			"on all protocols and ports", "internet -> all protocols and ports"},
		{"world range over ssh", sgIngress(rule("tcp", ports(1, 1024), cidr("0.0.0.0/0"))), model.Critical, "", "1-1024/tcp (covers"},
		{"world udp 22 is not ssh", sgIngress(rule("udp", port(22), cidr("0.0.0.0/0"))), model.Medium, "", ""},
		{"world icmp", sgIngress(rule("icmp", nil, cidr("0.0.0.0/0"))), model.Low, "", "internet -> icmp"},
		{"world ports not logged", sgIngress(rule("tcp", nil, cidr("0.0.0.0/0"))), model.High, "", "tcp (ports not logged)"},
		{"split halves 22", sgIngress(rule("tcp", port(22), cidr("0.0.0.0/1"), cidr("128.0.0.0/1"))), model.Critical,
			"opened to the IPv4 internet", "internet -> 22/tcp (ssh)"},
		{"quarters together", sgIngress(rule("tcp", port(22), cidr("0.0.0.0/2"), cidr("64.0.0.0/2"), cidr("128.0.0.0/2"), cidr("192.0.0.0/2"))),
			model.Critical, "opened to the IPv4 internet", "IPv4 internet (0.0.0.0/2, 64.0.0.0/2, 128.0.0.0/2 and 1 more) -> 22/tcp (ssh)"},
		// A /1 is world-scale for severity, but the title names the
		// share it opened, not the whole internet.
		{"half of ipv4 22", sgIngress(rule("tcp", port(22), cidr("0.0.0.0/1"))), model.Critical,
			"opened to half of the IPv4 internet on 22/tcp", "half of the IPv4 internet -> 22/tcp (ssh)"},
		{"upper half of ipv4 3389", sgIngress(rule("tcp", port(3389), cidr("128.0.0.0/1"))), model.Critical,
			"opened to half of the IPv4 internet on 3389/tcp", ""},
		{"three quarters of ipv4", sgIngress(rule("tcp", port(22), cidr("0.0.0.0/2"), cidr("64.0.0.0/2"), cidr("128.0.0.0/2"))), model.Critical,
			"opened to three quarters of the IPv4 internet", ""},
		{"a world half and two quarters beside it", sgIngress(rule("tcp", port(22), cidr("0.0.0.0/2"), cidr("64.0.0.0/2"), cidr("128.0.0.0/1"))), model.Critical,
			"opened to the IPv4 internet on 22/tcp", ""},
		{"halves as two rules of one call", sgIngress(rule("tcp", port(22), cidr("0.0.0.0/1")), rule("tcp", port(22), cidr("128.0.0.0/1"))), model.Critical,
			"opened to the IPv4 internet on 22/tcp", "half of the IPv4 internet -> 22/tcp (ssh)"},
		{"half of ipv4 and all of ipv6", sgIngress(rule("tcp", port(22), cidr("0.0.0.0/1"), cidr("::/0"))), model.Critical,
			"opened to half of the IPv4 internet and the IPv6 internet", ""},
		{"ipv6 global unicast is the ipv6 internet", sgIngress(rule("tcp", port(22), cidr("2000::/3"))), model.Critical,
			"opened to the IPv6 internet on 22/tcp", ""},
		{"two eighths are not the world", sgIngress(rule("tcp", port(22), cidr("0.0.0.0/3"), cidr("128.0.0.0/3"))),
			model.Medium, "", ""},
		{"public wide 22", sgIngress(rule("tcp", port(22), cidr("8.0.0.0/8"))), model.Medium, "", ""},
		{"public wide 443", sgIngress(rule("tcp", port(443), cidr("8.0.0.0/8"))), model.Low, "", ""},
		{"single address 22", sgIngress(rule("tcp", port(22), cidr("203.0.113.7/32"))), model.Low, "", ""},
		{"sg reference all", sgIngress(rule("all", nil, model.Peer{Kind: model.PeerGroup, Value: "sg-9"})), model.Low, "", ""},
		{"content not logged", sgIngress(), model.Medium, "rule added (rule content not logged)", ""},
		{"mixed peers take the worst", sgIngress(rule("tcp", port(22), cidr("10.0.0.0/8"), cidr("0.0.0.0/0"))), model.Critical, "", "10.0.0.0/8 -> 22/tcp (ssh)"},
		{"egress world all", func() *model.Event {
			r := rule("all", nil, cidr("0.0.0.0/0"))
			r.Direction = model.Egress
			return event(model.AWS, "ec2:authorizesecuritygroupegress", r)
		}(), model.Low, "opened egress to the IPv4 internet", "egress to IPv4 internet -> all protocols and ports"},
		// Every new VPC group has that rule: re-added, it restores the
		// default. Half the internet is no default; neither is a GCP
		// allow-all above the implied rule's priority, nor an NSG rule.
		{"egress half world all", func() *model.Event {
			r := rule("all", nil, cidr("0.0.0.0/1"))
			r.Direction = model.Egress
			return event(model.AWS, "ec2:authorizesecuritygroupegress", r)
		}(), model.Medium, "", ""},
		{"gcp egress all at the implied priority", func() *model.Event {
			r := rule("all", nil, cidr("0.0.0.0/0"))
			r.Direction, r.Priority = model.Egress, model.IntPtr(65535)
			return event(model.GCP, "compute.firewalls.insert", r)
		}(), model.Low, "", ""},
		{"gcp egress all above the implied priority", func() *model.Event {
			r := rule("all", nil, cidr("0.0.0.0/0"))
			r.Direction, r.Priority = model.Egress, model.IntPtr(1000)
			return event(model.GCP, "compute.firewalls.insert", r)
		}(), model.Medium, "", ""},
		{"nsg outbound all to the internet", func() *model.Event {
			r := rule("all", nil, cidr("0.0.0.0/0"))
			r.Direction, r.Priority = model.Egress, model.IntPtr(100)
			return event(model.Azure, "microsoft.network/networksecuritygroups/securityrules/write", r)
		}(), model.Medium, "", ""},
		{"egress world 443", func() *model.Event {
			r := rule("tcp", port(443), cidr("0.0.0.0/0"))
			r.Direction = model.Egress
			return event(model.AWS, "ec2:authorizesecuritygroupegress", r)
		}(), model.Low, "", ""},
		{"revoke", event(model.AWS, "ec2:revokesecuritygroupingress",
			model.RuleChange{Effect: model.Removed, Protocol: "tcp", Ports: port(22), Peers: []model.Peer{cidr("0.0.0.0/0")}}),
			model.Info, "rule removed (closing access)", ""},
		{"revoke by rule id only", event(model.AWS, "ec2:revokesecuritygroupingress"), model.Info, "", ""},
		{"deny rule added", event(model.Azure, "microsoft.network/networksecuritygroups/securityrules/write",
			model.RuleChange{Effect: model.Added, Direction: model.Ingress, Action: model.Deny, Protocol: "all",
				Ports: ports(0, 65535), Peers: []model.Peer{any_("*")}}), model.Info, "deny rule added (closing access)", ""},
		{"nsg allow from Internet 3389", event(model.Azure, "microsoft.network/networksecuritygroups/securityrules/write",
			rule("tcp", port(3389), tag("Internet"))), model.Critical, "opened to the internet on 3389/tcp (rdp)", "internet -> 3389/tcp (rdp)"},
		{"nsg allow with action not logged", event(model.Azure, "microsoft.network/networksecuritygroups/securityrules/write",
			model.RuleChange{Effect: model.Added, Protocol: "tcp", Ports: port(22), Peers: []model.Peer{any_("*")}}), model.Critical, "", ""},
		{"nacl allow world low rule number", event(model.AWS, "ec2:createnetworkaclentry",
			model.RuleChange{Effect: model.Added, Direction: model.Ingress, Action: model.Allow, Protocol: "-1",
				Ports: ports(0, 65535), Peers: []model.Peer{cidr("0.0.0.0/0")}, Name: "10", Priority: model.IntPtr(10)}),
			model.Critical, "Network ACL sg-0abc entry 10 opened to the IPv4 internet", ""},
		{"nacl return traffic tcp 1024-65535", event(model.AWS, "ec2:createnetworkaclentry",
			model.RuleChange{Effect: model.Added, Direction: model.Ingress, Action: model.Allow, Protocol: "6",
				Ports: ports(1024, 65535), Peers: []model.Peer{cidr("0.0.0.0/0")}, Name: "120", Priority: model.IntPtr(120)}),
			model.Medium, "opened to the IPv4 internet on 1024-65535/tcp", ""},
		{"nacl 1000-65535 is not the return-traffic entry", event(model.AWS, "ec2:createnetworkaclentry",
			model.RuleChange{Effect: model.Added, Direction: model.Ingress, Action: model.Allow, Protocol: "6",
				Ports: ports(1000, 65535), Peers: []model.Peer{cidr("0.0.0.0/0")}, Name: "120", Priority: model.IntPtr(120)}),
			model.Critical, "", ""},
		{"sg 1024-65535 from the world stays critical", sgIngress(rule("tcp", ports(1024, 65535), cidr("0.0.0.0/0"))),
			model.Critical, "", ""},
		{"nacl entry deleted", event(model.AWS, "ec2:deletenetworkaclentry", removedNACL), model.Medium,
			"Network ACL sg-0abc entry 100 deleted", ""},
		{"nacl entry deleted, no content", event(model.AWS, "ec2:deletenetworkaclentry"), model.Medium,
			"entry (not logged) deleted", ""},
		{"nsg rule deleted", event(model.Azure, "microsoft.network/networksecuritygroups/securityrules/delete"), model.Medium, "", ""},
		{"gcp firewall deleted", event(model.GCP, "compute.firewalls.delete"), model.Medium, "", ""},
		{"removed deny opens one step lower", event(model.GCP, "compute.firewalls.delete",
			model.RuleChange{Effect: model.Removed, Direction: model.Ingress, Action: model.Deny, Protocol: "tcp",
				Ports: port(22), Peers: []model.Peer{cidr("0.0.0.0/0")}}), model.High, "deleted",
			"no longer denied: IPv4 internet -> 22/tcp (ssh)"},
		// A GCP network's implied allow-egress rule, and an NSG's
		// AllowInternetOutBound, admit at once what a removed egress deny
		// blocked: weighed as the allow added (medium for every protocol
		// to the world, as an AWS group whose restricted egress is lifted),
		// not a step lower; even at priority 65535, where a deny still
		// wins over the implied rule. AWS NACLs have no such rule.
		{"gcp egress deny-all removed", event(model.GCP, "compute.firewalls.delete",
			model.RuleChange{Effect: model.Removed, Direction: model.Egress, Action: model.Deny, Protocol: "all",
				Ports: model.PortList{model.AllPortRange}, Peers: []model.Peer{cidr("0.0.0.0/0")}, Priority: model.IntPtr(1000)}),
			model.Medium, "deleted", "no longer denied: egress to IPv4 internet"},
		{"gcp egress deny-all at 65535 removed", event(model.GCP, "compute.firewalls.delete",
			model.RuleChange{Effect: model.Removed, Direction: model.Egress, Action: model.Deny, Protocol: "all",
				Ports: model.PortList{model.AllPortRange}, Peers: []model.Peer{cidr("0.0.0.0/0")}, Priority: model.IntPtr(65535)}),
			model.Medium, "", ""},
		{"gcp egress deny to a private range removed", event(model.GCP, "compute.firewalls.delete",
			model.RuleChange{Effect: model.Removed, Direction: model.Egress, Action: model.Deny, Protocol: "all",
				Ports: model.PortList{model.AllPortRange}, Peers: []model.Peer{cidr("10.0.0.0/8")}}),
			model.Low, "", ""},
		{"nsg outbound deny to the internet removed", event(model.Azure, "microsoft.network/networksecuritygroups/securityrules/delete",
			model.RuleChange{Effect: model.Removed, Direction: model.Egress, Action: model.Deny, Protocol: "all",
				Ports: model.PortList{model.AllPortRange}, Peers: []model.Peer{tag("Internet")}}),
			model.Medium, "", ""},
		{"nsg outbound deny to a private range removed", event(model.Azure, "microsoft.network/networksecuritygroups/securityrules/delete",
			model.RuleChange{Effect: model.Removed, Direction: model.Egress, Action: model.Deny, Protocol: "all",
				Ports: model.PortList{model.AllPortRange}, Peers: []model.Peer{cidr("10.0.0.0/8")}}),
			model.Info, "", ""},
		{"nacl egress deny-all removed stays a step lower", event(model.AWS, "ec2:deletenetworkaclentry",
			model.RuleChange{Effect: model.Removed, Direction: model.Egress, Action: model.Deny, Protocol: "-1",
				Ports: model.PortList{model.AllPortRange}, Peers: []model.Peer{cidr("0.0.0.0/0")}, Name: "90", Priority: model.IntPtr(90)}),
			model.Low, "", ""},
		// An allow rule matching every source lets every request past
		// the rules after it in a Cloud Armor policy or the App Engine
		// firewall: as if the policy were detached (high). A VPC rule on
		// 443 from the world stays medium (world 443 above).
		{"armor default rule set to allow everyone", event(model.GCP, "compute.securitypolicies.patchrule", armorRule(model.Altered, model.Allow, 2147483647, any_("*"))),
			model.High, "opened to the internet", ""},
		{"armor allow everyone above the default rule", event(model.GCP, "compute.securitypolicies.addrule", armorRule(model.Added, model.Allow, 1000, cidr("0.0.0.0/0"), cidr("::/0"))),
			model.High, "", ""},
		{"armor throttle everyone", event(model.GCP, "compute.securitypolicies.addrule", armorRule(model.Added, "throttle", 1000, any_("*"))),
			model.High, "", ""},
		{"armor rate-based ban on everyone", event(model.GCP, "compute.securitypolicies.patchrule", armorRule(model.Altered, "rate_based_ban", 1000, any_("*"))),
			model.High, "", ""},
		{"armor throttle a private range", event(model.GCP, "compute.securitypolicies.addrule", armorRule(model.Added, "throttle", 1000, cidr("10.0.0.0/8"))),
			model.Low, "", ""},
		{"armor allow a private range", event(model.GCP, "compute.securitypolicies.addrule", armorRule(model.Added, model.Allow, 1000, cidr("10.0.0.0/8"))),
			model.Low, "", ""},
		{"armor default rule set to deny", event(model.GCP, "compute.securitypolicies.patchrule", armorRule(model.Altered, model.Deny, 2147483647, any_("*"))),
			model.Info, "", ""},
		{"armor rule removed", event(model.GCP, "compute.securitypolicies.removerule", armorRule(model.Removed, "", 1000)),
			model.Medium, "", ""},
		{"app engine default rule set to allow", event(model.GCP, "google.appengine.v1.firewall.updateingressrule", armorRule(model.Altered, model.Allow, 2147483647, any_("*"))),
			model.High, "", ""},
		{"app engine allow everyone", event(model.GCP, "google.appengine.v1.firewall.createingressrule", armorRule(model.Added, model.Allow, 100, any_("*"))),
			model.High, "", ""},
		{"app engine allow one office", event(model.GCP, "google.appengine.v1.firewall.createingressrule", armorRule(model.Added, model.Allow, 100, cidr("203.0.113.0/24"))),
			model.Low, "", ""},
		// A new policy's default rule allows everyone unless its creator
		// says otherwise, and the policy guards nothing yet; an allow-all
		// rule above it is no default.
		{"armor policy created with the default allow-all rule", event(model.GCP, "compute.securitypolicies.insert", armorRule(model.Added, model.Allow, 2147483647, any_("*"))),
			model.Low, "", ""},
		{"armor policy created with an allow-all rule above the default", event(model.GCP, "compute.securitypolicies.insert", armorRule(model.Added, model.Allow, 1000, any_("*"))),
			model.Medium, "", ""},
		// A batch update sends the whole set, the default rule with it
		// every time: restating allow-all is not raised.
		{"app engine batch restates the default rule", event(model.GCP, "google.appengine.v1.firewall.batchupdateingressrules", armorRule(model.Altered, model.Allow, 2147483647, any_("*"))),
			model.Medium, "", ""},
		{"sql rule delete closes", event(model.Azure, "microsoft.sql/servers/firewallrules/delete"), model.Info, "", ""},
		{"delete security group", event(model.AWS, "ec2:deletesecuritygroup"), model.Medium, "Security group sg-0abc deleted", ""},
		{"delete network firewall", event(model.AWS, "network-firewall:deletefirewall"), model.High, "", ""},
		{"create security group", event(model.AWS, "ec2:createsecuritygroup"), model.Info, "", ""},
		{"azure sql all Azure services", event(model.Azure, "microsoft.sql/servers/firewallrules/write",
			model.RuleChange{Effect: model.Added, Peers: []model.Peer{rng("0.0.0.0-0.0.0.0")}}), model.Medium,
			"opened to all Azure services on 1433/tcp (Azure SQL)", "all Azure services -> 1433/tcp (Azure SQL)"},
		{"azure sql everyone", event(model.Azure, "microsoft.sql/servers/firewallrules/write",
			model.RuleChange{Effect: model.Added, Peers: []model.Peer{rng("0.0.0.0-255.255.255.255")}}), model.High, "", "internet -> 1433/tcp (Azure SQL)"},
		{"cloud sql authorized 0.0.0.0/0", event(model.GCP, "cloudsql.instances.patch",
			model.RuleChange{Effect: model.Added, Peers: []model.Peer{cidr("0.0.0.0/0")}}), model.High, "", ""},
		{"gcp insert without source (parser default)", func() *model.Event {
			ev := event(model.GCP, "compute.firewalls.insert", rule("tcp", port(80), cidr("0.0.0.0/0")))
			ev.Notes = []string{"INGRESS rule without a source: API default 0.0.0.0/0"}
			return ev
		}(), model.Medium, "", ""},
		{"prefix list widened to the world", event(model.AWS, "ec2:modifymanagedprefixlist",
			model.RuleChange{Effect: model.Added, Peers: []model.Peer{cidr("0.0.0.0/0")}}), model.High, "",
			"internet -> every rule that references the list"},
		{"guardduty trusted ip list", event(model.AWS, "guardduty:createipset"), model.High, "", ""},
		{"waf detached", event(model.AWS, "wafv2:disassociatewebacl"), model.High, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := evaluate(t, tc.ev)
			if f.Severity != tc.want {
				t.Errorf("severity %s, want %s\nreasons: %q", f.Severity, tc.want, f.Reasons)
			}
			if tc.title != "" && !strings.Contains(f.Title, tc.title) {
				t.Errorf("title %q lacks %q", f.Title, tc.title)
			}
			if tc.exposure != "" && !slices.ContainsFunc(f.Exposure, func(e string) bool { return strings.Contains(e, tc.exposure) }) {
				t.Errorf("exposure %q lacks %q", f.Exposure, tc.exposure)
			}
			if len(f.Reasons) == 0 {
				t.Errorf("no reasons")
			}
		})
	}
}

func TestSettings(t *testing.T) {
	for _, tc := range []struct {
		name     string
		key      string
		settings map[string]string
		want     model.Severity
		title    string
	}{
		{"threat intel off", "microsoft.network/azurefirewalls/write", map[string]string{model.SettingThreatIntelMode: "off"},
			model.High, "Azure Firewall fw-1 threat intelligence turned off"},
		{"threat intel alert", "microsoft.network/firewallpolicies/write", map[string]string{model.SettingThreatIntelMode: "alert"},
			model.Low, ""},
		{"idps off beats ti deny", "microsoft.network/firewallpolicies/write",
			map[string]string{model.SettingThreatIntelMode: "deny", model.SettingIntrusionDetection: "off"}, model.High, "intrusion detection turned off"},
		{"firewall policy removed", "microsoft.network/azurefirewalls/write", map[string]string{model.SettingPolicy: ""},
			model.Low, "firewall policy removed: the firewall now passes nothing"},
		{"waf detection mode", "microsoft.network/applicationgatewaywebapplicationfirewallpolicies/write",
			map[string]string{model.SettingWAFMode: "detection"}, model.High, "detection mode"},
		{"storage allow all", "microsoft.storage/storageaccounts/write", map[string]string{model.SettingDefaultAction: "allow"},
			model.High, "allow all networks"},
		{"storage deny", "microsoft.storage/storageaccounts/write", map[string]string{model.SettingDefaultAction: "deny"},
			model.Info, ""},
		{"sql public access", "microsoft.sql/servers/write", map[string]string{model.SettingPublicAccess: "enabled"},
			model.Medium, "public network access enabled"},
		{"delete protection off", "network-firewall:updatefirewalldeleteprotection",
			map[string]string{model.SettingDeleteProtection: "false"}, model.Medium, "delete protection turned off"},
		{"delete protection not logged", "network-firewall:updatefirewalldeleteprotection", nil, model.Medium, "protection changed"},
		{"dns firewall fail open", "route53resolver:updatefirewallconfig", map[string]string{model.SettingFailOpen: "enabled"},
			model.Medium, "fail open"},
		{"cloudfront waf detached", "cloudfront:updatedistribution", map[string]string{model.SettingPolicy: ""},
			model.High, "web ACL detached"},
		{"cloud armor detached", "compute.backendservices.setsecuritypolicy", map[string]string{model.SettingPolicy: ""},
			model.High, "Cloud Armor policy detached"},
		{"cloud armor replaced", "compute.backendservices.setsecuritypolicy", map[string]string{model.SettingPolicy: "projects/p/global/securityPolicies/x"},
			model.Low, "Cloud Armor policy replaced"},
		{"gcp rule disabled", "compute.firewalls.patch", map[string]string{model.SettingDisabled: "true"}, model.Medium, "disabled"},
		{"cloud sql public ip", "cloudsql.instances.patch", map[string]string{model.SettingPublicIP: "true"}, model.Medium, ""},
		{"enforcement order", "compute.networks.patch", map[string]string{model.SettingEnforcementOrder: "before_classic_firewall"}, model.Medium, ""},
		{"guardduty list activated", "guardduty:createipset", map[string]string{model.SettingEnabled: "true"}, model.High, "activated"},
		{"guardduty list deactivated", "guardduty:updateipset", map[string]string{model.SettingEnabled: "false"}, model.Info, "deactivated"},
		{"network firewall pass by default", "network-firewall:updatefirewallpolicy", map[string]string{model.SettingDefaultAction: "allow"},
			model.High, "stateless default action set to pass"},
		{"waf default allow", "wafv2:updatewebacl", map[string]string{model.SettingDefaultAction: "allow"}, model.Low, "default action allow"},
		{"waf default block", "wafv2:updatewebacl", map[string]string{model.SettingDefaultAction: "deny"}, model.Info, "default action block"},
		{"waf rules emptied, default allow", "wafv2:updatewebacl",
			map[string]string{model.SettingDefaultAction: "allow", model.SettingRules: "none"}, model.High, "no rules left"},
		{"waf rules emptied, default block", "wafv2:updatewebacl",
			map[string]string{model.SettingDefaultAction: "deny", model.SettingRules: "none"}, model.Info, "default action block"},
		{"waf rule group emptied", "wafv2:updaterulegroup", map[string]string{model.SettingRules: "none"}, model.Medium, "emptied"},
		{"subnet nsg detached", "microsoft.network/virtualnetworks/subnets/write", map[string]string{model.SettingPolicy: ""},
			model.High, "network security group detached"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ev := event(model.Azure, tc.key)
			ev.Resource = model.Resource{Type: "azure_firewall", ID: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/azureFirewalls/fw-1", Name: "fw-1"}
			ev.Settings = tc.settings
			f := evaluate(t, ev)
			if f.Severity != tc.want {
				t.Errorf("severity %s, want %s\nreasons: %q", f.Severity, tc.want, f.Reasons)
			}
			if tc.title != "" && !strings.Contains(f.Title, tc.title) {
				t.Errorf("title %q lacks %q", f.Title, tc.title)
			}
		})
	}
}

func TestAutomation(t *testing.T) {
	terraform := "APN/1.0 HashiCorp/1.0 Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.40.0"
	const deployRole = "arn:aws:iam::111122223333:role/ci/deploy"
	deployer := func(ev *model.Event) *model.Event {
		ev.Actor = model.Actor{Type: "AssumedRole", ID: "arn:aws:sts::111122223333:assumed-role/deploy/gh-run-42", Name: "deploy"}
		return ev
	}
	for _, tc := range []struct {
		name string
		ev   *model.Event
		want model.Severity
		tags []string
	}{
		// A user agent is the caller's to choose: it never lowers on its own.
		{"terraform user agent alone keeps critical", withUA(sgIngress(rule("tcp", port(22), cidr("0.0.0.0/0"))), terraform), model.Critical, []string{"claimed-automation"}},
		{"terraform user agent alone keeps medium on /2", withUA(sgIngress(rule("tcp", port(22), cidr("0.0.0.0/2"))), terraform), model.Medium, []string{"claimed-automation"}},
		{"terraform user agent alone keeps a delete medium", withUA(event(model.AWS, "ec2:deletesecuritygroup"), terraform), model.Medium, []string{"claimed-automation"}},
		{"user agent naming the CloudFormation host is a claim", withUA(sgIngress(rule("tcp", port(22), cidr("0.0.0.0/0"))), "cloudformation.amazonaws.com"), model.Critical, []string{"claimed-automation"}},
		// Identity facts lower.
		{"configured role with terraform: world 22 stays high", deployer(withUA(sgIngress(rule("tcp", port(22), cidr("0.0.0.0/0"))), terraform)), model.High, []string{"iac"}},
		{"configured role with terraform: world 443 stays medium", deployer(withUA(sgIngress(rule("tcp", port(443), cidr("0.0.0.0/0"))), terraform)), model.Medium, []string{"iac"}},
		{"configured role: internal drops", deployer(sgIngress(rule("tcp", port(22), cidr("10.0.0.0/8")))), model.Info, []string{"iac"}},
		{"configured role: delete drops", deployer(event(model.AWS, "ec2:deletesecuritygroup")), model.Low, []string{"iac"}},
		{"cloudformation via service", func() *model.Event {
			ev := sgIngress(rule("tcp", port(5432), cidr("10.1.0.0/16")))
			ev.Actor.ViaService = "cloudformation.amazonaws.com"
			return ev
		}(), model.Info, []string{"iac"}},
		{"gke robot gke- rule", gke("gke-cluster-1-abc-all", cidr("10.4.0.0/14")), model.Info, []string{"service-linked"}},
		{"gke robot world lb rule keeps floor", gke("k8s-fw-a1b2", cidr("0.0.0.0/0")), model.Medium, []string{"service-linked"}},
		{"gke robot without gke- name is not automation", gke("allow-everything", cidr("10.4.0.0/14")), model.Low, nil},
		{"someone naming a rule gke- is not automation", func() *model.Event {
			ev := gke("gke-evil", cidr("0.0.0.0/0"))
			ev.Actor = model.Actor{Type: "User", ID: "mallory@example.com"}
			return ev
		}(), model.Medium, nil},
		// A service-linked role is known by its path, which only the
		// session issuer's ARN holds; its name is anyone's to copy.
		{"service-linked role by its issuer's path: world 22 stays high", slr(sgIngress(rule("tcp", port(22), cidr("0.0.0.0/0"))),
			"arn:aws:iam::111122223333:role/aws-service-role/elasticloadbalancing.amazonaws.com/AWSServiceRoleForElasticLoadBalancing"), model.High, []string{"service-linked"}},
		{"customer role named AWSServiceRoleFor... under path / is not service-linked", slr(sgIngress(rule("tcp", port(22), cidr("0.0.0.0/0"))),
			"arn:aws:iam::111122223333:role/AWSServiceRoleForElasticLoadBalancing"), model.Critical, nil},
		{"the assumed-role ARN alone cannot make a role service-linked", slr(sgIngress(rule("tcp", port(22), cidr("0.0.0.0/0"))), ""), model.Critical, nil},
		{"another role of the account is not the configured one", func() *model.Event {
			ev := withUA(sgIngress(rule("tcp", port(22), cidr("0.0.0.0/0"))), terraform)
			ev.Actor = model.Actor{Type: "AssumedRole", ID: "arn:aws:sts::111122223333:assumed-role/deployer/s", Name: "deployer"}
			return ev
		}(), model.Critical, []string{"claimed-automation"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, ok := New(detector(t).c, AutomationIdentities(deployRole)).Evaluate(tc.ev)
			if !ok {
				t.Fatal("not a firewall event")
			}
			if f.Severity != tc.want {
				t.Errorf("severity %s, want %s\nreasons: %q", f.Severity, tc.want, f.Reasons)
			}
			if !slices.Equal(f.Tags, tc.tags) {
				t.Errorf("tags %q, want %q", f.Tags, tc.tags)
			}
			if slices.Contains(tc.tags, "claimed-automation") &&
				!slices.ContainsFunc(f.Reasons, func(r string) bool { return strings.Contains(r, "the identity is not known automation") }) {
				t.Errorf("no reason names the unbacked claim: %q", f.Reasons)
			}
		})
	}
}

func TestIdentityMatches(t *testing.T) {
	for _, tc := range []struct {
		want, got string
		ok        bool
	}{
		{"arn:aws:iam::1:role/deploy", "arn:aws:iam::1:role/deploy", true},
		{"arn:aws:iam::1:role/deploy", "arn:aws:sts::1:assumed-role/deploy/s1", true},
		{"arn:aws:iam::1:role/path/deploy", "arn:aws:sts::1:assumed-role/deploy/s1", true},
		{"arn:aws:iam::1:role/deploy", "arn:aws:sts::2:assumed-role/deploy/s1", false},
		{"arn:aws:iam::1:role/deploy", "arn:aws:sts::1:assumed-role/deployer/s1", false},
		{"arn:aws:iam::1:role/deploy", "arn:aws:sts::1:assumed-role/deploy", false},
		{"sp-object-id", "sp-object-id", true},
		{"ci-*@p.iam.gserviceaccount.com", "ci-*@p.iam.gserviceaccount.com", true},
		{"ci-*", "ci-builder@p.iam.gserviceaccount.com", true},
		{"*", "anyone", false},
	} {
		if got := identityMatches(tc.want, tc.got); got != tc.ok {
			t.Errorf("identityMatches(%q, %q) = %v", tc.want, tc.got, got)
		}
	}
}

// slr makes ev a call by a role session named like a service-linked role,
// issued by the role issuer (none when empty).
func slr(ev *model.Event, issuer string) *model.Event {
	ev.Actor = model.Actor{Type: "AssumedRole", ID: "arn:aws:sts::111122223333:assumed-role/AWSServiceRoleForElasticLoadBalancing/ElasticLoadBalancing",
		Name: "AWSServiceRoleForElasticLoadBalancing", Session: "ElasticLoadBalancing", SessionIssuer: issuer}
	return ev
}

func withUA(ev *model.Event, ua string) *model.Event {
	ev.UserAgent = ua
	return ev
}

func gke(name string, peer model.Peer) *model.Event {
	r := rule("tcp", port(443), peer)
	r.Name = name
	ev := event(model.GCP, "compute.firewalls.insert", r)
	ev.Actor = model.Actor{Type: "ServiceAccount", ID: "service-123@container-engine-robot.iam.gserviceaccount.com"}
	ev.Resource = model.Resource{Type: "vpc_firewall_rule", ID: "projects/p/global/firewalls/" + name, Name: name}
	return ev
}

func TestOutcome(t *testing.T) {
	denied := func(ev *model.Event, code string) *model.Event {
		ev.Outcome, ev.ErrorCode = model.Failure, code
		return ev
	}
	for _, tc := range []struct {
		name   string
		ev     *model.Event
		want   model.Severity
		tags   []string
		reason string
	}{
		// A failed call changed nothing: a refusal is at most low, any
		// other failure at most info; the reason keeps what it would
		// have been.
		{"denied, content null", denied(sgIngress(), "Client.UnauthorizedOperation"), model.Low,
			[]string{"attempt", "denied"}, "Client.UnauthorizedOperation"},
		{"denied, world 22", denied(sgIngress(rule("tcp", port(22), cidr("0.0.0.0/0"))), "AccessDenied"), model.Low,
			[]string{"attempt", "denied"}, "had it succeeded it would have been critical: low"},
		{"denied, private", denied(sgIngress(rule("tcp", port(22), cidr("10.0.0.0/8"))), "AccessDenied"), model.Low,
			[]string{"attempt", "denied"}, "AccessDenied"},
		{"gcp permission denied", denied(event(model.GCP, "compute.firewalls.delete"), "PERMISSION_DENIED"), model.Low,
			[]string{"attempt", "denied"}, "PERMISSION_DENIED"},
		{"azure authorization failed, would have deleted a firewall", denied(event(model.Azure, "microsoft.network/azurefirewalls/delete"), "AuthorizationFailed"), model.Low,
			[]string{"attempt", "denied"}, "would have been high: low"},
		{"azure policy refusal is a denial", denied(event(model.Azure, "microsoft.network/networksecuritygroups/securityrules/write", rule("tcp", port(3389), any_("*"))), "RequestDisallowedByPolicy"), model.Low,
			[]string{"attempt", "denied"}, "would have been critical: low"},
		{"error code not logged is weighed as a refusal", denied(sgIngress(rule("tcp", port(22), cidr("0.0.0.0/0"))), ""), model.Low,
			[]string{"attempt"}, "weighed as one"},
		{"not found is an attempt, not a denial", denied(event(model.AWS, "ec2:deletesecuritygroup"), "Client.InvalidGroup.NotFound"), model.Info,
			[]string{"attempt"}, "InvalidGroup.NotFound"},
		{"invalid argument on world 22 is info", denied(event(model.GCP, "compute.firewalls.insert", rule("tcp", port(22), cidr("0.0.0.0/0"))), "INVALID_ARGUMENT"), model.Info,
			[]string{"attempt"}, "had it succeeded it would have been critical: info (not a refusal"},
		{"duplicate says the opening may already exist", denied(sgIngress(rule("tcp", port(22), cidr("0.0.0.0/0"))), "InvalidPermission.Duplicate"), model.Info,
			[]string{"attempt"}, "may already be open"},
		{"dry run", denied(sgIngress(rule("tcp", port(22), cidr("0.0.0.0/0"))), "Client.DryRunOperation"), model.Low,
			[]string{"dry-run"}, "dry run"},
		{"completion not seen", func() *model.Event {
			ev := event(model.Azure, "microsoft.network/networksecuritygroups/securityrules/write", rule("tcp", port(3389), any_("*")))
			ev.Outcome = model.Unknown
			return ev
		}(), model.Critical, []string{"unconfirmed"}, "completion not seen"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := evaluate(t, tc.ev)
			if f.Severity != tc.want {
				t.Errorf("severity %s, want %s\nreasons: %q", f.Severity, tc.want, f.Reasons)
			}
			for _, tg := range tc.tags {
				if !slices.Contains(f.Tags, tg) {
					t.Errorf("tags %q lack %q", f.Tags, tg)
				}
			}
			if tc.tags == nil && len(f.Tags) > 0 {
				t.Errorf("tags %q, want none", f.Tags)
			}
			if f.Outcome != model.Success && f.Outcome != model.Failure {
				t.Errorf("outcome %q: the contract has success and failure only", f.Outcome)
			}
			if !slices.Contains(tc.tags, "denied") && slices.Contains(tc.tags, "attempt") && slices.Contains(f.Tags, "denied") {
				t.Errorf("tags %q: a failure that is not a refusal is tagged denied", f.Tags)
			}
			if !slices.ContainsFunc(f.Reasons, func(r string) bool { return strings.Contains(r, tc.reason) }) {
				t.Errorf("reasons %q lack %q", f.Reasons, tc.reason)
			}
		})
	}
}

func TestNotFirewallEvents(t *testing.T) {
	d := detector(t)
	for _, ev := range []*model.Event{
		event(model.AWS, "ec2:createroute", rule("all", nil, cidr("0.0.0.0/0"))),
		event(model.AWS, "ec2:describesecuritygroups"),
		event(model.AWS, "ssm:sendcommand"),
		event(model.Azure, "microsoft.network/routetables/routes/write", rule("all", nil, cidr("0.0.0.0/0"))),
		event(model.Azure, "microsoft.insights/diagnosticsettings/write"),
		event(model.GCP, "compute.routes.insert", rule("all", nil, cidr("0.0.0.0/0"))),
		event(model.GCP, "compute.instances.setmetadata"),
		// catalogued, but only firewall events with content (requires:)
		event(model.AWS, "ec2:modifyinstanceattribute"),
		event(model.AWS, "ec2:modifynetworkinterfaceattribute"),
		event(model.Azure, "microsoft.network/virtualnetworks/subnets/write"),
		event(model.Azure, "microsoft.network/networkinterfaces/write"),
		event(model.Azure, "microsoft.sql/servers/write"),
		event(model.Azure, "microsoft.storage/storageaccounts/write"),
		event(model.Azure, "microsoft.keyvault/vaults/write"),
		event(model.Azure, "microsoft.network/applicationgateways/write"),
		event(model.AWS, "cloudfront:updatedistribution"),
		event(model.GCP, "compute.networks.patch"),
		event(model.GCP, "compute.backendservices.patch"),
		event(model.GCP, "cloudsql.instances.patch"),
		event(model.GCP, "cloudsql.instances.create"),
		nil,
	} {
		if f, ok := d.Evaluate(ev); ok {
			t.Errorf("%s: got finding %q, want not a firewall event", ev.OperationKey, f.Title)
		}
	}
}

func TestRequiresMet(t *testing.T) {
	ev := event(model.AWS, "ec2:modifyinstanceattribute")
	ev.Resource = model.Resource{Type: "instance", ID: "i-0123"}
	ev.Targets = []string{"sg-1", "sg-2"}
	f := evaluate(t, ev)
	if f.Severity != model.Low || f.Title != "Security groups of instance i-0123 set to sg-1, sg-2" {
		t.Errorf("got %s %q", f.Severity, f.Title)
	}
	if g := strings.Join(f.Guidance.Investigate, "\n"); !strings.Contains(g, "Values=sg-1,sg-2") {
		t.Errorf("guidance does not carry the targets as a filter:\n%s", g)
	}
	st := event(model.Azure, "microsoft.storage/storageaccounts/write",
		model.RuleChange{Effect: model.Added, Action: model.Allow, Peers: []model.Peer{cidr("203.0.113.0/24")}})
	if f := evaluate(t, st); f.Severity != model.Low {
		t.Errorf("storage ip rule: %s", f.Severity)
	}
}

func TestFindingFields(t *testing.T) {
	ev := sgIngress(rule("tcp", port(22), cidr("0.0.0.0/0")))
	ev.Changes[0].Name = "sgr-0123"
	ev.Notes = []string{"parser note"}
	ev.Time = time.Date(2025, 3, 4, 7, 6, 7, 0, time.FixedZone("x", 2*3600))
	f := evaluate(t, ev)
	if !regexp.MustCompile(`^[0-9a-f]{16}$`).MatchString(f.ID) {
		t.Errorf("id %q is not 16 hex characters", f.ID)
	}
	if again := evaluate(t, ev); again.ID != f.ID {
		t.Errorf("id not stable: %s vs %s", f.ID, again.ID)
	}
	other := *ev
	other.OperationID = "evt-2"
	if g := evaluate(t, &other); g.ID == f.ID {
		t.Errorf("different operations share an id")
	}
	if f.Time.Location() != time.UTC || !f.Time.Equal(ev.Time) {
		t.Errorf("time %v not UTC", f.Time)
	}
	if f.Rule != "aws-sg-ingress-change" || f.Cloud != model.AWS || f.Account != ev.Account || f.Region != ev.Region ||
		f.Operation != ev.Operation || f.Outcome != model.Success || f.SourceIP != ev.SourceIP || f.UserAgent != ev.UserAgent ||
		f.Actor != ev.Actor || f.Resource != ev.Resource {
		t.Errorf("event fields not copied: %+v", f)
	}
	if !slices.Equal(f.Attack, []string{"T1562.007", "T1686.001"}) {
		t.Errorf("attack %q", f.Attack)
	}
	if !slices.Contains(f.Reasons, "parser note") {
		t.Errorf("notes not carried into reasons: %q", f.Reasons)
	}
	if f.Event != (model.EventRef{File: "trail.json", Index: 3, EventID: "evt-1"}) {
		t.Errorf("event ref %+v", f.Event)
	}
	resp := strings.Join(f.Guidance.Respond, "\n")
	if !strings.Contains(resp, "--group-id sg-0abc --security-group-rule-ids sgr-0123") || !strings.Contains(resp, "--region us-east-1") {
		t.Errorf("guidance placeholders not filled:\n%s", resp)
	}
	if g := strings.Join(append(f.Guidance.Investigate, f.Guidance.Respond...), "\n"); strings.Contains(g, "{") && regexp.MustCompile(`\{[a-z_]+\}`).MatchString(g) {
		t.Errorf("unfilled placeholder in guidance:\n%s", g)
	}
	// Changes is always a JSON array, also when empty.
	empty := evaluate(t, event(model.AWS, "ec2:deletesecuritygroup"))
	b, err := json.Marshal(empty)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"changes":[]`) || !strings.Contains(string(b), `"reasons":[`) {
		t.Errorf("json: %s", b)
	}
	// The finding does not alias the event or the model's shared slices.
	f.Attack[0] = "x"
	if model.AttackIDs[0] != "T1562.007" {
		t.Errorf("finding aliases model.AttackIDs")
	}
}

func TestOperationKeyCase(t *testing.T) {
	ev := sgIngress(rule("tcp", port(22), cidr("0.0.0.0/0")))
	ev.OperationKey = "EC2:AuthorizeSecurityGroupIngress"
	if f := evaluate(t, ev); f.Rule != "aws-sg-ingress-change" {
		t.Errorf("rule %s", f.Rule)
	}
}

// TestOverride shows user content changing a port's class and a weight.
func TestOverride(t *testing.T) {
	base, err := defaults()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "mine.yaml")
	data := "ports:\n  - {name: http-alt, ports: \"8080\", protocols: [tcp], class: admin}\n" +
		"severity:\n  ingress:\n    world: {other: high}\n"
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := content.Load(base, path)
	if err != nil {
		t.Fatal(err)
	}
	before, after := New(base), New(c)
	ev8080 := sgIngress(rule("tcp", port(8080), cidr("0.0.0.0/0")))
	ev443 := sgIngress(rule("tcp", port(443), cidr("0.0.0.0/0")))
	for _, tc := range []struct {
		d    *Detector
		ev   *model.Event
		want model.Severity
	}{
		{before, ev8080, model.High}, {after, ev8080, model.Critical},
		{before, ev443, model.Medium}, {after, ev443, model.High},
	} {
		f, _ := tc.d.Evaluate(tc.ev)
		if f.Severity != tc.want {
			t.Errorf("%s: %s, want %s", f.Title, f.Severity, tc.want)
		}
	}
}

// TestEveryOperationEvaluates runs each catalogue key through Evaluate
// with and without content: no panics, a title without unfilled
// placeholders, and guidance.
func TestEveryOperationEvaluates(t *testing.T) {
	d := detector(t)
	c, _ := defaults()
	for _, op := range c.Operations {
		for _, k := range op.Keys {
			for _, ev := range []*model.Event{
				event(op.Cloud, k),
				func() *model.Event {
					ev := event(op.Cloud, k, rule("tcp", port(22), cidr("0.0.0.0/0")))
					ev.Targets = []string{"t-1"}
					ev.Settings = map[string]string{model.SettingPolicy: ""}
					return ev
				}(),
			} {
				f, ok := d.Evaluate(ev)
				if !ok {
					if len(op.Requires) == 0 || len(ev.Changes) > 0 {
						t.Errorf("%s: not evaluated", k)
					}
					continue
				}
				if regexp.MustCompile(`\{[a-z_]+\}`).MatchString(f.Title) || f.Guidance == nil || len(f.Reasons) == 0 {
					t.Errorf("%s: title %q, reasons %q", k, f.Title, f.Reasons)
				}
			}
		}
	}
}

func BenchmarkEvaluate(b *testing.B) {
	d := detector(b)
	ev := sgIngress(rule("tcp", ports(22, 22, 3389, 3389), cidr("0.0.0.0/1"), cidr("128.0.0.0/1"), cidr("10.0.0.0/8")))
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := d.Evaluate(ev); !ok {
			b.Fatal("not evaluated")
		}
	}
}

// TestManyUnreadablePeersReasons: a rule with 60,000 unreadable peers (issue
// 7) gives a finding with at most model.MaxNotes reasons plus a count, and
// still judges the one world-open peer among them.
func TestManyUnreadablePeersReasons(t *testing.T) {
	var peers []model.Peer
	for i := range 60000 {
		peers = append(peers, cidr(fmt.Sprintf("1.2.%d.x/99", i)))
	}
	peers = append(peers, cidr("0.0.0.0/0"))
	f := evaluate(t, sgIngress(rule("tcp", port(22), peers...)))
	if f.Severity != model.Critical {
		t.Errorf("severity %s, want critical", f.Severity)
	}
	if len(f.Reasons) > model.MaxNotes+1 || !strings.HasSuffix(f.Reasons[len(f.Reasons)-1], "more notes") {
		t.Errorf("%d reasons, last %q", len(f.Reasons), f.Reasons[len(f.Reasons)-1])
	}
}

// TestTrustedNetworks: a peer inside a configured trusted network is
// "trusted", not internet or public, in severity, exposure and title; a
// peer that only overlaps it is not.
func TestTrustedNetworks(t *testing.T) {
	c, err := content.Default()
	if err != nil {
		t.Fatal(err)
	}
	d := New(c, Trusted(TrustedNetwork{Name: "corp-vpn", Prefixes: []netip.Prefix{netip.MustParsePrefix("198.51.100.0/24")}}))
	ev := func(peer string) *model.Event {
		return &model.Event{Cloud: model.AWS, Operation: "AuthorizeSecurityGroupIngress", OperationKey: "ec2:authorizesecuritygroupingress",
			Outcome: model.Success, EventID: "e-" + peer, Resource: model.Resource{Type: "security_group", ID: "sg-1"},
			Changes: []model.RuleChange{{Effect: model.Added, Direction: model.Ingress, Action: model.Allow, Protocol: "tcp",
				Ports: model.PortList{{From: 22, To: 22}}, Peers: []model.Peer{{Kind: model.PeerCIDR, Value: peer}}}}}
	}
	tests := []struct {
		peer    string
		sev     model.Severity
		trusted bool
	}{
		{"198.51.100.7/32", model.Low, true},
		{"198.51.100.0/24", model.Low, true},
		{"198.51.100.0/23", model.Low, false}, // wider than the trusted /24: public-narrow, not trusted
		{"0.0.0.0/0", model.Critical, false},
	}
	for _, tt := range tests {
		f, ok := d.Evaluate(ev(tt.peer))
		if !ok {
			t.Fatalf("%s: no finding", tt.peer)
		}
		text := strings.Join(f.Exposure, "|") + "|" + f.Title
		if f.Severity != tt.sev || strings.Contains(text, "trusted network corp-vpn") != tt.trusted {
			t.Errorf("%s: severity %s, text %q; want %s, trusted=%v", tt.peer, f.Severity, text, tt.sev, tt.trusted)
		}
		if tt.trusted && strings.Contains(text, "internet") {
			t.Errorf("%s: trusted peer described as internet: %q", tt.peer, text)
		}
	}
	// Without options the same /32 is a single public address.
	f, _ := New(c).Evaluate(ev("198.51.100.7/32"))
	if strings.Contains(strings.Join(f.Exposure, " ")+f.Title, "trusted") {
		t.Errorf("trusted without configuration: %q", f.Title)
	}
}

// TestFindingPeersCapped: a finding lists at most model.MaxPeersShown
// peers per change, world-open ones first, and counts the rest, so the
// cut never hides that the rule opens to the internet.
func TestFindingPeersCapped(t *testing.T) {
	many := func(n int, world ...string) []model.Peer {
		var peers []model.Peer
		for i := range n {
			peers = append(peers, cidr(fmt.Sprintf("1.2.%d.x/99", i)))
		}
		for _, w := range world {
			peers = append(peers, cidr(w))
		}
		return peers
	}
	tests := []struct {
		name      string
		peers     []model.Peer
		wantShown int
		omitted   int
		world     []string
	}{
		{"few peers: all listed", many(3), 3, 0, nil},
		{"at the cap: all listed", many(model.MaxPeersShown), model.MaxPeersShown, 0, nil},
		{"60,000 peers, world-open last: listed first", many(60000, "0.0.0.0/0", "::/0"), model.MaxPeersShown, 60002 - model.MaxPeersShown, []string{"0.0.0.0/0", "::/0"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := evaluate(t, sgIngress(rule("tcp", port(22), tt.peers...)))
			c := f.Changes[0]
			if len(c.Peers) != tt.wantShown || c.PeersOmitted != tt.omitted {
				t.Errorf("%d peers shown, %d omitted; want %d and %d", len(c.Peers), c.PeersOmitted, tt.wantShown, tt.omitted)
			}
			for i, w := range tt.world {
				if len(c.Peers) <= i || c.Peers[i].Value != w {
					t.Errorf("world-open peer %s not listed first: %v", w, c.Peers[:min(3, len(c.Peers))])
				}
			}
			if tt.world != nil && f.Severity != model.Critical {
				t.Errorf("severity %s, want critical", f.Severity)
			}
		})
	}
}

// TestUnreadableProtocolIsNotICMP: a protocol no cloud names is judged
// as reaching every port, never as the low ICMP class: world-open on 22
// stays at least high whatever the caller wrote.
func TestUnreadableProtocolIsNotICMP(t *testing.T) {
	for _, tc := range []struct {
		proto string
		low   bool // a real portless protocol: the ICMP class
	}{
		{"-1.0", false},
		{"ｔｃｐ", false},
		{"tcp\u200b", false},
		{"bogus", false},
		{"icmp", true},
		{"50", true},
		{"gre", true},
	} {
		t.Run(tc.proto, func(t *testing.T) {
			f := evaluate(t, sgIngress(rule(tc.proto, port(22), cidr("0.0.0.0/0"))))
			if tc.low && f.Severity > model.Low || !tc.low && f.Severity < model.High {
				t.Errorf("protocol %q world-open: %s (%v)", tc.proto, f.Severity, f.Reasons)
			}
		})
	}
}
