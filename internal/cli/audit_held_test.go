package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"cloudwall/internal/testutil"
)

// spillNotice is the stderr line of an audit that sorted on disk.
var spillNotice = regexp.MustCompile(`(?m)^cloudwall: more than --max-held \d+ firewalls: .*\n`)

// audit --max-held 1 sorts every firewall and finding on disk and judges
// each firewall alone: the same report in every format as holding them
// all, suppressed findings (listed or not) and filters included, with a
// notice that it spilled; --max-held 0 is a usage error.
func TestAuditMaxHeld(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "cloudwall.yaml")
	body := "suppressions:\n" +
		"  - {id: nsg, owner: secops, reason: lab, expires: 2999-01-01, match: {resources: ['*c7n-nsg']}}\n" +
		"  - {id: old, owner: netops, reason: gone, expires: 2001-01-01, match: {resources: [sg-6c7fa917]}}\n"
	if err := os.WriteFile(cfg, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, format := range []string{"jsonl", "csv", "ocsf", "json", "sarif", "markdown"} {
		for _, extra := range [][]string{{"--min-severity", "info"}, {"--show-suppressed", "--min-severity", "info"}, {"--min-severity", "medium", "--cloud", "aws,azure"}} {
			args := append([]string{"audit", "--format", format, "--config", cfg, "--as-of", asOf}, extra...)
			args = append(args, snapshots)
			code, want, wantErr := run(t, nil, append(args, "--max-held", "1000000")...)
			if code != ExitOK || spillNotice.MatchString(wantErr) {
				t.Fatalf("%v: exit %d: %s", args, code, wantErr)
			}
			code, got, gotErr := run(t, nil, append(args, "--max-held", "1")...)
			if code != ExitOK || !spillNotice.MatchString(gotErr) {
				t.Fatalf("%v --max-held 1: exit %d: %s", args, code, gotErr)
			}
			// OCSF's created_time is when the finding was written.
			created := regexp.MustCompile(`"created_time":\d+`)
			if g, w := created.ReplaceAll(stable(got), nil), created.ReplaceAll(stable(want), nil); string(g) != string(w) {
				t.Errorf("%v --max-held 1:\n%.800s\nwant, as held in memory:\n%.800s", args, got, want)
			}
			elapsedLine := regexp.MustCompile(`(?m)^.*(Elapsed|elapsed|in \d).*$`)
			if g, w := elapsedLine.ReplaceAllString(spillNotice.ReplaceAllString(gotErr, ""), ""), elapsedLine.ReplaceAllString(wantErr, ""); g != w {
				t.Errorf("%v --max-held 1: summary\n%s\nwant, as held in memory:\n%s", args, g, w)
			}
		}
	}
	if code, _, stderr := run(t, nil, "audit", "--max-held", "0", snapshots); code != ExitUsage {
		t.Errorf("--max-held 0: exit %d (%s), want usage error", code, stderr)
	}
}

// An audit of 20,000 security groups, each open to the world on 22,
// holds at --max-held 200 a few fields per group, not the groups nor
// their 20,000 findings: its peak live heap is under a quarter of the
// audit holding them all.
func TestAuditMaxHeldBoundsMemory(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "sg.json")
	var b strings.Builder
	b.WriteString(`{"SecurityGroups": [`)
	for i := range 20000 {
		if i > 0 {
			b.WriteString(",\n")
		}
		// describe-security-groups, the documented shape
		// (../../../shared/design/state-formats.md 2.1).
		fmt.Fprintf(&b, `{"GroupId": "sg-%017x", "GroupName": "app-%d", "VpcId": "vpc-%08x", "OwnerId": "123456789012", "Description": "team %d", `+
			`"IpPermissions": [{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0", "Description": "temp access"}]}, `+
			`{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "10.%d.0.0/16"}]}], `+
			`"IpPermissionsEgress": [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]}`, i, i, i%300, i%40, i%200)
	}
	b.WriteString("]}\n")
	if err := os.WriteFile(in, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	peak := func(held string) uint64 {
		var (
			code   int
			stderr string
		)
		grew := testutil.PeakLiveHeap(func() {
			code, _, stderr = run(t, nil, "audit", "-q", "--format", "jsonl", "-o", filepath.Join(dir, "out"), "--max-held", held, in)
		})
		if code != ExitOK {
			t.Fatalf("--max-held %s: exit %d: %s", held, code, stderr)
		}
		return grew
	}
	all, bounded := peak("1000000"), peak("200")
	t.Logf("peak live heap auditing 20,000 groups: holding all %d MiB, --max-held 200 %d MiB", all>>20, bounded>>20)
	if bounded > all/4 {
		t.Errorf("--max-held 200: peak live heap %d MiB auditing 20,000 groups, want under a quarter of the %d MiB holding them all", bounded>>20, all>>20)
	}
}
