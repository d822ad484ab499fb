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
		// refused: the call is one the cloud refuses when what it adds
		// exists (AuthorizeSecurityGroupIngress), so its success proves a
		// removal the logs miss: not lowered, said so.
		refused bool
	}{
		{"aws-again.jsonl", "evt-open", model.Critical, false, false},
		{"aws-again.jsonl", "evt-again", model.Critical, false, true},
		{"aws-again.jsonl", "evt-nacl-open", model.Critical, false, false},
		{"aws-again.jsonl", "evt-nacl-again", model.Low, true, false},
		{"aws-reopened.jsonl", "evt-reopen", model.Critical, false, false},
		{"aws-tie.jsonl", "evt-open", model.Critical, false, false},
		{"aws-tie.jsonl", "evt-tie", model.Critical, false, true},
		{"azure-again.jsonl", "1a2b3c4f", model.Critical, false, false},
		{"azure-again.jsonl", "1a2b3c50", model.Low, true, false},
		{"gcp-again.jsonl", "1a2b3c51", model.Critical, false, false},
		{"gcp-again.jsonl", "1a2b3c52", model.Low, true, false},
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
			lowered, refused := false, false
			for _, r := range f.Reasons {
				lowered = lowered || strings.Contains(r, "already in force, put there by an earlier call")
				refused = refused || strings.Contains(r, "refuses to add a rule that exists")
			}
			if f.Severity != tc.want || lowered != tc.lowered || refused != tc.refused {
				t.Errorf("severity %s (lowered %v, refused %v), want %s (%v, %v)\nreasons: %q", f.Severity, lowered, refused, tc.want, tc.lowered, tc.refused, f.Reasons)
			}
		})
	}
}
