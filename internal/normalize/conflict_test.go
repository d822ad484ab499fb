package normalize

import (
	"strings"
	"testing"

	"cloudwall/internal/model"
)

// TestConflictingKeysJudgeEveryReading: a key given twice in one object,
// or in two letter cases, reads both ways whatever the order: the world-open
// value reaches the detector and a note names the conflict.
func TestConflictingKeysJudgeEveryReading(t *testing.T) {
	rec := func(ranges, name string) string {
		return `{"eventVersion":"1.08","eventSource":"ec2.amazonaws.com",` + name + `,"eventTime":"2022-06-01T12:05:53Z","eventID":"e1","awsRegion":"us-east-1","recipientAccountId":"1","requestParameters":{"groupId":"sg-1","ipPermissions":{"items":[{"ipProtocol":"tcp","fromPort":22,"toPort":22,"ipRanges":{"items":[` + ranges + `]}}]}}}`
	}
	authorize := `"eventName":"AuthorizeSecurityGroupIngress"`
	tests := []struct {
		name     string
		raw      string
		wantOps  []string
		wantPeer string
		wantNote string
	}{
		{"duplicate key, world-open first", rec(`{"cidrIp":"0.0.0.0/0","cidrIp":"10.0.0.5/32"}`, authorize), []string{"ec2:authorizesecuritygroupingress"}, "0.0.0.0/0", `"cidrIp" (duplicate key)`},
		{"duplicate key, world-open last", rec(`{"cidrIp":"10.0.0.5/32","cidrIp":"0.0.0.0/0"}`, authorize), []string{"ec2:authorizesecuritygroupingress"}, "10.0.0.5/32", `"cidrIp" (duplicate key)`},
		{"letter-case variants", rec(`{"cidrIp":"10.0.0.5/32","CidrIp":"0.0.0.0/0"}`, authorize), []string{"ec2:authorizesecuritygroupingress"}, "0.0.0.0/0", "letter case: cidrIp, CidrIp"},
		{"duplicate operation name: both read", rec(`{"cidrIp":"0.0.0.0/0"}`, `"eventName":"AuthorizeSecurityGroupIngress","eventName":"DescribeSecurityGroups"`),
			[]string{"ec2:describesecuritygroups", "ec2:authorizesecuritygroupingress"}, "0.0.0.0/0", `"eventName" (duplicate key)`},
		{"no conflict, no note", rec(`{"cidrIp":"0.0.0.0/0"}`, authorize), []string{"ec2:authorizesecuritygroupingress"}, "0.0.0.0/0", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := Parse([]byte(tt.raw), model.SourceRef{File: "t.json"}, nil)
			if res.Kind != Parsed {
				t.Fatalf("kind %v: %s", res.Kind, res.Reason)
			}
			var ops, peers, notes []string
			for _, ev := range res.Events {
				ops = append(ops, ev.OperationKey)
				for _, c := range ev.Changes {
					for _, p := range c.Peers {
						peers = append(peers, p.Value)
					}
				}
				notes = append(notes, ev.Notes...)
			}
			if strings.Join(ops, " ") != strings.Join(tt.wantOps, " ") {
				t.Errorf("operations %q, want %q", ops, tt.wantOps)
			}
			if !strings.Contains(strings.Join(peers, " "), "0.0.0.0/0") || !strings.Contains(strings.Join(peers, " "), tt.wantPeer) {
				t.Errorf("peers %q lack the world-open reading or %s", peers, tt.wantPeer)
			}
			all := strings.Join(notes, "\n")
			if tt.wantNote == "" && strings.Contains(all, "conflicting") || !strings.Contains(all, tt.wantNote) {
				t.Errorf("notes %q, want one naming %s", notes, tt.wantNote)
			}
		})
	}
}
