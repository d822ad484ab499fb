package state

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"cloudwall/internal/model"
)

// A snapshot taken at S is the state at S (state-formats §7): the events
// before S replay without it, the events after S apply on it.
func TestDatedBaselineAppliesAtItsTime(t *testing.T) {
	ssh := rc(model.Added, model.Ingress, model.Allow, "tcp", ports(22, 22), cidr("0.0.0.0/0"))
	rdp := rc(model.Added, model.Ingress, model.Allow, "tcp", ports(3389, 3389), cidr("0.0.0.0/0"))
	revoke := func(c model.RuleChange) model.RuleChange { c.Effect = model.Removed; return c }
	authz := func(m int, c model.RuleChange) model.Event {
		return event(model.AWS, "ec2:authorizesecuritygroupingress", at(m, 0), sg, c)
	}
	revk := func(m int, c model.RuleChange) model.Event {
		return event(model.AWS, "ec2:revokesecuritygroupingress", at(m, 0), sg, revoke(c))
	}
	create := event(model.AWS, "ec2:createsecuritygroup", at(-120, 0), sg)
	snap := func(asOf time.Time, rules ...model.RuleChange) []model.Firewall {
		fw := model.Firewall{Cloud: model.AWS, Resource: sg, AsOf: asOf}
		for _, r := range rules {
			fw.Rules = append(fw.Rules, mrule(r))
		}
		return []model.Firewall{fw}
	}
	// A window as "start-end" (minutes from t0), "?" for an unknown start,
	// "open" for no end, "~" after an end seen only in a snapshot.
	type want struct {
		windows []string
		// noOp says the 10:00 call is "already in force" (index 0 of events).
		noOp bool
	}
	tests := []struct {
		name   string
		base   []model.Firewall
		events []model.Event
		want   want
	}{
		{
			name: "snapshot at 10:45 after an opening at 10:00 and its revoke at 10:30: the opening is replayed, the snapshot's rule begins by 10:45",
			base: snap(at(45, 0), ssh), events: []model.Event{authz(0, ssh), revk(30, ssh), revk(90, ssh)},
			want: want{windows: []string{"0-30", "?45-90"}},
		},
		{
			name: "the same with the group's creation logged first: no window ends before it starts",
			base: snap(at(45, 0), ssh), events: []model.Event{create, authz(0, ssh), revk(30, ssh), revk(90, ssh)},
			want: want{windows: []string{"0-30", "?45-90"}},
		},
		{
			name: "a rule the events opened and the snapshot still shows stays open",
			base: snap(at(45, 0), ssh), events: []model.Event{authz(0, ssh), revk(90, ssh)},
			want: want{windows: []string{"0-90"}},
		},
		{
			name: "a rule the events opened that the snapshot no longer shows closed by the snapshot at the latest",
			base: snap(at(45, 0)), events: []model.Event{authz(0, ssh), authz(60, rdp)},
			want: want{windows: []string{"0-45~", "60-open"}},
		},
		{
			name: "snapshot after every event: applied at the end, the data runs to it",
			base: snap(at(45, 0), rdp), events: []model.Event{authz(0, ssh)},
			want: want{windows: []string{"0-45~", "?45-open"}},
		},
		{
			name: "snapshot before every event: the state before them all, as always",
			base: snap(at(-10, 0), ssh), events: []model.Event{authz(0, ssh), revk(30, ssh)},
			want: want{windows: []string{"?-10-30"}, noOp: true},
		},
		{
			name: "snapshot with no time: the state before every event",
			base: snap(time.Time{}, ssh), events: []model.Event{authz(0, ssh), revk(30, ssh)},
			want: want{windows: []string{"?0-30"}, noOp: true},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEngine(t)
			e.Load(tt.base)
			changes, order := e.Replay(tt.events)
			first := changes[order[0]]
			if tt.events[order[0]].OperationKey == "ec2:createsecuritygroup" {
				first = changes[order[1]]
			}
			if first.NoOp != tt.want.noOp {
				t.Errorf("10:00 call no-op = %v, want %v (notes %q)", first.NoOp, tt.want.noOp, first.Notes)
			}
			var got []string
			for _, w := range e.Windows() {
				if w.End != nil && w.End.Before(w.Start) {
					t.Errorf("window ends before it starts: %v to %v", w.Start, *w.End)
				}
				got = append(got, spell(w))
			}
			slices.Sort(got)
			want := slices.Clone(tt.want.windows)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("windows %q, want %q", got, want)
			}
		})
	}
}

// spell writes a window as the test table does.
func spell(w model.Window) string {
	m := func(t time.Time) string { return fmt.Sprint(int(t.Sub(t0) / time.Minute)) }
	s := m(w.Start)
	if !w.StartKnown {
		s = "?" + s
	}
	switch {
	case w.End == nil:
		return s + "-open"
	case w.Closed != nil && w.Closed.Operation == model.SnapshotEdge:
		if !strings.Contains(w.Closed.Why, "closed by then at the latest") {
			return s + "-" + m(*w.End) + "~(why: " + w.Closed.Why + ")"
		}
		return s + "-" + m(*w.End) + "~"
	}
	return s + "-" + m(*w.End)
}

// A window open before the data is unbounded (traffic before its start
// went through the same rule) unless a dated snapshot bounds it.
func TestWindowStartUnbounded(t *testing.T) {
	ssh := rc(model.Added, model.Ingress, model.Allow, "tcp", ports(22, 22), cidr("0.0.0.0/0"))
	revoke := event(model.AWS, "ec2:revokesecuritygroupingress", at(30, 0), sg, rc(model.Removed, model.Ingress, model.Allow, "tcp", ports(22, 22), cidr("0.0.0.0/0")))
	tests := []struct {
		name      string
		base      []model.Firewall
		unbounded bool
	}{
		{"no baseline: removed without its opening in the logs", nil, true},
		{"undated baseline", []model.Firewall{{Cloud: model.AWS, Resource: sg, Rules: []model.Rule{mrule(ssh)}}}, true},
		{"baseline dated before the events", []model.Firewall{{Cloud: model.AWS, Resource: sg, AsOf: at(-10, 0), Rules: []model.Rule{mrule(ssh)}}}, false},
		{"baseline dated between the events", []model.Firewall{{Cloud: model.AWS, Resource: sg, AsOf: at(20, 0), Rules: []model.Rule{mrule(ssh)}}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEngine(t)
			e.Load(tt.base)
			e.Replay([]model.Event{event(model.AWS, "ec2:describesecuritygroups", at(0, 0), sg), revoke})
			ws := e.Windows()
			if len(ws) != 1 || ws[0].StartKnown || ws[0].StartUnbounded != tt.unbounded {
				t.Fatalf("windows %+v, want one with an unknown start, unbounded %v", ws, tt.unbounded)
			}
		})
	}
}
