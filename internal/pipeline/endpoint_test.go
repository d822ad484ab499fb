package pipeline

import (
	"strings"
	"testing"

	"cloudwall/internal/model"
)

// TestKnownEndpointTurnedOn: a list sent while an EKS cluster's public
// endpoint is off admits no one (low); the later call that turns the
// endpoint on without a list is the opening, judged by the list state
// knows (0.0.0.0/0: critical; a narrow list leaves the detector's medium;
// no list known leaves it too).
func TestKnownEndpointTurnedOn(t *testing.T) {
	res := scan(t, []string{"testdata/cluster-endpoint/eks.json"}, Options{Filter: Filter{MinSeverity: model.Info}})
	for _, tc := range []struct {
		event string
		want  model.Severity
		title string
	}{
		{"ep-prod-off", model.Low, "allowlist set with the public endpoint turned off"},
		{"ep-prod-on", model.Critical, "EKS cluster prod public API endpoint turned on: opened to the IPv4 internet"},
		{"ep-corp-off", model.Low, "allowlist set with the public endpoint turned off"},
		{"ep-corp-on", model.Medium, "public API endpoint turned on"},
		{"ep-unseen-on", model.Medium, "public API endpoint turned on"},
	} {
		var f *model.Finding
		for i := range res.Findings {
			if res.Findings[i].Event.EventID == tc.event && res.Findings[i].Rule == "aws-eks-endpoint-access" {
				f = &res.Findings[i]
			}
		}
		if f == nil {
			t.Errorf("%s: no finding", tc.event)
			continue
		}
		if f.Severity != tc.want || !strings.Contains(f.Title, tc.title) {
			t.Errorf("%s: %s %q, want %s %q\nreasons: %q", tc.event, f.Severity, f.Title, tc.want, tc.title, f.Reasons)
		}
		if tc.want == model.Critical && (f.Window == nil || f.Window.Rule.Peers[0].Value != "0.0.0.0/0") {
			t.Errorf("%s: window %+v, want the one the list opens", tc.event, f.Window)
		}
	}
}
