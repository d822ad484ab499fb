package pipeline

import (
	"slices"
	"strings"
	"testing"

	"cloudwall/internal/model"
)

// TestRangesDropped: an AKS cluster PUT without authorized IP ranges is
// a finding (the allowlist removed, high) only when state knew the
// cluster had ranges, in memory and when findings spill to disk; the
// same PUT alone is none, and counts as no firewall event. Fixtures:
// ../cli/testdata/aks-ranges-dropped/README.md.
func TestRangesDropped(t *testing.T) {
	const dir = "../cli/testdata/aks-ranges-dropped/logs/"
	for _, tt := range []struct {
		name    string
		paths   []string
		removed bool
	}{
		{"ranges known", []string{dir}, true},
		{"PUT alone", []string{dir + "2-put-without-ranges.json"}, false},
	} {
		for _, held := range []int{0, 1} {
			res := scan(t, tt.paths, Options{MaxHeld: held, Filter: Filter{MinSeverity: model.Info}, NoCorrelate: true})
			fs := res.Findings
			if res.Spill != nil {
				if err := res.EachFinding(func(f model.Finding) error { fs = append(fs, f); return nil }); err != nil {
					t.Fatal(err)
				}
				if err := res.Close(); err != nil {
					t.Fatal(err)
				}
			}
			i := slices.IndexFunc(fs, func(f model.Finding) bool { return strings.Contains(f.Title, "authorized IP ranges removed") })
			if (i >= 0) != tt.removed {
				t.Fatalf("%s (held %d): %d findings, want the removal %v", tt.name, held, len(fs), tt.removed)
			}
			if want := int64(len(fs)); res.Summary.FirewallEvents != want {
				t.Errorf("%s (held %d): %d firewall events, want %d", tt.name, held, res.Summary.FirewallEvents, want)
			}
			if !tt.removed {
				continue
			}
			f := fs[i]
			if f.Severity != model.High || len(f.Rollback) != 1 || !strings.HasSuffix(f.Rollback[0], "--api-server-authorized-ip-ranges 198.51.100.0/24") ||
				!slices.ContainsFunc(f.Reasons, func(r string) bool { return strings.Contains(r, "ranges it removed were known") }) {
				t.Errorf("%s (held %d): %s %q rollback %q reasons %q", tt.name, held, f.Severity, f.Title, f.Rollback, f.Reasons)
			}
		}
	}
}
