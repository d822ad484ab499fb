package traffic

import (
	"context"
	"net/netip"
	"testing"
	"time"

	"cloudwall/internal/model"
)

// TestJoinOutbound checks which flows from an interface that received
// traffic through an opening count as outbound to outside (possible
// exfiltration or command and control): not the server's replies, whichever
// opening admitted the inbound connection, and not rejected packets; a new
// connection to outside still counts.
func TestJoinOutbound(t *testing.T) {
	const eni = "eni-web"
	icmp := Opening{Key: "icmp", Cloud: model.AWS, Account: "111122223333", Firewall: model.Resource{ID: "sg-icmp"},
		Protocol: 1, Start: t0, Interfaces: []string{eni}}
	iperf := Opening{Key: "iperf", Cloud: model.AWS, Account: "111122223333", Firewall: model.Resource{ID: "sg-iperf"},
		Protocol: 6, Ports: model.PortList{{From: 5001, To: 5001}}, Start: t0, Interfaces: []string{eni}}
	ssh6 := Opening{Key: "ssh6", Cloud: model.AWS, Account: "111122223333", Firewall: model.Resource{ID: "sg-ssh6"},
		Protocol: 6, Ports: model.PortList{{From: 22, To: 22}}, Peers: []netip.Prefix{netip.MustParsePrefix("::/0")}, Start: t0}
	allTCP := Opening{Key: "all-tcp", Cloud: model.AWS, Account: "111122223333", Firewall: model.Resource{ID: "sg-all"},
		Protocol: 6, Ports: model.PortList{{From: 0, To: 65535}}, Start: t0, Interfaces: []string{eni}}
	const client6, server6 = "2a00:1450:4001:80b::200e", "2600:1f18:abcd:1200::10"
	sshIn := awsV2(eni, "203.0.113.10", "172.31.16.139", 50001, 22, 6, t0.Add(time.Minute), "ACCEPT")
	upload := awsV2(eni, "172.31.16.139", "192.0.2.200", 44002, 443, 6, t0.Add(10*time.Minute), "ACCEPT")
	uploadReturn := awsV2(eni, "192.0.2.200", "172.31.16.139", 443, 44002, 6, t0.Add(10*time.Minute), "ACCEPT")
	ping := awsV2(eni, "203.0.113.12", "172.31.16.139", 0, 0, 1, t0.Add(time.Minute), "ACCEPT")
	iperfIn := awsV2(eni, "52.213.180.42", "172.31.16.139", 43416, 5001, 6, t0.Add(2*time.Minute), "ACCEPT")
	sshIn6 := awsV2(eni, client6, server6, 34892, 22, 6, t0.Add(time.Minute), "ACCEPT")

	tests := []struct {
		name     string
		open     []Opening
		body     string
		outbound []int64 // per opening
	}{
		{name: "reply to a connection another opening admitted", open: []Opening{icmp, iperf},
			body:     ping + iperfIn + awsV2(eni, "172.31.16.139", "52.213.180.42", 5001, 43416, 6, t0.Add(2*time.Minute), "ACCEPT"),
			outbound: []int64{0, 0}},
		{name: "rejected echo reply did not leave", open: []Opening{icmp},
			body:     ping + awsV2(eni, "172.31.16.139", "203.0.113.12", 0, 0, 1, t0.Add(time.Minute), "REJECT"),
			outbound: []int64{0}},
		{name: "accepted echo reply to the pinger is a reply", open: []Opening{icmp},
			body:     ping + awsV2(eni, "172.31.16.139", "203.0.113.12", 0, 0, 1, t0.Add(time.Minute), "ACCEPT"),
			outbound: []int64{0}},
		{name: "ping to another outside address still counts", open: []Opening{icmp},
			body:     ping + awsV2(eni, "172.31.16.139", "198.51.100.99", 0, 0, 1, t0.Add(3*time.Minute), "ACCEPT"),
			outbound: []int64{1}},
		{name: "new connection to outside still counts", open: []Opening{icmp, iperf},
			body:     ping + iperfIn + awsV2(eni, "172.31.16.139", "198.51.100.99", 50000, 443, 6, t0.Add(3*time.Minute), "ACCEPT"),
			outbound: []int64{1, 1}},
		{name: "rejected new connection did not leave", open: []Opening{iperf},
			body:     iperfIn + awsV2(eni, "172.31.16.139", "198.51.100.99", 50000, 443, 6, t0.Add(3*time.Minute), "REJECT"),
			outbound: []int64{0}},
		{name: "ipv6 reply from the server's own address", open: []Opening{ssh6},
			body:     sshIn6 + awsV2(eni, server6, client6, 22, 34892, 6, t0.Add(time.Minute), "ACCEPT"),
			outbound: []int64{0}},
		{name: "ipv6 new connection from the server's own address counts", open: []Opening{ssh6},
			body:     sshIn6 + awsV2(eni, server6, "2001:4860:4860::8888", 50000, 443, 6, t0.Add(3*time.Minute), "ACCEPT"),
			outbound: []int64{1}},
		{name: "upload from an opening of every port, with its logged return half, still counts", open: []Opening{allTCP},
			body:     sshIn + uploadReturn + upload,
			outbound: []int64{1}},
		{name: "icmp back to a client that came in over tcp is a reply", open: []Opening{allTCP},
			body:     sshIn + awsV2(eni, "172.31.16.139", "203.0.113.10", 3, 3, 1, t0.Add(2*time.Minute), "ACCEPT"),
			outbound: []int64{0}},
		{name: "ipv6 from a private (ULA) address to the server's own address is not outbound", open: []Opening{ssh6},
			body:     sshIn6 + awsV2(eni, "fd00::5", server6, 50004, 22, 6, t0.Add(2*time.Minute), "ACCEPT"),
			outbound: []int64{0}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, _, err := Join(context.Background(), writeFiles(t, map[string]string{"f.log": tc.body}), tc.open, Options{})
			if err != nil {
				t.Fatal(err)
			}
			for i, r := range res {
				if r.Verdict != model.TrafficUsed {
					t.Errorf("%s: verdict %s", tc.open[i].Key, r.Verdict)
				}
				if r.OutboundFlows != tc.outbound[i] {
					t.Errorf("%s: outbound %d, want %d: %+v", tc.open[i].Key, r.OutboundFlows, tc.outbound[i], r.OutboundDestinations)
				}
			}
		})
	}
}
