package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cloudwall/internal/model"
)

// sgOpen is a CloudTrail record opening tcp/22 to the world on group of
// account at t.
func sgOpen(id, account, group string, t time.Time) string {
	return fmt.Sprintf(`{"eventVersion":"1.08","eventTime":%q,"eventSource":"ec2.amazonaws.com","eventName":"AuthorizeSecurityGroupIngress","awsRegion":"us-east-1","sourceIPAddress":"198.51.100.7","userAgent":"aws-cli/2","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::%[2]s:user/alice","accountId":%[2]q,"userName":"alice"},"requestParameters":{"groupId":%[3]q,"ipPermissions":{"items":[{"ipProtocol":"tcp","fromPort":22,"toPort":22,"ipRanges":{"items":[{"cidrIp":"0.0.0.0/0"}]}}]}},"responseElements":{"_return":true},"eventID":%[4]q,"recipientAccountId":%[2]q}`,
		t.Format(time.RFC3339), account, group, id)
}

// TestOpenWindowEndsWithItsAccount: a window still open in one account is
// measured to that account's data (its calls, and its flow records with
// --flows), not to another account's later logs; the table reads long
// durations in days, and ranks by the per-account measure.
func TestOpenWindowEndsWithItsAccount(t *testing.T) {
	dir := t.TempDir()
	t2017 := time.Date(2017, 2, 16, 21, 50, 0, 0, time.UTC)
	t2022 := time.Date(2022, 11, 16, 10, 0, 0, 0, time.UTC)
	trail := `{"Records":[` + strings.Join([]string{
		sgOpen("e1", "111122223333", "sg-0000000000000old1", t2017),
		sgOpen("e2", "111122223333", "sg-0000000000000old1", t2017.Add(30*time.Minute)),
		sgOpen("e3", "444455556666", "sg-0000000000000new1", t2022),
		sgOpen("e4", "444455556666", "sg-0000000000000new1", t2022.Add(2*time.Hour)),
	}, ",") + `]}`
	logs := filepath.Join(dir, "trail.json")
	if err := os.WriteFile(logs, []byte(trail), 0o600); err != nil {
		t.Fatal(err)
	}
	// A flow of the old account 3 days after its last call.
	fl := t2017.Add(72 * time.Hour).Unix()
	flows := filepath.Join(dir, "flows.log")
	line := fmt.Sprintf("2 111122223333 eni-0123456789abcdef0 10.0.0.5 203.0.113.12 443 51515 6 4 336 %d %d ACCEPT OK\n", fl, fl+60)
	if err := os.WriteFile(flows, []byte(line), 0o600); err != nil {
		t.Fatal(err)
	}
	timeline := func(extra ...string) []model.FirewallTimeline {
		t.Helper()
		code, out, stderr := run(t, nil, append(append([]string{"timeline", "--format", "jsonl", "-q"}, extra...), logs)...)
		if code != ExitOK {
			t.Fatalf("timeline %v: exit %d: %s", extra, code, stderr)
		}
		var fts []model.FirewallTimeline
		for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
			var ft model.FirewallTimeline
			if err := json.Unmarshal([]byte(l), &ft); err != nil {
				t.Fatal(err)
			}
			fts = append(fts, ft)
		}
		return fts
	}
	byAccount := func(fts []model.FirewallTimeline) map[string]model.FirewallTimeline {
		m := map[string]model.FirewallTimeline{}
		for _, ft := range fts {
			m[ft.Account] = ft
		}
		return m
	}
	m := byAccount(timeline())
	old, recent := m["111122223333"], m["444455556666"]
	if !old.End.Equal(t2017.Add(30*time.Minute)) || old.Exposed != 30*time.Minute {
		t.Errorf("old account: end %v exposed %v, want its last call (30m), not the other account's 2022 data", old.End, old.Exposed)
	}
	if recent.Exposed != 2*time.Hour {
		t.Errorf("recent account: exposed %v, want 2h", recent.Exposed)
	}
	fts := timeline("--flows", flows)
	if fts[0].Account != "111122223333" {
		t.Errorf("most exposed first: %s first, want the old account (3 days by its flows)", fts[0].Account)
	}
	m = byAccount(fts)
	if want := t2017.Add(72*time.Hour + time.Minute); !m["111122223333"].End.Equal(want) {
		t.Errorf("with its flow logs the old account ends %v, want %v", m["111122223333"].End, want)
	}
	code, out, _ := run(t, nil, "timeline", "--format", "table", "-q", "--flows", flows, logs)
	if code != ExitOK || !strings.Contains(out, "exposed 3d 0h") || !strings.Contains(out, "(3d 0h so far)") {
		t.Errorf("table: exit %d, want the old window read in days (3d 0h):\n%s", code, out)
	}
}
