package traffic

import (
	"context"
	"math"
	"strings"
	"testing"
	"time"

	"cloudwall/internal/model"
)

// TestJoinCounts checks the flows, bytes and outbound flows an opening is
// charged with: a record delivered twice, in one input or in two (a
// re-delivered object, an overlapping export, the same file given twice,
// a CloudWatch export of what S3 also holds) is counted once, two different records
// stay two, and a byte count too large for int64 saturates instead of
// reading as 0.
func TestJoinCounts(t *testing.T) {
	ssh := model.PortList{{From: 22, To: 22}}
	awsOpen := Opening{Key: "a", Cloud: model.AWS, Account: "111122223333", Firewall: model.Resource{ID: "sg-1"},
		Protocol: 6, Ports: ssh, Start: t0, Interfaces: []string{"eni-web"}}
	azOpen := Opening{Key: "z", Cloud: model.Azure, Account: "sub-1",
		Firewall: model.Resource{ID: "/subscriptions/sub-1/resourcegroups/rg/providers/microsoft.network/networksecuritygroups/web-nsg"},
		Protocol: 6, Ports: ssh, Start: t0, RuleName: "open-ssh"}
	gcpOpen := Opening{Key: "g", Cloud: model.GCP, Account: "proj-1", Firewall: model.Resource{Name: "allow-ssh"},
		Protocol: 6, Ports: ssh, Start: t0, RuleName: "allow-ssh"}
	in := vpcLine("eni-web", "198.51.100.7", "10.0.0.5", 40000, 22, t0.Add(3*time.Minute), "ACCEPT")
	other := vpcLine("eni-web", "198.51.100.7", "10.0.0.5", 40001, 22, t0.Add(3*time.Minute), "ACCEPT")
	out := vpcLine("eni-web", "10.0.0.5", "203.0.113.50", 50000, 443, t0.Add(20*time.Minute), "ACCEPT")
	withBytes := func(line, b string) string { return strings.Replace(line, " 5000 ", " "+b+" ", 1) }
	tuple := nsgTuple("198.51.100.9", 22, t0.Add(time.Minute), "A")

	tests := []struct {
		name     string
		open     Opening
		files    map[string]string
		flows    int64
		bytes    int64
		outbound int64
	}{
		{name: "same record twice in a file", open: awsOpen,
			files: map[string]string{"a.log": in + background + in}, flows: 1, bytes: 5000},
		{name: "two records of one source stay two", open: awsOpen,
			files: map[string]string{"a.log": in + other}, flows: 2, bytes: 10000},
		{name: "same outbound record twice", open: awsOpen,
			files: map[string]string{"a.log": in + out + out}, flows: 1, bytes: 5000, outbound: 1},
		{name: "same file given twice", open: awsOpen,
			files: map[string]string{"a.log": in + background + out, "a-copy.log": in + background + out}, flows: 1, bytes: 5000, outbound: 1},
		{name: "overlapping exports", open: awsOpen,
			files: map[string]string{"a.log": in + background, "b.log": background + other}, flows: 2, bytes: 10000},
		{name: "the S3 file and a CloudWatch export of it", open: awsOpen,
			files: map[string]string{"a.log": in, "cw.json": `{"logEvents":[{"message":"` + strings.TrimSpace(in) + `"}]}`}, flows: 1, bytes: 5000},
		{name: "same azure blob twice", open: azOpen,
			files: map[string]string{"PT1H.json": nsgRecord("UserRule_open-ssh", tuple), "copy.json": nsgRecord("UserRule_open-ssh", tuple)}, flows: 1},
		{name: "same azure tuple twice", open: azOpen,
			files: map[string]string{"n.json": nsgRecord("UserRule_open-ssh", tuple, tuple)}, flows: 1},
		{name: "2^63 bytes saturate", open: awsOpen,
			files: map[string]string{"a.log": withBytes(in, "9223372036854775808") + other}, flows: 2, bytes: math.MaxInt64},
		{name: "2^64-1 bytes saturate", open: awsOpen,
			files: map[string]string{"a.log": withBytes(in, "18446744073709551615")}, flows: 1, bytes: math.MaxInt64},
		{name: "gcp bytes_sent past int64 saturate", open: gcpOpen,
			files: map[string]string{"g.json": strings.Replace(gcpVPCFlowIn("198.51.100.7", "10.1.0.2", 22, t0.Add(time.Minute)),
				`"bytes_sent":"900"`, `"bytes_sent":"18446744073709551615"`, 1)}, flows: 1, bytes: math.MaxInt64},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, _, err := Join(context.Background(), writeFiles(t, tc.files), []Opening{tc.open}, Options{})
			if err != nil {
				t.Fatal(err)
			}
			r := res[0]
			if r.InboundFlows != tc.flows || r.OutboundFlows != tc.outbound || (tc.bytes != 0 && r.InboundBytes != tc.bytes) {
				t.Errorf("inbound %d flows %d B, outbound %d; want %d flows %d B, outbound %d\n%s",
					r.InboundFlows, r.InboundBytes, r.OutboundFlows, tc.flows, tc.bytes, tc.outbound, r.Summary)
			}
		})
	}
}
