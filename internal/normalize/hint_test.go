package normalize

import (
	"strings"
	"testing"

	"cloudwall/internal/model"
)

// TestOtherLogHints: flow logs and snapshots given to scan are reported
// as unreadable or unrecognised, with a hint naming where they belong;
// an audit record or plain junk gets no hint.
func TestOtherLogHints(t *testing.T) {
	tests := []struct {
		name, in, hint string
	}{
		{"vpc header", "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n", hintFlows},
		{"vpc v2 record", "2 123456789012 eni-0a1b2c3d 203.0.113.12 10.0.0.5 40000 22 6 10 840 1620000000 1620000060 ACCEPT OK\n", hintFlows},
		{"vpc v5 no header", "5 64111117617 eni-069b7a490 89.160.20.156 10.200.0.0 50041 33004 17 52 1 164000066 1640000297 REJECT OK vpc-1 subnet-1 i-1 1 IPv4\n", hintFlows},
		{"parquet", "PAR1\x15\x04\x15", hintParquet},
		{"cloudwatch flow export", `{"id":"1","timestamp":1620000000000,"message":"2 123456789012 eni-0a1b2c3d 203.0.113.12 10.0.0.5 40000 22 6 10 840 1620000000 1620000060 ACCEPT OK"}` + "\n", hintFlows},
		{"gcp vpc flow", `{"insertId":"1","jsonPayload":{"connection":{"src_ip":"10.0.0.1"}},"logName":"projects/p/logs/compute.googleapis.com%2Fvpc_flows"}` + "\n", hintFlows},
		{"azure nsg flow", `{"time":"2026-01-01T00:00:00Z","category":"NetworkSecurityGroupFlowEvent","properties":{"Version":2,"flows":[]}}` + "\n", hintFlows},
		{"azure nsg flow log file", `{"records":[{"time":"2018-11-13T12:00:35.3899262Z","systemId":"66aa","category":"NetworkSecurityGroupFlowEvent","resourceId":"/SUBSCRIPTIONS/S/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.NETWORK/NETWORKSECURITYGROUPS/NSG","operationName":"NetworkSecurityGroupFlowEvents","properties":{"Version":2,"flows":[{"rule":"DefaultRule_DenyAllInBound","flows":[]}]}}]}`, hintFlows},
		{"azure vnet flow log", `{"time":"2022-09-14T09:00:52.5625085Z","flowLogVersion":4,"category":"FlowLogFlowEvent","flowLogResourceID":"/SUBSCRIPTIONS/S/RESOURCEGROUPS/NETWORKWATCHERRG/PROVIDERS/MICROSOFT.NETWORK/NETWORKWATCHERS/NW/FLOWLOGS/VNETFLOWLOG","operationName":"FlowLogFlowEvent","flowRecords":{"flows":[]}}` + "\n", hintFlows},
		{"describe-security-groups", `{"SecurityGroups":[{"GroupId":"sg-1","IpPermissions":[]}]}`, hintSnapshot},
		{"az nsg show", `{"name":"nsg","properties":{"securityRules":[]}}`, hintSnapshot},
		{"terraform plan", `{"format_version":"1.2","terraform_version":"1.9.0","planned_values":{}}`, hintSnapshot},
		{"junk line", "hello world this is not json\n", ""},
		{"unknown object", `{"foo":1,"bar":2}`, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var reasons []string
			sp := NewSplitter(strings.NewReader(tc.in))
			for {
				raw, err := sp.Next()
				if err != nil {
					if re, ok := err.(*RecordError); ok {
						reasons = append(reasons, re.Msg)
						continue
					}
					break
				}
				res := Parse(raw.Data, model.SourceRef{File: "f"}, nil)
				reasons = append(reasons, res.Reason)
				if tc.hint == hintFlows && res.Kind != Unrecognised && res.Kind != Unreadable {
					t.Errorf("a flow-log record counted as %v, want unrecognised", res.Kind)
				}
			}
			got := strings.Join(reasons, "|")
			if tc.hint != "" && !strings.Contains(got, tc.hint) {
				t.Errorf("reasons %q lack hint %q", got, tc.hint)
			}
			if tc.hint == "" && (strings.Contains(got, hintFlows) || strings.Contains(got, hintSnapshot) || strings.Contains(got, hintParquet)) {
				t.Errorf("unexpected hint in %q", got)
			}
		})
	}
}
