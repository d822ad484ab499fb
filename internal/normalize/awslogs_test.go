package normalize

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"cloudwall/internal/model"
)

// TestCloudWatchSubscription: a CloudWatch Logs subscription payload as a
// Lambda receives it ({"awslogs":{"data": base64 of gzip}}) gives the
// audit records its log events hold, and says what else it held: a log
// event that is no audit record, a control message, a payload that is
// not base64, not gzip or cut short. Nothing is dropped unsaid.
func TestCloudWatchSubscription(t *testing.T) {
	const ct = `{"eventVersion":"1.08","eventSource":"ec2.amazonaws.com","eventName":"AuthorizeSecurityGroupIngress","eventTime":"2026-03-14T10:00:00Z","awsRegion":"us-east-1","recipientAccountId":"111122223333","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/a"},"requestParameters":{"groupId":"sg-1"}}`
	payload := func(messageType string, messages ...string) []byte {
		var evs []map[string]any
		for i, m := range messages {
			evs = append(evs, map[string]any{"id": i, "timestamp": 0, "message": m})
		}
		b, _ := json.Marshal(map[string]any{"messageType": messageType, "logGroup": "g", "logEvents": evs})
		var z bytes.Buffer
		zw := gzip.NewWriter(&z)
		zw.Write(b)
		zw.Close()
		return z.Bytes()
	}
	record := func(data []byte) []byte {
		return []byte(`{"awslogs":{"data":"` + base64.StdEncoding.EncodeToString(data) + `"}}`)
	}
	full := payload("DATA_MESSAGE", ct, ct)
	for _, tt := range []struct {
		name   string
		raw    []byte
		kind   Kind
		events int
		reason string
	}{
		{"two CloudTrail records", record(full), Parsed, 2, ""},
		{"a flow-log line beside a record", record(payload("DATA_MESSAGE", ct, "2 123456789012 eni-1 10.0.0.1 10.0.0.2 443 5000 6 1 40 1 2 ACCEPT OK")), Parsed, 1,
			"awslogs.data: 1 of its 2 log events are not audit records (log event 2: message is not JSON)"},
		{"flow-log lines only", record(payload("DATA_MESSAGE", "2 123456789012 eni-1 - - - - - - - 1 2 - NODATA")), Unrecognised, 0, "none of its 1 log events is an audit record"},
		{"JSON of no audit shape", record(payload("DATA_MESSAGE", `{"level":"info","msg":"hello"}`)), Unrecognised, 0, "log event 1: no known audit-log shape"},
		{"control message", record(payload("CONTROL_MESSAGE", "CWL CONTROL MESSAGE: Checking health of destination Firehose.")), Skipped, 0, "control message"},
		{"no log events", record(payload("DATA_MESSAGE")), Unrecognised, 0, "holds no logEvents"},
		{"not base64", []byte(`{"awslogs":{"data":"%%%"}}`), Unreadable, 0, "is not base64"},
		{"not gzip", record([]byte("plain text")), Unreadable, 0, "is not gzip"},
		{"gzip cut short", record(full[:len(full)-12]), Unreadable, 0, "cut short or corrupt"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res := Parse(tt.raw, model.SourceRef{File: "f"}, nil)
			if res.Kind != tt.kind || len(res.Events) != tt.events || !strings.Contains(res.Reason, tt.reason) || tt.reason == "" && res.Reason != "" {
				t.Errorf("kind %v, %d events, reason %q; want kind %v, %d events, reason with %q", res.Kind, len(res.Events), res.Reason, tt.kind, tt.events, tt.reason)
			}
		})
	}
}
