package traffic

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"cloudwall/internal/ingest"
	"cloudwall/internal/model"
)

// TestAzureConnectionStatesCountOnce: Azure NSG (v2) and VNet (v4) flow
// logs write one connection as a begin tuple (B, no counts), continuing
// tuples (C, counts since the last) and an end tuple (E). That is one
// flow, carrying the packets and bytes of its C and E tuples; a second
// connection, or one whose begin is not in the data, is a flow of its own.
func TestAzureConnectionStatesCountOnce(t *testing.T) {
	ssh := model.PortList{{From: 22, To: 22}}
	nsgOpen := Opening{Key: "z", Cloud: model.Azure, Account: "sub-1",
		Firewall: model.Resource{ID: "/subscriptions/sub-1/resourcegroups/rg/providers/microsoft.network/networksecuritygroups/web-nsg"},
		Protocol: 6, Ports: ssh, Start: t0, RuleName: "open-ssh"}
	vnetOpen := nsgOpen
	vnetOpen.Firewall = model.Resource{}
	// v2: time,src,dst,sport,dport,T,I,A,state,pk s2d,by s2d,pk d2s,by d2s
	v2 := func(sport int, at time.Duration, state, counts string) string {
		return fmt.Sprintf("%d,198.51.100.7,10.0.0.4,%d,22,T,I,A,%s,%s", t0.Add(at).Unix(), sport, state, counts)
	}
	// v4: time ms,src,dst,sport,dport,6,I,state,NX,pk s2d,by s2d,pk d2s,by d2s
	v4 := func(sport int, at time.Duration, state, counts string) string {
		return fmt.Sprintf("%d,198.51.100.7,10.0.0.4,%d,22,6,I,%s,NX,%s", t0.Add(at).UnixMilli(), sport, state, counts)
	}
	tests := []struct {
		name           string
		open           Opening
		flows          string
		count, packets int64
		byts           int64
	}{
		{"v4: begin and end of one connection", vnetOpen,
			vnetRecord("UserRule_open-ssh", v4(40000, time.Minute, "B", "0,0,0,0"), v4(40000, 3*time.Minute, "E", "10,1000,8,4000")), 1, 18, 5000},
		{"v4: begin, continuing, end", vnetOpen,
			vnetRecord("UserRule_open-ssh", v4(40000, time.Minute, "B", "0,0,0,0"), v4(40000, 6*time.Minute, "C", "5,500,5,500"), v4(40000, 8*time.Minute, "E", "1,100,1,100")), 1, 12, 1200},
		{"v4: two connections from two source ports", vnetOpen,
			vnetRecord("UserRule_open-ssh", v4(40000, time.Minute, "B", "0,0,0,0"), v4(40001, time.Minute, "B", "0,0,0,0"),
				v4(40000, 2*time.Minute, "E", "1,100,1,100"), v4(40001, 2*time.Minute, "E", "2,200,2,200")), 2, 6, 600},
		{"v4: an end whose begin is not in the data", vnetOpen,
			vnetRecord("UserRule_open-ssh", v4(40000, 2*time.Minute, "E", "1,100,1,100")), 1, 2, 200},
		{"v4: the same ports again after the end", vnetOpen,
			vnetRecord("UserRule_open-ssh", v4(40000, time.Minute, "B", "0,0,0,0"), v4(40000, 2*time.Minute, "E", "1,100,1,100"),
				v4(40000, 10*time.Minute, "B", "0,0,0,0"), v4(40000, 12*time.Minute, "E", "1,100,1,100")), 2, 4, 400},
		{"v2: begin, continuing, end", nsgOpen,
			nsgRecord("UserRule_open-ssh", v2(40000, time.Minute, "B", ",,,"), v2(40000, 6*time.Minute, "C", "5,500,5,500"), v2(40000, 8*time.Minute, "E", "1,100,1,100")), 1, 12, 1200},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, _, err := Join(context.Background(), writeFiles(t, map[string]string{"a.json": tc.flows}), []Opening{tc.open}, Options{})
			if err != nil {
				t.Fatal(err)
			}
			got := res[0]
			if got.Verdict != model.TrafficUsed || got.InboundFlows != tc.count || got.InboundPackets != tc.packets || got.InboundBytes != tc.byts {
				t.Errorf("verdict=%s flows=%d packets=%d bytes=%d, want used %d %d %d\n%s", got.Verdict, got.InboundFlows,
					got.InboundPackets, got.InboundBytes, tc.count, tc.packets, tc.byts, got.Summary)
			}
			if len(got.Sources) != 1 || got.Sources[0].Flows != tc.count || got.Sources[0].Bytes != tc.byts {
				t.Errorf("sources %+v, want one with %d flows and %d bytes", got.Sources, tc.count, tc.byts)
			}
		})
	}
}

