package state

import (
	"strings"
	"testing"

	"cloudwall/internal/model"
)

// TestPartialNACLDenyKeepsOtherHalfOpen: a network ACL deny of half of the
// internet (0.0.0.0/1) put before a world allow closes the exposure of
// that half only: the other half (128.0.0.0/1) can still reach the port,
// so a window stays open for it, narrowed to the addresses it admits.
func TestPartialNACLDenyKeepsOtherHalfOpen(t *testing.T) {
	world := cidr("0.0.0.0/0")
	tests := []struct {
		name      string
		deny      model.Peer
		wantPeers []string // peers of the window open after the deny; nil: none open
	}{
		{"lower half denied", cidr("0.0.0.0/1"), []string{"128.0.0.0/1"}},
		{"upper half denied", cidr("128.0.0.0/1"), []string{"0.0.0.0/1"}},
		{"everything denied", world, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEngine(t)
			e.Load([]model.Firewall{{Cloud: model.AWS, Resource: nacl, AsOf: t0, Rules: []model.Rule{
				mrule(prio(rc("", model.Ingress, model.Allow, "tcp", ports(22, 22), world), 100, "100")),
			}}})
			deny := prio(rc(model.Added, model.Ingress, model.Deny, "tcp", ports(22, 22), tc.deny), 50, "50")
			e.Replay([]model.Event{event(model.AWS, "ec2:createnetworkaclentry", at(5, 0), nacl, deny)})
			var open []model.Window
			for _, w := range e.Windows() {
				if w.End == nil {
					open = append(open, w)
				}
			}
			if tc.wantPeers == nil {
				if len(open) != 0 {
					t.Fatalf("windows still open after a deny of everything: %+v", open)
				}
				return
			}
			if len(open) != 1 {
				t.Fatalf("%d windows open after the deny, want 1 for the other half: %+v", len(open), e.Windows())
			}
			var got []string
			for _, p := range open[0].Rule.Peers {
				got = append(got, p.Value)
			}
			if len(got) != len(tc.wantPeers) || got[0] != tc.wantPeers[0] {
				t.Errorf("open window peers %v, want %v", got, tc.wantPeers)
			}
			if w := open[0]; w.Opened == nil || !strings.Contains(w.Opened.Why, "blocks the rest of the internet") {
				t.Errorf("open window's why: %+v, want the deny of the rest named", w.Opened)
			}
		})
	}
}
