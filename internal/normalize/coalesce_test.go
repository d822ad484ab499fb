package normalize

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"cloudwall/internal/model"
)

var ct0 = time.Date(2026, 3, 14, 10, 0, 0, 0, time.UTC)

func azureRecord(phase model.Phase, outcome model.Outcome, sec int, index int64, peers ...string) model.Event {
	ev := model.Event{
		Cloud: model.Azure, Time: ct0.Add(time.Duration(sec) * time.Second),
		Operation: "MICROSOFT.NETWORK/NETWORKSECURITYGROUPS/SECURITYRULES/WRITE", OperationKey: "microsoft.network/networksecuritygroups/securityrules/write",
		OperationID: "corr|op|rid", EventID: fmt.Sprint("evt-", index), Phase: phase, Outcome: outcome,
		Source: model.SourceRef{File: "PT1H.json", Index: index},
	}
	if len(peers) > 0 {
		var ps []model.Peer
		for _, p := range peers {
			ps = append(ps, model.Peer{Kind: model.PeerCIDR, Value: p})
		}
		ev.Changes = []model.RuleChange{{Effect: model.Added, Direction: model.Ingress, Action: model.Allow,
			Protocol: "tcp", Ports: model.PortList{{From: 22, To: 22}}, Peers: ps, Name: "allow-ssh"}}
	}
	return ev
}

func coalesce(evs ...model.Event) (*Coalescer, []model.Event) {
	c := NewCoalescer()
	for _, ev := range evs {
		c.Add(ev)
	}
	return c, c.Events()
}

// TestCoalesceResponseContentJudged: when the Start record's request and
// the Success record's response log different rules, both are kept (the
// worse is judged) and a note names the difference (issue 7).
func TestCoalesceResponseContentJudged(t *testing.T) {
	start := azureRecord(model.PhaseStart, model.Unknown, 0, 0, "10.0.0.5")
	end := azureRecord(model.PhaseEnd, model.Success, 2, 1, "0.0.0.0/0")
	for _, order := range [][]model.Event{{start, end}, {end, start}} {
		_, got := coalesce(order...)
		if len(got) != 1 {
			t.Fatalf("%d events", len(got))
		}
		ev := got[0]
		var peers []string
		for _, c := range ev.Changes {
			peers = append(peers, c.Peers[0].Value)
		}
		if !slices.Equal(peers, []string{"10.0.0.5", "0.0.0.0/0"}) {
			t.Errorf("peers %q, want the request's then the response's", peers)
		}
		if ev.Outcome != model.Success || !ev.Time.Equal(ct0) || ev.Source.Index != 0 {
			t.Errorf("outcome %s time %s source %d", ev.Outcome, ev.Time, ev.Source.Index)
		}
		if !slices.ContainsFunc(ev.Notes, func(n string) bool { return strings.Contains(n, "different rule content") }) {
			t.Errorf("no note names the difference: %q", ev.Notes)
		}
	}
	// Agreeing records (names differing only in case) give one rule, no note.
	same := azureRecord(model.PhaseEnd, model.Success, 2, 1, "10.0.0.5")
	same.Changes[0].Name = "ALLOW-SSH"
	_, got := coalesce(start, same)
	if len(got[0].Changes) != 1 || len(got[0].Notes) != 0 {
		t.Errorf("agreeing records: %d changes, notes %q", len(got[0].Changes), got[0].Notes)
	}
}

