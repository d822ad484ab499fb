package traffic

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cloudwall/internal/ingest"
	"cloudwall/internal/model"
)

var t0 = time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)

// vpcLine writes one default-format VPC flow record.
func vpcLine(eni, src, dst string, sport, dport int, at time.Time, action string) string {
	return fmt.Sprintf("2 111122223333 %s %s %s %d %d 6 10 5000 %d %d %s OK\n", eni, src, dst, sport, dport, at.Unix(), at.Add(time.Minute).Unix(), action)
}

func nsgRecord(rule string, tuples ...string) string {
	return `{"time":"2026-11-02T10:00:00Z","resourceId":"/SUBSCRIPTIONS/SUB-1/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.NETWORK/NETWORKSECURITYGROUPS/WEB-NSG","properties":{"Version":2,"flows":[{"rule":"` + rule + `","flows":[{"mac":"000D3AF87856","flowTuples":["` + strings.Join(tuples, `","`) + `"]}]}]}}` + "\n"
}

func nsgTuple(src string, dport int, at time.Time, decision string) string {
	return fmt.Sprintf("%d,%s,10.0.0.4,40000,%d,T,I,%s,B,,,,", at.Unix(), src, dport, decision)
}

func gcpFirewallEntry(rule, src string, dport int, at time.Time, disposition string) string {
	return fmt.Sprintf(`{"jsonPayload":{"connection":{"dest_ip":"10.1.0.2","dest_port":%d,"protocol":6,"src_ip":"%s","src_port":50000},"disposition":"%s","instance":{"project_id":"proj-1","vm_name":"vm-1"},"remote_location":{"country":"xx"},"rule_details":{"action":"ALLOW","direction":"INGRESS","reference":"network:default/firewall:%s"},"vpc":{"project_id":"proj-1","vpc_name":"default"}},"logName":"projects/proj-1/logs/compute.googleapis.com%%2Ffirewall","resource":{"labels":{"project_id":"proj-1"}},"timestamp":"%s"}`+"\n",
		dport, src, disposition, rule, at.Format(time.RFC3339Nano))
}

func writeFiles(t *testing.T, files map[string]string) []ingest.Input {
	t.Helper()
	dir := t.TempDir()
	var ins []ingest.Input
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		ins = append(ins, ingest.FileInput(p, int64(len(body))))
	}
	return ins
}

// background is internal traffic during the window: the flow logs cover it.
var background = vpcLine("eni-web", "10.0.0.9", "10.0.0.5", 40000, 443, t0.Add(5*time.Minute), "ACCEPT")

