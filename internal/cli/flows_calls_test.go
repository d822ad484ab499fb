package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cloudwall/internal/model"
)

// ctCall writes one CloudTrail record of an EC2 call by mallory.
func ctCall(n int, at, name, params, response string) string {
	return fmt.Sprintf(`{"eventVersion":"1.09","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/mallory","accountId":"111122223333","userName":"mallory"},"eventTime":"2026-05-01T%sZ","eventSource":"ec2.amazonaws.com","eventName":"%s","awsRegion":"us-east-1","sourceIPAddress":"198.51.100.99","requestParameters":%s,"responseElements":%s,"eventID":"ev-%d","readOnly":false,"eventType":"AwsApiCall","recipientAccountId":"111122223333"}`,
		at, name, params, response, n)
}

func groupSetParams(eni, sg string) string {
	return `{"networkInterfaceId":"` + eni + `","groupSet":{"items":[{"groupId":"` + sg + `"}]}}`
}

// TestFlowsInterfacesFromCalls: the group sets ModifyNetworkInterfaceAttribute
// calls put on interfaces tie flows to an opening while the interface
// carried the group, in scan and timeline alike: a flow on an interface
// the calls put behind another group, or moved off the group before the
// flow, is not use of it.
func TestFlowsInterfacesFromCalls(t *testing.T) {
	const sgA, sgB, eniA, eniB = "sg-0aaaa000000000001", "sg-0bbbb000000000002", "eni-0aaaa00000000000a", "eni-0bbbb00000000000b"
	dir := t.TempDir()
	open := `{"groupId":"` + sgA + `","ipPermissions":{"items":[{"ipProtocol":"tcp","fromPort":22,"toPort":22,"ipRanges":{"items":[{"cidrIp":"0.0.0.0/0"}]}}]}}`
	rule := `{"_return":true,"securityGroupRuleSet":{"items":[{"groupId":"` + sgA + `","securityGroupRuleId":"sgr-1","isEgress":false,"ipProtocol":"tcp","fromPort":22,"toPort":22,"cidrIpv4":"0.0.0.0/0"}]}}`
	records := []string{
		ctCall(1, "08:01:00", "ModifyNetworkInterfaceAttribute", groupSetParams(eniA, sgA), `{"_return":true}`),
		ctCall(2, "08:02:00", "ModifyNetworkInterfaceAttribute", groupSetParams(eniB, sgB), `{"_return":true}`),
		ctCall(3, "10:00:00", "AuthorizeSecurityGroupIngress", open, rule),
		ctCall(4, "10:30:00", "ModifyNetworkInterfaceAttribute", groupSetParams(eniA, sgB), `{"_return":true}`),
		ctCall(5, "12:00:00", "RevokeSecurityGroupIngress", `{"groupId":"`+sgA+`","securityGroupRuleIds":{"items":[{"securityGroupRuleId":"sgr-1"}]}}`, `{"_return":true}`),
	}
	ct := filepath.Join(dir, "ct.json")
	if err := os.WriteFile(ct, []byte(`{"Records":[`+strings.Join(records, ",")+`]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	base := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	line := func(eni, src, dst string, dport int, at string) string {
		d, _ := time.ParseDuration(at)
		s := base.Add(d).Unix()
		return fmt.Sprintf("2 111122223333 %s %s %s 50000 %d 6 10 1000 %d %d ACCEPT OK\n", eni, src, dst, dport, s, s+30)
	}
	var fl strings.Builder
	fl.WriteString("version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n")
	for h := 9; h <= 13; h++ {
		fl.WriteString(line(eniA, "10.0.2.5", "10.0.1.10", 443, fmt.Sprintf("%dh", h)))
	}
	fl.WriteString(line(eniA, "203.0.113.10", "10.0.1.10", 22, "10h10m")) // behind sgA: use
	fl.WriteString(line(eniB, "203.0.113.15", "10.0.1.20", 22, "10h50m")) // behind sgB only
	fl.WriteString(line(eniA, "203.0.113.60", "10.0.1.10", 22, "11h"))    // moved to sgB at 10:30
	flows := filepath.Join(dir, "flows.log")
	if err := os.WriteFile(flows, []byte(fl.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	check := func(cmd string, tr *model.Traffic) {
		t.Helper()
		if tr == nil {
			t.Fatalf("%s: no traffic", cmd)
		}
		var srcs []string
		for _, s := range tr.Sources {
			srcs = append(srcs, s.Address)
		}
		if tr.Verdict != model.TrafficUsed || tr.Evidence != model.EvidenceInterface || strings.Join(srcs, ",") != "203.0.113.10" {
			t.Errorf("%s: verdict %s evidence %q sources %v, want used by interface from 203.0.113.10 only: %s", cmd, tr.Verdict, tr.Evidence, srcs, tr.Summary)
		}
	}

	code, out, errOut := run(t, nil, "scan", "--no-store", "--format", "jsonl", "--flows", flows, ct)
	if code != ExitOK {
		t.Fatalf("scan: exit %d: %s", code, errOut)
	}
	var got *model.Traffic
	for _, f := range findings(t, out) {
		if f.Operation == "AuthorizeSecurityGroupIngress" {
			got = f.Traffic
		}
	}
	check("scan", got)

	fws, _ := timelineFirewalls(t, "--flows", flows, ct)
	got = nil
	for _, ft := range fws {
		for _, w := range ft.Windows {
			if ft.Firewall.ID == sgA && w.Traffic != nil {
				got = w.Traffic
			}
		}
	}
	check("timeline", got)
}
