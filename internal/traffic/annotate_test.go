package traffic

import (
	"slices"
	"strings"
	"testing"

	"cloudwall/internal/model"
)

// TestAnnotateRaisesOnlyWhatWasWorrying: a used opening judged medium or
// high becomes critical; one judged low (ICMP, a narrow or private peer,
// egress on one port) keeps its severity, with the use said and tagged:
// such openings exist to be used, and raising them made every
// load-balanced ping an incident.
func TestAnnotateRaisesOnlyWhatWasWorrying(t *testing.T) {
	for _, tt := range []struct {
		was, want model.Severity
		reason    string
	}{
		{model.Info, model.Info, "(not raised: the opening itself was judged info)"},
		{model.Low, model.Low, "(not raised: the opening itself was judged low)"},
		{model.Medium, model.Critical, "raised to critical: "},
		{model.High, model.Critical, "raised to critical: "},
		{model.Critical, model.Critical, ""},
	} {
		fs := []model.Finding{{ID: "f", Severity: tt.was}}
		Annotate(fs, []int{0}, []model.Traffic{{Verdict: model.TrafficUsed, Summary: "used: 3 accepted inbound flows"}}, 5)
		f := fs[0]
		if f.Severity != tt.want || !slices.Contains(f.Tags, "used") {
			t.Errorf("%s used: %s %v, want %s tagged used", tt.was, f.Severity, f.Tags, tt.want)
		}
		if r := strings.Join(f.Reasons, "\n"); !strings.Contains(r, "used: 3 accepted inbound flows") || !strings.Contains(r, tt.reason) {
			t.Errorf("%s used: reasons %q, want %q", tt.was, f.Reasons, tt.reason)
		}
	}
}
