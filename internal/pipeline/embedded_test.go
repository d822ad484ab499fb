package pipeline

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"cloudwall/internal/content"
	"cloudwall/internal/model"
)

// TestEmbeddedDuplicateKeyJudged: a request body logged as JSON text (an
// Azure requestbody, a BigQuery row's requestJson) that gives the source
// twice is judged both ways, whatever the order: the finding is as severe
// as the world-open reading alone, names the key that conflicted, and
// names the record. A body without duplicates is judged as before.
func TestEmbeddedDuplicateKeyJudged(t *testing.T) {
	gcpRow, err := os.ReadFile("../normalize/gcp/testdata/bigquery_firewall_insert.json")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, record, open, closed, key, where string
	}{
		{"azure nsg rule requestbody", azureRecords(t)[0], `\"sourceAddressPrefix\":\"*\"`, `\"sourceAddressPrefix\":\"10.0.0.0/8\"`, "sourceAddressPrefix", "properties.requestbody"},
		{"gcp bigquery requestJson", strings.TrimSpace(string(gcpRow)), `\"sourceRanges\":[\"0.0.0.0/0\"]`, `\"sourceRanges\":[\"10.0.0.0/8\"]`, "sourceRanges", "protopayload_auditlog.requestJson"},
	}
	c, err := content.Default()
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !strings.Contains(tt.record, tt.open) {
				t.Fatalf("fixture changed: no %s", tt.open)
			}
			with := func(body string) string { return strings.Replace(tt.record, tt.open, body, 1) }
			open := worst(t, scanText(t, c, with(tt.open)+"\n", 0))
			closed := worst(t, scanText(t, c, with(tt.closed)+"\n", 0))
			if open.Severity < model.High || closed.Severity >= open.Severity {
				t.Fatalf("controls: world-open %s, closed %s; want the world-open body worse", open.Severity, closed.Severity)
			}
			if reasonWith(open, "conflicting") != "" {
				t.Errorf("a body without duplicates has a conflict note: %q", open.Reasons)
			}
			for _, order := range []string{tt.open + "," + tt.closed, tt.closed + "," + tt.open} {
				for _, large := range []int64{0, 1} {
					// A record before it: the finding must name record 1.
					f := worst(t, scanText(t, c, `{"eventVersion":"1.08","eventName":"GetCallerIdentity"}`+"\n"+with(order)+"\n", large))
					if f.Severity != open.Severity {
						t.Errorf("%s (large=%d): severity %s, want %s as the world-open reading", order, large, f.Severity, open.Severity)
					}
					r := reasonWith(f, `conflicting values for "`+tt.key+`" (duplicate key)`)
					if r == "" || !strings.Contains(r, tt.where) || !strings.Contains(r, "10.0.0.0/8") {
						t.Errorf("%s: reasons %q name no conflict on %s in %s with both values", order, f.Reasons, tt.key, tt.where)
					}
					if filepath.Base(f.Event.File) != "in.json" || f.Event.Index != 1 {
						t.Errorf("%s: finding names %s record %d, want in.json record 1", order, f.Event.File, f.Event.Index)
					}
				}
			}
		})
	}
}

// worst is the most severe finding of a scan.
func worst(t *testing.T, res Result) model.Finding {
	t.Helper()
	if len(res.Findings) == 0 {
		t.Fatalf("no findings (problems %+v)", res.Summary.Problems)
	}
	w := res.Findings[0]
	for _, f := range res.Findings[1:] {
		if f.Severity > w.Severity {
			w = f
		}
	}
	return w
}

func reasonWith(f model.Finding, s string) string {
	for _, r := range f.Reasons {
		if strings.Contains(r, s) {
			return r
		}
	}
	return ""
}
