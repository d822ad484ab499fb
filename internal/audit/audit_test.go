package audit

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"cloudwall/internal/content"
	"cloudwall/internal/detect"
	"cloudwall/internal/model"
	"cloudwall/internal/snapshot"
)

var defaults = sync.OnceValues(content.Default)

var now = time.Date(2026, 3, 14, 12, 0, 0, 0, time.UTC)

func auditor(t testing.TB) *Auditor {
	t.Helper()
	c, err := defaults()
	if err != nil {
		t.Fatal(err)
	}
	return New(detect.New(c), Options{Now: now})
}

func cidr(v string) model.Peer { return model.Peer{Kind: model.PeerCIDR, Value: v} }

func tcp(port int, peers ...model.Peer) model.Rule {
	return model.Rule{RuleChange: model.RuleChange{Direction: model.Ingress, Action: model.Allow, Protocol: "tcp",
		Ports: model.PortList{{From: port, To: port}}, Peers: peers}}
}

func prio(r model.Rule, p int, act model.Action, name string) model.Rule {
	r.Priority, r.Action, r.Name = model.IntPtr(p), act, name
	return r
}

func sg(rules ...model.Rule) model.Firewall {
	return model.Firewall{Cloud: model.AWS, Resource: model.Resource{Type: "security_group", ID: "sg-1"}, Network: "vpc-1", Rules: rules}
}

// byRule returns the findings of one audit rule.
func byRule(fs []model.Finding, id string) []model.Finding {
	var out []model.Finding
	for _, f := range fs {
		if f.Rule == id {
			out = append(out, f)
		}
	}
	return out
}

// What a world-open group reaches decides how bad it is: the same rule is
// critical on an instance with a public address and much less on nothing,
// on a load balancer's web port, or on private interfaces only. A reading
// that flags every "allow from 0.0.0.0/0" alike gets all but one wrong.
func TestReach(t *testing.T) {
	world := cidr("0.0.0.0/0")
	tests := []struct {
		name   string
		rule   model.Rule
		enis   []snapshot.Interface
		want   model.Severity
		tag    string
		reason string
	}{
		{"no interface data", tcp(22, world), nil, model.Critical, "reach-unknown", "reach unknown"},
		{"interfaces of another VPC only", tcp(22, world), []snapshot.Interface{{ID: "eni-9", Network: "vpc-9", Groups: []string{"sg-1"}}}, model.Critical, "reach-unknown", "reach unknown"},
		{"attached to nothing", tcp(22, world), []snapshot.Interface{{ID: "eni-2", Network: "vpc-1", Groups: []string{"sg-2"}}}, model.Medium, "unattached", "attached to no network interface"},
		{"public instance", tcp(22, world), []snapshot.Interface{{ID: "eni-1", Network: "vpc-1", Groups: []string{"sg-1"}, PublicIPs: []string{"198.51.100.7"}, Kind: snapshot.InterfaceInstance}}, model.Critical, "public-address", "198.51.100.7"},
		{"ipv6 is public too", tcp(22, world), []snapshot.Interface{{ID: "eni-1", Network: "vpc-1", Groups: []string{"sg-1"}, IPv6: []string{"2001:db8::7"}}}, model.Critical, "public-address", "2001:db8::7"},
		{"private instance", tcp(22, world), []snapshot.Interface{{ID: "eni-1", Network: "vpc-1", Groups: []string{"sg-1"}, Kind: snapshot.InterfaceInstance}}, model.High, "private-address", "none with a public address"},
		{"load balancer on 443", tcp(443, world), []snapshot.Interface{{ID: "eni-lb", Network: "vpc-1", Groups: []string{"sg-1"}, Kind: snapshot.InterfaceLoadBalancer, Owner: "amazon-elb"}}, model.Low, "load-balancer", "intended public entry"},
		{"load balancer on 22 is not a web entry", tcp(22, world), []snapshot.Interface{{ID: "eni-lb", Network: "vpc-1", Groups: []string{"sg-1"}, Kind: snapshot.InterfaceLoadBalancer, PublicIPs: []string{"203.0.113.1"}}}, model.Critical, "public-address", "203.0.113.1"},
		{"load balancer and a public instance", tcp(443, world), []snapshot.Interface{
			{ID: "eni-lb", Network: "vpc-1", Groups: []string{"sg-1"}, Kind: snapshot.InterfaceLoadBalancer},
			{ID: "eni-1", Network: "vpc-1", Groups: []string{"sg-1"}, PublicIPs: []string{"198.51.100.7"}, Kind: snapshot.InterfaceInstance},
		}, model.Medium, "public-address", "198.51.100.7"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			set := &snapshot.Set{Firewalls: []model.Firewall{sg(tt.rule)}, Interfaces: tt.enis}
			fs := byRule(auditor(t).Audit(set), RuleWorldOpen)
			if len(fs) != 1 {
				t.Fatalf("want one world-open finding, got %d", len(fs))
			}
			f := fs[0]
			if f.Severity != tt.want || !slices.Contains(f.Tags, tt.tag) || !strings.Contains(strings.Join(f.Reasons, "\n"), tt.reason) {
				t.Errorf("severity %s tags %v reasons:\n%s", f.Severity, f.Tags, strings.Join(f.Reasons, "\n"))
			}
		})
	}
}

