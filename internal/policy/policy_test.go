package policy

import (
	"strings"
	"testing"
	"time"

	"cloudwall/internal/config"
	"cloudwall/internal/model"
)

const cfgYAML = `
approvals:
  changes:
    - ticket: CHG-7
      who: ["arn:aws:iam::*:role/deployer"]
      accounts: ["1111"]
      resources: [sg-web]
      ports: ["443"]
      peers: [198.51.100.0/24]
      from: 2026-03-14T09:00:00Z
      until: 2026-03-14T10:00:00Z
suppressions:
  - id: old-bastion
    owner: secops
    reason: decommissioning
    expires: 2026-06-30
    match: {resources: [sg-bastion]}
  - id: lapsed
    owner: netops
    reason: migration
    expires: 2026-01-31
    match: {resources: [sg-legacy]}
  - id: unused
    owner: netops
    reason: nothing
    expires: 2026-12-31
    match: {rules: [no-such-rule]}
`

func finding(res, actor string, at string, port int, peer string) model.Finding {
	tm, _ := time.Parse(time.RFC3339, at)
	return model.Finding{ID: res + at, Rule: "aws-sg-ingress-change", Severity: model.High, Cloud: model.AWS, Account: "1111",
		Time: tm, Resource: model.Resource{Type: "security_group", ID: res},
		Actor: model.Actor{Type: "AssumedRole", ID: actor},
		Changes: []model.RuleChange{{Effect: model.Added, Direction: model.Ingress, Action: model.Allow, Protocol: "tcp",
			Ports: model.PortList{{From: port, To: port}}, Peers: []model.Peer{model.ParsePeer(peer)}}}}
}

// omitted says the finding lists only some of the change's peers.
func omitted(f model.Finding, n int) model.Finding {
	f.Changes[0].PeersOmitted = n
	return f
}

func TestApprovals(t *testing.T) {
	cfg, err := config.Parse("c.yaml", []byte(cfgYAML))
	if err != nil {
		t.Fatal(err)
	}
	deployer := "arn:aws:sts::1111:assumed-role/deployer/run-42"
	tests := []struct {
		name    string
		f       model.Finding
		sev     model.Severity
		status  string
		outside string
	}{
		{"inside", finding("sg-web", deployer, "2026-03-14T09:30:00Z", 443, "198.51.100.0/25"), model.Low, model.Approved, ""},
		{"other port", finding("sg-web", deployer, "2026-03-14T09:30:00Z", 22, "198.51.100.0/25"), model.High, model.OutsideApproval, "port 22 not approved"},
		{"wider peer", finding("sg-web", deployer, "2026-03-14T09:30:00Z", 443, "198.51.0.0/16"), model.High, model.OutsideApproval, "wider than or outside"},
		{"world peer", finding("sg-web", deployer, "2026-03-14T09:30:00Z", 443, "0.0.0.0/0"), model.High, model.OutsideApproval, "0.0.0.0/0"},
		{"after the window", finding("sg-web", deployer, "2026-03-14T10:00:00Z", 443, "198.51.100.7"), model.High, model.OutsideApproval, "after the approved window"},
		{"another actor", finding("sg-web", "arn:aws:sts::1111:assumed-role/admin/deployer", "2026-03-14T09:30:00Z", 443, "198.51.100.7"), model.High, model.OutsideApproval, "approved for"},
		{"another resource", finding("sg-db", deployer, "2026-03-14T09:30:00Z", 443, "198.51.100.7"), model.High, "", ""},
		{"peers left out of the finding", omitted(finding("sg-web", deployer, "2026-03-14T09:30:00Z", 443, "198.51.100.7"), 59900), model.High, model.OutsideApproval, "59900 more peers not listed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := Apply(cfg, []model.Finding{tt.f}, time.Date(2026, 3, 15, 0, 0, 0, 0, time.UTC))
			if len(res.Shown) != 1 {
				t.Fatalf("shown %d", len(res.Shown))
			}
			f := res.Shown[0]
			if f.Severity != tt.sev {
				t.Errorf("severity %s, want %s", f.Severity, tt.sev)
			}
			if tt.status == "" {
				if f.Approval != nil {
					t.Errorf("approval %+v on an uncovered resource", f.Approval)
				}
				return
			}
			if f.Approval == nil || f.Approval.Status != tt.status || f.Approval.Ticket != "CHG-7" {
				t.Fatalf("approval %+v", f.Approval)
			}
			all := strings.Join(f.Approval.Outside, "; ") + strings.Join(f.Reasons, "; ")
			if !strings.Contains(all, "CHG-7") || !strings.Contains(all, tt.outside) {
				t.Errorf("reasons %q do not show the ticket and %q", all, tt.outside)
			}
		})
	}
}

func TestSuppressions(t *testing.T) {
	cfg, err := config.Parse("c.yaml", []byte(cfgYAML))
	if err != nil {
		t.Fatal(err)
	}
	fs := []model.Finding{
		finding("sg-bastion", "a", "2026-03-14T09:30:00Z", 22, "0.0.0.0/0"),
		finding("sg-legacy", "a", "2026-03-14T09:31:00Z", 22, "0.0.0.0/0"),
		finding("sg-other", "a", "2026-03-14T09:32:00Z", 22, "0.0.0.0/0"),
	}
	// Through 2026-06-30 the bastion is hidden; from 2026-07-01 it is not.
	res := Apply(cfg, fs, time.Date(2026, 6, 30, 23, 59, 0, 0, time.UTC))
	if len(res.Suppressed) != 1 || res.Suppressed[0].Resource.ID != "sg-bastion" || res.Suppressed[0].Suppression.ID != "old-bastion" {
		t.Fatalf("suppressed = %+v", res.Suppressed)
	}
	if len(res.Shown) != 2 {
		t.Fatalf("shown %d, want the expired and the unmatched", len(res.Shown))
	}
	legacy := res.Shown[0]
	if !strings.Contains(strings.Join(legacy.Reasons, " "), "lapsed (owner netops) expired on 2026-01-31") {
		t.Errorf("expired suppression not said on the finding: %q", legacy.Reasons)
	}
	notices := strings.Join(res.Notices, "\n")
	for _, w := range []string{"suppression lapsed (owner netops, c.yaml:", "expired on 2026-01-31: 1 matching finding(s) shown again", "suppression unused", "matched no finding"} {
		if !strings.Contains(notices, w) {
			t.Errorf("notices %q lack %q", notices, w)
		}
	}
	res = Apply(cfg, fs, time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC))
	if len(res.Suppressed) != 0 || len(res.Shown) != 3 {
		t.Errorf("after expiry: %d suppressed, %d shown", len(res.Suppressed), len(res.Shown))
	}
}
