package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestExportCommand(t *testing.T) {
	code, out, errOut := run(t, nil, "export", "--target", "SIGMA", "--rule", "az-nsg-rule-write")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"==> sigma/az-nsg-rule-write.yml <==", "==> sigma/az-nsg-rule-write-internet.yml <==", "service: activitylogs", "microsoft.network/networksecuritygroups/securityrules/write"} {
		if !strings.Contains(out, want) {
			t.Errorf("export output lacks %q", want)
		}
	}
	dir := t.TempDir()
	if code, _, errOut := run(t, nil, "export", "--target", "all", "--rule", "gcp-firewall-insert", "--out", dir); code != ExitOK {
		t.Fatalf("--out: exit %d: %s", code, errOut)
	}
	if _, err := os.Stat(filepath.Join(dir, "sigma", "gcp-firewall-insert.yml")); err != nil {
		t.Error(err)
	}
	for _, args := range [][]string{{"export"}, {"export", "--target", "nope"}, {"export", "--target", "sigma", "--rule", "no-such-rule"}} {
		if code, _, errOut := run(t, nil, args...); code != ExitUsage {
			t.Errorf("%v: exit %d, want usage error: %s", args, code, errOut)
		}
	}
}
