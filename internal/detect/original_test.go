package detect

import (
	"reflect"
	"strings"
	"testing"

	"cloudwall/internal/model"
)

// TestWithOriginal: what a patch did not send is the rule's own (ports,
// action, and peers of a kind it did not send); what it sent wins; a
// change that says what it does is the request's, and nothing is then
// completed.
func TestWithOriginal(t *testing.T) {
	ssh := model.RuleChange{Effect: model.Added, Direction: model.Ingress, Action: model.Allow, Protocol: "tcp",
		Ports: model.PortList{{From: 22, To: 22}}, Peers: []model.Peer{cidr("10.0.0.0/8"), {Kind: model.PeerTag, Value: "bastion"}},
		Priority: model.IntPtr(900), Name: "fw", Targets: []string{"vm"}}
	want := func(peers ...model.Peer) []model.RuleChange {
		c := ssh
		c.Effect, c.Peers = model.Altered, peers
		return []model.RuleChange{c}
	}
	for _, tt := range []struct {
		name     string
		ch       *model.RuleChange
		sent     []string
		settings map[string]string
		want     []model.RuleChange // nil: nothing completed
	}{
		{"source ranges replace the rule's ranges, its tags stay",
			&model.RuleChange{Effect: model.Altered, Direction: model.Ingress, Peers: []model.Peer{cidr("0.0.0.0/0")}, Name: "fw"},
			[]string{"sourceranges"}, nil, want(model.Peer{Kind: model.PeerTag, Value: "bastion"}, cidr("0.0.0.0/0"))},
		{"fields not listed: the call's peers replace the rule's",
			&model.RuleChange{Effect: model.Altered, Direction: model.Ingress, Peers: []model.Peer{cidr("0.0.0.0/0")}, Name: "fw"},
			nil, nil, want(cidr("0.0.0.0/0"))},
		{"priority only: the rule's peers, the new priority",
			&model.RuleChange{Effect: model.Altered, Priority: model.IntPtr(1), Name: "fw"},
			[]string{}, nil, func() []model.RuleChange { w := want(ssh.Peers...); w[0].Priority = model.IntPtr(1); return w }()},
		{"only disabled sent: the rule as it was",
			nil, []string{}, map[string]string{model.SettingDisabled: "false"}, want(ssh.Peers...)},
		{"a removal naming only the rule: the rule removed",
			&model.RuleChange{Effect: model.Removed, Name: "fw"}, nil, nil,
			func() []model.RuleChange { w := want(ssh.Peers...); w[0].Effect = model.Removed; return w }()},
		{"a change that names its ports is the request's",
			&model.RuleChange{Effect: model.Altered, Direction: model.Ingress, Action: model.Allow, Protocol: "udp", Peers: []model.Peer{cidr("0.0.0.0/0")}},
			nil, nil, nil},
		{"only a description sent: nothing to judge", nil, []string{}, nil, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ev := model.Event{Cloud: model.GCP, OperationKey: "compute.firewalls.patch", Sent: tt.sent, Settings: tt.settings,
				Original: []model.RuleChange{ssh}, OriginalAt: model.SourceRef{File: "audit.json", Index: 1}}
			if tt.ch != nil {
				ev.Changes = []model.RuleChange{*tt.ch}
			}
			before := ev.Changes
			got, note, ok := withOriginal(&ev)
			if ok != (tt.want != nil) || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("completed %v, changes\n got %+v\nwant %+v", ok, got, tt.want)
			}
			if ok != strings.Contains(note, "audit.json record 2 logs (resourceOriginalState)") {
				t.Errorf("note %q", note)
			}
			if !reflect.DeepEqual(ev.Changes, before) {
				t.Errorf("the event was changed: %+v", ev.Changes)
			}
		})
	}
}
