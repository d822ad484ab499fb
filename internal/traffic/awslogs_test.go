package traffic

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
)

// awslogsEvent builds a CloudWatch Logs subscription event as a Lambda
// function receives it (documented shape: base64 of gzip of the payload).
func awslogsEvent(t testing.TB, messageType string, messages ...string) string {
	t.Helper()
	type event struct {
		ID        string `json:"id"`
		Timestamp int64  `json:"timestamp"`
		Message   string `json:"message"`
	}
	p := map[string]any{"messageType": messageType, "owner": "111122223333", "logGroup": "vpc-flow-logs",
		"logStream": "eni-web-all", "subscriptionFilters": []string{"all"}, "logEvents": []event{}}
	var evs []event
	for i, m := range messages {
		evs = append(evs, event{ID: string(rune('a' + i)), Message: m})
	}
	if evs != nil {
		p["logEvents"] = evs
	}
	b, _ := json.Marshal(p)
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	zw.Write(b)
	zw.Close()
	return `{"awslogs":{"data":"` + base64.StdEncoding.EncodeToString(z.Bytes()) + `"}}`
}

// TestReadCloudWatchSubscription: VPC flow-log records that reach a
// Lambda function through a CloudWatch Logs subscription are read; what
// cannot be decoded is reported and counted, never skipped in silence.
func TestReadCloudWatchSubscription(t *testing.T) {
	line := strings.TrimSuffix(vpcLine("eni-web", "198.51.100.7", "10.0.0.5", 40000, 22, t0, "ACCEPT"), "\n")
	tests := []struct {
		name       string
		body       string
		flows      int64
		unreadable int64
		problem    string
	}{
		{"one event, two records", awslogsEvent(t, "DATA_MESSAGE", line, line), 2, 0, ""},
		{"events one per line", awslogsEvent(t, "DATA_MESSAGE", line) + "\n" + awslogsEvent(t, "DATA_MESSAGE", line) + "\n", 2, 0, ""},
		{"a bad record among good ones", awslogsEvent(t, "DATA_MESSAGE", line, "2 111122223333 eni-web bad"), 1, 1, "VPC flow log record"},
		{"control message", awslogsEvent(t, "CONTROL_MESSAGE", "CWL CONTROL MESSAGE: Checking health of destination"), 0, 0, ""},
		{"data not base64", `{"awslogs":{"data":"%%%"}}`, 0, 1, "awslogs.data"},
		{"data not gzip", `{"awslogs":{"data":"aGVsbG8="}}`, 0, 1, "awslogs.data"},
		{"data not a string", `{"awslogs":{"data":7}}`, 0, 1, "awslogs.data is not a string"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var r fileReader
			var n int64
			if err := r.ReadStream(context.Background(), "lambda-event.json", strings.NewReader(tc.body), func(*Flow) { n++ }); err != nil {
				t.Fatal(err)
			}
			c := r.counts
			if n != tc.flows || c.Flows != tc.flows || c.Unreadable != tc.unreadable {
				t.Errorf("emitted %d, counts %+v; want %d flows, %d unreadable", n, c, tc.flows, tc.unreadable)
			}
			if tc.problem != "" && (len(c.Problems) == 0 || !strings.Contains(c.Problems[0].Message, tc.problem)) {
				t.Errorf("problems %+v, want one about %q", c.Problems, tc.problem)
			}
		})
	}
}