// TestCoalesceFoldsFloods: 200,000 copies of one record are held as one
// (issue 7: they reached 579 MB); the finding points at the first copy.
func TestCoalesceFoldsFloods(t *testing.T) {
	c := NewCoalescer()
	const n = 200000
	for i := n - 1; i >= 0; i-- {
		ev := azureRecord(model.PhaseOnly, model.Success, 0, int64(i), "0.0.0.0/0")
		ev.Notes = []string{"a note"}
		c.Add(ev)
	}
	if c.Held() != 1 || c.Duplicates() != n-1 {
		t.Errorf("held %d, duplicates %d", c.Held(), c.Duplicates())
	}
	op := c.ops[OperationKey(&model.Event{Cloud: model.Azure, OperationID: "corr|op|rid"})]
	if len(op.noteSets) != 1 || len(op.extra) != 1 {
		t.Errorf("an identical flood grows the held state: %d note sets, %d extra changes", len(op.noteSets), len(op.extra))
	}
	ev := c.Events()[0]
	if ev.Source.Index != 0 || len(ev.Changes) != 1 || !slices.Equal(ev.Notes, []string{"a note"}) {
		t.Errorf("folded event: source %d, %d changes, notes %q", ev.Source.Index, len(ev.Changes), ev.Notes)
	}
}

