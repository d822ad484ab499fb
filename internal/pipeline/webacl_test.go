package pipeline

import (
	"testing"

	"cloudwall/internal/model"
)

// TestCloudFrontWebACL: across the calls of one scan, only a call that
// clears a distribution's web ACL is a detachment and only one that sets a
// different web ACL than before is a replacement; the configuration sent
// again with the same web ACL, and re-attaching one, are not findings.
func TestCloudFrontWebACL(t *testing.T) {
	opts := Options{Filter: Filter{MinSeverity: model.Info}}
	if res := scan(t, []string{"../normalize/aws/testdata/cloudfront_update_distribution_keep_waf.json"}, opts); len(res.Findings) != 0 {
		t.Errorf("a configuration change that keeps the web ACL gave %d findings: %s", len(res.Findings), res.Findings[0].Title)
	}
	res := scan(t, []string{"../normalize/aws/testdata/cloudfront_update_distribution_sequence.json"}, opts)
	got := map[string]model.Severity{}
	for _, f := range res.Findings {
		got[f.Time.Format("15:04")+" "+f.Title] = f.Severity
	}
	want := map[string]model.Severity{
		"23:10 CloudFront distribution E2QWRUHEXAMPLE: web ACL replaced": model.Low,
		"23:14 CloudFront distribution E2QWRUHEXAMPLE: web ACL detached": model.High,
	}
	if len(got) != len(want) {
		t.Errorf("findings %v, want %v", got, want)
	}
	for k, sev := range want {
		if got[k] != sev {
			t.Errorf("%q: %v, want %v (all: %v)", k, got[k], sev, got)
		}
	}
}
