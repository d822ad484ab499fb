package cli

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"cloudwall/internal/model"
	"cloudwall/internal/testutil"
)

// elapsedLine hides the run time in the summary.
var elapsedLine = regexp.MustCompile(`Elapsed:\s+\S+`)

// realSnapshots holds the snapshot package's copies of shared/data/snapshots
// (provenance in its SOURCES.md): API recordings as published.
const realSnapshots = "../snapshot/testdata/real"

// The real recordings (boto placebo, HTTP flight, VCR cassette, REST spec
// example) audited as published: findings and summary. Rewrite with
// -update and review the diff like code.
func TestAuditRecordingsGolden(t *testing.T) {
	var args []string
	for _, f := range []string{
		"aws/custodian_describe-security-groups_default-vpc-groups.json",
		"aws/custodian_describe-network-interfaces_public-ips.json",
		"aws/custodian_config_get-resource-config-history_security-group.json",
		"aws/custodian_describe-network-acls_default-after-entry-delete.json",
		"gcp/custodian_rest_firewalls-list.flight.json",
		"gcp/custodian_rest_firewalls-patch_operation.flight.json",
		"azure/custodian_arm-nsg-list_open-ports-before-after-put.cassette.json",
		"azure/custodian_arm-sql-server-firewall-rules.cassette.json",
		"azure/azure-rest-api-specs_NetworkSecurityGroupGet.example.json",
		"azure/azure-rest-api-specs_AzureFirewallGet.example.json",
		"aws/notes_config-item_default-sg-rdp-open.json",
	} {
		args = append(args, filepath.Join(realSnapshots, f))
	}
	t.Setenv("COLUMNS", "250")
	code, out, stderr := run(t, nil, append([]string{"audit", "--as-of", asOf, "--min-severity", "info", "--color", "never", "--format", "table"}, args...)...)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	// The table ends with the summary: 14 records (a cassette's
	// interactions are its records), the PUT, the GCP operation and the
	// SQL server list skipped, each named in a problem.
	if !strings.Contains(out, "Records:   14 read, 0 unreadable, 3 skipped") || !strings.Contains(out, "Firewalls: 11 read, 45 rules") || !strings.Contains(out, "Problems (3):") {
		t.Errorf("summary:\n%s", out)
	}
	testutil.Golden(t, filepath.Join("testdata", "audit-recordings.table"), []byte(elapsedLine.ReplaceAllString(out, "Elapsed: X")))
}

// diff reads the placebo pair as published: the NACL's egress allow-all
// entry deleted between the two recordings.
func TestDiffRecordings(t *testing.T) {
	before := filepath.Join(realSnapshots, "aws/custodian_describe-network-acls_default-before.json")
	after := filepath.Join(realSnapshots, "aws/custodian_describe-network-acls_default-after-entry-delete.json")
	code, out, stderr := run(t, nil, "diff", "-q", "--format", "jsonl", "--min-severity", "info", before, after)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	fs := findings(t, out)
	if len(fs) != 1 || fs[0].Resource.ID != "acl-6c9db915" || len(fs[0].Changes) != 1 {
		t.Fatalf("findings %+v", fs)
	}
	c := fs[0].Changes[0]
	if c.Effect != model.Removed || c.Direction != model.Egress || c.Action != model.Allow {
		t.Errorf("change %+v, want the egress allow removed", c)
	}
}
