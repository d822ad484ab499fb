package pipeline

import (
	"path/filepath"
	"strings"
	"testing"

	"cloudwall/internal/model"
)

// TestAlreadyInForce: a call that sets again what an earlier call in the
// logs put in force, with no logged call taking it away in between, opens
// nothing: it is low, and the earlier call keeps the exposure's severity.
// A port opened again after a logged close is a new opening, and of two
// calls at the same instant neither is known to come first.
func TestAlreadyInForce(t *testing.T) {
	for _, tc := range []struct {
		file, eventID string // eventID: a prefix of the finding's event id
		want          model.Severity
		lowered       bool
	}{
		{"aws-again.jsonl", "evt-open", model.Critical, false},
		{"aws-again.jsonl", "evt-again", model.Low, true},
		{"aws-again.jsonl", "evt-nacl-open", model.Critical, false},
		{"aws-again.jsonl", "evt-nacl-again", model.Low, true},
		{"aws-reopened.jsonl", "evt-reopen", model.Critical, false},
		{"aws-tie.jsonl", "evt-open", model.Critical, false},
		{"aws-tie.jsonl", "evt-tie", model.Critical, false},
		{"azure-again.jsonl", "1a2b3c4f", model.Critical, false},
		{"azure-again.jsonl", "1a2b3c50", model.Low, true},
		{"gcp-again.jsonl", "1a2b3c51", model.Critical, false},
		{"gcp-again.jsonl", "1a2b3c52", model.Low, true},
	} {
		t.Run(tc.file+"/"+tc.eventID, func(t *testing.T) {
			res := scan(t, []string{filepath.Join("testdata/already", tc.file)}, Options{Filter: Filter{MinSeverity: model.Info}, NoCorrelate: true})
			var f *model.Finding
			for i := range res.Findings {
				if strings.HasPrefix(res.Findings[i].Event.EventID, tc.eventID) {
					f = &res.Findings[i]
				}
			}
			if f == nil {
				t.Fatalf("no finding for event %s", tc.eventID)
			}
			lowered := false
			for _, r := range f.Reasons {
				lowered = lowered || strings.Contains(r, "already in force, put there by an earlier call")
			}
			if f.Severity != tc.want || lowered != tc.lowered {
				t.Errorf("severity %s (lowered %v), want %s (%v)\nreasons: %q", f.Severity, lowered, tc.want, tc.lowered, f.Reasons)
			}
		})
	}
}
