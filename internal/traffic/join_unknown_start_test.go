package traffic

import (
	"context"
	"strings"
	"testing"
	"time"

	"cloudwall/internal/model"
)

// A window already open when the data begins (a baseline's rule, or one
// removed without its opening in the logs) and closed at 10:00: flows
// through it at 09:00 are use of it, not "before the opening". A dated
// baseline bounds the start: before its time, whether the rule was open
// is not known.
func TestJoinWindowWithUnknownStart(t *testing.T) {
	closeAt := t0
	window := func(start time.Time, known, unbounded bool) model.Window {
		return model.Window{ID: "w", Cloud: model.AWS, Account: "111122223333",
			Firewall: model.Resource{Type: "security_group", ID: "sg-1"},
			Rule: model.RuleChange{Direction: model.Ingress, Action: model.Allow, Protocol: "tcp",
				Ports: model.PortList{{From: 22, To: 22}}, Peers: []model.Peer{{Kind: model.PeerCIDR, Value: "0.0.0.0/0"}}},
			Start: start, StartKnown: known, StartUnbounded: unbounded, End: &closeAt}
	}
	flows := vpcLine("eni-web", "203.0.113.10", "10.0.0.5", 50001, 22, t0.Add(-time.Hour), "ACCEPT") +
		vpcLine("eni-web", "203.0.113.12", "10.0.0.5", 50002, 22, t0.Add(-5*time.Minute), "ACCEPT") +
		vpcLine("eni-web", "10.0.2.5", "10.0.0.5", 40000, 443, t0.Add(30*time.Minute), "ACCEPT")
	tests := []struct {
		name    string
		w       model.Window
		verdict string
		flows   int64
		before  int64
		text    string // in the summary
	}{
		{name: "open before the data (no dated baseline): the 09:00 and 09:55 flows used it",
			w: window(closeAt, false, true), verdict: model.TrafficUsed, flows: 2, text: "when it opened is not in the data"},
		{name: "open in a baseline dated 09:30: only the 09:55 flow is known to have used it",
			w: window(t0.Add(-30*time.Minute), false, false), verdict: model.TrafficUsed, flows: 1, before: 1, text: "the earliest time the rule is known open"},
		{name: "opened at 10:00 and closed at 10:00 (a known start): nothing used it",
			w: window(closeAt, true, false), verdict: model.TrafficNotSeen, before: 2, text: "in the day before the opening (not caused by it)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o, ok := FromWindow(&tc.w)
			if !ok {
				t.Fatal("no opening")
			}
			o.Interfaces = []string{"eni-web"}
			res, _, err := Join(context.Background(), writeFiles(t, map[string]string{"a.log": flows}), []Opening{o}, Options{})
			if err != nil {
				t.Fatal(err)
			}
			got := res[0]
			if got.Verdict != tc.verdict || got.InboundFlows != tc.flows || got.Before != tc.before || !strings.Contains(got.Summary, tc.text) {
				t.Errorf("verdict=%s flows=%d before=%d, want %s %d %d and %q in\n%s", got.Verdict, got.InboundFlows, got.Before,
					tc.verdict, tc.flows, tc.before, tc.text, got.Summary)
			}
			if !tc.w.StartKnown && (got.Waiting || got.FirstArrivalAfter != "") {
				t.Errorf("a window whose opening is not seen has no time from its opening: waiting=%v after=%q", got.Waiting, got.FirstArrivalAfter)
			}
		})
	}
}
