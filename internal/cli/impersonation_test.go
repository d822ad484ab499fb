package cli

import (
	"cmp"
	"encoding/json"
	"strings"
	"testing"
)

// A person driving the configured Terraform service account (a GCP
// impersonation chain that starts at a user) is not automation: the change
// keeps its severity and says who drove it. A configured CI account
// impersonating it is still automation. An AWS role session with a source
// identity is not lowered either.
func TestImpersonatedAutomation(t *testing.T) {
	dir := "testdata/impersonation/"
	code, out, stderr := run(t, nil, "scan", "-q", "--no-store", "--config", dir+"cloudwall.yaml", "--format", "jsonl", "--min-severity", "info",
		dir+"gcp.jsonl", dir+"cloudtrail-source-identity.json", dir+"cloudtrail-plain.json")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	type finding struct {
		Severity string
		Resource struct{ Name string }
		Tags     []string
		Reasons  []string
		Event    struct {
			EventID string `json:"event_id"`
		}
	}
	got := map[string]finding{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var f finding
		if err := json.Unmarshal([]byte(line), &f); err != nil {
			t.Fatal(err)
		}
		got[cmp.Or(f.Resource.Name, f.Event.EventID)] = f
	}
	for _, tt := range []struct {
		rule, severity, tag, reason string
	}{
		{"web-plain", "low", "iac", "made by automation (terraform"},
		{"web-ci", "low", "iac", "made by automation (terraform"},
		{"web-alice", "medium", "automation-impersonated", "impersonated by alice@example.com: not lowered"},
		{"web-bob", "medium", "automation-impersonated", "impersonated by bob@example.com: not lowered"},
		{"e2", "low", "iac", "made by automation (terraform-ci"},
		{"e1", "medium", "automation-impersonated", "impersonated by alice: not lowered"},
		{"web-stray", "medium", "automation-impersonated", "impersonated by stray@acme-dev.iam.gserviceaccount.com"},
	} {
		f, ok := got[tt.rule]
		if !ok {
			t.Errorf("%s: no finding", tt.rule)
			continue
		}
		reasons := strings.Join(f.Reasons, "\n")
		if f.Severity != tt.severity || !strings.Contains(strings.Join(f.Tags, ","), tt.tag) || !strings.Contains(reasons, tt.reason) {
			t.Errorf("%s: %s %v\n%s\nwant %s, tag %s, reason %q", tt.rule, f.Severity, f.Tags, reasons, tt.severity, tt.tag, tt.reason)
		}
	}
}
