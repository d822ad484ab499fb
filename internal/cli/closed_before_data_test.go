package cli

import (
	"slices"
	"testing"

	"cloudwall/internal/model"
)

// testdata/closed-before-data: a rule already open when the data begins is
// removed at 10:00, and flows went through it before. Its window runs from
// an unknown time before the data to 10:00, and those flows are its use.
func TestTimelineFlowsWindowOpenBeforeData(t *testing.T) {
	const dir = "testdata/closed-before-data/"
	tests := []struct {
		cloud, base, flows, logs string
		evidence                 string
		sources                  []string
	}{
		{"aws", "aws/enis", "aws/fl", "aws/ct", model.EvidenceInterface, []string{"203.0.113.10", "203.0.113.12"}},
		{"azure", "azure/base", "azure/fl", "azure/act", model.EvidenceRule, []string{"203.0.113.30"}},
		{"gcp", "gcp/base", "gcp/fl", "gcp/audit", model.EvidenceRule, []string{"192.0.2.10", "192.0.2.11"}},
	}
	for _, tc := range tests {
		t.Run(tc.cloud, func(t *testing.T) {
			fws, out := timelineFirewalls(t, "-q", "--baseline", dir+tc.base, "--flows", dir+tc.flows, dir+tc.logs)
			if len(fws) != 1 || len(fws[0].Windows) != 1 {
				t.Fatalf("want one firewall with one window:\n%s", out)
			}
			w := fws[0].Windows[0]
			if w.StartKnown || !w.StartUnbounded || w.End == nil || !w.End.Equal(hm(10, 0)) {
				t.Errorf("window start %v (known %v, unbounded %v) end %v: want open before the data, closed at 10:00", w.Start, w.StartKnown, w.StartUnbounded, w.End)
			}
			tr := w.Traffic
			if tr == nil {
				t.Fatal("no traffic verdict")
			}
			var srcs []string
			for _, s := range tr.Sources {
				srcs = append(srcs, s.Address)
			}
			slices.Sort(srcs)
			if tr.Verdict != model.TrafficUsed || tr.Evidence != tc.evidence || !slices.Equal(srcs, tc.sources) || tr.Before != 0 || tr.Waiting {
				t.Errorf("traffic %s/%s sources %v before %d waiting %v, want used/%s from %v:\n%s",
					tr.Verdict, tr.Evidence, srcs, tr.Before, tr.Waiting, tc.evidence, tc.sources, tr.Summary)
			}
		})
	}
}
