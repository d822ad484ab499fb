package normalize

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	"cloudwall/internal/model"
)

// TestWrappedFlowHint: a flow-log record inside a wrapper (Wazuh's AWS
// and GCP modules and alerts, CloudWatch Logs' message, Splunk's _raw,
// ECS's event.original, Elasticsearch's _source) is reported as it is
// bare: unrecognised, with the same reason and the hint to give it to
// --flows. The Wazuh module's flow logs were skipped with no word.
func TestWrappedFlowHint(t *testing.T) {
	f, err := os.Open("testdata/real_wazuh_gcp_flows.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cases []wrapping
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		var w struct{ GCP json.RawMessage }
		if err := json.Unmarshal([]byte(line), &w); err != nil || len(w.GCP) == 0 {
			t.Fatalf("line %d: no gcp entry: %v", n, err)
		}
		cases = append(cases, wrappings(fmt.Sprintf("gcp line %d", n), string(w.GCP), line)...)
	}
	// Wazuh's AWS module writes a VPC flow record's fields as an object
	// (hand-built in the documented shape of its vpcflow source).
	vpc := `{"source":"vpc","version":"2","account_id":"123456789012","interface_id":"eni-0a1b2c3d","srcaddr":"203.0.113.12","dstaddr":"10.0.0.5","srcport":"40000","dstport":"22","protocol":"6","packets":"10","bytes":"840","start":"2021-05-01T00:00:00Z","end":"2021-05-01T00:01:00Z","action":"ACCEPT","log_status":"OK"}`
	cases = append(cases, wrappings("aws vpc", vpc, `{"integration":"aws","aws":`+vpc+`}`)...)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			bare := Parse([]byte(c.bare), model.SourceRef{File: "f"}, nil)
			got := Parse([]byte(c.wrapped), model.SourceRef{File: "f"}, nil)
			if bare.Kind != Unrecognised || !strings.Contains(bare.Reason, hintFlows) {
				t.Fatalf("bare record: %v %q, want unrecognised with the --flows hint", bare.Kind, bare.Reason)
			}
			if got.Kind != bare.Kind || got.Reason != bare.Reason || len(got.Events) != 0 {
				t.Errorf("wrapped: %v %q (%d events), want as bare: %v %q", got.Kind, got.Reason, len(got.Events), bare.Kind, bare.Reason)
			}
		})
	}
}

type wrapping struct{ name, bare, wrapped string }

// wrappings puts a bare record (and its Wazuh module event) in each
// wrapper.
func wrappings(name, bare, wazuh string) []wrapping {
	text, _ := json.Marshal(bare)
	return []wrapping{
		{name + " wazuh module", bare, wazuh},
		{name + " wazuh alert", bare, `{"rule":{"id":"65049","level":3},"location":"Wazuh-GCloud","data":` + wazuh + `}`},
		{name + " wazuh 4.0 alert", bare, `{"rule":{"id":"65049","level":3},"location":"Wazuh-GCloud","data":` + bare + `}`},
		{name + " _source wazuh", bare, `{"_index":"wazuh-alerts","_source":` + wazuh + `}`},
		{name + " cloudwatch message", bare, `{"id":"1","timestamp":1620000000000,"message":` + string(text) + `}`},
		{name + " splunk _raw", bare, `{"_time":"2021-06-04","_raw":` + string(text) + `}`},
		{name + " ecs event.original", bare, `{"@timestamp":"2021-06-04","event":{"original":` + string(text) + `}}`},
		{name + " _source", bare, `{"_index":"logs","_source":` + bare + `}`},
	}
}
