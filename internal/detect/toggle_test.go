package detect

import (
	"strings"
	"testing"

	"cloudwall/internal/model"
)

// TestGCPDisabledGotoNextPriority: what a GCP firewall call admits when it
// writes a rule disabled, adds a goto_next rule, sends only a priority or
// only descriptive fields, judged from the call alone (the replay's
// known-state judgement is tested in package pipeline).
func TestGCPDisabledGotoNextPriority(t *testing.T) {
	world := []model.Peer{{Kind: model.PeerCIDR, Value: "0.0.0.0/0"}}
	ssh := model.PortList{{From: 22, To: 22}}
	prio := model.IntPtr(10)
	for _, tc := range []struct {
		name, key   string
		change      *model.RuleChange
		settings    map[string]string
		descriptive []string
		want        model.Severity
		title       string
		world       bool // the finding has exposure lines
	}{
		{"insert disabled", "compute.firewalls.insert",
			&model.RuleChange{Effect: model.Added, Direction: model.Ingress, Action: model.Allow, Protocol: "tcp", Ports: ssh, Peers: world},
			map[string]string{model.SettingDisabled: "true"}, nil, model.Low, "created disabled (enforces nothing until enabled)", false},
		{"insert enabled", "compute.firewalls.insert",
			&model.RuleChange{Effect: model.Added, Direction: model.Ingress, Action: model.Allow, Protocol: "tcp", Ports: ssh, Peers: world},
			map[string]string{model.SettingDisabled: "false"}, nil, model.Critical, "opened to the IPv4 internet on 22/tcp (ssh)", true},
		{"update allow disabled", "compute.firewalls.update",
			&model.RuleChange{Effect: model.Altered, Direction: model.Ingress, Action: model.Allow, Protocol: "tcp", Ports: ssh, Peers: world},
			map[string]string{model.SettingDisabled: "true"}, nil, model.Info, "disabled (closing access)", false},
		{"patch deny disabled", "compute.firewalls.patch",
			&model.RuleChange{Effect: model.Altered, Direction: model.Ingress, Action: model.Deny, Protocol: "tcp", Ports: ssh, Peers: world},
			map[string]string{model.SettingDisabled: "true"}, nil, model.High, "disabled (a deny: the IPv4 internet on 22/tcp (ssh) is no longer blocked by it)", true},
		// Disabled, an egress deny-all lets out what it blocked at once:
		// the implied allow-egress rule admits it (as its removal).
		{"egress deny-all disabled", "compute.firewalls.patch",
			&model.RuleChange{Effect: model.Altered, Direction: model.Egress, Action: model.Deny, Protocol: "all", Ports: model.PortList{model.AllPortRange}, Peers: world},
			map[string]string{model.SettingDisabled: "true"}, nil, model.Medium, "disabled (a deny: egress to the IPv4 internet on all protocols and ports is no longer blocked by it)", true},
		{"policy egress deny-all disabled", "compute.networkfirewallpolicies.patchrule",
			&model.RuleChange{Effect: model.Altered, Direction: model.Egress, Action: model.Deny, Protocol: "all", Ports: model.PortList{model.AllPortRange}, Peers: world, Priority: prio},
			map[string]string{model.SettingDisabled: "true"}, nil, model.Medium, "rule 10 disabled (a deny: egress to the IPv4 internet", true},
		{"hierarchical policy egress deny-all disabled", "compute.firewallpolicies.patchrule",
			&model.RuleChange{Effect: model.Altered, Direction: model.Egress, Action: model.Deny, Protocol: "all", Ports: model.PortList{model.AllPortRange}, Peers: world, Priority: prio},
			map[string]string{model.SettingDisabled: "true"}, nil, model.Medium, "", true},
		{"policy rule disabled by priority", "compute.networkfirewallpolicies.patchrule",
			&model.RuleChange{Effect: model.Altered, Priority: prio},
			map[string]string{model.SettingDisabled: "true"}, nil, model.Medium, "rule 10 disabled (if it was a deny", false},
		{"goto_next from the world", "compute.firewallpolicies.addrule",
			&model.RuleChange{Effect: model.Added, Direction: model.Ingress, Action: model.GotoNext, Protocol: "all", Ports: model.PortList{model.AllPortRange}, Peers: world, Priority: prio},
			nil, nil, model.Low, "goto_next rule added", false},
		{"priority only", "compute.firewalls.patch",
			&model.RuleChange{Effect: model.Altered, Priority: model.IntPtr(900)}, nil, nil, model.Low, "priority set to 900", false},
		{"description only", "compute.firewalls.patch", nil, nil, []string{"description"}, model.Info, "description changed (no access change)", false},
		{"logging off", "compute.firewalls.patch", nil, map[string]string{model.SettingLogging: "false"}, []string{"logConfig"}, model.Low, "logging turned off", false},
		{"nothing logged", "compute.firewalls.patch", nil, nil, nil, model.Medium, "rule content not logged", false},
		// A policy written whole carries one disabled flag for all its
		// rules: it does not make a world-open one harmless.
		{"policy insert with a disabled rule", "compute.networkfirewallpolicies.insert",
			&model.RuleChange{Effect: model.Added, Direction: model.Ingress, Action: model.Allow, Protocol: "tcp", Ports: ssh, Peers: world, Priority: prio},
			map[string]string{model.SettingDisabled: "true"}, nil, model.Critical, "created", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ev := event(model.GCP, tc.key)
			if tc.change != nil {
				ev.Changes = []model.RuleChange{*tc.change}
			}
			ev.Resource = model.Resource{Type: "vpc_firewall_rule", ID: "projects/p/global/firewalls/r", Name: "r"}
			ev.Settings, ev.Descriptive = tc.settings, tc.descriptive
			f := evaluate(t, ev)
			if f.Severity != tc.want {
				t.Errorf("severity %s, want %s\ntitle: %s\nreasons: %q", f.Severity, tc.want, f.Title, f.Reasons)
			}
			if !strings.Contains(f.Title, tc.title) {
				t.Errorf("title %q lacks %q", f.Title, tc.title)
			}
			if got := len(f.Exposure) > 0; got != tc.world {
				t.Errorf("exposure %q, want some: %v", f.Exposure, tc.world)
			}
		})
	}
}

