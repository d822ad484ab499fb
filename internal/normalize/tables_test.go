package normalize

import (
	"encoding/json"
	"os"
	"reflect"
	"strings"
	"testing"

	"cloudwall/internal/model"
)

// TestQueryAnswerReadsAsItsRows: the Log Analytics query API's columnar
// answer gives the same events as the same AzureActivity rows exported as
// JSON objects (the KQL export the Azure parser reads).
func TestQueryAnswerReadsAsItsRows(t *testing.T) {
	raw, err := os.ReadFile("testdata/loganalytics_api_azureactivity.json")
	if err != nil {
		t.Fatal(err)
	}
	res := Parse(raw, model.SourceRef{File: "answer"}, nil)
	if res.Kind != Parsed || res.Reason != "" {
		t.Fatalf("kind %d, reason %q", res.Kind, res.Reason)
	}
	var want []model.Event
	for _, f := range []string{"azure/testdata/loganalytics_securityrule_rdp.json", "azure/testdata/loganalytics_nearmiss_route.json"} {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var rows []map[string]any
		if err := json.Unmarshal(data, &rows); err != nil {
			var one map[string]any
			if err := json.Unmarshal(data, &one); err != nil {
				t.Fatal(err)
			}
			rows = []map[string]any{one}
		}
		for _, r := range rows {
			one := Parse(mustJSON(t, r), model.SourceRef{File: "answer"}, nil)
			if one.Kind != Parsed {
				t.Fatalf("%s: kind %d: %s", f, one.Kind, one.Reason)
			}
			want = append(want, one.Events...)
		}
	}
	if len(res.Events) != len(want) || len(want) != 4 {
		t.Fatalf("%d events from the answer, %d from the rows (want 4, one per row)", len(res.Events), len(want))
	}
	for i := range want {
		if !reflect.DeepEqual(res.Events[i], want[i]) {
			t.Errorf("event %d differs:\nanswer %s\nrows   %s", i, mustJSON(t, res.Events[i]), mustJSON(t, want[i]))
		}
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestQueryAnswerShapes: bad rows are reported without hiding good ones,
// and answers that hold no audit rows say so.
func TestQueryAnswerShapes(t *testing.T) {
	row := `["2026-03-17T09:42:13Z","MICROSOFT.NETWORK/NETWORKSECURITYGROUPS/DELETE","Success","c1","/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/nsg1"]`
	cols := `[{"name":"TimeGenerated","type":"datetime"},{"name":"OperationNameValue","type":"string"},{"name":"ActivityStatusValue","type":"string"},{"name":"CorrelationId","type":"string"},{"name":"ResourceId","type":"string"}]`
	adxCols := strings.ReplaceAll(strings.ReplaceAll(cols, `"name"`, `"ColumnName"`), `"type"`, `"DataType"`)
	tests := []struct {
		name   string
		raw    string
		kind   Kind
		events int
		reason string
	}{
		{"one row", `{"tables":[{"name":"PrimaryResult","columns":` + cols + `,"rows":[` + row + `]}]}`, Parsed, 1, ""},
		{"Data Explorer v1 casing", `{"Tables":[{"TableName":"Table_0","Columns":` + adxCols + `,"Rows":[` + row + `]}]}`, Parsed, 1, ""},
		{"short row beside a good one", `{"tables":[{"name":"PrimaryResult","columns":` + cols + `,"rows":[["x"],` + row + `]}]}`, Parsed, 1, "PrimaryResult row 0: 1 values for 5 columns"},
		{"only a short row", `{"tables":[{"name":"PrimaryResult","columns":` + cols + `,"rows":[["x"]]}]}`, Unreadable, 0, "1 values for 5 columns"},
		{"no rows", `{"tables":[{"name":"PrimaryResult","columns":` + cols + `,"rows":[]}]}`, Skipped, 0, "no rows"},
		{"a count, not audit rows", `{"tables":[{"name":"PrimaryResult","columns":[{"name":"Category","type":"string"},{"name":"count_","type":"long"}],"rows":[["Administrative",20839]]}]}`, Unrecognised, 0, "count_"},
		{"unnamed column", `{"tables":[{"name":"PrimaryResult","columns":[{"type":"string"}],"rows":[["x"]]}]}`, Unreadable, 0, "column 0 has no name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := Parse([]byte(tt.raw), model.SourceRef{File: "q.json"}, nil)
			if res.Kind != tt.kind || len(res.Events) != tt.events || !strings.Contains(res.Reason, tt.reason) {
				t.Errorf("kind %d, %d events, reason %q; want kind %d, %d events, reason containing %q", res.Kind, len(res.Events), res.Reason, tt.kind, tt.events, tt.reason)
			}
		})
	}
}
