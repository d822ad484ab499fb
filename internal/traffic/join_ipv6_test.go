package traffic

import (
	"context"
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"time"

	"cloudwall/internal/model"
)

// awsV2 writes one default-format VPC flow record of any protocol.
func awsV2(eni, src, dst string, sport, dport, proto int, at time.Time, action string) string {
	return fmt.Sprintf("2 111122223333 %s %s %s %d %d %d 10 5000 %d %d %s OK\n", eni, src, dst, sport, dport, proto, at.Unix(), at.Add(time.Minute).Unix(), action)
}

const awsV5Header = "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status flow-direction\n"

func vnetRecord(rule string, tuples ...string) string {
	return `{"records":[{"time":"2026-11-02T10:00:00Z","flowLogVersion":4,"macAddress":"00224871C205","category":"FlowLogFlowEvent","targetResourceID":"/subscriptions/sub-1/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet-1","flowRecords":{"flows":[{"aclID":"x","flowGroups":[{"rule":"` + rule + `","flowTuples":["` + strings.Join(tuples, `","`) + `"]}]}]}}]}` + "\n"
}

func gcpVPCFlowIn(src, dst string, dport int, at time.Time) string {
	return fmt.Sprintf(`{"jsonPayload":{"connection":{"src_ip":"%s","dest_ip":"%s","src_port":50000,"dest_port":%d,"protocol":6},"reporter":"DEST","dest_instance":{"project_id":"proj-1","vm_name":"vm-1"},"dest_vpc":{"project_id":"proj-1","vpc_name":"default"},"src_location":{"country":"xx"},"bytes_sent":"900","packets_sent":"9","start_time":"%s","end_time":"%s"},"resource":{"labels":{"project_id":"proj-1"}},"timestamp":"%s"}`+"\n",
		src, dst, dport, at.Format(time.RFC3339), at.Add(time.Minute).Format(time.RFC3339), at.Format(time.RFC3339))
}