// Evaluation order: an allow behind a deny that matches all its traffic
// opens nothing; a deny behind an allow blocks nothing. Each case is one
// a naive "any allow from 0.0.0.0/0" reading gets wrong.
func TestShadowing(t *testing.T) {
	world := cidr("0.0.0.0/0")
	anyp := model.Peer{Kind: model.PeerAny, Value: "*"}
	fw := func(cloud model.Cloud, typ string, rules ...model.Rule) model.Firewall {
		return model.Firewall{Cloud: cloud, Resource: model.Resource{Type: typ, ID: typ + "-1"}, Rules: rules}
	}
	tests := []struct {
		name      string
		fw        model.Firewall
		shadowed  string // audit rule reported for the shadowed rule
		sev       model.Severity
		worldOpen int // world-open findings expected
	}{
		{"NSG allow behind a deny opens nothing", fw(model.Azure, "nsg",
			prio(tcp(22, anyp), 100, model.Deny, "deny-ssh"), prio(tcp(22, anyp), 200, model.Allow, "allow-ssh")),
			RuleShadowedAllow, model.Info, 0},
		{"NSG deny behind an allow blocks nothing", fw(model.Azure, "nsg",
			prio(tcp(22, anyp), 100, model.Allow, "allow-ssh"), prio(tcp(22, anyp), 200, model.Deny, "deny-ssh")),
			RuleShadowedDeny, model.High, 1},
		{"GCP deny wins a priority tie", fw(model.GCP, "network",
			prio(tcp(22, world), 1000, model.Allow, "allow-ssh"), prio(tcp(22, world), 1000, model.Deny, "deny-ssh")),
			RuleShadowedAllow, model.Info, 0},
		{"NACL deny after allow-all", fw(model.AWS, "network_acl",
			prio(model.Rule{RuleChange: model.RuleChange{Direction: model.Ingress, Action: model.Allow, Protocol: "all", Ports: model.PortList{model.AllPortRange}, Peers: []model.Peer{world}}}, 100, model.Allow, "100"),
			prio(tcp(3389, world), 200, model.Deny, "200")),
			RuleShadowedDeny, model.High, 0},
		{"narrower deny first only partly overrides", fw(model.Azure, "nsg",
			prio(tcp(22, cidr("198.51.100.0/24")), 100, model.Deny, "deny-some"), prio(tcp(22, anyp), 200, model.Allow, "allow-ssh")),
			"", 0, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := auditor(t).Audit(&snapshot.Set{Firewalls: []model.Firewall{tt.fw}})
			if got := len(byRule(fs, RuleWorldOpen)); got != tt.worldOpen {
				t.Errorf("world-open findings %d, want %d", got, tt.worldOpen)
			}
			if tt.shadowed == "" {
				if n := len(byRule(fs, RuleShadowedAllow)) + len(byRule(fs, RuleShadowedDeny)); n != 0 {
					t.Errorf("%d shadow findings, want none", n)
				}
				wo := byRule(fs, RuleWorldOpen)
				if len(wo) == 1 && !strings.Contains(strings.Join(wo[0].Reasons, "\n"), "decided first by deny rule deny-some") {
					t.Errorf("partial override not explained: %v", wo[0].Reasons)
				}
				return
			}
			sh := byRule(fs, tt.shadowed)
			if len(sh) != 1 || sh[0].Severity != tt.sev {
				t.Fatalf("%s findings %+v", tt.shadowed, sh)
			}
		})
	}
}

