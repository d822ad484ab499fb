package state

import (
	"slices"
	"testing"

	"cloudwall/internal/model"
)

// TestOriginalFillsUnknownsOnly: a GCP patch's logged earlier state
// (Event.Original) gives the replay a rule it knows nothing of, so the
// undo sets back the logged source ranges; it never replaces a baseline
// or what earlier records showed (a forged record can claim any earlier
// state), and a field it does not hold stays a placeholder.
func TestOriginalFillsUnknownsOnly(t *testing.T) {
	const name = "allow-int"
	res := gcpRule(name)
	was := func(src string) model.RuleChange {
		return prio(rc(model.Added, model.Ingress, model.Allow, "tcp", ports(0, 65535), cidr(src)), 1000, name)
	}
	patch := func(when int, to string, original ...model.RuleChange) model.Event {
		ev := event(model.GCP, "compute.firewalls.patch", at(when, 0), res,
			model.RuleChange{Effect: model.Altered, Direction: model.Ingress, Peers: []model.Peer{cidr(to)}, Name: name})
		ev.Sent = []string{"sourceranges"}
		ev.Original = original
		return ev
	}
	const upd = "gcloud compute firewall-rules update allow-int --project=p1 "
	tests := []struct {
		name     string
		baseline []model.Rule
		calls    []model.Event
		want     []string // the last call's rollback
		ports    bool     // a window has the rule's ports
	}{
		{"no baseline: the logged ranges come back", nil,
			[]model.Event{patch(1, "0.0.0.0/0", was("10.128.0.0/9"))}, []string{upd + "--source-ranges=10.128.0.0/9"}, true},
		{"the baseline wins over the logged state", []model.Rule{mrule(was("10.0.0.0/8"))},
			[]model.Event{patch(1, "0.0.0.0/0", was("192.168.0.0/16"))}, []string{upd + "--source-ranges=10.0.0.0/8"}, true},
		{"an earlier record wins over the logged state", nil,
			[]model.Event{patch(1, "8.8.8.0/24"), patch(2, "0.0.0.0/0", was("192.168.0.0/16"))}, []string{upd + "--source-ranges=8.8.8.0/24"}, false},
		{"nothing logged: a placeholder", nil,
			[]model.Event{patch(1, "0.0.0.0/0")}, []string{"# the rule's source-ranges before this call are not in the baseline or the logs: `gcloud compute firewall-rules describe allow-int --project=p1 --format=json` taken before the change, given as --baseline, gives them; fill them in (a field that was empty: '')",
				upd + "--source-ranges='<SOURCE_RANGES>'"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEngine(t)
			if tt.baseline != nil {
				e.Load([]model.Firewall{{Cloud: model.GCP, Account: "p1", Network: "default", Resource: res, Rules: tt.baseline}})
			}
			var ch Change
			for i := range tt.calls {
				ch = e.Apply(&tt.calls[i], "")
			}
			if !slices.Equal(ch.Rollback, tt.want) {
				t.Errorf("rollback\n%q\nwant\n%q", ch.Rollback, tt.want)
			}
			withPorts := slices.ContainsFunc(e.Windows(), func(w model.Window) bool { return len(w.Rule.Ports) > 0 })
			if withPorts != tt.ports {
				t.Errorf("a window with the rule's ports: %v, want %v (%+v)", withPorts, tt.ports, e.Windows())
			}
		})
	}
}

// TestOriginalDenyNotSeeded: a logged earlier state that claims a deny is
// not taken into the replay: a forged record could otherwise claim a
// deny-all that shadows another rule and hides its window.
func TestOriginalDenyNotSeeded(t *testing.T) {
	e := newEngine(t)
	deny := gcpRule("deny-all")
	ev := event(model.GCP, "compute.firewalls.patch", at(1, 0), deny,
		model.RuleChange{Effect: model.Altered, Direction: model.Ingress, Peers: []model.Peer{cidr("0.0.0.0/0")}, Name: "deny-all"})
	ev.Sent = []string{"sourceranges"}
	ev.Original = []model.RuleChange{prio(rc(model.Added, model.Ingress, model.Deny, "all", nil, cidr("0.0.0.0/0")), 0, "deny-all")}
	e.Apply(&ev, "")
	ssh := event(model.GCP, "compute.firewalls.insert", at(2, 0), gcpRule("allow-ssh"),
		prio(rc(model.Added, model.Ingress, model.Allow, "tcp", ports(22, 22), cidr("0.0.0.0/0")), 1000, "allow-ssh"))
	ch := e.Apply(&ssh, "")
	if !slices.ContainsFunc(ch.Opened, func(w *model.Window) bool { return w.Firewall.Name == "allow-ssh" }) {
		t.Errorf("allow-ssh opened no window (shadowed by %v)", ch.ShadowedBy)
	}
}
