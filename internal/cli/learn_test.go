package cli

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"cloudwall/internal/model"
)

// TestLearnThenScan: learn builds the baseline without reporting; a scan
// of a later change by a new user then reports first-seen-actor once.
func TestLearnThenScan(t *testing.T) {
	if code, _, errOut := run(t, nil, "learn", samples); code != ExitError || !strings.Contains(errOut, "needs a store") {
		t.Errorf("learn without a store: exit %d, %q", code, errOut)
	}
	db := filepath.Join(t.TempDir(), "cw.db")
	code, out, errOut := run(t, nil, "learn", "-q", "--store", db, samples)
	if code != ExitOK || !strings.HasPrefix(out, "learned ") || strings.Contains(out, "{") {
		t.Fatalf("learn: exit %d, %q, %s", code, out, errOut)
	}
	later := "../../testdata/context/firstseen"
	for i, want := range []int{1, 0} {
		code, out, errOut := run(t, nil, "scan", "--store", db, "--format", "jsonl", later)
		if code != ExitOK {
			t.Fatalf("scan: exit %d: %s", code, errOut)
		}
		n := 0
		for _, f := range findings(t, out) {
			if f.Rule == "first-seen-actor" {
				n++
			}
			if f.Rule == "aws-sg-ingress-change" && (i == 0) != slices.ContainsFunc(f.FirstSeen, func(x model.FirstSeen) bool { return x.Kind == "actor" }) {
				t.Errorf("scan %d: first_seen %v", i+1, f.FirstSeen)
			}
		}
		if n != want {
			t.Errorf("scan %d: %d first-seen-actor findings, want %d", i+1, n, want)
		}
	}
	if code, _, _ := run(t, nil, "learn", "--store", db, filepath.Join(t.TempDir(), "missing")); code != ExitError {
		t.Errorf("learn of a missing path: exit %d", code)
	}
}

// TestLearnSaysNothingOfSuppressions: learn reports no finding, so its
// summary neither counts suppressed findings (to list with a flag learn
// lacks) nor says that an expired suppression shows findings again.
func TestLearnSaysNothingOfSuppressions(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "cloudwall.yaml")
	if err := os.WriteFile(cfg, []byte("suppressions:\n"+
		"  - {id: active, owner: o, reason: r, expires: 2999-01-01, match: {clouds: [aws]}}\n"+
		"  - {id: old, owner: o, reason: r, expires: 2020-01-01, match: {clouds: [gcp]}}\n"+
		"  - {id: unused, owner: o, reason: r, expires: 2999-01-01, match: {rules: [no-such-rule]}}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := run(t, nil, "learn", "--config", cfg, "--store", filepath.Join(dir, "cw.db"), samples)
	if code != ExitOK || !strings.HasPrefix(out, "learned ") {
		t.Fatalf("learn: exit %d, %q, %s", code, out, errOut)
	}
	for _, bad := range []string{"suppress", "expired", "matched no finding"} {
		if strings.Contains(errOut, bad) {
			t.Errorf("learn's summary says %q:\n%s", bad, errOut)
		}
	}
}

// TestLearnSummaryCountsNoFindings: learn reports nothing, so its summary
// counts no finding; before, it said "26 (5 critical, 4 high, ...)" of
// the samples, findings nobody was shown.
func TestLearnSummaryCountsNoFindings(t *testing.T) {
	code, out, errOut := run(t, nil, "learn", "--store", filepath.Join(t.TempDir(), "cw.db"), samples)
	if code != ExitOK || !strings.Contains(out, "nothing reported") {
		t.Fatalf("learn: exit %d, %q, %s", code, out, errOut)
	}
	if !strings.Contains(errOut, "Findings:") || !strings.Contains(errOut, "92 read") {
		t.Fatalf("learn's summary is missing:\n%s", errOut)
	}
	for _, line := range strings.Split(errOut, "\n") {
		if strings.HasPrefix(line, "Findings:") && !strings.Contains(line, " 0 (0 critical, 0 high, 0 medium, 0 low, 0 info)") {
			t.Errorf("learn's summary counts findings it did not report: %q", line)
		}
	}
}