func TestHygiene(t *testing.T) {
	world, private := cidr("0.0.0.0/0"), cidr("10.1.2.0/24")
	described := func(r model.Rule, d string) model.Rule { r.Description = d; return r }
	created := func(r model.Rule, age time.Duration) model.Rule { r.Created = now.Add(-age); return r }
	day := 24 * time.Hour
	tests := []struct {
		name string
		rule model.Rule
		id   string
		want []model.Severity
	}{
		{"temporary and private", described(tcp(5432, private), "temp access for migration"), RuleTemporary, []model.Severity{model.Low}},
		{"temporary and world-open is worse", described(tcp(22, world), "DEBUG - remove me"), RuleTemporary, []model.Severity{model.Medium}},
		{"a test in a word is not a marker", described(tcp(22, private), "contest latest attestation"), RuleTemporary, nil},
		{"numbered test names are not markers", func() model.Rule { r := tcp(22, private); r.Name = "test1"; return r }(), RuleTemporary, nil},
		{"tag says temporary", func() model.Rule { r := tcp(80, private); r.Tags = []string{"lifecycle=temporary"}; return r }(), RuleTemporary, []model.Severity{model.Low}},
		{"old broad rule", created(tcp(22, world), 200*day), RuleStale, []model.Severity{model.Low}},
		{"young broad rule", created(tcp(22, world), 10*day), RuleStale, nil},
		{"old private rule is not an exception", created(tcp(22, private), 400*day), RuleStale, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := byRule(auditor(t).Audit(&snapshot.Set{Firewalls: []model.Firewall{sg(tt.rule)}}), tt.id)
			var got []model.Severity
			for _, f := range fs {
				got = append(got, f.Severity)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("severities %v, want %v", got, tt.want)
			}
		})
	}
}

func TestDefaultGroup(t *testing.T) {
	self := model.Rule{RuleChange: model.RuleChange{Direction: model.Ingress, Action: model.Allow, Protocol: "all", Ports: model.PortList{model.AllPortRange}, Peers: []model.Peer{{Kind: model.PeerGroup, Value: "sg-1"}}}}
	out := model.Rule{RuleChange: model.RuleChange{Direction: model.Egress, Action: model.Allow, Protocol: "all", Ports: model.PortList{model.AllPortRange}, Peers: []model.Peer{cidr("0.0.0.0/0")}}}
	for _, tt := range []struct {
		name  string
		rules []model.Rule
		want  int
	}{
		{"only its defaults", []model.Rule{self, out}, 0},
		{"an extra rule", []model.Rule{self, out, tcp(3306, cidr("10.0.0.0/8"))}, 1},
	} {
		fw := sg(tt.rules...)
		fw.Default = true
		if got := len(byRule(auditor(t).Audit(&snapshot.Set{Firewalls: []model.Firewall{fw}}), RuleDefaultGroup)); got != tt.want {
			t.Errorf("%s: %d findings, want %d", tt.name, got, tt.want)
		}
	}
}

func readBundled(t *testing.T, paths ...string) *snapshot.Set {
	t.Helper()
	var full []string
	for _, p := range paths {
		full = append(full, filepath.Join("..", "..", "testdata", p))
	}
	set, err := snapshot.ReadPaths(context.Background(), full, nil, snapshot.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Summary.Problems) > 0 {
		t.Fatalf("problems: %v", set.Summary.Problems)
	}
	return set
}

