package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"cloudwall/internal/model"
)

// naclEntry is the request of a CreateNetworkAclEntry call on 22/tcp.
func naclEntry(n int, action, cidr string) string {
	return fmt.Sprintf(`{"aclProtocol":"6","cidrBlock":"%s","egress":false,"icmpTypeCode":{},"networkAclId":"acl-0aaaa000000000001","portRange":{"from":22,"to":22},"ruleAction":"%s","ruleNumber":%d}`, cidr, action, n)
}

// TestFlowsPartialNACLDeny: a network ACL deny of half of the internet
// (0.0.0.0/1) put before a world allow on 22 leaves the other half
// (128.0.0.0/1) exposed: its flows after the deny are still use of the
// opening, in scan and timeline, while flows from the denied half are not.
func TestFlowsPartialNACLDeny(t *testing.T) {
	dir := t.TempDir()
	records := []string{
		ctCall(1, "10:00:00", "CreateNetworkAclEntry", naclEntry(100, "allow", "0.0.0.0/0"), `{"_return":true}`),
		ctCall(2, "10:30:00", "CreateNetworkAclEntry", naclEntry(50, "deny", "0.0.0.0/1"), `{"_return":true}`),
	}
	ct := filepath.Join(dir, "ct.json")
	if err := os.WriteFile(ct, []byte(`{"Records":[`+strings.Join(records, ",")+`]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	base := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	line := func(src string, at string) string {
		d, _ := time.ParseDuration(at)
		s := base.Add(d).Unix()
		return fmt.Sprintf("2 111122223333 eni-0aaaa00000000000a %s 10.0.1.10 50000 22 6 10 1000 %d %d ACCEPT OK\n", src, s, s+30)
	}
	var fl strings.Builder
	fl.WriteString("version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n")
	for h := 9; h <= 12; h++ {
		fl.WriteString(fmt.Sprintf("2 111122223333 eni-0aaaa00000000000a 10.0.2.5 10.0.1.10 50000 443 6 10 1000 %d %d ACCEPT OK\n",
			base.Add(time.Duration(h)*time.Hour).Unix(), base.Add(time.Duration(h)*time.Hour).Unix()+30))
	}
	fl.WriteString(line("203.0.113.10", "10h45m")) // 128.0.0.0/1, after the deny: use
	fl.WriteString(line("45.0.0.10", "10h50m"))    // 0.0.0.0/1, after the deny: not use
	flows := filepath.Join(dir, "flows.log")
	if err := os.WriteFile(flows, []byte(fl.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	sources := func(ts []*model.Traffic) []string {
		var out []string
		for _, tr := range ts {
			for _, s := range tr.Sources {
				if tr.Verdict == model.TrafficUsed {
					out = append(out, s.Address)
				}
			}
		}
		slices.Sort(out)
		return out
	}
	code, out, errOut := run(t, nil, "scan", "--no-store", "--format", "jsonl", "--min-severity", "info", "--flows", flows, ct)
	if code != ExitOK && code != ExitFindings {
		t.Fatalf("scan: exit %d: %s", code, errOut)
	}
	var scan []*model.Traffic
	for _, f := range findings(t, out) {
		if f.Traffic != nil {
			scan = append(scan, f.Traffic)
		}
	}
	if got := sources(scan); !slices.Equal(got, []string{"203.0.113.10"}) {
		t.Errorf("scan: used by %v, want 203.0.113.10 only (the half the deny left open)", got)
	}
	fws, tout := timelineFirewalls(t, "--flows", flows, ct)
	var tl []*model.Traffic
	for _, ft := range fws {
		for _, w := range ft.Windows {
			if w.Traffic != nil {
				tl = append(tl, w.Traffic)
			}
		}
	}
	if got := sources(tl); !slices.Equal(got, []string{"203.0.113.10"}) {
		t.Errorf("timeline: used by %v, want 203.0.113.10 only:\n%s", got, tout)
	}
}
