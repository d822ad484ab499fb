package output

import (
	"strings"
	"testing"
	"time"

	"cloudwall/internal/model"
)

// A window's line names what it exposed: on GCP the targets the rule
// reaches (instances without them were not exposed through it).
func TestWindowTextTargets(t *testing.T) {
	start := time.Date(2026, 3, 14, 10, 0, 0, 0, time.UTC)
	rule := model.RuleChange{Direction: model.Ingress, Action: model.Allow, Protocol: "tcp", Ports: model.PortList{{From: 22, To: 22}},
		Peers: []model.Peer{{Kind: model.PeerCIDR, Value: "0.0.0.0/0"}}, Name: "allow-ssh", Targets: []string{"web"}}
	tests := []struct {
		name   string
		cloud  model.Cloud
		except []string
		want   string
		not    string
	}{
		{"an untargeted GCP rule names the targets a deny protects", model.GCP, []string{"db"},
			"on instances with target web (not on instances with target db) (rule allow-ssh)", ""},
		{"GCP names the targets", model.GCP, nil, "tcp/22 open to 0.0.0.0/0 on instances with target web (rule allow-ssh)", ""},
		// Azure keeps destination prefixes in Targets: not instance targets.
		{"other clouds do not", model.Azure, nil, "tcp/22 open to 0.0.0.0/0 (rule allow-ssh)", "on instances"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := model.Window{Cloud: tt.cloud, Firewall: model.Resource{Type: "vpc_firewall_rule", ID: "fw"}, Rule: rule, ExceptTargets: tt.except, Start: start, StartKnown: true}
			got := WindowText(w, start.Add(time.Hour))
			if !strings.Contains(got, tt.want) || tt.not != "" && strings.Contains(got, tt.not) {
				t.Errorf("WindowText = %q, want it to hold %q", got, tt.want)
			}
		})
	}
}

// A window's length is only as known as its ends: one open before the
// data is "at least" as long (never a bare 0s), and one a snapshot found
// closed ended by the snapshot at the latest.
func TestWindowTextUncertainEnds(t *testing.T) {
	at := func(h, m int) time.Time { return time.Date(2026, 5, 1, h, m, 0, 0, time.UTC) }
	ptr := func(t time.Time) *time.Time { return &t }
	rule := model.RuleChange{Direction: model.Ingress, Action: model.Allow, Protocol: "tcp", Ports: model.PortList{{From: 22, To: 22}},
		Peers: []model.Peer{{Kind: model.PeerCIDR, Value: "0.0.0.0/0"}}}
	closer := &model.WindowEdge{Time: at(10, 0), Actor: model.Actor{Name: "mallory"}}
	snap := &model.WindowEdge{Time: at(10, 45), Operation: model.SnapshotEdge}
	tests := []struct {
		name string
		w    model.Window
		want []string
		not  string
	}{
		{"open before the data, closed where it begins", model.Window{Start: at(10, 0), End: ptr(at(10, 0)), Closed: closer},
			[]string{"from before 2026-05-01T10:00:00Z (start not in the data) to 2026-05-01T10:00:00Z (how long it was open is not in the data), closed by mallory"}, "(0s)"},
		{"open before the data, closed later", model.Window{Start: at(9, 0), End: ptr(at(10, 0)), Closed: closer},
			[]string{"(at least 1h0m0s)"}, ""},
		{"closed outside the logs, seen by a snapshot", model.Window{Start: at(10, 0), StartKnown: true, End: ptr(at(10, 45)), Closed: snap},
			[]string{"to 2026-05-01T10:45:00Z at the latest (at most 45m0s)", "closed outside the logs: the snapshot taken at 2026-05-01T10:45:00Z no longer shows it"}, "closed by"},
		{"a known window is as long as it was", model.Window{Start: at(10, 0), StartKnown: true, End: ptr(at(10, 30)), Closed: closer},
			[]string{"from 2026-05-01T10:00:00Z to 2026-05-01T10:30:00Z (30m0s), closed by mallory"}, "at least"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.w.Cloud, tt.w.Firewall, tt.w.Rule = model.AWS, model.Resource{Type: "security_group", ID: "sg-1"}, rule
			got := WindowText(tt.w, at(12, 0))
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("WindowText = %q, want it to hold %q", got, w)
				}
			}
			if tt.not != "" && strings.Contains(got, tt.not) {
				t.Errorf("WindowText = %q, want no %q", got, tt.not)
			}
		})
	}
}
