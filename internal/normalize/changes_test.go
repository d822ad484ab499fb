package normalize

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"cloudwall/internal/model"
)

func allow(port int, peers ...string) model.RuleChange {
	c := model.RuleChange{Effect: model.Added, Direction: model.Ingress, Action: model.Allow, Protocol: "tcp", Ports: model.PortList{{From: port, To: port}}}
	for _, p := range peers {
		c.Peers = append(c.Peers, model.ParsePeer(p))
	}
	return c
}

func TestLimitChanges(t *testing.T) {
	deny := allow(22, "0.0.0.0/0")
	deny.Action = model.Deny
	world22 := allow(22, "0.0.0.0/0")
	tests := []struct {
		name    string
		changes func() []model.RuleChange
		// want: changes kept, of them merged, and the merged change's
		// Merged count, ports and peers (when one is made).
		kept, merged, count int
		ports               string
		peers               []string
		note                string
	}{
		{name: "at the bound", changes: func() []model.RuleChange {
			return repeat(MaxChanges, func(i int) model.RuleChange { return allow(1000+i, "10.0.0.0/8") })
		}, kept: MaxChanges},
		{name: "repeats kept once", changes: func() []model.RuleChange {
			return repeat(3*MaxChanges, func(int) model.RuleChange { return allow(80, "10.0.0.0/8") })
		}, kept: 1, note: "of them repeats, kept once"},
		{name: "world-open admin port past the bound is merged, not lost", changes: func() []model.RuleChange {
			cs := repeat(MaxChanges+500, func(i int) model.RuleChange { return allow(1024+i, "10.0.0.0/8") })
			cs[MaxChanges+400] = world22
			return cs
		}, kept: MaxChanges + 1, merged: 1, count: 500, ports: "22,2024-2423,2425-2523", peers: []string{"10.0.0.0/8", "0.0.0.0/0"}, note: "merged into 1 wider changes"},
		{name: "closing entries past the bound are left out", changes: func() []model.RuleChange {
			cs := repeat(MaxChanges, func(i int) model.RuleChange { return allow(1024+i, "10.0.0.0/8") })
			return append(cs, repeat(500, func(i int) model.RuleChange { d := deny; d.Ports = model.PortList{{From: i, To: i}}; return d })...)
		}, kept: MaxChanges, note: "500 that close access are left out"},
		{name: "unknown ports merge apart from known ones", changes: func() []model.RuleChange {
			cs := repeat(MaxChanges+2, func(i int) model.RuleChange { return allow(1024+i, "10.0.0.0/8") })
			cs[MaxChanges+1].Ports = nil
			return cs
		}, kept: MaxChanges + 2, merged: 2, note: "merged into 2 wider changes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := model.Event{Changes: tt.changes()}
			limitChanges(&ev)
			if len(ev.Changes) != tt.kept {
				t.Fatalf("%d changes kept, want %d", len(ev.Changes), tt.kept)
			}
			var merged []model.RuleChange
			for _, c := range ev.Changes {
				if c.Merged > 0 {
					merged = append(merged, c)
				}
			}
			if len(merged) != tt.merged {
				t.Fatalf("%d merged changes, want %d", len(merged), tt.merged)
			}
			if tt.count > 0 {
				m := merged[0]
				if m.Merged != tt.count || strings.Join(m.Ports.Strings(), ",") != tt.ports {
					t.Errorf("merged %d entries, ports %v; want %d, %s", m.Merged, m.Ports.Strings(), tt.count, tt.ports)
				}
				var peers []string
				for _, p := range m.Peers {
					peers = append(peers, p.String())
				}
				if !slices.Equal(peers, tt.peers) {
					t.Errorf("merged peers %v, want %v", peers, tt.peers)
				}
			}
			if tt.note != "" && (len(ev.Notes) == 0 || !strings.Contains(ev.Notes[0], tt.note)) {
				t.Errorf("notes %q, want one saying %q", ev.Notes, tt.note)
			}
			if tt.note == "" && len(ev.Notes) > 0 {
				t.Errorf("notes %q, want none", ev.Notes)
			}
		})
	}
}

func TestLimitPeers(t *testing.T) {
	narrow := func(i int) string { return fmt.Sprintf("10.%d.%d.1/32", i/256%256, i%256) }
	tests := []struct {
		name    string
		peers   func() []string
		kept    int
		omitted int
		first   []string // the peers that must be kept
	}{
		{name: "at the bound", peers: func() []string { return repeatS(MaxPeers, narrow) }, kept: MaxPeers},
		{name: "repeats kept once", peers: func() []string {
			return repeatS(2*MaxPeers, func(i int) string { return narrow(i % 10) })
		}, kept: 10},
		{name: "the widest are kept, wherever they stand", peers: func() []string {
			ps := repeatS(MaxPeers+1000, narrow)
			return append(ps, "00.0.0.0/00", "0.0.0.0/1", "::/0", "1.2.3.x/99")
		}, kept: MaxPeers, omitted: 1004, first: []string{"00.0.0.0/00", "::/0", "0.0.0.0/1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := model.Event{Changes: []model.RuleChange{allow(22, tt.peers()...)}}
			limitPeers(&ev)
			c := ev.Changes[0]
			if len(c.Peers) != tt.kept || c.PeersOmitted != tt.omitted {
				t.Fatalf("%d peers kept, %d omitted; want %d, %d", len(c.Peers), c.PeersOmitted, tt.kept, tt.omitted)
			}
			for i, want := range tt.first {
				if got := c.Peers[i].String(); got != want {
					t.Errorf("peer %d = %s, want %s", i, got, want)
				}
			}
			if (tt.omitted > 0) != (len(ev.Notes) > 0) {
				t.Errorf("notes %q with %d omitted", ev.Notes, tt.omitted)
			}
		})
	}
}

func repeat(n int, f func(int) model.RuleChange) []model.RuleChange {
	out := make([]model.RuleChange, n)
	for i := range out {
		out[i] = f(i)
	}
	return out
}

func repeatS(n int, f func(int) string) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = f(i)
	}
	return out
}
