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
