package detect

import (
	"testing"
	"time"

	"cloudwall/internal/model"
)

// TestPrefixListReferenced: a managed prefix list given 0.0.0.0/0 after
// an SSH rule in the scan references it opens SSH to the internet, and
// is judged so (critical, not the list's own high); a rule on a web port,
// a rule revoked before the change, or another list keep the list's own
// judgement.
func TestPrefixListReferenced(t *testing.T) {
	pl := model.Peer{Kind: model.PeerPrefixList, Value: "pl-0abc"}
	ref := func(i int, key string, p int, list model.Peer) model.Event {
		ev := *sgIngress(rule("tcp", port(p), list))
		ev.OperationKey, ev.Operation = key, key
		if key == revoke {
			ev.Changes[0].Effect = model.Removed
		}
		ev.Time = t0.Add(time.Duration(i) * time.Minute)
		return ev
	}
	widen := func(i int) model.Event {
		ev := *event(model.AWS, "ec2:modifymanagedprefixlist", model.RuleChange{Effect: model.Added, Action: model.Allow, Peers: []model.Peer{cidr("0.0.0.0/0")}})
		ev.Resource = model.Resource{Type: "prefix_list", ID: "pl-0abc"}
		ev.Time = t0.Add(time.Duration(i) * time.Minute)
		return ev
	}
	for _, tc := range []struct {
		name  string
		calls []model.Event
		want  model.Severity
	}{
		{"no rule seen", []model.Event{widen(1)}, model.High},
		{"ssh references it", []model.Event{ref(0, authorize, 22, pl), widen(1)}, model.Critical},
		{"a web port references it", []model.Event{ref(0, authorize, 443, pl), widen(1)}, model.High},
		{"the ssh rule was revoked first", []model.Event{ref(0, authorize, 22, pl), ref(1, revoke, 22, pl), widen(2)}, model.High},
		{"another list", []model.Event{ref(0, authorize, 22, model.Peer{Kind: model.PeerPrefixList, Value: "pl-other"}), widen(1)}, model.High},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := lastOf(t, tc.calls)
			if f.Severity != tc.want {
				t.Errorf("severity %s, want %s\nreasons: %q", f.Severity, tc.want, f.Reasons)
			}
		})
	}
}
