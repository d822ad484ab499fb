package pipeline

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"cloudwall/internal/model"
	"cloudwall/internal/normalize"
	"cloudwall/internal/state"
)

// TestScanManyPeersBounded scans the hostile record of issue 7 (one
// authorize naming thousands of peers; 16,000, as many as jv's budget of
// values lets a record of their size hold) end to end: it completes, the
// event keeps normalize.MaxPeers of them, the finding is bounded (peers
// listed, rollback commands, reasons) with markers saying what was left
// out, and the world-open spelling is still judged critical.
func TestScanManyPeersBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("16,000 peers")
	}
	const n = 16000
	tests := []struct {
		name   string
		peer   func(int) string
		sev    model.Severity
		notice string
	}{
		{"unreadable peers", func(i int) string { return fmt.Sprintf("1.2.%d.x/99", i) }, model.Medium, ""},
		{"world-open peers", func(i int) string { return fmt.Sprintf("10.%d.%d.1/0", i/256, i%256) }, model.Critical, "opened no exposure window"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b strings.Builder
			for i := range n {
				if i > 0 {
					b.WriteByte(',')
				}
				fmt.Fprintf(&b, `{"cidrIp":%q}`, tt.peer(i))
			}
			rec := `{"eventVersion":"1.08","eventSource":"ec2.amazonaws.com","eventName":"AuthorizeSecurityGroupIngress","eventTime":"2022-06-01T12:05:53Z","eventID":"e1","requestParameters":{"groupId":"sg-1","ipPermissions":{"items":[{"ipProtocol":"tcp","fromPort":22,"toPort":22,"ipRanges":{"items":[` + b.String() + `]}}]}}}` + "\n"
			path := filepath.Join(t.TempDir(), "peers.json")
			if err := os.WriteFile(path, []byte(rec), 0o600); err != nil {
				t.Fatal(err)
			}
			// With a baseline the finding shows the rules before and after.
			res := scan(t, []string{path}, Options{State: &StateOptions{Baseline: []model.Firewall{{Cloud: model.AWS,
				Resource: model.Resource{Type: "security_group", ID: "sg-1"}, Rules: []model.Rule{}}}}})
			if len(res.Findings) != 1 {
				t.Fatalf("%d findings, want 1", len(res.Findings))
			}
			f := res.Findings[0]
			if f.Severity != tt.sev {
				t.Errorf("severity %s, want %s", f.Severity, tt.sev)
			}
			if c := f.Changes[0]; len(c.Peers) != model.MaxPeersShown || c.PeersOmitted != n-model.MaxPeersShown {
				t.Errorf("%d peers listed, %d omitted", len(c.Peers), c.PeersOmitted)
			}
			if len(f.Rollback) != state.MaxRollback+1 || !strings.Contains(f.Rollback[state.MaxRollback], "more commands") {
				t.Errorf("%d rollback lines, last %q", len(f.Rollback), f.Rollback[len(f.Rollback)-1])
			}
			if f.After == nil || len(f.After.Rules) != model.MaxRulesShown || f.After.Omitted != normalize.MaxPeers-model.MaxRulesShown {
				t.Errorf("after: %+v", f.After)
			}
			if len(f.Reasons) > 2*(model.MaxNotes+1) {
				t.Errorf("%d reasons", len(f.Reasons))
			}
			notices := strings.Join(res.Summary.Notices, "\n")
			if tt.notice != "" && !strings.Contains(notices, tt.notice) || tt.notice == "" && strings.Contains(notices, "exposure window") {
				t.Errorf("notices %q, want %q", res.Summary.Notices, tt.notice)
			}
		})
	}
}

// TestScanManyRulesBounded: a record naming more rules than a cloud call
// makes, the world-open one last, is still judged critical (the entries
// past normalize.MaxChanges are merged, never dropped when they open
// access), says what was done, and prints no rollback built from a merged
// change.
func TestScanManyRulesBounded(t *testing.T) {
	var b strings.Builder
	for i := range normalize.MaxChanges + 500 {
		fmt.Fprintf(&b, `{"ipProtocol":"tcp","fromPort":%d,"toPort":%d,"ipRanges":{"items":[{"cidrIp":"10.0.0.0/8"}]}},`, 1024+i, 1024+i)
	}
	b.WriteString(`{"ipProtocol":"tcp","fromPort":22,"toPort":22,"ipRanges":{"items":[{"cidrIp":"0.0.0.0/0"}]}}`)
	rec := `{"eventVersion":"1.08","eventSource":"ec2.amazonaws.com","eventName":"AuthorizeSecurityGroupIngress","eventTime":"2022-06-01T12:05:53Z","eventID":"e1","requestParameters":{"groupId":"sg-1","ipPermissions":{"items":[` + b.String() + `]}}}` + "\n"
	path := filepath.Join(t.TempDir(), "rules.json")
	if err := os.WriteFile(path, []byte(rec), 0o600); err != nil {
		t.Fatal(err)
	}
	res := scan(t, []string{path}, Options{})
	if len(res.Findings) != 1 {
		t.Fatalf("%d findings, want 1", len(res.Findings))
	}
	f := res.Findings[0]
	if f.Severity != model.Critical {
		t.Errorf("severity %s, want critical", f.Severity)
	}
	if len(f.Changes) != normalize.MaxChanges+1 || f.Changes[normalize.MaxChanges].Merged != 501 {
		t.Errorf("%d changes, the last merging %d", len(f.Changes), f.Changes[len(f.Changes)-1].Merged)
	}
	if len(f.Rollback) != 1 || !strings.HasPrefix(f.Rollback[0], "# not built") {
		t.Errorf("rollback %q", f.Rollback)
	}
	if !strings.Contains(strings.Join(f.Reasons, "\n"), "more than a cloud call makes") {
		t.Errorf("reasons %q do not say the entries were merged", f.Reasons)
	}
}
