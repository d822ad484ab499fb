package normalize

import (
	"reflect"
	"strings"
	"testing"

	"cloudwall/internal/model"
)

// gcpPatch returns the two entries of one GCP firewalls.patch: the first
// with the request's change and the fields it sent, the last with the
// rule's state before the call.
func gcpPatch(ch *model.RuleChange, sent []string, settings map[string]string, original ...model.RuleChange) (first, last model.Event) {
	base := model.Event{Cloud: model.GCP, Time: ct0, Operation: "v1.compute.firewalls.patch", OperationKey: "compute.firewalls.patch",
		OperationID: "operation-1|compute.firewalls.patch", Outcome: model.Unknown, Source: model.SourceRef{File: "audit.json"}}
	first, last = base, base
	first.Phase, first.Sent, first.Settings = model.PhaseStart, sent, settings
	if ch != nil {
		first.Changes = []model.RuleChange{*ch}
	}
	last.Phase, last.Outcome, last.ContentNotLogged, last.Original = model.PhaseEnd, model.Success, true, original
	last.Source.Index = 1
	return first, last
}

func cidr(v string) model.Peer { return model.Peer{Kind: model.PeerCIDR, Value: v} }

// TestCompleteFromOriginal: what a patch did not send is the rule's own
// (ports, action, and peers of a kind it did not send); what it sent wins.
// The result does not depend on the order of the entries.
func TestCompleteFromOriginal(t *testing.T) {
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
		want     []model.RuleChange
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
		{"a change that names its ports is the request's",
			&model.RuleChange{Effect: model.Altered, Direction: model.Ingress, Action: model.Allow, Protocol: "udp", Peers: []model.Peer{cidr("0.0.0.0/0")}},
			nil, nil, []model.RuleChange{{Effect: model.Altered, Direction: model.Ingress, Action: model.Allow, Protocol: "udp", Peers: []model.Peer{cidr("0.0.0.0/0")}}}},
		{"only a description sent: nothing to judge", nil, []string{}, nil, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			first, last := gcpPatch(tt.ch, tt.sent, tt.settings, ssh)
			for _, order := range [][]model.Event{{first, last}, {last, first}} {
				_, got := coalesce(order...)
				if len(got) != 1 {
					t.Fatalf("%d events", len(got))
				}
				if !reflect.DeepEqual(got[0].Changes, tt.want) {
					t.Errorf("changes\n got %+v\nwant %+v", got[0].Changes, tt.want)
				}
				// The note, and Event.Original (which keeps the judgement at
				// least low), only when a change was completed from it.
				completed := tt.want != nil && (tt.ch == nil || tt.ch.Action == "")
				noted := strings.Contains(strings.Join(got[0].Notes, "\n"), "audit.json record 2 logs (resourceOriginalState)")
				if noted != completed || (len(got[0].Original) > 0) != completed {
					t.Errorf("completed %v: notes %q, original %v", completed, got[0].Notes, got[0].Original)
				}
			}
		})
	}
}
