package audit

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"cloudwall/internal/ingest"
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

// AWS Config writes a security group's CIDRs twice (ipv4Ranges [{cidrIp}]
// and the legacy ipRanges strings). The real item audits as the world-open
// RDP it is, whichever of the two lists a serialisation keeps, and two
// serialisations of the same rules diff to nothing.
func TestDiffConfigItemSerialisations(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "snapshot", "testdata", "real", "aws", "notes_config-item_default-sg-rdp-open.json"))
	if err != nil {
		t.Fatal(err)
	}
	// without returns the item with one peer list taken out of every
	// permission.
	without := func(list string) []byte {
		var items []map[string]any
		if err := json.Unmarshal(raw, &items); err != nil {
			t.Fatal(err)
		}
		conf := items[0]["configuration"].(map[string]any)
		for _, key := range []string{"ipPermissions", "ipPermissionsEgress"} {
			for _, p := range conf[key].([]any) {
				delete(p.(map[string]any), list)
			}
		}
		b, _ := json.Marshal(items)
		return b
	}
	read := func(b []byte) *snapshot.Set {
		set, err := snapshot.Read(context.Background(), []ingest.Input{ingest.ReaderInput("ci.json", bytes.NewReader(b))}, snapshot.Options{})
		if err != nil || len(set.Summary.Problems) > 0 {
			t.Fatalf("read: %v %+v", err, set.Summary.Problems)
		}
		return set
	}
	forms := []struct {
		name string
		data []byte
	}{
		{"as written (both lists)", raw},
		{"ipRanges strings only", without("ipv4Ranges")},
		{"ipv4Ranges only", without("ipRanges")},
	}
	for _, before := range forms {
		t.Run(before.name, func(t *testing.T) {
			set := read(before.data)
			fs := auditor(t).Audit(set)
			open := byRule(fs, RuleWorldOpen)
			rdp := false
			for _, f := range open {
				rdp = rdp || f.Severity == model.Critical && strings.Contains(f.Title, "3389/tcp")
			}
			if len(open) != 3 || !rdp || len(byRule(fs, RuleBroad)) != 0 {
				t.Errorf("world-open %d (want 3, RDP critical %v), broad %d", len(open), rdp, len(byRule(fs, RuleBroad)))
			}
			for _, after := range forms {
				if d := auditor(t).Diff(set, read(after.data)); len(d) != 0 {
					t.Errorf("diff to %s: %d findings, first %q", after.name, len(d), d[0].Title)
				}
			}
		})
	}
}
