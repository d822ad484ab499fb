package cli

import (
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