// TestCoalesceOrderIndependent: workers deliver records in any order; the
// folded event is the same.
func TestCoalesceOrderIndependent(t *testing.T) {
	recs := []model.Event{
		azureRecord(model.PhaseStart, model.Unknown, 0, 0, "10.0.0.5"),
		azureRecord(model.PhaseStart, model.Unknown, 0, 7, "10.0.0.6"),
		azureRecord(model.PhaseEnd, model.Failure, 3, 2),
		azureRecord(model.PhaseEnd, model.Success, 4, 3, "0.0.0.0/0"),
		azureRecord(model.PhaseEnd, model.Success, 4, 4, "0.0.0.0/0"),
		azureRecord(model.PhaseOnly, model.Unknown, 1, 5),
	}
	recs[0].UserAgent, recs[3].UserAgent = "", "ua-3"
	recs[2].ErrorCode = "Conflict"
	recs[2].Notes = []string{"from the failure"}
	recs[1].Notes = []string{"from start 7"}
	recs[5].SourceIP = "203.0.113.9"
	_, want := coalesce(recs...)
	// A retried PUT, or a forged copy, logs a failure beside the success:
	// the rule was applied, and the note says the records disagree.
	if want[0].Outcome != model.Success || want[0].ErrorCode != "" ||
		!slices.ContainsFunc(want[0].Notes, func(n string) bool { return strings.Contains(n, "record 3 says it failed (Conflict)") }) {
		t.Errorf("a success was hidden by a failure: %s %q, notes %q", want[0].Outcome, want[0].ErrorCode, want[0].Notes)
	}
	if want[0].UserAgent != "ua-3" || want[0].SourceIP != "203.0.113.9" || len(want[0].Changes) != 3 {
		t.Errorf("folded: ua %q ip %q changes %d", want[0].UserAgent, want[0].SourceIP, len(want[0].Changes))
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 50 {
		perm := slices.Clone(recs)
		r.Shuffle(len(perm), func(i, j int) { perm[i], perm[j] = perm[j], perm[i] })
		if _, got := coalesce(perm...); !reflect.DeepEqual(got, want) {
			t.Fatalf("order changes the result:\n got %+v\nwant %+v", got[0], want[0])
		}
	}
}

// TestCoalesceBoundsVariants: thousands of different records of one
// operation hold a bounded state, and say so.
func TestCoalesceBoundsVariants(t *testing.T) {
	c := NewCoalescer()
	for i := range 5000 {
		ev := azureRecord(model.PhaseEnd, model.Success, i, int64(i), fmt.Sprintf("10.%d.%d.0/24", i/256, i%256))
		ev.Notes = []string{fmt.Sprint("note ", i)}
		c.Add(ev)
	}
	op := c.ops[OperationKey(&model.Event{Cloud: model.Azure, OperationID: "corr|op|rid"})]
	if len(op.noteSets) > maxNoteSets || len(op.extra) > maxExtraChange {
		t.Errorf("held %d note sets, %d extra changes", len(op.noteSets), len(op.extra))
	}
	ev := c.Events()[0]
	if len(ev.Changes) != maxExtraChange+1 || !slices.ContainsFunc(ev.Notes, func(n string) bool { return strings.Contains(n, "the rest are not judged") }) {
		t.Errorf("%d changes, notes %q", len(ev.Changes), ev.Notes)
	}
}

// AddHeld folds records of held operations and refuses new operations
// past its bound, for good: an operation refused once is never held, so
// all of its records are the caller's.
func TestCoalesceAddHeld(t *testing.T) {
	op := func(id string, index int64) model.Event {
		ev := azureRecord(model.PhaseOnly, model.Success, int(index), index, "0.0.0.0/0")
		ev.OperationID = id
		return ev
	}
	c := NewCoalescer()
	steps := []struct {
		ev   model.Event
		want bool
	}{
		{op("a", 0), true},
		{op("b", 1), true},
		{op("c", 2), false}, // a third operation
		{op("a", 3), true},  // a record of a held one
		{op("c", 4), false},
		{op("b", 5), true},
	}
	for i, s := range steps {
		if got := c.AddHeld(s.ev, 2); got != s.want {
			t.Errorf("step %d (%s): AddHeld = %v, want %v", i, s.ev.OperationID, got, s.want)
		}
	}
	if c.Held() != 2 || c.Duplicates() != 2 {
		t.Errorf("held %d, duplicates %d; want 2 and 2 (refused records are not counted)", c.Held(), c.Duplicates())
	}
	evs := c.Drain()
	if len(evs) != 2 || evs[0].OperationID != "a" || evs[1].OperationID != "b" {
		t.Errorf("drained %d events, want a then b", len(evs))
	}
}

// TestCoalesceRecordIDsNotTrusted: records keyed by their own id (a
// CloudTrail eventID, a GCP insertId) fold only when they are copies of
// one record; an id reused on another call, resource or time (a forged
// record, a test fixture, an export that rewrites ids) keeps its own
// event, and a failed copy never hides a successful one.
func TestCoalesceRecordIDsNotTrusted(t *testing.T) {
	rec := func(op, res string, sec int, index int64, errorCode string) model.Event {
		ev := model.Event{Cloud: model.AWS, Operation: op, Resource: model.Resource{ID: res},
			Time: ct0.Add(time.Duration(sec) * time.Second), EventID: "1111", OperationID: "1111",
			Phase: model.PhaseOnly, Outcome: model.Success, Source: model.SourceRef{File: "f.json", Index: index}}
		if errorCode != "" {
			ev.Outcome, ev.ErrorCode = model.Failure, errorCode
		}
		return ev
	}
	tests := []struct {
		name    string
		recs    []model.Event
		outcome []model.Outcome // one per event, in the order first seen
	}{
		{"copies in two trails", []model.Event{rec("CreateNetworkAclEntry", "acl-1", 0, 0, ""), rec("CreateNetworkAclEntry", "acl-1", 0, 1, "")},
			[]model.Outcome{model.Success}},
		{"id on another call", []model.Event{rec("CreateNetworkAclEntry", "acl-1", 0, 0, ""), rec("AuthorizeSecurityGroupIngress", "sg-1", 0, 1, "RequestExpired")},
			[]model.Outcome{model.Success, model.Failure}},
		{"id on another resource", []model.Event{rec("CreateNetworkAclEntry", "acl-1", 0, 0, ""), rec("CreateNetworkAclEntry", "acl-2", 0, 1, "X")},
			[]model.Outcome{model.Success, model.Failure}},
		{"id at another time", []model.Event{rec("CreateNetworkAclEntry", "acl-1", 0, 0, ""), rec("CreateNetworkAclEntry", "acl-1", 9, 1, "X")},
			[]model.Outcome{model.Success, model.Failure}},
		{"failed copy after", []model.Event{rec("CreateNetworkAclEntry", "acl-1", 0, 0, ""), rec("CreateNetworkAclEntry", "acl-1", 0, 1, "ValidationError")},
			[]model.Outcome{model.Success}},
		{"failed copy before", []model.Event{rec("CreateNetworkAclEntry", "acl-1", 0, 0, "ValidationError"), rec("CreateNetworkAclEntry", "acl-1", 0, 1, "")},
			[]model.Outcome{model.Success}},
		{"failed copies only", []model.Event{rec("CreateNetworkAclEntry", "acl-1", 0, 0, "ValidationError"), rec("CreateNetworkAclEntry", "acl-1", 0, 1, "ValidationError")},
			[]model.Outcome{model.Failure}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, got := coalesce(tt.recs...)
			var outcomes []model.Outcome
			for _, ev := range got {
				outcomes = append(outcomes, ev.Outcome)
				conflict := slices.ContainsFunc(ev.Notes, func(n string) bool { return strings.Contains(n, "disagree on how it ended") })
				if mixed := ev.Outcome == model.Success && len(tt.recs) > len(got) && tt.recs[0].Outcome != tt.recs[1].Outcome; conflict != mixed {
					t.Errorf("conflict note %v, want %v: %q", conflict, mixed, ev.Notes)
				}
				if ev.Outcome == model.Success && ev.ErrorCode != "" {
					t.Errorf("a success carries error %q", ev.ErrorCode)
				}
			}
			if !slices.Equal(outcomes, tt.outcome) {
				t.Errorf("outcomes %v, want %v", outcomes, tt.outcome)
			}
		})
	}
}

