package pipeline

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"cloudwall/internal/model"
	"cloudwall/internal/state"
)

// TestScanManyPeersBounded scans the hostile record of issue 7 (one
// authorize naming 60,000 peers) end to end: it completes, the finding is
// bounded (peers listed, rollback commands, reasons) with markers saying
// what was left out, and the world-open spelling is still judged critical.
func TestScanManyPeersBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("60,000 peers")
	}
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
			for i := range 60000 {
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
			if c := f.Changes[0]; len(c.Peers) != model.MaxPeersShown || c.PeersOmitted != 60000-model.MaxPeersShown {
				t.Errorf("%d peers listed, %d omitted", len(c.Peers), c.PeersOmitted)
			}
			if len(f.Rollback) != state.MaxRollback+1 || !strings.Contains(f.Rollback[state.MaxRollback], "more commands") {
				t.Errorf("%d rollback lines, last %q", len(f.Rollback), f.Rollback[len(f.Rollback)-1])
			}
			if f.After == nil || len(f.After.Rules) != model.MaxRulesShown || f.After.Omitted != 60000-model.MaxRulesShown {
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
