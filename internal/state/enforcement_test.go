package state

import (
	"testing"

	"cloudwall/internal/model"
)

// TestEnforcementOrderChangeRejudges: a network's firewall policy
// enforcement order decides whether a network firewall policy is
// evaluated before or after the VPC rules, so changing it
// (compute.networks.patch) can open or close windows of the network's
// rules. A naive reading keeps judging the rules as before the change.
func TestEnforcementOrderChangeRejudges(t *testing.T) {
	in := model.Ingress
	world := cidr("0.0.0.0/0")
	network := model.Resource{Type: "network", ID: "projects/p1/global/networks/default", Name: "default"}
	baseline := func(order string) []model.Firewall {
		net := model.Firewall{Cloud: model.GCP, Resource: network, AsOf: t0}
		if order != "" {
			net.Settings = map[string]string{model.SettingEnforcementOrder: order}
		}
		return []model.Firewall{
			{Cloud: model.GCP, Resource: gcpRule("ssh"), Network: "default", Account: "p1", AsOf: t0,
				Rules: []model.Rule{mrule(prio(rc("", in, model.Allow, "tcp", ports(22, 22), world), 65000, "ssh"))}},
			{Cloud: model.GCP, Resource: model.Resource{Type: "network_firewall_policy", ID: "projects/p1/global/firewallPolicies/pol"}, AsOf: t0,
				Rules: []model.Rule{mrule(prio(rc("", in, model.Deny, "tcp", ports(22, 22), world), 1, ""))}},
			net,
		}
	}
	patch := func(order string) model.Event {
		ev := event(model.GCP, "compute.networks.patch", at(5, 0), network)
		ev.Settings = map[string]string{model.SettingEnforcementOrder: order}
		return ev
	}
	tests := []struct {
		name           string
		from, to       string
		before, after  int // windows open before and after the call
		opened, closed int // windows the call opened and closed
	}{
		{"policies moved first: their deny now blocks the VPC allow", "", "BEFORE_CLASSIC_FIREWALL", 1, 0, 0, 1},
		{"policies moved back after the VPC rules: the allow decides again", "BEFORE_CLASSIC_FIREWALL", "AFTER_CLASSIC_FIREWALL", 0, 1, 1, 0},
		{"the same order set again changes nothing", "", "AFTER_CLASSIC_FIREWALL", 1, 1, 0, 0},
	}
	open := func(e *Engine) int {
		n := 0
		for _, w := range e.Windows() {
			if w.End == nil {
				n++
			}
		}
		return n
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEngine(t)
			e.Load(baseline(tt.from))
			if got := open(e); got != tt.before {
				t.Fatalf("windows open before the call: %d, want %d", got, tt.before)
			}
			ev := patch(tt.to)
			ch := e.Apply(&ev, "")
			if len(ch.Opened) != tt.opened || len(ch.Closed) != tt.closed {
				t.Errorf("the call opened %d and closed %d windows, want %d and %d", len(ch.Opened), len(ch.Closed), tt.opened, tt.closed)
			}
			if got := open(e); got != tt.after {
				t.Errorf("windows open after the call: %d, want %d", got, tt.after)
			}
		})
	}
}