// TestAzureConnectionAcrossBlobs: NSG flow logs are hourly blobs, so a
// connection that runs over the hour has its begin in one blob and its
// continuing and end tuples in the next. It is still one flow, with its
// first arrival at the begin, whichever blob is read first and by
// whichever worker.
func TestAzureConnectionAcrossBlobs(t *testing.T) {
	open := Opening{Key: "z", Cloud: model.Azure, Account: "sub-1",
		Firewall: model.Resource{ID: "/subscriptions/sub-1/resourcegroups/rg/providers/microsoft.network/networksecuritygroups/web-nsg"},
		Protocol: 6, Ports: model.PortList{{From: 22, To: 22}}, Start: t0, RuleName: "open-ssh"}
	v2 := func(sport int, at time.Duration, state, counts string) string {
		return fmt.Sprintf("%d,198.51.100.7,10.0.0.4,%d,22,T,I,A,%s,%s", t0.Add(at).Unix(), sport, state, counts)
	}
	hour10 := nsgRecord("UserRule_open-ssh", v2(40000, 50*time.Minute, "B", ",,,"), v2(40000, 55*time.Minute, "C", "5,500,5,500"))
	hour11 := nsgRecord("UserRule_open-ssh", v2(40000, 65*time.Minute, "C", "5,500,5,500"), v2(40000, 70*time.Minute, "E", "1,100,1,100"),
		v2(40001, 75*time.Minute, "B", ",,,")) // another connection: a flow of its own
	tests := []struct {
		name    string
		order   []string
		workers int
	}{
		{"begin's blob first, one worker", []string{"h10", "h11"}, 1},
		{"end's blob first, one worker", []string{"h11", "h10"}, 1},
		{"two workers", []string{"h10", "h11"}, 2},
		{"two workers, end's blob first", []string{"h11", "h10"}, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			files := writeFiles(t, map[string]string{"h10": hour10, "h11": hour11})
			var ins []ingest.Input
			for _, name := range tc.order {
				for _, in := range files {
					if filepath.Base(in.Name) == name {
						ins = append(ins, in)
					}
				}
			}
			res, _, err := Join(context.Background(), ins, []Opening{open}, Options{Workers: tc.workers})
			if err != nil {
				t.Fatal(err)
			}
			got := res[0]
			if got.InboundFlows != 2 || got.InboundPackets != 22 || got.InboundBytes != 2200 {
				t.Errorf("flows=%d packets=%d bytes=%d, want 2 flows (one connection over the hour, one more), 22 packets, 2200 bytes\n%s",
					got.InboundFlows, got.InboundPackets, got.InboundBytes, got.Summary)
			}
			if got.FirstInbound == nil || !got.FirstInbound.Equal(t0.Add(50*time.Minute)) {
				t.Errorf("first inbound %v, want the begin at 10:50", got.FirstInbound)
			}
			if len(got.Sources) != 1 || got.Sources[0].Flows != 2 || got.Sources[0].Bytes != 2200 {
				t.Errorf("sources %+v, want one with 2 flows and 2200 bytes", got.Sources)
			}
		})
	}
}
