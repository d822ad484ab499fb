package state

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"cloudwall/internal/model"
)

// naive is the reading the engine exists to beat: "some allow rule from
// 0.0.0.0/0 covers the port".
func naive(fws []model.Firewall, q Query) bool {
	for _, f := range fws {
		for _, r := range f.Rules {
			if r.Action == model.Deny || dirOf(r.Direction) != dirOf(q.Direction) {
				continue
			}
			p := protoName(r.Protocol)
			if p != "all" && p != q.Protocol {
				continue
			}
			hitPort := len(r.Ports) == 0
			for _, pr := range r.Ports {
				hitPort = hitPort || pr.Contains(q.Port)
			}
			for _, peer := range r.Peers {
				if hitPort && (peer.Value == "0.0.0.0/0" || peer.Value == "*" || peer.Value == "Internet") {
					return true
				}
			}
		}
	}
	return false
}

func TestDecideEvaluationOrder(t *testing.T) {
	world := cidr("0.0.0.0/0")
	in, out := model.Ingress, model.Egress
	allow, deny := model.Allow, model.Deny
	gcpNet := func(name string, rules ...model.Rule) model.Firewall {
		return model.Firewall{Cloud: model.GCP, Resource: gcpRule(name), Network: "default", Account: "p1", Rules: rules}
	}
	tests := []struct {
		name  string
		fws   []model.Firewall
		query model.Resource
		cloud model.Cloud
		q     Query
		want  bool
		by    string
		// trap marks cases the naive reading gets wrong.
		trap bool
	}{
		{
			name: "NACL: a lower-numbered deny shadows the allow-all on 22",
			fws: []model.Firewall{{Cloud: model.AWS, Resource: nacl, Rules: []model.Rule{
				mrule(prio(rc("", in, deny, "tcp", ports(22, 22), world), 90, "90")),
				mrule(prio(rc("", in, allow, "all", nil, world), 100, "100")),
			}}},
			cloud: model.AWS, query: nacl, q: internet(in, "tcp", 22), want: false, by: "rule 90 (deny)", trap: true,
		},
		{
			name: "NACL: the same allow-all still admits 443",
			fws: []model.Firewall{{Cloud: model.AWS, Resource: nacl, Rules: []model.Rule{
				mrule(prio(rc("", in, deny, "tcp", ports(22, 22), world), 90, "90")),
				mrule(prio(rc("", in, allow, "all", nil, world), 100, "100")),
			}}},
			cloud: model.AWS, query: nacl, q: internet(in, "tcp", 443), want: true, by: "rule 100 (allow)",
		},
		{
			name: "NACL: an allow numbered after a deny-all never applies",
			fws: []model.Firewall{{Cloud: model.AWS, Resource: nacl, Rules: []model.Rule{
				mrule(prio(rc("", in, deny, "all", nil, world), 50, "50")),
				mrule(prio(rc("", in, allow, "tcp", ports(22, 22), world), 100, "100")),
			}}},
			cloud: model.AWS, query: nacl, q: internet(in, "tcp", 22), want: false, trap: true,
		},
		{
			name:  "NACL: nothing matches, the catch-all denies",
			fws:   []model.Firewall{{Cloud: model.AWS, Resource: nacl, Rules: []model.Rule{mrule(prio(rc("", in, allow, "tcp", ports(80, 80), world), 100, "100"))}}},
			cloud: model.AWS, query: nacl, q: internet(in, "tcp", 22), want: false, by: "the catch-all * entry (deny)",
		},
		{
			name: "NSG: a deny at priority 100 beats an allow at 200",
			fws: []model.Firewall{{Cloud: model.Azure, Resource: nsgR, Rules: []model.Rule{
				mrule(prio(rc("", in, allow, "tcp", ports(3389, 3389), model.Peer{Kind: model.PeerAny, Value: "*"}), 200, "allow-rdp")),
				mrule(prio(rc("", in, deny, "tcp", ports(3389, 3389), model.Peer{Kind: model.PeerServiceTag, Value: "Internet"}), 100, "deny-rdp")),
			}}},
			cloud: model.Azure, query: nsgR, q: internet(in, "tcp", 3389), want: false, by: "rule deny-rdp (deny)", trap: true,
		},
		{
			name:  "NSG: default DenyAllInBound with no user rule",
			fws:   []model.Firewall{{Cloud: model.Azure, Resource: nsgR}},
			cloud: model.Azure, query: nsgR, q: internet(in, "tcp", 22), want: false, by: "default rule DenyAllInBound (priority 65500, deny)",
		},
		{
			name:  "NSG: default AllowVnetInBound admits a private address though no rule names it",
			fws:   []model.Firewall{{Cloud: model.Azure, Resource: nsgR}},
			cloud: model.Azure, query: nsgR, q: from("10.1.2.3", "tcp", 22), want: true, by: "default rule AllowVnetInBound (priority 65000, allow)",
		},
		{
			name:  "NSG: default AllowAzureLoadBalancerInBound admits the load balancer probe",
			fws:   []model.Firewall{{Cloud: model.Azure, Resource: nsgR}},
			cloud: model.Azure, query: nsgR, q: from("168.63.129.16", "tcp", 80), want: true,
		},
		{
			name:  "NSG: default AllowInternetOutBound",
			fws:   []model.Firewall{{Cloud: model.Azure, Resource: nsgR}},
			cloud: model.Azure, query: nsgR, q: internet(out, "tcp", 443), want: true, trap: true,
		},
		{
			name: "GCP: deny wins a tie at equal priority",
			fws: []model.Firewall{
				gcpNet("allow-ssh", mrule(prio(rc("", in, allow, "tcp", ports(22, 22), world), 1000, "allow-ssh"))),
				gcpNet("deny-ssh", mrule(prio(rc("", in, deny, "tcp", ports(22, 22), world), 1000, "deny-ssh"))),
			},
			cloud: model.GCP, query: gcpRule("allow-ssh"), q: internet(in, "tcp", 22), want: false, by: "rule deny-ssh (deny)", trap: true,
		},
		{
			name: "GCP: a lower priority number wins whatever the action",
			fws: []model.Firewall{
				gcpNet("allow-ssh", mrule(prio(rc("", in, allow, "tcp", ports(22, 22), world), 900, "allow-ssh"))),
				gcpNet("deny-ssh", mrule(prio(rc("", in, deny, "tcp", ports(22, 22), world), 1000, "deny-ssh"))),
			},
			cloud: model.GCP, query: gcpRule("deny-ssh"), q: internet(in, "tcp", 22), want: true, by: "rule allow-ssh (allow)",
		},
		{
			name:  "GCP: implied allow-egress",
			fws:   []model.Firewall{gcpNet("web", mrule(prio(rc("", in, allow, "tcp", ports(443, 443), world), 1000, "web")))},
			cloud: model.GCP, query: gcpRule("web"), q: internet(out, "tcp", 5432), want: true, by: "implied allow-egress rule (priority 65535)", trap: true,
		},
		{
			name:  "GCP: implied deny-ingress",
			fws:   []model.Firewall{gcpNet("web", mrule(prio(rc("", in, allow, "tcp", ports(443, 443), world), 1000, "web")))},
			cloud: model.GCP, query: gcpRule("web"), q: internet(in, "tcp", 22), want: false, by: "implied deny-ingress rule (priority 65535)",
		},
		{
			name: "GCP: a disabled allow is not in force",
			fws: []model.Firewall{gcpNet("ssh", func() model.Rule {
				r := mrule(prio(rc("", in, allow, "tcp", ports(22, 22), world), 1000, "ssh"))
				r.Disabled = true
				return r
			}())},
			cloud: model.GCP, query: gcpRule("ssh"), q: internet(in, "tcp", 22), want: false, trap: true,
		},
		{
			name: "GCP: an organisation policy deny comes before the VPC allow",
			fws: []model.Firewall{
				gcpNet("ssh", mrule(prio(rc("", in, allow, "tcp", ports(22, 22), world), 100, "ssh"))),
				{Cloud: model.GCP, Resource: model.Resource{Type: "firewall_policy", ID: "123"}, AttachedTo: []string{"organizations/1"},
					Rules: []model.Rule{mrule(prio(rc("", in, deny, "tcp", ports(22, 22), world), 1000, ""))}},
			},
			cloud: model.GCP, query: gcpRule("ssh"), q: internet(in, "tcp", 22), want: false, trap: true,
		},
		{
			name: "GCP: goto_next hands the packet on to the VPC rules",
			fws: []model.Firewall{
				gcpNet("ssh", mrule(prio(rc("", in, allow, "tcp", ports(22, 22), world), 100, "ssh"))),
				{Cloud: model.GCP, Resource: model.Resource{Type: "firewall_policy", ID: "123"}, AttachedTo: []string{"organizations/1"},
					Rules: []model.Rule{
						mrule(prio(rc("", in, model.GotoNext, "tcp", ports(22, 22), world), 10, "")),
						mrule(prio(rc("", in, deny, "all", nil, world), 1000, "")),
					}},
			},
			cloud: model.GCP, query: gcpRule("ssh"), q: internet(in, "tcp", 22), want: true, by: "rule ssh (allow)",
		},
		{
			name: "GCP: an organisation allow overrides a VPC deny",
			fws: []model.Firewall{
				gcpNet("deny-all", mrule(prio(rc("", in, deny, "all", nil, world), 0, "deny-all"))),
				{Cloud: model.GCP, Resource: model.Resource{Type: "firewall_policy", ID: "123"}, AttachedTo: []string{"folders/9"},
					Rules: []model.Rule{mrule(prio(rc("", in, allow, "tcp", ports(8080, 8080), world), 5, ""))}},
			},
			cloud: model.GCP, query: gcpRule("deny-all"), q: internet(in, "tcp", 8080), want: true,
		},
		{
			name: "GCP: a network policy is evaluated after the VPC rules by default",
			fws: []model.Firewall{
				gcpNet("ssh", mrule(prio(rc("", in, allow, "tcp", ports(22, 22), world), 65000, "ssh"))),
				{Cloud: model.GCP, Resource: model.Resource{Type: "network_firewall_policy", ID: "pol"},
					Rules: []model.Rule{mrule(prio(rc("", in, deny, "tcp", ports(22, 22), world), 1, ""))}},
			},
			cloud: model.GCP, query: gcpRule("ssh"), q: internet(in, "tcp", 22), want: true, by: "rule ssh (allow)",
		},
		{
			name: "GCP: BEFORE_CLASSIC_FIREWALL puts the network policy first",
			fws: []model.Firewall{
				gcpNet("ssh", mrule(prio(rc("", in, allow, "tcp", ports(22, 22), world), 65000, "ssh"))),
				{Cloud: model.GCP, Resource: model.Resource{Type: "network_firewall_policy", ID: "pol"},
					Rules: []model.Rule{mrule(prio(rc("", in, deny, "tcp", ports(22, 22), world), 1, ""))}},
				{Cloud: model.GCP, Resource: model.Resource{Type: "network", ID: "projects/p1/global/networks/default"},
					Settings: map[string]string{model.SettingEnforcementOrder: "before_classic_firewall"}},
			},
			cloud: model.GCP, query: gcpRule("ssh"), q: internet(in, "tcp", 22), want: false, trap: true,
		},
		{
			name: "GCP: a targeted allow does not reach an instance without its tag",
			fws: []model.Firewall{gcpNet("allow-web", func() model.Rule {
				r := mrule(prio(rc("", in, allow, "tcp", ports(22, 22), world), 1000, "allow-web"))
				r.Targets = []string{"web"}
				return r
			}())},
			cloud: model.GCP, query: gcpRule("allow-web"), q: scoped(internet(in, "tcp", 22), "db"), want: false,
			by: "implied deny-ingress rule (priority 65535)", trap: true,
		},
		{
			name: "GCP: a deny on tag db does not cover an instance tagged web",
			fws: []model.Firewall{
				gcpNet("allow-ssh", mrule(prio(rc("", in, allow, "tcp", ports(22, 22), world), 1000, "allow-ssh"))),
				gcpNet("deny-db", func() model.Rule {
					r := mrule(prio(rc("", in, deny, "tcp", ports(22, 22), world), 900, "deny-db"))
					r.Targets = []string{"db"}
					return r
				}()),
			},
			cloud: model.GCP, query: gcpRule("allow-ssh"), q: scoped(internet(in, "tcp", 22), "web"), want: true, by: "rule allow-ssh (allow)",
		},
		{
			name: "GCP: the same deny covers the instance tagged db",
			fws: []model.Firewall{
				gcpNet("allow-ssh", mrule(prio(rc("", in, allow, "tcp", ports(22, 22), world), 1000, "allow-ssh"))),
				gcpNet("deny-db", func() model.Rule {
					r := mrule(prio(rc("", in, deny, "tcp", ports(22, 22), world), 900, "deny-db"))
					r.Targets = []string{"db"}
					return r
				}()),
			},
			cloud: model.GCP, query: gcpRule("allow-ssh"), q: scoped(internet(in, "tcp", 22), "db"), want: false, by: "rule deny-db (deny)", trap: true,
		},
		{
			name: "GCP: a deny on a service account does not cover an instance running as another",
			fws: []model.Firewall{
				gcpNet("allow-ssh", mrule(prio(rc("", in, allow, "tcp", ports(22, 22), world), 1000, "allow-ssh"))),
				gcpNet("deny-sa", func() model.Rule {
					r := mrule(prio(rc("", in, deny, "all", nil, world), 10, "deny-sa"))
					r.Targets = []string{"batch@p1.iam.gserviceaccount.com"}
					return r
				}()),
			},
			cloud: model.GCP, query: gcpRule("allow-ssh"), q: scoped(internet(in, "tcp", 22), "web@p1.iam.gserviceaccount.com"), want: true, by: "rule allow-ssh (allow)",
		},
		{
			name: "NACL: an IPv4 deny-all does not stop the IPv6 internet",
			fws: []model.Firewall{{Cloud: model.AWS, Resource: nacl, Rules: []model.Rule{
				mrule(prio(rc("", in, deny, "all", nil, world), 90, "90")),
				mrule(prio(rc("", in, allow, "tcp", ports(22, 22), cidr("::/0")), 100, "100")),
			}}},
			cloud: model.AWS, query: nacl, q: ipv(internet(in, "tcp", 22), 6), want: true, by: "rule 100 (allow)", trap: true,
		},
		{
			name: "NACL: an IPv6 deny-all does not stop the IPv4 internet",
			fws: []model.Firewall{{Cloud: model.AWS, Resource: nacl, Rules: []model.Rule{
				mrule(prio(rc("", in, deny, "all", nil, cidr("::/0")), 90, "90")),
				mrule(prio(rc("", in, allow, "tcp", ports(22, 22), world), 100, "100")),
			}}},
			cloud: model.AWS, query: nacl, q: ipv(internet(in, "tcp", 22), 4), want: true, by: "rule 100 (allow)",
		},
		{
			name: "SG: a rule from another group never admits the internet",
			fws: []model.Firewall{{Cloud: model.AWS, Resource: sg, Rules: []model.Rule{
				mrule(rc("", in, allow, "tcp", ports(22, 22), model.Peer{Kind: model.PeerGroup, Value: "sg-bastion"})),
				mrule(rc("", in, allow, "tcp", ports(443, 443), world)),
			}}},
			cloud: model.AWS, query: sg, q: internet(in, "tcp", 22), want: false,
		},
		{
			name: "SG: a prefix list holding 0.0.0.0/0 opens the rule to the internet",
			fws: []model.Firewall{
				{Cloud: model.AWS, Resource: sg, Rules: []model.Rule{mrule(rc("", in, allow, "tcp", ports(22, 22), model.Peer{Kind: model.PeerPrefixList, Value: "pl-1"}))}},
				{Cloud: model.AWS, Resource: model.Resource{Type: "prefix_list", ID: "pl-1"}, Rules: []model.Rule{{RuleChange: model.RuleChange{Peers: []model.Peer{cidr("10.0.0.0/8"), world}}}}},
			},
			cloud: model.AWS, query: sg, q: internet(in, "tcp", 22), want: true, trap: true,
		},
		{
			name:  "SG: rules only allow, in any order: the union decides",
			fws:   []model.Firewall{{Cloud: model.AWS, Resource: sg, Rules: []model.Rule{mrule(rc("", in, allow, "tcp", ports(0, 65535), cidr("198.51.100.0/24")))}}},
			cloud: model.AWS, query: sg, q: from("198.51.100.7", "tcp", 5432), want: true,
		},
		{
			name: "SG: the internet split in halves is the internet",
			fws: []model.Firewall{{Cloud: model.AWS, Resource: sg, Rules: []model.Rule{
				mrule(rc("", in, allow, "tcp", ports(22, 22), cidr("0.0.0.0/1"), cidr("128.0.0.0/1"))),
			}}},
			cloud: model.AWS, query: sg, q: internet(in, "tcp", 22), want: true, trap: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEngine(t)
			e.Load(tt.fws)
			d, ok := e.Decide(tt.cloud, tt.query, tt.q, time.Time{})
			if !ok {
				t.Fatal("firewall not found")
			}
			if d.Allowed != tt.want {
				t.Errorf("Decide(%s) = allowed %v by %q; want %v", tt.q, d.Allowed, d.By, tt.want)
			}
			if tt.by != "" && d.By != tt.by {
				t.Errorf("decided by %q, want %q", d.By, tt.by)
			}
			if !d.Known {
				t.Error("a baseline firewall's decision should be known")
			}
			if got := naive(tt.fws, tt.q); tt.trap && got == tt.want {
				t.Errorf("case should defeat the naive reading, but naive says %v too", got)
			}
		})
	}
}

