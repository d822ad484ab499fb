package aws

import (
	"strings"
	"testing"

	"cloudwall/internal/model"
	"cloudwall/internal/normalize/jv"
)

// An errorCode beside a response that names what the call made (rule
// ids, a new group) is judged the worse way: made, with a note naming
// the conflict. `_return: true` alone, which real failures log too (the
// panther-analysis fixtures), leaves the call failed.
func TestErrorCodeBesideProofOfChange(t *testing.T) {
	const authorize = `{"eventVersion":"1.08","eventSource":"ec2.amazonaws.com","eventName":"AuthorizeSecurityGroupIngress","eventTime":"2026-03-01T00:00:00Z","eventID":"e1",` +
		`"requestParameters":{"groupId":"sg-1","ipPermissions":{"items":[{"ipProtocol":"tcp","fromPort":22,"toPort":22,"ipRanges":{"items":[{"cidrIp":"0.0.0.0/0"}]}}]}},`
	const ruleSet = `"securityGroupRuleSet":{"items":[{"groupId":"sg-1","securityGroupRuleId":"sgr-0abc","isEgress":false,"ipProtocol":"tcp","fromPort":22,"toPort":22,"cidrIpv4":"0.0.0.0/0"}]}`
	tests := []struct {
		name     string
		rec      string
		want     model.Outcome
		wantCode string
		note     string
	}{
		{"forged denial beside returned rule ids",
			authorize + `"errorCode":"Client.UnauthorizedOperation","errorMessage":"You are not authorized","responseElements":{"_return":true,` + ruleSet + `}}`,
			model.Success, "", `errorCode "Client.UnauthorizedOperation" conflicts with the response: responseElements.securityGroupRuleSet[0].securityGroupRuleId sgr-0abc`},
		{"forged dry run beside returned rule ids",
			authorize + `"errorCode":"Client.DryRunOperation","responseElements":{"_return":true,` + ruleSet + `}}`,
			model.Success, "", `errorCode "Client.DryRunOperation" conflicts`},
		{"forged failure beside a created group",
			`{"eventVersion":"1.08","eventSource":"ec2.amazonaws.com","eventName":"CreateSecurityGroup","eventTime":"2026-03-01T00:00:00Z","eventID":"e2","errorCode":"Client.InvalidParameterValue",` +
				`"requestParameters":{"groupName":"g","groupDescription":"d","vpcId":"vpc-1"},"responseElements":{"_return":true,"groupId":"sg-0new"}}`,
			model.Success, "", "responseElements.groupId sg-0new"},
		{"real failure with _return true stays failed (panther-analysis shape)",
			authorize + `"errorCode":"RequestExpired","responseElements":{"requestID":"1","_return":true}}`,
			model.Failure, "RequestExpired", ""},
		{"real failure with no response stays failed",
			authorize + `"errorCode":"Client.UnauthorizedOperation","responseElements":null}`,
			model.Failure, "Client.UnauthorizedOperation", ""},
		{"a rule id that is no sgr- id proves nothing",
			authorize + `"errorCode":"Client.UnauthorizedOperation","responseElements":{"securityGroupRuleSet":{"items":[{"securityGroupRuleId":"x"}]}}}`,
			model.Failure, "Client.UnauthorizedOperation", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec, err := jv.DecodeObject([]byte(tt.rec))
			if err != nil {
				t.Fatal(err)
			}
			evs, err := Parse(rec, model.SourceRef{File: "t.json"})
			if err != nil || len(evs) != 1 {
				t.Fatalf("Parse: %d events, %v", len(evs), err)
			}
			ev := evs[0]
			if ev.Outcome != tt.want || ev.ErrorCode != tt.wantCode {
				t.Errorf("outcome %q code %q, want %q %q", ev.Outcome, ev.ErrorCode, tt.want, tt.wantCode)
			}
			if tt.note != "" && !hasNote(ev, tt.note) {
				t.Errorf("no note containing %q: %q", tt.note, ev.Notes)
			}
			if tt.note == "" && hasNote(ev, "conflicts with the response") {
				t.Errorf("conflict noted on a real failure: %q", ev.Notes)
			}
			if tt.want == model.Success && len(ev.Changes) == 0 && !strings.Contains(tt.name, "group") {
				t.Errorf("no changes read")
			}
		})
	}
}

// The panther-analysis fixtures with an errorCode beside `_return: true`
// stay failed calls.
func TestPantherFailuresStayFailed(t *testing.T) {
	for _, name := range []string{"real_panther_nacl_entry_error", "real_panther_nacl_entry_egress_all_error", "real_panther_sg_ingress_request_expired"} {
		if ev := parseOne(t, name); ev.Outcome != model.Failure || ev.ErrorCode == "" {
			t.Errorf("%s: outcome %q code %q, want a failure", name, ev.Outcome, ev.ErrorCode)
		}
	}
}