func TestJoinScenarios(t *testing.T) {
	ssh := model.PortList{{From: 22, To: 22}}
	awsOpen := Opening{Key: "a", Cloud: model.AWS, Account: "111122223333", Firewall: model.Resource{ID: "sg-1"},
		Protocol: 6, Ports: ssh, Start: t0, End: t0.Add(45 * time.Minute), Interfaces: []string{"eni-web"}}
	azOpen := Opening{Key: "z", Cloud: model.Azure, Account: "sub-1",
		Firewall: model.Resource{ID: "/subscriptions/sub-1/resourcegroups/rg/providers/microsoft.network/networksecuritygroups/web-nsg"},
		Protocol: 6, Ports: ssh, Start: t0, RuleName: "open-ssh"}
	gcpOpen := Opening{Key: "g", Cloud: model.GCP, Account: "proj-1", Firewall: model.Resource{Name: "allow-ssh"},
		Protocol: 6, Ports: ssh, Start: t0, RuleName: "allow-ssh"}

	longAWS := awsOpen
	longAWS.End = t0.Add(2 * time.Hour)
	azClosed := azOpen
	azClosed.End = t0.Add(2 * time.Hour)
	gcpClosed := gcpOpen
	gcpClosed.End = t0.Add(2 * time.Hour)
	everyHalfHour := func(from, to time.Duration) string {
		var b strings.Builder
		for d := from; d <= to; d += 30 * time.Minute {
			b.WriteString(vpcLine("eni-web", "10.0.0.9", "10.0.0.5", 40000, 443, t0.Add(d), "ACCEPT"))
		}
		return b.String()
	}

	tests := []struct {
		name     string
		open     Opening
		files    map[string]string
		trusted  []string
		verdict  string
		evidence string
		flows    int64
		waiting  bool
		before   int64
		rejected int64
		outbound int64
	}{
		{name: "aws used within minutes, then outbound", open: awsOpen, files: map[string]string{
			"a.log": vpcLine("eni-web", "198.51.100.7", "10.0.0.5", 40000, 22, t0.Add(3*time.Minute), "ACCEPT") +
				vpcLine("eni-web", "198.51.100.7", "10.0.0.5", 40001, 22, t0.Add(10*time.Minute), "ACCEPT"),
			"b.log": vpcLine("eni-web", "10.0.0.5", "203.0.113.50", 50000, 443, t0.Add(20*time.Minute), "ACCEPT") +
				// the server's reply on port 22 is not an outbound flow
				vpcLine("eni-web", "10.0.0.5", "198.51.100.7", 22, 40000, t0.Add(3*time.Minute), "ACCEPT"),
		}, verdict: model.TrafficUsed, evidence: model.EvidenceInterface, flows: 2, waiting: true, outbound: 1},
		{name: "aws never used", open: awsOpen, files: map[string]string{
			"a.log": vpcLine("eni-web", "10.0.0.9", "10.0.0.5", 40000, 22, t0.Add(3*time.Minute), "ACCEPT"),
		}, verdict: model.TrafficNotSeen},
		{name: "aws traffic before the opening", open: awsOpen, files: map[string]string{
			"a.log": vpcLine("eni-web", "198.51.100.7", "10.0.0.5", 40000, 22, t0.Add(-30*time.Minute), "ACCEPT") + background,
		}, verdict: model.TrafficNotSeen, before: 1},
		{name: "aws traffic after the close", open: awsOpen, files: map[string]string{
			"a.log": vpcLine("eni-web", "198.51.100.7", "10.0.0.5", 40000, 22, t0.Add(2*time.Hour), "ACCEPT") + background,
		}, verdict: model.TrafficNotSeen},
		{name: "aws traffic on another port", open: awsOpen, files: map[string]string{
			"a.log": vpcLine("eni-web", "198.51.100.7", "10.0.0.5", 40000, 3389, t0.Add(3*time.Minute), "ACCEPT"),
		}, verdict: model.TrafficNotSeen},
		{name: "aws traffic from a trusted network", open: awsOpen, trusted: []string{"198.51.100.0/24"}, files: map[string]string{
			"a.log": vpcLine("eni-web", "198.51.100.7", "10.0.0.5", 40000, 22, t0.Add(3*time.Minute), "ACCEPT"),
		}, verdict: model.TrafficNotSeen},
		{name: "aws rejected by a NACL", open: awsOpen, files: map[string]string{
			"a.log": vpcLine("eni-web", "198.51.100.7", "10.0.0.5", 40000, 22, t0.Add(3*time.Minute), "REJECT"),
		}, verdict: model.TrafficRejected, evidence: model.EvidenceInterface, rejected: 1},
		{name: "aws other account is no coverage", open: awsOpen, files: map[string]string{
			"a.log": strings.Replace(vpcLine("eni-web", "198.51.100.7", "10.0.0.5", 40000, 22, t0.Add(3*time.Minute), "ACCEPT"), "111122223333", "999999999999", 1),
		}, verdict: model.TrafficNoCoverage},
		{name: "aws another interface is weaker evidence", open: awsOpen, files: map[string]string{
			"a.log": vpcLine("eni-other", "198.51.100.7", "10.0.0.5", 40000, 22, t0.Add(50*time.Minute-10*time.Minute), "ACCEPT"),
		}, verdict: model.TrafficUsed, evidence: model.EvidenceNetwork, flows: 1},
		{name: "azure rule named", open: azOpen, files: map[string]string{
			"n.json": nsgRecord("UserRule_open-ssh", nsgTuple("198.51.100.9", 22, t0.Add(2*time.Hour), "A")),
		}, verdict: model.TrafficUsed, evidence: model.EvidenceRule, flows: 1},
		{name: "azure another rule allowed it", open: azOpen, files: map[string]string{
			"n.json": nsgRecord("UserRule_partner", nsgTuple("198.51.100.9", 22, t0.Add(20*time.Minute), "A")),
		}, verdict: model.TrafficNotSeen},
		// Coverage is a stretch of records over the whole window: a flow
		// log that stops (DeleteFlowLogs) or skips hours covers nothing
		// after, and the entries of one logged GCP rule cover no other.
		{name: "aws flow log ends minutes into the window", open: longAWS, files: map[string]string{
			"a.log": vpcLine("eni-web", "10.0.0.9", "10.0.0.5", 40000, 443, t0.Add(-time.Hour), "ACCEPT") +
				vpcLine("eni-web", "10.0.0.9", "10.0.0.5", 40000, 443, t0.Add(-30*time.Minute), "ACCEPT") +
				vpcLine("eni-web", "10.0.0.9", "10.0.0.5", 40000, 443, t0.Add(time.Minute), "ACCEPT"),
		}, verdict: model.TrafficNoCoverage},
		{name: "aws flow log through the window", open: longAWS, files: map[string]string{
			"a.log": everyHalfHour(-time.Hour, 4*time.Hour),
		}, verdict: model.TrafficNotSeen},
		{name: "aws flow log with a two-hour hole", open: longAWS, files: map[string]string{
			"a.log": vpcLine("eni-web", "10.0.0.9", "10.0.0.5", 40000, 443, t0.Add(10*time.Minute), "ACCEPT") +
				vpcLine("eni-web", "10.0.0.9", "10.0.0.5", 40000, 443, t0.Add(3*time.Hour), "ACCEPT"),
		}, verdict: model.TrafficNoCoverage},
		{name: "azure blobs of the window's hours missing", open: azClosed, files: map[string]string{
			"h09.json": nsgRecord("UserRule_partner", nsgTuple("198.51.100.9", 443, t0.Add(-50*time.Minute), "A")),
			"h13.json": nsgRecord("UserRule_partner", nsgTuple("198.51.100.9", 443, t0.Add(3*time.Hour), "A")),
		}, verdict: model.TrafficNoCoverage},
		{name: "gcp entries of another logged rule cover nothing", open: gcpClosed, files: map[string]string{
			"g.json": gcpFirewallEntry("allow-internal", "10.1.0.9", 443, t0.Add(-10*time.Minute), "ALLOWED") +
				gcpFirewallEntry("allow-internal", "10.1.0.9", 443, t0.Add(3*time.Hour), "ALLOWED"),
		}, verdict: model.TrafficNoCoverage},
		// A deny names the rule that denied it, never the opening's allow:
		// it is a rejected attempt on the opened port of the same NSG.
		{name: "azure denied by default rule", open: azOpen, files: map[string]string{
			"n.json": nsgRecord("DefaultRule_DenyAllInBound", nsgTuple("198.51.100.9", 22, t0.Add(2*time.Hour), "D")),
		}, verdict: model.TrafficRejected, evidence: model.EvidenceInterface, rejected: 1},
		{name: "azure denied in another NSG", open: azOpen, files: map[string]string{
			"n.json": strings.Replace(nsgRecord("DefaultRule_DenyAllInBound", nsgTuple("198.51.100.9", 22, t0.Add(2*time.Hour), "D")), "WEB-NSG", "DB-NSG", 1),
		}, verdict: model.TrafficNoCoverage},
		{name: "gcp firewall rules logging names the rule", open: gcpOpen, files: map[string]string{
			"g.json": gcpFirewallEntry("allow-ssh", "198.51.100.10", 22, t0.Add(20*time.Minute), "ALLOWED"),
		}, verdict: model.TrafficUsed, evidence: model.EvidenceRule, flows: 1},
		{name: "gcp denied by a deny rule is a rejected attempt", open: gcpOpen, files: map[string]string{
			"g.json": strings.Replace(gcpFirewallEntry("deny-ssh", "198.51.100.10", 22, t0.Add(20*time.Minute), "DENIED"), `"action":"ALLOW"`, `"action":"DENY"`, 1),
		}, verdict: model.TrafficRejected, evidence: model.EvidenceNetwork, rejected: 1},
		{name: "gcp deny without a disposition: the rule's action says denied", open: gcpOpen, files: map[string]string{
			"g.json": strings.Replace(strings.Replace(gcpFirewallEntry("deny-ssh", "198.51.100.10", 22, t0.Add(20*time.Minute), ""), `"action":"ALLOW"`, `"action":"DENY"`, 1), `"disposition":"",`, "", 1),
		}, verdict: model.TrafficRejected, evidence: model.EvidenceNetwork, rejected: 1},
		{name: "gcp nothing before opening", open: gcpOpen, files: map[string]string{
			"g.json": gcpFirewallEntry("allow-ssh", "198.51.100.10", 22, t0.Add(-2*time.Hour), "ALLOWED") +
				strings.Replace(gcpFirewallEntry("allow-ssh", "10.1.0.9", 22, t0.Add(2*time.Hour), "ALLOWED"), `"remote_location":{"country":"xx"},`, "", 1),
		}, verdict: model.TrafficNotSeen, before: 1},
		{name: "no flow logs at all", open: gcpOpen, files: map[string]string{"empty.log": ""}, verdict: model.TrafficNoCoverage},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var trusted []netip.Prefix
			for _, s := range tc.trusted {
				trusted = append(trusted, netip.MustParsePrefix(s))
			}
			res, counts, err := Join(context.Background(), writeFiles(t, tc.files), []Opening{tc.open}, Options{Trusted: trusted})
			if err != nil {
				t.Fatal(err)
			}
			if counts.Unreadable != 0 {
				t.Fatalf("problems: %+v", counts.Problems)
			}
			got := res[0]
			if got.Verdict != tc.verdict || got.Evidence != tc.evidence || got.InboundFlows != tc.flows ||
				got.Waiting != tc.waiting || got.Before != tc.before || got.Rejected != tc.rejected || got.OutboundFlows != tc.outbound {
				t.Errorf("got verdict=%s evidence=%s flows=%d waiting=%v before=%d rejected=%d outbound=%d\n%s",
					got.Verdict, got.Evidence, got.InboundFlows, got.Waiting, got.Before, got.Rejected, got.OutboundFlows, got.Summary)
			}
			if got.Summary == "" {
				t.Error("no summary")
			}
		})
	}
}

