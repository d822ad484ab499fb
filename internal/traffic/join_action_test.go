package traffic

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"cloudwall/internal/model"
)

// TestJoinWithoutAction: a VPC flow log in a custom format without the
// action field says a packet was seen, not that the firewall let it in
// (a rejected probe is logged too). Such flows are counted apart as of
// unknown verdict and never make an opening used; they also stop a
// "not seen".
func TestJoinWithoutAction(t *testing.T) {
	open := Opening{Key: "a", Cloud: model.AWS, Account: "111122223333", Firewall: model.Resource{ID: "sg-1"},
		Protocol: 6, Ports: model.PortList{{From: 22, To: 22}}, Start: t0, End: t0.Add(time.Hour), Interfaces: []string{"eni-web"}}
	const noAction = "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end log-status\n"
	const withAction = "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n"
	rec := func(src string, dport int, at time.Duration, action string) string {
		s := t0.Add(at).Unix()
		return strings.Join(strings.Fields(fmt.Sprintf("2 111122223333 eni-web %s 10.0.0.5 40000 %d 6 10 5000 %d %d %s OK", src, dport, s, s+60, action)), " ") + "\n"
	}
	tests := []struct {
		name    string
		body    string
		verdict string
		flows   int64
		unknown int64
	}{
		{"no action field: unknown, not used", noAction + rec("198.51.100.7", 22, 3*time.Minute, "") + rec("10.0.0.9", 443, 30*time.Minute, ""),
			model.TrafficNoCoverage, 0, 1},
		{"no action field, nothing on the port: not seen", noAction + rec("10.0.0.9", 443, 30*time.Minute, ""),
			model.TrafficNotSeen, 0, 0},
		{"action ACCEPT: used", withAction + rec("198.51.100.7", 22, 3*time.Minute, "ACCEPT"),
			model.TrafficUsed, 1, 0},
		{"an unreadable action: unknown", withAction + rec("198.51.100.7", 22, 3*time.Minute, "-"),
			model.TrafficNoCoverage, 0, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, _, err := Join(context.Background(), writeFiles(t, map[string]string{"a.log": tc.body}), []Opening{open}, Options{})
			if err != nil {
				t.Fatal(err)
			}
			got := res[0]
			if got.Verdict != tc.verdict || got.InboundFlows != tc.flows || got.UnknownVerdict != tc.unknown {
				t.Errorf("verdict %s, %d flows, %d of unknown verdict; want %s, %d, %d\n%s",
					got.Verdict, got.InboundFlows, got.UnknownVerdict, tc.verdict, tc.flows, tc.unknown, got.Summary)
			}
			if tc.unknown > 0 && !strings.Contains(got.Summary, "action") {
				t.Errorf("summary does not say the action field is missing: %s", got.Summary)
			}
		})
	}
}
