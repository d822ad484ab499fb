package state

import (
	"fmt"
	"strings"
	"testing"

	"cloudwall/internal/detect"
	"cloudwall/internal/model"
)

// manyPeers is one AuthorizeSecurityGroupIngress on 22/tcp naming n peers
// (each becomes one rule: AWS keeps a rule per peer), as a hostile record
// can: 60,000 took 733 s when every insert compared keys with every rule
// in force.
func manyPeers(n int, peer func(int) string) model.Event {
	c := rc(model.Added, model.Ingress, model.Allow, "tcp", ports(22, 22))
	for i := range n {
		c.Peers = append(c.Peers, cidr(peer(i)))
	}
	return event(model.AWS, "ec2:authorizesecuritygroupingress", at(1, 0), sg, c)
}

func unreadablePeer(i int) string { return fmt.Sprintf("1.2.%d.x/99", i) }

// worldPeer spells the internet as the Stratus detonation does, a host
// address with /0, differently each time.
func worldPeer(i int) string { return fmt.Sprintf("10.%d.%d.1/0", i/256, i%256) }

// scaleWork is the allocations of one replay of e(n): a stand-in for work
// that does not depend on the machine's load. The quadratic key search
// allocated a key per rule in force per inserted rule.
func scaleWork(t *testing.T, n int, peer func(int) string, det *detect.Detector) float64 {
	ev := manyPeers(n, peer)
	return testing.AllocsPerRun(1, func() {
		e := New(Options{Content: newEngine(t).opts.Content, Detector: det, History: true})
		e.Apply(&ev, "")
		e.Windows()
	})
}

func TestApplyManyPeersIsLinear(t *testing.T) {
	if testing.Short() {
		t.Skip("replays 22,000 rules")
	}
	det := detect.New(newEngine(t).opts.Content)
	tests := []struct {
		name string
		peer func(int) string
		det  *detect.Detector
	}{
		{"unreadable peers", unreadablePeer, nil},
		{"world-open peers, windows judged", worldPeer, det},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			small, large := scaleWork(t, 2000, tt.peer, tt.det), scaleWork(t, 20000, tt.peer, tt.det)
			// Ten times the peers: linear work is about 10x; the quadratic
			// search was over 60x at these sizes.
			r := large / small
			t.Logf("10x the peers: %.1fx the allocations", r)
			if r > 20 {
				t.Errorf("10x the peers cost %.1fx the allocations (%.0f vs %.0f): replay is not linear in peers", r, large, small)
			}
		})
	}
}

func TestApplyManyPeersCapsRollback(t *testing.T) {
	tests := []struct {
		name    string
		n       int
		wantCmd int
		more    bool
	}{
		{"few peers: one revoke each", 3, 3, false},
		{"at the cap", MaxRollback, MaxRollback, false},
		{"60,000 peers: capped with a count", 60000, MaxRollback, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEngine(t)
			ev := manyPeers(tt.n, unreadablePeer)
			ch := e.Apply(&ev, "")
			var cmds, marker int
			for _, c := range ch.Rollback {
				switch {
				case strings.HasPrefix(c, "aws ec2 revoke-security-group-ingress"):
					cmds++
				case strings.Contains(c, fmt.Sprintf("and %d more commands", tt.n-MaxRollback)):
					marker++
				}
			}
			if cmds != tt.wantCmd || (marker == 1) != tt.more || len(ch.Rollback) != cmds+marker {
				t.Errorf("%d revoke commands, %d markers in %d lines; want %d, marker %v", cmds, marker, len(ch.Rollback), tt.wantCmd, tt.more)
			}
			if len(ch.Notes) > model.MaxNotes+1 {
				t.Errorf("%d notes, want at most %d and a count", len(ch.Notes), model.MaxNotes)
			}
		})
	}
}

func TestRemoveManyPeersFindsEach(t *testing.T) {
	// A revoke naming the peers of an earlier authorize, in another order
	// and with one never added, takes out exactly those rules.
	e := newEngine(t)
	add := manyPeers(5000, unreadablePeer)
	e.Apply(&add, "")
	c := rc(model.Removed, model.Ingress, model.Allow, "tcp", ports(22, 22))
	for i := 4999; i >= 0; i -= 2 {
		c.Peers = append(c.Peers, cidr(unreadablePeer(i)))
	}
	c.Peers = append(c.Peers, cidr("9.9.9.9/32"))
	rm := event(model.AWS, "ec2:revokesecuritygroupingress", at(2, 0), sg, c)
	ch := e.Apply(&rm, "")
	if len(ch.Before.Rules) != 2500 {
		t.Errorf("removed %d rules, want 2500", len(ch.Before.Rules))
	}
	if got := len(e.fws[firewallKey(model.AWS, sg)].rules); got != 2500 {
		t.Errorf("%d rules left, want 2500", got)
	}
	if !strings.Contains(strings.Join(ch.Notes, "\n"), "9.9.9.9/32") {
		t.Errorf("no note on the peer that was not there: %q", ch.Notes)
	}
}

// TestOpenWindowsBounded: a call adding more world-open rules to one
// firewall than MaxOpenWindows opens that many windows and counts the
// rest; a later call opens no window for those it counted already, and
// once they are revoked nothing stays counted as in force.
func TestOpenWindowsBounded(t *testing.T) {
	det := detect.New(newEngine(t).opts.Content)
	e := New(Options{Content: newEngine(t).opts.Content, Detector: det, History: true})
	n := MaxOpenWindows + 500
	add := manyPeers(n, worldPeer)
	ch := e.Apply(&add, "")
	if len(ch.Opened) != MaxOpenWindows || e.Unwindowed() != 500 {
		t.Fatalf("%d windows opened, %d counted; want %d and 500", len(ch.Opened), e.Unwindowed(), MaxOpenWindows)
	}
	again := manyPeers(10, worldPeer)
	again.Time = at(2, 0)
	if ch := e.Apply(&again, ""); len(ch.Opened) != 0 || e.Unwindowed() != 500 {
		t.Errorf("re-adding rules in force: %d windows opened, %d counted", len(ch.Opened), e.Unwindowed())
	}
	c := rc(model.Removed, model.Ingress, model.Allow, "tcp", ports(22, 22))
	for i := range n {
		c.Peers = append(c.Peers, cidr(worldPeer(i)))
	}
	rm := event(model.AWS, "ec2:revokesecuritygroupingress", at(3, 0), sg, c)
	ch = e.Apply(&rm, "")
	if len(ch.Closed) != MaxOpenWindows {
		t.Errorf("%d windows closed, want %d", len(ch.Closed), MaxOpenWindows)
	}
	if f := e.fws[firewallKey(model.AWS, sg)]; len(f.open) != 0 || len(f.unwindowed) != 0 {
		t.Errorf("after the revoke: %d open, %d counted in force", len(f.open), len(f.unwindowed))
	}
}
