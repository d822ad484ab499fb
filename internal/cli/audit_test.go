package cli

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"cloudwall/internal/testutil"
)

const (
	snapshots = "../../testdata/snapshots"
	monday    = "../../testdata/snapshots-diff/monday"
	friday    = "../../testdata/snapshots-diff/friday"
	asOf      = "2026-03-14T12:00:00Z"
)

// elapsed hides the one value that differs between runs.
var elapsed = regexp.MustCompile(`("elapsed_ns": )\d+|(\*\*Elapsed:\*\* )\S+`)

func stable(out string) []byte {
	return []byte(elapsed.ReplaceAllString(out, "${1}${2}X"))
}

// The audit and diff of the bundled snapshots in every format. Review a
// diff like code; rewrite with -update.
func TestAuditAndDiffGolden(t *testing.T) {
	// The diff's snapshots do not say when they were taken: their
	// findings carry the files' modification time, fixed here.
	taken, _ := time.Parse(time.RFC3339, "2026-03-13T17:00:00Z")
	for _, dir := range []string{monday, friday} {
		err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				err = os.Chtimes(p, taken, taken)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	cmds := map[string][]string{
		"audit": {"audit", "--as-of", asOf, snapshots},
		"diff":  {"diff", monday, friday},
	}
	for name, args := range cmds {
		for _, format := range []string{"table", "json", "jsonl", "csv", "markdown", "sarif"} {
			t.Run(name+"/"+format, func(t *testing.T) {
				t.Setenv("COLUMNS", "250")
				a := append([]string{args[0], "-q", "--min-severity", "info", "--color", "never", "--format", format}, args[1:]...)
				code, out, stderr := run(t, nil, a...)
				if code != ExitOK {
					t.Fatalf("exit %d: %s", code, stderr)
				}
				if format == "table" {
					out, _, _ = strings.Cut(out, "\nFiles:")
				}
				testutil.Golden(t, filepath.Join("testdata", name+"."+format), stable(out))
			})
		}
	}
}

func TestAuditExitCodes(t *testing.T) {
	dir := t.TempDir()
	unknown := filepath.Join(dir, "notes.json")
	if err := os.WriteFile(unknown, []byte(`{"hello":"world"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	vm := filepath.Join(dir, "vm.json")
	if err := os.WriteFile(vm, []byte(`{"id":"/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1","type":"Microsoft.Compute/virtualMachines","properties":{}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	plan := filepath.Join(snapshots, "terraform", "tfplan.json")
	tests := []struct {
		name string
		args []string
		want int
		msg  string
	}{
		{"no paths", []string{"audit"}, ExitUsage, "at least one SNAPSHOT"},
		{"missing path", []string{"audit", "does/not/exist"}, ExitError, "does/not/exist"},
		{"bad stale-after", []string{"audit", "--stale-after", "soon", snapshots}, ExitUsage, "--stale-after"},
		{"plan fails on high", []string{"audit", "-q", "--format", "sarif", "--fail-on", "high", plan}, ExitFindings, ""},
		{"plan passes critical-only filter on gcp", []string{"audit", "-q", "--format", "jsonl", "--fail-on", "critical", "--cloud", "gcp", plan}, ExitOK, ""},
		{"unknown shape is reported, not fatal", []string{"audit", "--format", "jsonl", unknown, plan}, ExitOK, "unknown snapshot shape"},
		{"unknown shape alone reads nothing", []string{"audit", "-q", "--format", "jsonl", unknown}, ExitNoInput, "none of a format cloudwall reads"},
		{"a skipped record is named, with its file and why", []string{"audit", "-q", "--format", "jsonl", vm}, ExitOK,
			vm + " record 1: skipped, holds no firewall rules cloudwall reads: Azure resource of type microsoft.compute/virtualmachines"},
		{"diff needs two sets", []string{"diff", monday}, ExitUsage, "two snapshot sets"},
		{"nothing read", []string{"audit", "-q", t.TempDir()}, ExitNoInput, "nothing was read"},
		{"fail-on names what tripped it", []string{"audit", "-q", "--format", "jsonl", "--fail-on", "critical", plan}, ExitFindings, "ssh_from_anywhere"},
		{"diff fails on high", []string{"diff", "-q", "--format", "jsonl", "--fail-on", "high", monday, friday}, ExitFindings, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := run(t, nil, tt.args...)
			if code != tt.want {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, tt.want, stderr)
			}
			if !strings.Contains(stderr, tt.msg) {
				t.Errorf("stderr %q does not mention %q", stderr, tt.msg)
			}
		})
	}
}

func TestAuditFilters(t *testing.T) {
	_, out, _ := run(t, nil, "audit", "-q", "--format", "jsonl", "--as-of", asOf, "--min-severity", "high", "--cloud", "azure", snapshots)
	fs := findings(t, out)
	if len(fs) == 0 {
		t.Fatal("no findings")
	}
	for _, f := range fs {
		if f.Cloud != "azure" || f.Severity.String() != "high" && f.Severity.String() != "critical" {
			t.Errorf("filtered finding kept: %s %s %s", f.Cloud, f.Severity, f.Title)
		}
	}
}
