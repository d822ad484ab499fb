package state_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"cloudwall/internal/content"
	"cloudwall/internal/model"
	"cloudwall/internal/normalize"
	"cloudwall/internal/snapshot"
	"cloudwall/internal/state"
)

// Round trips from real captures: the earlier snapshot plus the call made
// between the two captures gives the later snapshot. The captures are the
// repository's copies of shared/data/snapshots under
// internal/snapshot/testdata/real (provenance in its SOURCES.md), read
// through the product's snapshot readers once the recording wrapper is
// taken off here.

const real = "../snapshot/testdata/real/"

// unwrapped returns the document inside a recording: a boto placebo
// response's data, or the data of a VCR cassette's n-th response.
func unwrapped(t *testing.T, path string, n int) []byte {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var doc any
	switch {
	case m["interactions"] != nil:
		it := m["interactions"].([]any)[n].(map[string]any)
		doc = it["response"].(map[string]any)["body"].(map[string]any)["data"]
	case m["status_code"] != nil:
		doc = m["data"]
	case m["headers"] != nil:
		doc = m["body"]
	default:
		doc = m
	}
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// firewalls reads one unwrapped document with the product readers.
func firewalls(t *testing.T, doc []byte) []model.Firewall {
	t.Helper()
	p := filepath.Join(t.TempDir(), "snapshot.json")
	if err := os.WriteFile(p, doc, 0o600); err != nil {
		t.Fatal(err)
	}
	set, err := snapshot.ReadPaths(context.Background(), []string{p}, nil, snapshot.Options{})
	if err != nil || len(set.Firewalls) == 0 {
		t.Fatalf("reading %s: %v (%d firewalls, problems %+v)", p, err, len(set.Firewalls), set.Summary.Problems)
	}
	return set.Firewalls
}

// ruleSet renders a firewall's rules by content, sorted, for comparison.
func ruleSet(fw model.Firewall) []string {
	var out []string
	for _, r := range fw.Rules {
		if r.Builtin {
			continue // the defaults every NSG and NACL has
		}
		ports := strings.Join(r.Ports.Strings(), ",")
		if len(r.Ports) == 0 || r.Ports.All() {
			ports = "all"
		}
		var peers []string
		for _, p := range r.Peers {
			peers = append(peers, strings.ToLower(p.String()))
		}
		slices.Sort(peers)
		prio := ""
		if r.Priority != nil {
			prio = itoa(*r.Priority)
		}
		targets := slices.Clone(r.Targets)
		slices.Sort(targets)
		out = append(out, strings.Join([]string{string(r.Direction), string(r.Action), strings.ToLower(r.Protocol), ports, strings.Join(peers, " "), prio,
			strings.Join(targets, " "), strings.ToLower(r.Name)}, "|"))
	}
	slices.Sort(out)
	return out
}

func sorted(s []string) []string { s = slices.Clone(s); slices.Sort(s); return s }

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

func engine(t *testing.T) *state.Engine {
	c, err := content.Default()
	if err != nil {
		t.Fatal(err)
	}
	return state.New(state.Options{Content: c})
}

// A real DeleteNetworkAclEntry of the default NACL's egress entry 100
// (cloud-custodian's recording of describe-network-acls before and after).
func TestRoundTripAWSNACLEntryDelete(t *testing.T) {
	before := firewalls(t, unwrapped(t, real+"aws/custodian_describe-network-acls_default-before.json", 0))
	after := firewalls(t, unwrapped(t, real+"aws/custodian_describe-network-acls_default-after-entry-delete.json", 0))
	e := engine(t)
	e.Load(before)
	res := before[0].Resource
	ev := model.Event{Cloud: model.AWS, OperationKey: "ec2:deletenetworkaclentry", Operation: "DeleteNetworkAclEntry",
		Time: time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC), Outcome: model.Success, Resource: res,
		Changes: []model.RuleChange{{Effect: model.Removed, Direction: model.Egress, Priority: model.IntPtr(100), Name: "100"}}}
	ch := e.Apply(&ev, "")
	got, _ := e.Firewall(model.AWS, res)
	if want := ruleSet(after[0]); !slices.Equal(ruleSet(got), want) {
		t.Errorf("after replay:\n%q\nwant (the later capture):\n%q", ruleSet(got), want)
	}
	if len(ch.Before.Rules) != 1 || ch.Before.Rules[0].Action != model.Allow || !strings.HasPrefix(ch.Rollback[0], "aws ec2 create-network-acl-entry --network-acl-id "+res.ID+" --egress --rule-number 100 --protocol -1") {
		t.Errorf("before %+v rollback %q", ch.Before, ch.Rollback)
	}
}

