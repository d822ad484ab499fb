package pipeline

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"cloudwall/internal/model"
)

// TestShadowedAllow: an allow rule added under a deny that is evaluated
// first and covers all of its traffic (known from an earlier call in the
// scan) opens nothing: it is rated medium, not as the opening it would be,
// and its title and tag say it is shadowed. An allow evaluated before the
// deny, or admitting ports or sources the deny does not cover, keeps its
// severity; removing the shadowing deny is the call that exposes. So does
// an allow under a deny of a GCP firewall policy whose associations are
// not known.
func TestShadowedAllow(t *testing.T) {
	for _, tc := range []struct {
		file, resource string // resource: in the title, upper or lower case
		want           model.Severity
		shadowed       bool
	}{
		{"nsg-shadowed.jsonl", "ALLOW-SSH", model.Medium, true},
		{"nsg-before-deny.jsonl", "ALLOW-SSH", model.Critical, false},
		{"nsg-partly.jsonl", "ALLOW-RANGE", model.Critical, false},
		{"nsg-narrow-deny.jsonl", "ALLOW-SSH", model.Critical, false},
		{"nsg-deny-removed.jsonl", "ALLOW-SSH", model.Medium, true},
		{"nsg-deny-removed.jsonl", "DENY-SSH deleted", model.Critical, false},
		{"gcp-shadowed.jsonl", "allow-ssh", model.Medium, true},
		{"gcp-before-deny.jsonl", "allow-ssh", model.Critical, false},
		// A deny of a firewall policy attached to nothing known proves
		// nothing: the caller chooses it, so it must not lower the allow.
		{"gcp-policy-unattached.jsonl", "allow-ssh", model.Critical, false},
	} {
		t.Run(tc.file+"/"+tc.resource, func(t *testing.T) {
			res := scan(t, []string{filepath.Join("testdata/shadow", tc.file)}, Options{Filter: Filter{MinSeverity: model.Info}})
			var f *model.Finding
			for i := range res.Findings {
				if strings.Contains(res.Findings[i].Title, tc.resource) {
					f = &res.Findings[i]
				}
			}
			if f == nil {
				t.Fatalf("no finding names %s", tc.resource)
			}
			if f.Severity != tc.want {
				t.Errorf("severity %s, want %s\ntitle: %s\nreasons: %q", f.Severity, tc.want, f.Title, f.Reasons)
			}
			said := strings.Contains(f.Title, "(shadowed by deny rule deny-ssh)") && slices.Contains(f.Tags, "shadowed")
			if said != tc.shadowed {
				t.Errorf("title %q, tags %q: shadowed said %v, want %v", f.Title, f.Tags, said, tc.shadowed)
			}
		})
	}
}