// A Terraform plan is judged by what it would change.
func TestPlan(t *testing.T) {
	fs := auditor(t).Audit(readBundled(t, "snapshots/terraform/tfplan.json"))
	want := map[string]struct {
		rule string
		sev  model.Severity
	}{
		"aws_security_group_rule.ssh_from_anywhere":      {RulePlanOpens, model.Critical},
		"aws_network_acl_rule.deny_telnet":               {RulePlanRemoves, model.High},
		"module.web.azurerm_network_security_rule.https": {RulePlanOpens, model.Medium},
		"google_compute_firewall.postgres":               {RulePlanOpens, model.High},
		"aws_security_group.app":                         {RulePlanUnknown, model.Low},
	}
	got := map[string]model.Finding{}
	for _, f := range fs {
		if _, dup := got[f.Event.EventID]; dup {
			t.Errorf("two findings for %s", f.Event.EventID)
		}
		got[f.Event.EventID] = f
	}
	for addr, w := range want {
		f, ok := got[addr]
		if !ok {
			t.Errorf("%s: no finding", addr)
			continue
		}
		if f.Rule != w.rule || f.Severity != w.sev || f.Event.File == "" {
			t.Errorf("%s: %s %s (%s), want %s %s", addr, f.Rule, f.Severity, f.Title, w.rule, w.sev)
		}
	}
	if len(got) != len(want) {
		t.Errorf("%d findings, want %d", len(got), len(want))
	}
	if r := got["aws_security_group_rule.ssh_from_anywhere"].Reasons; !strings.Contains(strings.Join(r, "\n"), "described as temporary") {
		t.Errorf("temporary description not mentioned: %v", r)
	}
}

// A rule that references a managed prefix list is as wide as the list,
// where the snapshot has its entries.
func TestPrefixListResolved(t *testing.T) {
	pl := model.Peer{Kind: model.PeerPrefixList, Value: "pl-0123456789abcdef0"}
	for _, tt := range []struct {
		name    string
		entries []string
		want    model.Severity
		found   bool
	}{
		{"list holds the internet", []string{"10.0.0.0/8", "0.0.0.0/0"}, model.Critical, true},
		{"list holds offices", []string{"198.51.100.0/24"}, 0, false},
		{"entries unknown", nil, 0, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			set := &snapshot.Set{Firewalls: []model.Firewall{sg(tcp(22, pl))}}
			if tt.entries != nil {
				set.PrefixLists = []snapshot.PrefixList{{ID: pl.Value, CIDRs: tt.entries}}
			}
			fs := byRule(auditor(t).Audit(set), RuleWorldOpen)
			if tt.found != (len(fs) == 1) || tt.found && (fs[0].Severity != tt.want || !strings.Contains(strings.Join(fs[0].Reasons, "\n"), "prefix list pl-0123456789abcdef0 holds")) {
				t.Errorf("findings %+v", fs)
			}
		})
	}
}

// TestLabelNamesPaaSServers: a Redis cache or a Synapse workspace is not
// called a SQL server in audit titles, though its rules share that firewall.
func TestLabelNamesPaaSServers(t *testing.T) {
	const sub = "/subscriptions/s/resourceGroups/rg/providers/"
	for _, tt := range []struct{ id, want string }{
		{sub + "Microsoft.Sql/servers/sql-1", "SQL server sql-1"},
		{sub + "Microsoft.Cache/Redis/cache-1", "Redis cache cache-1"},
		{sub + "Microsoft.Synapse/workspaces/syn-1", "Synapse workspace syn-1"},
		{sub + "Microsoft.DBforPostgreSQL/flexibleServers/pg-1", "PostgreSQL server pg-1"},
	} {
		fw := &model.Firewall{Cloud: model.Azure, Resource: model.Resource{Type: "sql_server", ID: tt.id}}
		if got := label(fw); !strings.HasPrefix(got, tt.want) {
			t.Errorf("label(%s) = %q, want %q", tt.id, got, tt.want)
		}
	}
}