// A real PUT of one NSG security rule (cloud-custodian's cassette: the
// list, the PUT's answer, the list again): the rule is added to the group.
func TestRoundTripAzureNSGRuleWrite(t *testing.T) {
	const cassette = real + "azure/custodian_arm-nsg-list_open-ports-before-after-put.cassette.json"
	before := firewalls(t, unwrapped(t, cassette, 0))
	put := firewalls(t, unwrapped(t, cassette, 1))
	after := firewalls(t, unwrapped(t, cassette, 2))
	e := engine(t)
	e.Load(before)
	if len(put) != 1 || len(put[0].Rules) != 1 {
		t.Fatalf("the PUT's answer reads as %+v, want one rule", put)
	}
	r := put[0].Rules[0]
	c := r.RuleChange
	c.Effect = model.Added
	ev := model.Event{Cloud: model.Azure, OperationKey: "microsoft.network/networksecuritygroups/securityrules/write",
		Operation: "Microsoft.Network/networkSecurityGroups/securityRules/write", Time: time.Date(2021, 3, 15, 0, 0, 0, 0, time.UTC),
		Outcome: model.Success, Resource: model.Resource{Type: "nsg_rule", ID: r.ID, Name: r.Name}, Changes: []model.RuleChange{c}}
	ch := e.Apply(&ev, "")
	got, _ := e.Firewall(model.Azure, ev.Resource)
	var want model.Firewall
	for _, fw := range after {
		if strings.EqualFold(fw.Resource.ID, got.Resource.ID) {
			want = fw
		}
	}
	if len(want.Rules) == 0 {
		t.Fatalf("the later list has no group %s", got.Resource.ID)
	}
	// The later list also holds test1, test2 and test3, written by calls
	// the cassette did not record: every other rule must match exactly.
	var missing []string
	for _, r := range ruleSet(want) {
		if !slices.Contains(ruleSet(got), r) {
			missing = append(missing, r)
		}
	}
	for _, r := range ruleSet(got) {
		if !slices.Contains(ruleSet(want), r) {
			t.Errorf("replayed rule %q is not in the later capture", r)
		}
	}
	var names []string
	for _, m := range missing {
		names = append(names, m[strings.LastIndexByte(m, '|')+1:])
	}
	if !slices.Equal(sorted(names), []string{"test1", "test2", "test3"}) {
		t.Errorf("rules of the later capture not replayed: %q, want only the unrecorded test1, test2, test3", missing)
	}
	if len(ch.Opened) == 0 {
		t.Errorf("the rule admits any address on 1000-1100: no window opened")
	}
	if len(ch.Rollback) != 1 || !strings.HasPrefix(ch.Rollback[0], "az network nsg rule delete --subscription ea42f556-5106-4743-99b0-c129bfa71a47 --resource-group test_networksecuritygroup --nsg-name c7n-nsg --name c7n-policy-") {
		t.Errorf("rollback %q", ch.Rollback)
	}
}

// GCP: no real capture pair with the calls between them exists, so the
// pair is made of real captures of one project (cloud-custodian, network
// default) and real audit records re-homed onto its rules (provenance:
// testdata/gcp-roundtrip/SOURCES.md). State A is rule test as fetched
// before a patch (priority 500, tag newtag) plus rule allow-inbound-xyz as
// fetched; state B is the project's firewall list (test at priority 1000,
// tag test, nothing else). Forward, a delete and a patch lead from A to B;
// backward, an insert and a patch lead from B to A.
func TestRoundTripGCPFirewalls(t *testing.T) {
	const dir = real + "gcp/"
	testA := firewalls(t, unwrapped(t, dir+"custodian_rest_firewalls-get_test-before-patch.flight.json", 0))
	xyz := firewalls(t, unwrapped(t, dir+"custodian_rest_firewalls-get_allow-inbound-xyz.flight.json", 0))
	stateA := slices.Concat(testA, xyz)
	stateB := firewalls(t, unwrapped(t, dir+"custodian_rest_firewalls-list.flight.json", 0))
	tests := []struct {
		name          string
		from, to      []model.Firewall
		events        string
		opened, close int
	}{
		{"forward: delete allow-inbound-xyz, patch test", stateA, stateB, "forward.jsonl", 0, 1},
		{"backward: insert allow-inbound-xyz, patch test", stateB, stateA, "backward.jsonl", 1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := engine(t)
			e.Load(tt.from)
			evs := gcpEvents(t, "testdata/gcp-roundtrip/"+tt.events)
			changes, _ := e.Replay(evs)
			var opened, closed int
			for _, ch := range changes {
				if !ch.Applied {
					t.Fatalf("%s not applied: %v", ch.Firewall.ID, ch.Notes)
				}
				opened += len(ch.Opened)
				closed += len(ch.Closed)
			}
			got, want := networkRules(e.Firewalls()), networkRules(tt.to)
			if !slices.Equal(got, want) {
				t.Errorf("after replay:\n%q\nwant (the other capture):\n%q", got, want)
			}
			if opened != tt.opened || closed != tt.close {
				t.Errorf("windows opened %d closed %d, want %d and %d", opened, closed, tt.opened, tt.close)
			}
			// allow-inbound-xyz admits everything from anywhere, but only to
			// instances running as its service account: the window says so.
			for _, w := range e.Windows() {
				if !slices.Equal(w.Rule.Targets, []string{"604150802624-compute@developer.gserviceaccount.com"}) {
					t.Errorf("window %s names targets %v, want the rule's service account", w.Firewall.ID, w.Rule.Targets)
				}
			}
		})
	}
}

