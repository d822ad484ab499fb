package audit

import (
	"slices"
	"testing"

	"cloudwall/internal/model"
	"cloudwall/internal/snapshot"
)

func TestCompare(t *testing.T) {
	world, office := cidr("0.0.0.0/0"), cidr("198.51.100.0/24")
	ports := func(r model.Rule, from, to int) model.Rule { r.Ports = model.PortList{{From: from, To: to}}; return r }
	nsg := func(rules ...model.Rule) *model.Firewall {
		return &model.Firewall{Cloud: model.Azure, Resource: model.Resource{Type: "nsg", ID: "nsg-1"}, Rules: rules}
	}
	tests := []struct {
		name          string
		before, after *model.Firewall
		want          []ChangeKind
	}{
		{"same", nsg(prio(tcp(22, office), 100, model.Allow, "ssh")), nsg(prio(tcp(22, office), 100, model.Allow, "ssh")), nil},
		{"peer widened", nsg(prio(tcp(22, office), 100, model.Allow, "ssh")), nsg(prio(tcp(22, world), 100, model.Allow, "ssh")), []ChangeKind{Widened}},
		{"peer narrowed", nsg(prio(tcp(22, world), 100, model.Allow, "ssh")), nsg(prio(tcp(22, office), 100, model.Allow, "ssh")), []ChangeKind{Narrowed}},
		{"ports widened", nsg(prio(tcp(443, world), 100, model.Allow, "web")), nsg(prio(ports(tcp(0, world), 0, 65535), 100, model.Allow, "web")), []ChangeKind{Widened}},
		{"deny became allow", nsg(prio(tcp(22, world), 100, model.Deny, "ssh")), nsg(prio(tcp(22, world), 100, model.Allow, "ssh")), []ChangeKind{Widened}},
		{"allow became deny", nsg(prio(tcp(22, world), 100, model.Allow, "ssh")), nsg(prio(tcp(22, world), 100, model.Deny, "ssh")), []ChangeKind{Narrowed}},
		{"moved ports both ways counts as widened", nsg(prio(tcp(22, office), 100, model.Allow, "x")), nsg(prio(tcp(3389, office), 100, model.Allow, "x")), []ChangeKind{Widened}},
		{"added and removed", nsg(prio(tcp(22, office), 100, model.Allow, "a")), nsg(prio(tcp(22, office), 100, model.Allow, "b")), []ChangeKind{Removed, Added}},
		{"firewall created", nil, nsg(prio(tcp(22, office), 100, model.Allow, "a")), []ChangeKind{Added}},
		{"firewall deleted", nsg(prio(tcp(22, office), 100, model.Allow, "a")), nil, []ChangeKind{Removed}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []ChangeKind
			for _, c := range Compare(tt.before, tt.after) {
				got = append(got, c.Kind)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

// A security group's peers are one rule each: adding 0.0.0.0/0 to a
// permission that had an office range widens that permission.
func TestCompareSecurityGroupPeers(t *testing.T) {
	a := sg(tcp(22, cidr("198.51.100.0/24")))
	b := sg(tcp(22, cidr("198.51.100.0/24")), tcp(22, cidr("0.0.0.0/0")))
	cs := Compare(&a, &b)
	if len(cs) != 1 || cs[0].Kind != Widened || len(cs[0].New) != 1 || cs[0].New[0].Peers[0].Value != "0.0.0.0/0" {
		t.Fatalf("changes %+v", cs)
	}
	fs := auditor(t).Diff(&snapshot.Set{Firewalls: []model.Firewall{a}}, &snapshot.Set{Firewalls: []model.Firewall{b}})
	if len(fs) != 1 || fs[0].Rule != RuleDiffWidened || fs[0].Severity != model.Critical {
		t.Errorf("findings %+v", fs)
	}
}

// The real drift pairs bundled for the README: an NSG before and after
// rules were added (Azure), a NACL before and after an entry was deleted
// (AWS).
func TestDiffBundled(t *testing.T) {
	fs := auditor(t).Diff(readBundled(t, "snapshots-diff/monday"), readBundled(t, "snapshots-diff/friday"))
	type key struct {
		rule, name string
	}
	got := map[key]model.Severity{}
	for _, f := range fs {
		got[key{f.Rule, f.Changes[0].Name}] = f.Severity
	}
	want := map[key]model.Severity{
		{RuleDiffAdded, "test1"}: model.Medium,
		{RuleDiffAdded, "test2"}: model.High,
		{RuleDiffAdded, "test3"}: model.Info, // a deny added
		{RuleDiffAdded, "c7n-policy-baea42b8-85e7-11eb-b168-00155d1e47af"}: model.Medium,
		{RuleDiffRemoved, "100"}: model.Info, // the NACL's egress allow-all deleted: narrows
	}
	for k, w := range want {
		if s, ok := got[k]; !ok || s != w {
			t.Errorf("%v: %v (present %v), want %v", k, s, ok, w)
		}
	}
	if len(fs) != len(want) {
		t.Errorf("%d findings, want %d: %v", len(fs), len(want), got)
	}
}

// The real Terraform plans: an update that widens a rule's port range by
// one, from a group reference only.
func TestPlanRealSample(t *testing.T) {
	set := readBundled(t, "../internal/snapshot/testdata/real/terraform/checkov_plan_aws-sg-rule-update_tf1.4.6.json")
	fs := auditor(t).Audit(set)
	var opens []model.Finding
	for _, f := range fs {
		if f.Rule == RulePlanOpens {
			opens = append(opens, f)
		}
	}
	if len(opens) != 2 {
		t.Fatalf("want the two updates judged, got %d: %+v", len(opens), fs)
	}
	for _, f := range opens {
		if f.Severity > model.Low {
			t.Errorf("%s: a rule open to one security group is not broad: %s", f.Title, f.Severity)
		}
	}
}
