package traffic

import (
	"testing"
	"time"

	"cloudwall/internal/model"
)

// TestOpeningsOfCalls: what scan joins flows to. A call that adds an
// allow opens it; a call that opens without adding an allow (a deny
// removed or disabled) opens the window the state engine says it
// opened; a call that closes (an allow disabled, a rule created
// disabled, a deny added) opens nothing, even when its change carries
// the rule's content or a window starts at it.
func TestOpeningsOfCalls(t *testing.T) {
	t0 := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	end := t0.Add(time.Hour)
	world := []model.Peer{{Kind: model.PeerCIDR, Value: "0.0.0.0/0"}}
	ssh := model.PortList{{From: 22, To: 22}}
	allow := model.RuleChange{Effect: model.Added, Direction: model.Ingress, Action: model.Allow, Protocol: "tcp", Ports: ssh, Peers: world}
	deny := allow
	deny.Action = model.Deny
	removed := deny
	removed.Effect = model.Removed
	window := &model.Window{ID: "w", Cloud: model.AWS, Account: "1", Firewall: model.Resource{Type: "network_acl", ID: "acl-1"},
		Rule: allow, Start: t0, StartKnown: true, End: &end}
	finding := func(changes []model.RuleChange, settings map[string]string, w *model.Window) model.Finding {
		return model.Finding{ID: "f", Cloud: model.AWS, Account: "1", Time: t0, Outcome: model.Success,
			Resource: model.Resource{Type: "network_acl", ID: "acl-1"}, Changes: changes, Settings: settings, Window: w}
	}
	later := *window
	later.Start = t0.Add(-time.Hour)
	// the window a call at t0 closed: open since an hour before
	closed := later
	closed.End = &t0
	otherPort := closed
	otherPort.Rule.Ports = model.PortList{{From: 80, To: 80}}
	for _, tc := range []struct {
		name string
		f    model.Finding
		want int
	}{
		{"allow added", finding([]model.RuleChange{allow}, nil, nil), 1},
		{"deny removed, window opened by the call", finding([]model.RuleChange{removed}, nil, window), 1},
		{"deny removed, window opened before", finding([]model.RuleChange{removed}, nil, &later), 0},
		{"content not logged, window opened by the call", finding(nil, nil, window), 1},
		{"deny disabled", finding([]model.RuleChange{deny}, map[string]string{model.SettingDisabled: "true"}, window), 1},
		{"allow disabled", finding([]model.RuleChange{allow}, map[string]string{model.SettingDisabled: "true"}, window), 0},
		{"allow created disabled", finding([]model.RuleChange{allow}, map[string]string{model.SettingDisabled: "true"}, nil), 0},
		{"deny added, the rest of a narrowed window starts at it", finding([]model.RuleChange{deny}, nil, window), 0},
		// A rule replaced in place by a narrower one closes the window
		// it was in: what is left was open before the call.
		{"world narrowed to a /24 in place", finding([]model.RuleChange{narrowTo(allow, ssh, "198.51.100.0/24")}, nil, &closed), 0},
		{"world narrowed to one address", finding([]model.RuleChange{narrowTo(allow, ssh, "198.51.100.7")}, nil, &closed), 0},
		{"replaced by a /24 on another port", finding([]model.RuleChange{narrowTo(allow, model.PortList{{From: 3389, To: 3389}}, "198.51.100.0/24")}, nil, &closed), 1},
		{"replaced by IPv6 peers the IPv4 window did not admit", finding([]model.RuleChange{narrowTo(allow, ssh, "2001:db8::/32")}, nil, &closed), 1},
		{"a /24 added while another window closes at the same time", finding([]model.RuleChange{narrowTo(allow, ssh, "198.51.100.0/24")}, nil, &otherPort), 1},
	} {
		open, owner := Openings([]model.Finding{tc.f})
		if len(open) != tc.want || len(owner) != tc.want {
			t.Errorf("%s: %d openings, want %d: %+v", tc.name, len(open), tc.want, open)
		}
		for _, o := range open {
			if o.Key != "f" || !o.Start.Equal(t0) {
				t.Errorf("%s: opening %+v, want the finding's key and time", tc.name, o)
			}
		}
	}
}

// narrowTo returns c altered in place to ports and one peer.
func narrowTo(c model.RuleChange, ports model.PortList, peer string) model.RuleChange {
	c.Effect = model.Altered
	c.Ports = ports
	c.Peers = []model.Peer{{Kind: model.PeerCIDR, Value: peer}}
	return c
}