// gcpEvents reads audit-log lines with the product parser.
func gcpEvents(t *testing.T, path string) []model.Event {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []model.Event
	for i, line := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
		res := normalize.Parse([]byte(line), model.SourceRef{File: path, Index: int64(i)}, nil)
		if len(res.Events) == 0 {
			t.Fatalf("%s line %d: %v %s", path, i+1, res.Kind, res.Reason)
		}
		out = append(out, res.Events...)
	}
	return out
}

// networkRules renders the rules of every GCP rule or network firewall in
// force, whichever shape holds them (the engine keeps one firewall per
// rule, the readers one per network).
func networkRules(fws []model.Firewall) []string {
	var out []string
	for _, fw := range fws {
		if fw.Cloud != model.GCP {
			continue
		}
		out = append(out, ruleSet(fw)...)
	}
	slices.Sort(out)
	return out
}

// A Cloud SQL snapshot (a real Cloud Asset Inventory export of
// sqladmin.googleapis.com/Instance) is a baseline: a patch that sends the
// internet as the instance's whole list is rolled back to the list the
// snapshot holds, and a second patch back to that list is a no-op on the
// state it restores.
func TestCloudSQLBaselineRollback(t *testing.T) {
	raw, err := os.ReadFile(real + "gcp/policy-library_cai_sql-instances_authorized-networks.json")
	if err != nil {
		t.Fatal(err)
	}
	fws := firewalls(t, raw) // a bare JSON array: no recording wrapper
	res := model.Resource{Type: "cloudsql_instance", ID: "projects/noble-history-87417/instances/authorized-networks-35", Name: "authorized-networks-35"}
	e := engine(t)
	e.Load(fws)
	patch := func(min int, nets ...string) model.Event {
		c := model.RuleChange{Effect: model.Altered, Direction: model.Ingress, Action: model.Allow, Protocol: "tcp", Ports: model.PortList{{From: 3306, To: 3306}}}
		for _, n := range nets {
			c.Peers = append(c.Peers, model.Peer{Kind: model.PeerCIDR, Value: n})
		}
		return model.Event{Cloud: model.GCP, OperationKey: "cloudsql.instances.patch", Operation: "cloudsql.instances.patch",
			Time: time.Date(2026, 3, 14, 10, min, 0, 0, time.UTC), Outcome: model.Success, Resource: res, Changes: []model.RuleChange{c}}
	}
	changes, _ := e.Replay([]model.Event{patch(1, "0.0.0.0/0"), patch(9, "35.187.118.0/24")})
	want := "gcloud sql instances patch authorized-networks-35 --project=noble-history-87417 --authorized-networks=35.187.118.0/24"
	if r := changes[0].Rollback; len(r) != 1 || r[0] != want {
		t.Errorf("rollback %q, want %q", r, want)
	}
	if len(changes[0].Opened) != 1 || len(changes[1].Closed) != 1 {
		t.Errorf("windows opened %d by the world-open patch, closed %d by the restore; want 1 and 1", len(changes[0].Opened), len(changes[1].Closed))
	}
	got, _ := e.Firewall(model.GCP, res)
	var base model.Firewall
	for _, fw := range fws {
		if fw.Resource.ID == res.ID {
			base = fw
		}
	}
	if !slices.Equal(ruleSet(got), ruleSet(base)) {
		t.Errorf("restored %q, want the snapshot's %q", ruleSet(got), ruleSet(base))
	}
}
