package pipeline

import (
	"path/filepath"
	"testing"

	"cloudwall/internal/model"
)

// TestDefaultEgress: the allow-all egress rule every new VPC security
// group has, added again, restores a default (low); it lifts a
// restriction, medium, only when the state knew the group had none (its
// default egress revoked earlier in the scan). A GCP egress allow-all at
// priority 65535 is the implied rule's twin (low); at 1000 it overrides
// egress denies of larger numbers (medium).
func TestDefaultEgress(t *testing.T) {
	for _, tc := range []struct {
		file, event string
		want        model.Severity
	}{
		{"default-alone.json", "readd", model.Low},
		{"created-then-readded.json", "readd", model.Low},
		{"restricted-then-lifted.json", "readd", model.Medium},
		{"other-egress.json", "c2", model.Low},
		{"gcp-egress.jsonl", "operation-e1", model.Low},
		{"gcp-egress.jsonl", "operation-e2", model.Medium},
	} {
		t.Run(tc.file+"/"+tc.event, func(t *testing.T) {
			res := scan(t, []string{filepath.Join("testdata/egress", tc.file)}, Options{Filter: Filter{MinSeverity: model.Info}})
			var f *model.Finding
			for i := range res.Findings {
				if res.Findings[i].Event.EventID == tc.event && res.Findings[i].Rule != "first-seen-actor" {
					f = &res.Findings[i]
				}
			}
			if f == nil {
				t.Fatalf("no finding for event %s", tc.event)
			}
			if f.Severity != tc.want {
				t.Errorf("severity %s, want %s\ntitle: %s\nreasons: %q", f.Severity, tc.want, f.Title, f.Reasons)
			}
		})
	}
}
