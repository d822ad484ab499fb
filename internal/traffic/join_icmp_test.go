package traffic

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"cloudwall/internal/model"
)

// icmpLine writes one default-format VPC flow record of ICMP (ports 0, as
// AWS logs it).
func icmpLine(src, dst string, at time.Time, action string) string {
	return fmt.Sprintf("2 111122223333 eni-web %s %s 0 0 1 4 336 %d %d %s OK\n", src, dst, at.Unix(), at.Add(time.Minute).Unix(), action)
}

// TestJoinICMPReplies: an echo reply coming back to the interface that
// sent the echo is not inbound use of an ICMP opening; a ping from
// outside (inbound first, the interface answering after) is.
func TestJoinICMPReplies(t *testing.T) {
	open := Opening{Key: "a", Cloud: model.AWS, Account: "111122223333", Firewall: model.Resource{ID: "sg-1"},
		Protocol: 1, Start: t0, End: t0.Add(time.Hour), Interfaces: []string{"eni-web"}}
	at := func(m, s int) time.Time { return t0.Add(time.Duration(m)*time.Minute + time.Duration(s)*time.Second) }
	ourEcho := icmpLine("10.0.0.5", "198.51.100.7", at(5, 0), "ACCEPT")
	theReply := icmpLine("198.51.100.7", "10.0.0.5", at(5, 1), "ACCEPT")
	theirPing := icmpLine("203.0.113.9", "10.0.0.5", at(10, 0), "ACCEPT")
	ourAnswer := icmpLine("10.0.0.5", "203.0.113.9", at(10, 1), "ACCEPT")
	tests := []struct {
		name    string
		files   map[string]string
		verdict string
		sources string
	}{
		{"reply to our own echo", map[string]string{"a.log": ourEcho + theReply + background}, model.TrafficNotSeen, ""},
		{"reply read before the echo (other file)", map[string]string{"a.log": theReply + background, "b.log": ourEcho}, model.TrafficNotSeen, ""},
		{"a ping from outside, answered", map[string]string{"a.log": theirPing + ourAnswer + background}, model.TrafficUsed, "203.0.113.9"},
		{"both", map[string]string{"a.log": theirPing + ourAnswer + ourEcho + theReply + background}, model.TrafficUsed, "203.0.113.9"},
		{"our echo rejected: what came in is not its reply", map[string]string{
			"a.log": strings.Replace(ourEcho, "ACCEPT", "REJECT", 1) + theReply + background}, model.TrafficUsed, "198.51.100.7"},
		{"echo to another address", map[string]string{
			"a.log": icmpLine("10.0.0.5", "198.51.100.8", at(5, 0), "ACCEPT") + theReply + background}, model.TrafficUsed, "198.51.100.7"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, _, err := Join(context.Background(), writeFiles(t, tc.files), []Opening{open}, Options{})
			if err != nil {
				t.Fatal(err)
			}
			got := res[0]
			var srcs []string
			for _, s := range got.Sources {
				srcs = append(srcs, s.Address)
			}
			if got.Verdict != tc.verdict || strings.Join(srcs, ",") != tc.sources {
				t.Errorf("verdict %s from %v, want %s from %q\n%s", got.Verdict, srcs, tc.verdict, tc.sources, got.Summary)
			}
		})
	}
}