// TestCoalesceContentNotLogged: an operation's content is not logged only
// when none of its records logs it; a Start record with the body and an
// end record without it make a logged operation, in either order.
func TestCoalesceContentNotLogged(t *testing.T) {
	unlogged := func(ev model.Event) model.Event { ev.ContentNotLogged = true; return ev }
	start := azureRecord(model.PhaseStart, model.Unknown, 0, 0, "0.0.0.0/0")
	emptyBody := azureRecord(model.PhaseStart, model.Unknown, 0, 0) // a body with no rules
	end := unlogged(azureRecord(model.PhaseEnd, model.Success, 5, 1))
	for _, tt := range []struct {
		name string
		evs  []model.Event
		want bool
	}{
		{"start with body, end without", []model.Event{start, end}, false},
		{"end first", []model.Event{end, start}, false},
		{"a body without rules is logged", []model.Event{emptyBody, end}, false},
		{"only the end record", []model.Event{end}, true},
		{"no record has a body", []model.Event{unlogged(azureRecord(model.PhaseStart, model.Unknown, 0, 0)), end}, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, out := coalesce(tt.evs...)
			if len(out) != 1 || out[0].ContentNotLogged != tt.want {
				t.Fatalf("ContentNotLogged %v, want %v (%d events)", out[0].ContentNotLogged, tt.want, len(out))
			}
		})
	}
}

