package detect

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"cloudwall/internal/model"
)

// call is one authorization or revocation on sg-0abc, port 22, i minutes
// after t0.
func call(i int, key string, outcome model.Outcome, peers ...string) model.Event {
	var ps []model.Peer
	for _, p := range peers {
		ps = append(ps, cidr(p))
	}
	ev := *sgIngress(rule("tcp", port(22), ps...))
	ev.OperationKey, ev.Operation = key, key
	if strings.Contains(key, "revoke") {
		ev.Changes[0].Effect = model.Removed
	}
	ev.Time = t0.Add(time.Duration(i) * time.Minute)
	ev.EventID = fmt.Sprint("call-", i)
	ev.OperationID = ev.EventID
	ev.Outcome = outcome
	return ev
}

const authorize, revoke = "ec2:authorizesecuritygroupingress", "ec2:revokesecuritygroupingress"

// TestHistorySplitAcrossCalls: four /2 authorizations on one group and
// port, each medium alone, are judged world-open once their union is
// (issue 7), with a reason naming the earlier call; revokes and failed
// calls do not count.
func TestHistorySplitAcrossCalls(t *testing.T) {
	quarters := []string{"0.0.0.0/2", "64.0.0.0/2", "128.0.0.0/2", "192.0.0.0/2"}
	for _, tc := range []struct {
		name  string
		calls []model.Event
		want  []model.Severity
	}{
		{"four quarters", []model.Event{
			call(0, authorize, model.Success, quarters[0]), call(1, authorize, model.Success, quarters[1]),
			call(2, authorize, model.Success, quarters[2]), call(3, authorize, model.Success, quarters[3]),
		}, []model.Severity{model.Medium, model.Critical, model.Medium, model.Medium}},
		{"revoked before the next", []model.Event{
			call(0, authorize, model.Success, quarters[0]), call(1, revoke, model.Success, quarters[0]),
			call(2, authorize, model.Success, quarters[1]),
		}, []model.Severity{model.Medium, model.Info, model.Medium}},
		{"a failed call opened nothing", []model.Event{
			call(0, authorize, model.Failure, quarters[0]), call(1, authorize, model.Success, quarters[1]),
		}, []model.Severity{model.Low, model.Medium}},
		{"another port is another exposure", func() []model.Event {
			other := call(1, authorize, model.Success, quarters[1])
			other.Changes[0].Ports = port(3389)
			return []model.Event{call(0, authorize, model.Success, quarters[0]), other}
		}(), []model.Severity{model.Medium, model.Medium}},
		{"already world-open earlier: no second alarm", []model.Event{
			call(0, authorize, model.Success, "0.0.0.0/0"), call(1, authorize, model.Success, "203.0.113.7/32"),
		}, []model.Severity{model.Critical, model.Low}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := detector(t).NewHistory()
			for i := range tc.calls {
				f, ok := h.Evaluate(&tc.calls[i])
				if !ok {
					t.Fatalf("call %d: not a firewall event", i)
				}
				if f.Severity != tc.want[i] {
					t.Errorf("call %d: severity %s, want %s\nreasons %q", i, f.Severity, tc.want[i], f.Reasons)
				}
				if f.Severity == model.Critical && i > 0 && !slices.ContainsFunc(f.Reasons, func(r string) bool { return strings.Contains(r, "event call-0") }) {
					t.Errorf("call %d: no reason names the earlier call: %q", i, f.Reasons)
				}
				if f.Severity == model.Critical && len(f.Changes[0].Peers) != 1 {
					t.Errorf("call %d: the finding's changes gained the earlier peers: %+v", i, f.Changes)
				}
			}
		})
	}
}

// TestHistoryPrefixList: a rule that references a prefix list the scan saw
// created with 0.0.0.0/0 is judged world-open (issue 7).
func TestHistoryPrefixList(t *testing.T) {
	list := func(key string, eff model.Effect, cidrs ...string) model.Event {
		var ps []model.Peer
		for _, c := range cidrs {
			ps = append(ps, cidr(c))
		}
		ev := *event(model.AWS, key, model.RuleChange{Effect: eff, Peers: ps})
		ev.Resource = model.Resource{Type: "prefix_list", ID: "pl-0abc"}
		return ev
	}
	ref := func(i int) model.Event {
		ev := call(i, authorize, model.Success)
		ev.Changes[0].Peers = []model.Peer{{Kind: model.PeerPrefixList, Value: "pl-0abc"}}
		return ev
	}
	for _, tc := range []struct {
		name string
		evs  []model.Event
		want model.Severity
	}{
		{"created world-open", []model.Event{list("ec2:createmanagedprefixlist", model.Added, "0.0.0.0/0"), ref(1)}, model.Critical},
		{"modified to world-open", []model.Event{list("ec2:modifymanagedprefixlist", model.Added, "0.0.0.0/0"), ref(1)}, model.Critical},
		{"world entry removed again", []model.Event{
			list("ec2:createmanagedprefixlist", model.Added, "0.0.0.0/0", "10.0.0.0/8"),
			list("ec2:modifymanagedprefixlist", model.Removed, "0.0.0.0/0"), ref(1)}, model.Low},
		{"list not seen", []model.Event{ref(1)}, model.Low},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := lastOf(t, tc.evs)
			if f.Severity != tc.want {
				t.Errorf("severity %s, want %s\nreasons %q", f.Severity, tc.want, f.Reasons)
			}
		})
	}
}

// TestHistoryBounded: History holds at most its limit of firewall ports;
// a call on a further one is judged alone, and Full counts it, so the
// scan can say the union was not added up there.
func TestHistoryBounded(t *testing.T) {
	quarters := []string{"0.0.0.0/2", "64.0.0.0/2", "128.0.0.0/2", "192.0.0.0/2"}
	onPort := func(i int, p int, peer string) model.Event {
		ev := call(i, authorize, model.Success, peer)
		ev.Changes[0].Ports = port(p)
		return ev
	}
	h := detector(t).NewHistory()
	h.SetLimit(1)
	// Port 22 takes the one key; port 3389's four quarters are not added up.
	evs := []model.Event{onPort(0, 22, quarters[0])}
	for i, q := range quarters {
		evs = append(evs, onPort(i+1, 3389, q))
	}
	evs = append(evs, onPort(9, 22, quarters[1]))
	want := []model.Severity{model.Medium, model.Medium, model.Medium, model.Medium, model.Medium, model.Critical}
	for i := range evs {
		f, ok := h.Evaluate(&evs[i])
		if !ok {
			t.Fatalf("call %d: not a firewall event", i)
		}
		if f.Severity != want[i] {
			t.Errorf("call %d: severity %s, want %s", i, f.Severity, want[i])
		}
	}
	if h.Full() != 4 {
		t.Errorf("Full() = %d, want the 4 calls on port 3389", h.Full())
	}
}

// lastOf evaluates calls in order in one history and returns the finding
// of the last: how a sequence's earlier calls judge its last one.
func lastOf(t *testing.T, calls []model.Event) model.Finding {
	t.Helper()
	h := detector(t).NewHistory()
	var f model.Finding
	for i := range calls {
		var ok bool
		if f, ok = h.Evaluate(&calls[i]); !ok {
			t.Fatalf("call %d: not a firewall event", i)
		}
	}
	return f
}
