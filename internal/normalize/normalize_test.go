package normalize

import (
	"encoding/json"
	"testing"

	"cloudwall/internal/model"
)

// TestShipperEnvelopes: records carried by log shippers and SIEM exports
// reach the right parser.
func TestShipperEnvelopes(t *testing.T) {
	rec := `{"eventVersion":"1.08","eventSource":"ec2.amazonaws.com","eventName":"DeleteSecurityGroup","eventTime":"2026-03-01T00:00:00Z","eventID":"e1","requestParameters":{"groupId":"sg-1"}}`
	text, _ := json.Marshal(rec)
	for name, raw := range map[string]string{
		"cloudwatch export":  `{"logStreamName":"s","timestamp":1,"message":` + string(text) + `}`,
		"splunk _raw":        `{"_raw":` + string(text) + `,"sourcetype":"aws:cloudtrail"}`,
		"splunk export":      `{"preview":false,"offset":0,"result":{"_raw":` + string(text) + `}}`,
		"elasticsearch hit":  `{"_index":"ct","_id":"1","_source":` + rec + `}`,
		"ecs event.original": `{"@timestamp":"2026-03-01T00:00:00Z","event":{"original":` + string(text) + `}}`,
	} {
		res := Parse([]byte(raw), model.SourceRef{File: name}, nil)
		if res.Kind != Parsed || len(res.Events) != 1 || res.Events[0].OperationKey != "ec2:deletesecuritygroup" {
			t.Errorf("%s: kind %d, %d events, reason %q", name, res.Kind, len(res.Events), res.Reason)
		}
	}
	if res := Parse([]byte(`{"_raw":"{not json"}`), model.SourceRef{}, nil); res.Kind != Unreadable {
		t.Errorf("broken _raw: kind %d, want unreadable", res.Kind)
	}
	if res := Parse([]byte(`{"_raw":"plain text line"}`), model.SourceRef{}, nil); res.Kind != Unrecognised {
		t.Errorf("text _raw: kind %d, want unrecognised", res.Kind)
	}
}