// TestCoalesceWritten: whether a write created its resource is what its
// records say, wherever it sits (an Accepted or a Success record), and a
// record saying Created does not outweigh one saying OK, in any order: a
// forged Created beside the real OK must not turn a detach into a
// creation.
func TestCoalesceWritten(t *testing.T) {
	rec := func(phase model.Phase, outcome model.Outcome, i int64, w model.WriteStatus) model.Event {
		ev := azureRecord(phase, outcome, int(i), i)
		ev.Written = w
		ev.Settings = map[string]string{model.SettingPolicy: ""}
		return ev
	}
	start := rec(model.PhaseStart, model.Unknown, 0, "")
	for _, tt := range []struct {
		name string
		evs  []model.Event
		want model.WriteStatus
		note bool
	}{
		{"success created", []model.Event{start, rec(model.PhaseEnd, model.Success, 1, model.WriteCreated)}, model.WriteCreated, false},
		{"accepted created", []model.Event{start, rec(model.PhaseStart, model.Unknown, 1, model.WriteCreated), rec(model.PhaseEnd, model.Success, 2, "")}, model.WriteCreated, false},
		{"success ok", []model.Event{start, rec(model.PhaseEnd, model.Success, 1, model.WriteUpdated)}, model.WriteUpdated, false},
		{"not logged", []model.Event{start, rec(model.PhaseEnd, model.Success, 1, "")}, "", false},
		{"forged created after ok", []model.Event{start, rec(model.PhaseEnd, model.Success, 1, model.WriteUpdated), rec(model.PhaseEnd, model.Success, 2, model.WriteCreated)}, model.WriteUpdated, true},
		{"forged created before ok", []model.Event{start, rec(model.PhaseEnd, model.Success, 1, model.WriteCreated), rec(model.PhaseEnd, model.Success, 2, model.WriteUpdated)}, model.WriteUpdated, true},
		// An asynchronous create: ARM answers the PUT with Created (the
		// Accepted or Started record), and the finished operation's
		// record says OK.
		{"async create: accepted created, succeeded ok", []model.Event{rec(model.PhaseStart, model.Unknown, 0, model.WriteCreated), rec(model.PhaseEnd, model.Success, 1, model.WriteUpdated)}, model.WriteCreated, false},
		{"async create: started, accepted created, succeeded ok", []model.Event{start, rec(model.PhaseStart, model.Unknown, 1, model.WriteCreated), rec(model.PhaseEnd, model.Success, 2, model.WriteUpdated)}, model.WriteCreated, false},
		{"ok in a start record: an update", []model.Event{rec(model.PhaseStart, model.Unknown, 0, model.WriteUpdated), rec(model.PhaseStart, model.Unknown, 1, model.WriteCreated), rec(model.PhaseEnd, model.Success, 2, model.WriteUpdated)}, model.WriteUpdated, true},
		{"forged ok before the accepted created", []model.Event{rec(model.PhaseEnd, model.Success, 0, model.WriteUpdated), rec(model.PhaseStart, model.Unknown, 1, model.WriteCreated)}, model.WriteUpdated, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rev := slices.Clone(tt.evs)
			slices.Reverse(rev)
			for _, order := range [][]model.Event{tt.evs, rev} {
				_, got := coalesce(order...)
				if len(got) != 1 {
					t.Fatalf("%d events", len(got))
				}
				note := slices.ContainsFunc(got[0].Notes, func(n string) bool {
					return strings.Contains(n, "says the write created its resource (Created), another that the resource existed (OK)")
				})
				if got[0].Written != tt.want || note != tt.note {
					t.Errorf("written %q (note %v), want %q (note %v)", got[0].Written, note, tt.want, tt.note)
				}
			}
		})
	}
}

// TestCoalesceKeepsOriginal: the rule's state before the call, which a
// GCP operation's last entry logs, reaches the folded event with the
// record that logs it, whichever entry comes first; the request's changes
// stay as the first entry logged them.
func TestCoalesceKeepsOriginal(t *testing.T) {
	orig := []model.RuleChange{{Effect: model.Added, Direction: model.Ingress, Action: model.Allow, Protocol: "tcp", Ports: model.PortList{{From: 22, To: 22}}}}
	base := model.Event{Cloud: model.GCP, Time: ct0, OperationKey: "compute.firewalls.patch", OperationID: "operation-1|compute.firewalls.patch"}
	first, last := base, base
	first.Phase, first.Source = model.PhaseStart, model.SourceRef{File: "audit.json", Index: 0}
	first.Changes = []model.RuleChange{{Effect: model.Altered, Peers: []model.Peer{{Kind: model.PeerCIDR, Value: "0.0.0.0/0"}}}}
	last.Phase, last.Outcome, last.ContentNotLogged = model.PhaseEnd, model.Success, true
	last.Source = model.SourceRef{File: "audit.json", Index: 1}
	last.Original, last.OriginalAt = orig, last.Source
	for _, order := range [][]model.Event{{first, last}, {last, first}} {
		_, got := coalesce(order...)
		if len(got) != 1 {
			t.Fatalf("%d events", len(got))
		}
		ev := got[0]
		if !reflect.DeepEqual(ev.Original, orig) || ev.OriginalAt != last.Source {
			t.Errorf("original %+v at %+v, want the last entry's", ev.Original, ev.OriginalAt)
		}
		if !reflect.DeepEqual(ev.Changes, first.Changes) {
			t.Errorf("changes %+v, want the request's", ev.Changes)
		}
	}
}
