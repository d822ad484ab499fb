package traffic

import (
	"context"
	"net/netip"
	"os"
	"slices"
	"testing"
	"time"

	"cloudwall/internal/ingest"
	"cloudwall/internal/model"
)

func realInputs(t *testing.T, names ...string) []ingest.Input {
	t.Helper()
	var ins []ingest.Input
	for _, n := range names {
		p := "testdata/real/" + n
		st, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		ins = append(ins, ingest.FileInput(p, st.Size()))
	}
	return ins
}

// TestJoinRealDocSamples joins the AWS and Microsoft documentation's own
// flow-log examples (testdata/real/SOURCES.md) to openings made up to fit
// them (the openings are not real).
func TestJoinRealDocSamples(t *testing.T) {
	const acct = "123456789010"
	at := func(s string) time.Time { v, _ := time.Parse(time.RFC3339, s); return v }
	sg := func(id string, proto int, ports model.PortList, peer, start string) Opening {
		return Opening{Key: id, Cloud: model.AWS, Account: acct, Firewall: model.Resource{ID: id}, Protocol: proto,
			Ports: ports, Peers: []netip.Prefix{netip.MustParsePrefix(peer)}, Start: at(start)}
	}
	ssh := model.PortList{{From: 22, To: 22}}
	const (
		defaultV2 = "awsdocs_vpc-flow-log_default-v2_icmp-and-ipv6.log"
		tcpFlags  = "awsdocs_vpc-flow-log_custom-v3_tcp-flags_with-header.log"
		vnet      = "msdocs_vnet-flow-log_v4_sample.json"
	)
	nsg := "/subscriptions/00000000-0000-0000-0000-000000000000/resourcegroups/myresourcegroup/providers/microsoft.network/networksecuritygroups/mynsg"
	azure := func(port int) Opening {
		return Opening{Key: "nsg", Cloud: model.Azure, Account: "00000000-0000-0000-0000-000000000000",
			Firewall: model.Resource{ID: nsg}, RuleName: "allow-ssh", Protocol: 6,
			Ports: model.PortList{{From: port, To: port}}, Start: at("2022-09-14T08:55:00Z")}
	}

	tests := []struct {
		name       string
		files      []string
		open       []Opening
		verdict    []string
		flows      []int64
		outbound   []int64
		rejected   []int64
		rejectedBy []string
	}{
		{name: "IPv6 ssh flow in the default format uses the ::/0 opening, not the IPv4 one", files: []string{defaultV2},
			open:    []Opening{sg("v6", 6, ssh, "::/0", "2016-10-31T11:00:00Z"), sg("v4", 6, ssh, "0.0.0.0/0", "2016-10-31T11:00:00Z")},
			verdict: []string{model.TrafficUsed, model.TrafficNotSeen}, flows: []int64{1, 0}, outbound: []int64{0, 0}, rejected: []int64{0, 0}},
		{name: "ping accepted, echo reply rejected: no outbound", files: []string{defaultV2},
			open:    []Opening{sg("icmp", 1, nil, "0.0.0.0/0", "2015-05-29T16:00:00Z")},
			verdict: []string{model.TrafficUsed}, flows: []int64{1}, outbound: []int64{0}, rejected: []int64{0}},
		{name: "server replies on 5001 are not outbound for any opening", files: []string{defaultV2, tcpFlags},
			open: []Opening{sg("icmp", 1, nil, "0.0.0.0/0", "2015-05-29T16:00:00Z"),
				sg("iperf", 6, model.PortList{{From: 5001, To: 5001}}, "0.0.0.0/0", "2019-08-26T19:40:00Z")},
			verdict: []string{model.TrafficUsed, model.TrafficUsed}, flows: []int64{1, 4}, outbound: []int64{0, 0}, rejected: []int64{0, 0}},
		{name: "VNet flow log: ssh denied by an admin rule is a rejected attempt", files: []string{vnet},
			open:    []Opening{azure(22)},
			verdict: []string{model.TrafficRejected}, flows: []int64{0}, outbound: []int64{0}, rejected: []int64{1},
			rejectedBy: []string{"BlockHighRiskTCPPortsFromInternet"}},
		{name: "VNet flow log is not tied to the NSG: silence is unknown", files: []string{vnet},
			open:    []Opening{azure(3389)},
			verdict: []string{model.TrafficNoCoverage}, flows: []int64{0}, outbound: []int64{0}, rejected: []int64{0}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, counts, err := Join(context.Background(), realInputs(t, tc.files...), tc.open, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if counts.Unreadable != 0 {
				t.Fatalf("problems %+v", counts.Problems)
			}
			for i, r := range res {
				if r.Verdict != tc.verdict[i] || r.InboundFlows != tc.flows[i] || r.OutboundFlows != tc.outbound[i] || r.Rejected != tc.rejected[i] {
					t.Errorf("%s: verdict=%s flows=%d outbound=%d rejected=%d\n%s", tc.open[i].Key, r.Verdict, r.InboundFlows, r.OutboundFlows, r.Rejected, r.Summary)
				}
			}
			if tc.rejectedBy != nil && !slices.Equal(res[0].RejectedBy, tc.rejectedBy) {
				t.Errorf("rejected by %v", res[0].RejectedBy)
			}
		})
	}
}
