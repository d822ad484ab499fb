package cli

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"testing"

	"cloudwall/internal/model"
	"cloudwall/internal/testutil"
)

// revokedRules reads the --ip-permissions of an ec2 revoke command as
// one "proto from-to peer" line per peer, so that one element with two
// ranges and two elements with one each read the same.
func revokedRules(t *testing.T, cmd string) []string {
	t.Helper()
	words, err := testutil.ShellWords(cmd)
	if err != nil {
		t.Fatalf("%s: %v", cmd, err)
	}
	i := slices.Index(words, "--ip-permissions")
	if i < 0 || i+1 >= len(words) {
		t.Fatalf("no --ip-permissions in %s", cmd)
	}
	var perms []struct {
		IpProtocol       string
		FromPort, ToPort *int
		IpRanges         []struct{ CidrIp string }
		Ipv6Ranges       []struct{ CidrIpv6 string }
	}
	if err := json.Unmarshal([]byte(words[i+1]), &perms); err != nil {
		t.Fatalf("%s: %v", cmd, err)
	}
	var out []string
	for _, p := range perms {
		ports := "-"
		if p.FromPort != nil && p.ToPort != nil {
			ports = strconv.Itoa(*p.FromPort) + "-" + strconv.Itoa(*p.ToPort)
		}
		for _, r := range p.IpRanges {
			out = append(out, p.IpProtocol+" "+ports+" "+r.CidrIp)
		}
		for _, r := range p.Ipv6Ranges {
			out = append(out, p.IpProtocol+" "+ports+" "+r.CidrIpv6)
		}
	}
	slices.Sort(out)
	return out
}

// TestScanRevokesWhatTimelineRevokes: for an authorize whose response
// names no rule ids (a real 2021 EventBridge event), scan prints a revoke
// that runs, and it takes away the same rules as timeline's undo.
func TestScanRevokesWhatTimelineRevokes(t *testing.T) {
	const in = "../normalize/aws/testdata/real_eventbridge_root_sg_ingress_2021.json"
	code, out, stderr := run(t, nil, "scan", "--no-store", "--format", "jsonl", "-q", in)
	if code != ExitOK {
		t.Fatalf("scan: exit %d: %s", code, stderr)
	}
	fs := decodeFindings(t, out)
	if len(fs) != 1 || fs[0].Guidance == nil {
		t.Fatalf("scan: %d findings, want 1 with guidance", len(fs))
	}
	var scanRevoke string
	for _, c := range fs[0].Guidance.Commands {
		if c.Step == model.StepRespond && strings.HasPrefix(c.Run, "aws ec2 revoke-security-group-ingress ") {
			scanRevoke = c.Run
		}
	}
	if scanRevoke == "" || strings.Contains(scanRevoke, "<") {
		t.Fatalf("scan prints no runnable revoke: %q", fs[0].Guidance.Respond)
	}
	code, out, stderr = run(t, nil, "timeline", "--format", "jsonl", "-q", in)
	if code != ExitOK {
		t.Fatalf("timeline: exit %d: %s", code, stderr)
	}
	var ft model.FirewallTimeline
	if err := json.Unmarshal([]byte(strings.TrimSpace(out)), &ft); err != nil {
		t.Fatalf("timeline: %v: %s", err, out)
	}
	var undo []string
	for _, c := range ft.Changes {
		for _, r := range c.Rollback {
			undo = append(undo, revokedRules(t, r)...)
		}
	}
	slices.Sort(undo)
	got := revokedRules(t, scanRevoke)
	if want := []string{"tcp 22-22 0.0.0.0/0", "tcp 22-22 ::/0"}; !slices.Equal(got, want) || !slices.Equal(undo, want) {
		t.Errorf("scan revokes %q, timeline undoes %q; want both %q\nscan: %s", got, undo, want, scanRevoke)
	}
}