func TestExposureShadowedPorts(t *testing.T) {
	e := newEngine(t)
	world := cidr("0.0.0.0/0")
	e.Load([]model.Firewall{{Cloud: model.AWS, Resource: nacl, Rules: []model.Rule{
		mrule(prio(rc("", model.Ingress, model.Deny, "tcp", ports(22, 22), world), 90, "90")),
		mrule(prio(rc("", model.Ingress, model.Allow, "tcp", ports(0, 1023), world), 100, "100")),
	}}})
	ws := e.Windows()
	if len(ws) != 1 {
		t.Fatalf("windows = %d, want 1: %+v", len(ws), ws)
	}
	got := ws[0].Rule.Ports.Strings()
	if len(got) != 2 || got[0] != "0-21" || got[1] != "23-1023" {
		t.Errorf("effective ports = %v, want [0-21 23-1023] (22 is denied by entry 90)", got)
	}
	if ws[0].StartKnown || ws[0].End != nil {
		t.Errorf("a baseline exposure starts before the data and is open: %+v", ws[0])
	}
}

func scoped(q Query, targets ...string) Query {
	q.Scoped, q.Targets = true, targets
	return q
}

func ipv(q Query, v int) Query {
	q.Family = v
	return q
}

// Windows name what was exposed: on GCP the targets (tags, service
// accounts) through which the internet reached instances, and, where a
// deny covers one address family only, the peers of the other. Each case
// defeats a reading that takes any earlier deny as covering the allow.
func TestExposureTargetsAndFamilies(t *testing.T) {
	world, world6 := cidr("0.0.0.0/0"), cidr("::/0")
	in := model.Ingress
	targeted := func(c model.RuleChange, ts ...string) model.RuleChange { c.Targets = ts; return c }
	gcpFw := func(c model.RuleChange) model.Firewall {
		return model.Firewall{Cloud: model.GCP, Resource: gcpRule(c.Name), Network: "default", Account: "p1", Rules: []model.Rule{mrule(c)}, AsOf: t0}
	}
	nsgFw := func(cs ...model.RuleChange) []model.Firewall {
		fw := model.Firewall{Cloud: model.Azure, Resource: nsgR, AsOf: t0}
		for _, c := range cs {
			fw.Rules = append(fw.Rules, mrule(c))
		}
		return []model.Firewall{fw}
	}
	allowSSH := targeted(prio(rc("", in, model.Allow, "tcp", ports(22, 22), world), 1000, "allow-ssh"), "web", "db")
	denyDB := targeted(prio(rc("", in, model.Deny, "tcp", ports(22, 22), world), 900, "deny-db"), "db")
	insert := func(min int, c model.RuleChange) model.Event {
		c.Effect = model.Added
		return event(model.GCP, "compute.firewalls.insert", at(min, 0), gcpRule(c.Name), c)
	}
	tests := []struct {
		name   string
		fws    []model.Firewall
		events []model.Event
		// open are the windows open at the end: "rule ports peers targets".
		open []string
		// exposure is a phrase the first open window's exposure holds.
		exposure string
	}{
		{"a deny on one of two targets leaves the other exposed",
			[]model.Firewall{gcpFw(allowSSH), gcpFw(denyDB)}, nil,
			[]string{"allow-ssh 22 [0.0.0.0/0] [web]"}, "only on instances with target web"},
		{"a deny on a tag leaves an untargeted allow open on every other instance",
			[]model.Firewall{gcpFw(prio(rc("", in, model.Allow, "tcp", ports(22, 22), world), 1000, "allow-all")), gcpFw(denyDB)}, nil,
			[]string{"allow-all 22 [0.0.0.0/0] [] except [db]"}, "not on instances with target db"},
		{"a deny on a tag covering part of the ports is not an exception",
			[]model.Firewall{gcpFw(prio(rc("", in, model.Allow, "tcp", ports(20, 23), world), 1000, "allow-all")), gcpFw(denyDB)}, nil,
			[]string{"allow-all 20-23 [0.0.0.0/0] []"}, ""},
		{"inserting a deny on a tag narrows an untargeted allow's window",
			[]model.Firewall{gcpFw(prio(rc("", in, model.Allow, "tcp", ports(22, 22), world), 1000, "allow-all"))}, []model.Event{insert(5, denyDB)},
			[]string{"allow-all 22 [0.0.0.0/0] [] except [db]"}, ""},
		{"a deny on the allow's only target closes it",
			[]model.Firewall{gcpFw(targeted(prio(rc("", in, model.Allow, "tcp", ports(22, 22), world), 1000, "allow-db"), "db")), gcpFw(denyDB)}, nil,
			nil, ""},
		{"inserting a deny on one target narrows the window to the other",
			[]model.Firewall{gcpFw(allowSSH)}, []model.Event{insert(5, denyDB)},
			[]string{"allow-ssh 22 [0.0.0.0/0] [web]"}, "only on instances with target web"},
		// Azure NSG rules apply to their destination prefixes (Targets):
		// a naive reading takes any deny evaluated first as blocking
		// every destination, or any allow from * as exposing them all.
		{"an NSG deny to one address leaves an allow to every destination open elsewhere",
			nsgFw(targeted(prio(rc("", in, model.Deny, "tcp", ports(22, 22), world), 100, "deny-one"), "10.0.0.5"),
				targeted(prio(rc("", in, model.Allow, "tcp", ports(22, 22), world), 200, "allow-ssh"), "*")), nil,
			[]string{"allow-ssh 22 [0.0.0.0/0] [*] except [10.0.0.5]"}, "not to destination 10.0.0.5"},
		{"an NSG allow to one address is an exposure there only",
			nsgFw(targeted(prio(rc("", in, model.Allow, "tcp", ports(22, 22), world), 200, "allow-one"), "10.0.0.5")), nil,
			[]string{"allow-one 22 [0.0.0.0/0] [10.0.0.5]"}, "only to destination 10.0.0.5"},
		{"an NSG deny to a subnet closes an allow to an address in it",
			nsgFw(targeted(prio(rc("", in, model.Deny, "tcp", ports(22, 22), world), 100, "deny-subnet"), "10.0.0.0/24"),
				targeted(prio(rc("", in, model.Allow, "tcp", ports(22, 22), world), 200, "allow-one"), "10.0.0.5")), nil,
			nil, ""},
		{"an NSG deny to another address does not close an allow to one",
			nsgFw(targeted(prio(rc("", in, model.Deny, "tcp", ports(22, 22), world), 100, "deny-other"), "10.0.0.6"),
				targeted(prio(rc("", in, model.Allow, "tcp", ports(22, 22), world), 200, "allow-one"), "10.0.0.5")), nil,
			[]string{"allow-one 22 [0.0.0.0/0] [10.0.0.5]"}, ""},
		{"an NSG deny to every destination closes an allow to one",
			nsgFw(targeted(prio(rc("", in, model.Deny, "tcp", ports(22, 22), world), 100, "deny-all"), "*"),
				targeted(prio(rc("", in, model.Allow, "tcp", ports(22, 22), world), 200, "allow-one"), "10.0.0.5")), nil,
			nil, ""},
		{"an NSG deny to part of a subnet leaves an allow to the subnet open",
			nsgFw(targeted(prio(rc("", in, model.Deny, "tcp", ports(22, 22), world), 100, "deny-one"), "10.0.0.5"),
				targeted(prio(rc("", in, model.Allow, "tcp", ports(22, 22), world), 200, "allow-subnet"), "10.0.0.0/24")), nil,
			[]string{"allow-subnet 22 [0.0.0.0/0] [10.0.0.0/24]"}, "only to destination 10.0.0.0/24"},
		{"an IPv6 deny leaves the IPv4 half of a dual-stack allow open",
			[]model.Firewall{{Cloud: model.Azure, Resource: nsgR, AsOf: t0, Rules: []model.Rule{
				mrule(prio(rc("", in, model.Deny, "tcp", ports(22, 22), world6), 100, "deny-v6")),
				mrule(prio(rc("", in, model.Allow, "tcp", ports(22, 22), world, world6), 200, "allow-ssh")),
			}}}, nil,
			[]string{"allow-ssh 22 [0.0.0.0/0] []"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEngine(t)
			e.Load(tt.fws)
			for i := range tt.events {
				e.Apply(&tt.events[i], "")
			}
			var open []string
			var first *model.Window
			for _, w := range e.Windows() {
				if w.End != nil {
					continue
				}
				var peers []string
				for _, p := range w.Rule.Peers {
					peers = append(peers, p.Value)
				}
				o := fmt.Sprintf("%s %s %v %v", w.Rule.Name, strings.Join(w.Rule.Ports.Strings(), ","), peers, w.Rule.Targets)
				if len(w.ExceptTargets) > 0 {
					o += fmt.Sprintf(" except %v", w.ExceptTargets)
				}
				open = append(open, o)
				if first == nil {
					first = &w
				}
			}
			if !slices.Equal(open, tt.open) {
				t.Errorf("open windows %q, want %q", open, tt.open)
			}
			if tt.exposure != "" && (first == nil || !slices.ContainsFunc(first.Exposure, func(s string) bool { return strings.Contains(s, tt.exposure) })) {
				t.Errorf("exposure does not say %q: %+v", tt.exposure, first)
			}
		})
	}
}