func TestJoinPeersNarrowTheOpening(t *testing.T) {
	// An opening to 0.0.0.0/1 is not used by a source in 128.0.0.0/1.
	o := Opening{Cloud: model.AWS, Protocol: 6, Ports: model.PortList{{From: 22, To: 22}}, Start: t0,
		Peers: []netip.Prefix{netip.MustParsePrefix("0.0.0.0/1")}}
	files := map[string]string{"a.log": vpcLine("eni-1", "198.51.100.7", "10.0.0.5", 40000, 22, t0.Add(time.Minute), "ACCEPT")}
	res, _, err := Join(context.Background(), writeFiles(t, files), []Opening{o}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Verdict != model.TrafficNotSeen {
		t.Errorf("verdict %s", res[0].Verdict)
	}
	o.Peers = []netip.Prefix{netip.MustParsePrefix("128.0.0.0/1")}
	res, _, _ = Join(context.Background(), writeFiles(t, files), []Opening{o}, Options{})
	if res[0].Verdict != model.TrafficUsed {
		t.Errorf("verdict %s", res[0].Verdict)
	}
}

func TestJoinBoundedSources(t *testing.T) {
	// Many distinct sources: memory is bounded by MaxTracked, totals still count all.
	var b strings.Builder
	for i := range 3000 {
		fmt.Fprint(&b, vpcLine("eni-1", fmt.Sprintf("198.%d.%d.7", 18+i/250, i%250), "10.0.0.5", 40000, 22, t0.Add(time.Minute), "ACCEPT"))
	}
	o := Opening{Cloud: model.AWS, Protocol: 6, Ports: model.PortList{{From: 22, To: 22}}, Start: t0}
	res, _, err := Join(context.Background(), writeFiles(t, map[string]string{"a.log": b.String()}), []Opening{o}, Options{MaxTracked: 100, TopN: 5})
	if err != nil {
		t.Fatal(err)
	}
	if res[0].InboundFlows != 3000 || len(res[0].Sources) != 5 || res[0].DistinctSources != 101 {
		t.Errorf("flows %d sources %d distinct %d", res[0].InboundFlows, len(res[0].Sources), res[0].DistinctSources)
	}
}

func TestFromWindow(t *testing.T) {
	end := t0.Add(time.Hour)
	w := model.Window{ID: "w1", Cloud: model.Azure, Account: "sub-1",
		Firewall: model.Resource{Type: "nsg_rule", ID: "/subscriptions/sub-1/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/web-nsg/securityRules/open-ssh"},
		Rule: model.RuleChange{Direction: model.Ingress, Action: model.Allow, Protocol: "tcp", Ports: model.PortList{{From: 22, To: 22}},
			Peers: []model.Peer{{Kind: model.PeerAny, Value: "*"}}},
		Start: t0, End: &end}
	o, ok := FromWindow(&w)
	if !ok || o.RuleName != "open-ssh" || o.Protocol != 6 || !o.End.Equal(end) ||
		o.Firewall.ID != "/subscriptions/sub-1/resourcegroups/rg/providers/microsoft.network/networksecuritygroups/web-nsg" {
		t.Fatalf("opening %+v, %v", o, ok)
	}
	w.Rule.Peers = []model.Peer{{Kind: model.PeerCIDR, Value: "10.0.0.0/8"}}
	if _, ok := FromWindow(&w); ok {
		t.Error("a private range is an opening to outside")
	}
	w.Firewall.Type = "sql_firewall_rule"
	w.Rule.Peers = []model.Peer{{Kind: model.PeerAny, Value: "*"}}
	if _, ok := FromWindow(&w); ok {
		t.Error("SQL server traffic is not in flow logs")
	}
}