// TestPriorityOnlyIsGCPs: another cloud's change that carries only a
// priority (a WAFv2 web ACL update) keeps its own judgement.
func TestPriorityOnlyIsGCPs(t *testing.T) {
	ev := event(model.AWS, "wafv2:updatewebacl", model.RuleChange{Effect: model.Altered, Priority: model.IntPtr(0)})
	ev.Resource = model.Resource{Type: "web_acl", ID: "arn:aws:wafv2:us-east-1:111122223333:regional/webacl/a/1", Name: "a"}
	if f := evaluate(t, ev); strings.Contains(f.Title, "priority set") {
		t.Errorf("AWS change titled as a GCP priority patch: %q", f.Title)
	}
}

// TestClusterListWithEndpointOff: an EKS update that turns the public
// endpoint off and sends publicAccessCidrs of 0.0.0.0/0, or a GKE update
// that makes the endpoint private and sends authorized networks, admits
// no one through the list: at most low, never the world-open judgement
// the list alone gets (the replay judges the call that turns the
// endpoint on, with the list).
func TestClusterListWithEndpointOff(t *testing.T) {
	world := []model.Peer{{Kind: model.PeerCIDR, Value: "0.0.0.0/0"}}
	for _, tc := range []struct {
		name, key string
		res       model.Resource
		settings  map[string]string
		want      model.Severity
		title     string
	}{
		{"EKS off with 0.0.0.0/0", "eks:updateclusterconfig", model.Resource{Type: "eks_cluster", ID: "prod", Name: "prod"},
			map[string]string{model.SettingPublicAccess: "disabled"}, model.Low, "allowlist set with the public endpoint turned off"},
		{"GKE private with 0.0.0.0/0", "google.container.v1.clustermanager.updatecluster",
			model.Resource{Type: "gke_cluster", ID: "projects/p1/locations/us-central1/clusters/gke-1", Name: "gke-1"},
			map[string]string{model.SettingPublicAccess: "disabled"}, model.Low, "allowlist set with the public endpoint turned off"},
		{"EKS created private, its default list", "eks:createcluster", model.Resource{Type: "eks_cluster", ID: "prod", Name: "prod"},
			map[string]string{model.SettingPublicAccess: "disabled"}, model.Info, "allowlist set with the public endpoint turned off"},
		{"EKS list alone is judged", "eks:updateclusterconfig", model.Resource{Type: "eks_cluster", ID: "prod", Name: "prod"},
			nil, model.Critical, "opened to the"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cloud := model.AWS
			if tc.res.Type == "gke_cluster" {
				cloud = model.GCP
			}
			eff := model.Altered
			if strings.HasSuffix(tc.key, "createcluster") {
				eff = model.Added
			}
			ev := event(cloud, tc.key, model.RuleChange{Effect: eff, Direction: model.Ingress, Action: model.Allow, Protocol: "tcp", Peers: world})
			ev.Resource, ev.Settings = tc.res, tc.settings
			f := evaluate(t, ev)
			if f.Severity > tc.want || tc.settings == nil && f.Severity < tc.want {
				t.Errorf("severity %s, want %s\ntitle: %s\nreasons: %q", f.Severity, tc.want, f.Title, f.Reasons)
			}
			if !strings.Contains(f.Title, tc.title) {
				t.Errorf("title %q lacks %q\nreasons: %q", f.Title, tc.title, f.Reasons)
			}
		})
	}
}