// TestJoinIPv6 checks, per cloud and flow-log format, that an accepted
// inbound IPv6 flow from outside counts as use of a ::/0 opening on its
// port and of no IPv4 opening, and that a flow whose direction cannot be
// told makes the verdict unknown rather than "not seen".
func TestJoinIPv6(t *testing.T) {
	const client, server = "2a00:1450:4001:80b::200e", "2600:1f18:abcd:1200::10"
	ssh := model.PortList{{From: 22, To: 22}}
	v6 := []netip.Prefix{netip.MustParsePrefix("::/0")}
	v4 := []netip.Prefix{netip.MustParsePrefix("0.0.0.0/0")}
	at := t0.Add(5 * time.Minute)
	awsOpen := func(peers []netip.Prefix, ports model.PortList) Opening {
		return Opening{Cloud: model.AWS, Account: "111122223333", Firewall: model.Resource{ID: "sg-1"},
			Protocol: 6, Ports: ports, Peers: peers, Start: t0}
	}
	azOpen := Opening{Cloud: model.Azure, Account: "sub-1", Protocol: 6, Ports: ssh, Peers: v6, Start: t0, RuleName: "open-ssh",
		Firewall: model.Resource{ID: "/subscriptions/sub-1/resourcegroups/rg/providers/microsoft.network/networksecuritygroups/web-nsg"}}
	gcpOpen := Opening{Cloud: model.GCP, Account: "proj-1", Protocol: 6, Ports: ssh, Peers: v6, Start: t0, RuleName: "allow-ssh"}

	tests := []struct {
		name       string
		open       Opening
		body       string
		verdict    string
		evidence   string
		flows      int64
		byPorts    int64
		undirected int64
	}{
		{name: "aws v2 (no direction field), both ends public", open: awsOpen(v6, ssh),
			body:    awsV2("eni-web", client, server, 34892, 22, 6, at, "ACCEPT"),
			verdict: model.TrafficUsed, evidence: model.EvidenceNetwork, flows: 1, byPorts: 1},
		{name: "aws v2 server reply is not use", open: awsOpen(v6, ssh),
			body:    awsV2("eni-web", server, client, 22, 34892, 6, at, "ACCEPT"),
			verdict: model.TrafficNotSeen},
		{name: "aws v2 IPv6 flow is not use of an IPv4 opening", open: awsOpen(v4, ssh),
			body:    awsV2("eni-web", client, server, 34892, 22, 6, at, "ACCEPT"),
			verdict: model.TrafficNotSeen},
		{name: "aws v2 IPv4 flow is not use of an IPv6 opening", open: awsOpen(v6, ssh),
			body:    awsV2("eni-web", "198.51.100.7", "10.0.0.5", 34892, 22, 6, at, "ACCEPT"),
			verdict: model.TrafficNotSeen},
		{name: "aws v2 all ports: direction unknown, not not-seen", open: awsOpen(v6, nil),
			body:    awsV2("eni-web", client, server, 34892, 22, 6, at, "ACCEPT"),
			verdict: model.TrafficNoCoverage, undirected: 1},
		{name: "aws v2 answer from a service port is not use of a high-port opening", open: awsOpen(v6, model.PortList{{From: 1024, To: 65535}}),
			body:    awsV2("eni-web", client, server, 443, 50000, 6, at, "ACCEPT"),
			verdict: model.TrafficNoCoverage, undirected: 1},
		{name: "aws v5 with flow-direction", open: awsOpen(v6, ssh),
			body:    awsV5Header + strings.TrimSuffix(awsV2("eni-web", client, server, 34892, 22, 6, at, "ACCEPT"), "\n") + " ingress\n",
			verdict: model.TrafficUsed, evidence: model.EvidenceNetwork, flows: 1},
		{name: "azure nsg flow log v2", open: azOpen,
			body:    nsgRecord("UserRule_open-ssh", fmt.Sprintf("%d,%s,%s,34892,22,T,I,A,B,9,900,8,800", at.Unix(), client, server)),
			verdict: model.TrafficUsed, evidence: model.EvidenceRule, flows: 1},
		{name: "azure vnet flow log v4", open: azOpen,
			body:    vnetRecord("UserRule_open-ssh", fmt.Sprintf("%d,%s,%s,34892,22,6,I,E,NX,9,900,8,800", at.UnixMilli(), client, server)),
			verdict: model.TrafficUsed, evidence: model.EvidenceRule, flows: 1},
		{name: "gcp vpc flow log", open: gcpOpen,
			body:    gcpVPCFlowIn(client, "2600:1900:4000:1::5", 22, at),
			verdict: model.TrafficUsed, evidence: model.EvidenceNetwork, flows: 1},
		{name: "gcp firewall rules logging", open: gcpOpen,
			body:    strings.Replace(gcpFirewallEntry("allow-ssh", client, 22, at, "ALLOWED"), `"dest_ip":"10.1.0.2"`, `"dest_ip":"2600:1900:4000:1::5"`, 1),
			verdict: model.TrafficUsed, evidence: model.EvidenceRule, flows: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, counts, err := Join(context.Background(), writeFiles(t, map[string]string{"f.log": tc.body}), []Opening{tc.open}, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if counts.Unreadable != 0 || counts.Flows == 0 {
				t.Fatalf("counts %+v", counts)
			}
			got := res[0]
			if got.Verdict != tc.verdict || got.Evidence != tc.evidence || got.InboundFlows != tc.flows ||
				got.DirectionFromPorts != tc.byPorts || got.Undirected != tc.undirected {
				t.Errorf("got verdict=%s evidence=%s flows=%d by-ports=%d undirected=%d\n%s",
					got.Verdict, got.Evidence, got.InboundFlows, got.DirectionFromPorts, got.Undirected, got.Summary)
			}
			if tc.flows > 0 && (len(got.Sources) == 0 || got.Sources[0].Address != client) {
				t.Errorf("sources %+v", got.Sources)
			}
		})
	}
}
