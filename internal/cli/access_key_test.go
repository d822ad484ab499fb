package cli

import (
	"encoding/json"
	"strings"
	"testing"
)

// CloudTrail records whose userIdentity names only the access key are one
// identity, the key: five openings with one key are a mass change, and the
// actor says the user is unknown.
func TestAccessKeyOnlyIdentity(t *testing.T) {
	code, out, stderr := run(t, nil, "scan", "-q", "--no-store", "--format", "jsonl", "testdata/access-key-only/cloudtrail.json")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	const key = "access key AKIAIOSFODNN7EXAMPLE"
	mass := 0
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var f struct {
			Rule, Identity string
			Actor          struct{ Name string }
		}
		if err := json.Unmarshal([]byte(line), &f); err != nil {
			t.Fatal(err)
		}
		if f.Identity != key {
			t.Errorf("%s: identity %q, want %q", f.Rule, f.Identity, key)
		}
		if f.Rule == "mass-change" {
			mass++
		} else if f.Actor.Name != "unknown user (access key AKIAIOSFODNN7EXAMPLE)" {
			t.Errorf("%s: actor name %q", f.Rule, f.Actor.Name)
		}
	}
	if mass != 1 {
		t.Errorf("%d mass-change findings, want 1:\n%s", mass, out)
	}
}
