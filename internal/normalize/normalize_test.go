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

// TestNonObjectRecordIsUnreadable: an element of an array of records that
// is no object is reported as unreadable, whether or not the prefilter
// would have dropped it unseen, and says what it is.
func TestNonObjectRecordIsUnreadable(t *testing.T) {
	pre, err := NewPrefilter(testAnchors(t))
	if err != nil {
		t.Fatal(err)
	}
	for raw, kind := range map[string]string{
		`null`: "null", `1`: "number", `-2.5`: "number", `"x"`: "string", `true`: "boolean", ` []`: "array",
		`[{"eventName":"AuthorizeSecurityGroupIngress"}]`: "array",
	} {
		for _, p := range []*Prefilter{nil, pre} {
			res := Parse([]byte(raw), model.SourceRef{}, p)
			if res.Kind != Unreadable || res.Reason != "record is a JSON "+kind+", not an object" {
				t.Errorf("%s (prefilter %v): kind %d reason %q, want unreadable, a JSON %s", raw, p != nil, res.Kind, res.Reason, kind)
			}
		}
	}
	if res := Parse([]byte(" {}"), model.SourceRef{}, nil); res.Kind != Unrecognised {
		t.Errorf("empty object: kind %d, want unrecognised", res.Kind)
	}
}
