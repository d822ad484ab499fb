package normalize

import (
	"strings"
	"testing"

	"cloudwall/internal/model"
)

func TestTruncate(t *testing.T) {
	for _, tc := range []struct {
		in   string
		max  int
		want string
	}{
		{"short", 10, "short"},
		{strings.Repeat("a", 12), 10, "aaaaaaaaaa…[truncated 2 bytes]"},
		{"aaaaaaaaaé", 10, "aaaaaaaaa…[truncated 2 bytes]"}, // é is 2 bytes: not cut in half
	} {
		if got := Truncate(tc.in, tc.max); got != tc.want {
			t.Errorf("Truncate(%q, %d) = %q, want %q", tc.in, tc.max, got, tc.want)
		}
	}
}

// TestHugeUserAgentCut: a record with an 8 MB user agent (issue 7: 100 of
// them reached 1.8 GB and 1.6 GB of output) keeps 1 KiB of it, marked, and
// its finding-relevant content intact.
func TestHugeUserAgentCut(t *testing.T) {
	ua := "Terraform/1.7 " + strings.Repeat("x", 8<<20)
	rec := `{"eventVersion":"1.08","eventSource":"ec2.amazonaws.com","eventName":"AuthorizeSecurityGroupIngress","eventTime":"2022-06-01T12:05:53Z",` +
		`"eventID":"` + strings.Repeat("e", 4096) + `","userAgent":"` + ua + `","errorMessage":"` + strings.Repeat("m", 5000) + `",` +
		`"requestParameters":{"groupId":"sg-1","ipProtocol":"tcp","fromPort":22,"toPort":22,"cidrIp":"0.0.0.0/0"}}`
	res := Parse([]byte(rec), model.SourceRef{File: "f"}, nil)
	if res.Kind != Parsed || len(res.Events) != 1 {
		t.Fatalf("Parse = %v %q", res.Kind, res.Reason)
	}
	ev := res.Events[0]
	if len(ev.UserAgent) > MaxText+40 || !strings.HasPrefix(ev.UserAgent, "Terraform/1.7 ") || !strings.HasSuffix(ev.UserAgent, "bytes]") {
		t.Errorf("user agent of %d bytes: %q…", len(ev.UserAgent), ev.UserAgent[:40])
	}
	if len(ev.ErrorMessage) > MaxText+40 || len(ev.EventID) > maxID || ev.OperationID != ev.EventID {
		t.Errorf("error message %d bytes, event id %d bytes, operation id %q", len(ev.ErrorMessage), len(ev.EventID), ev.OperationID)
	}
	if len(ev.Changes) != 1 || ev.Changes[0].Peers[0].Value != "0.0.0.0/0" {
		t.Errorf("changes %+v", ev.Changes)
	}
	// Distinct long ids stay distinct.
	if limitID(strings.Repeat("e", 4096)) == limitID(strings.Repeat("e", 4095)+"f") || limitID(strings.Repeat("e", 300)) != strings.Repeat("e", 300) {
		t.Error("two long ids that differ at the end were merged")
	}
}
