package normalize

import (
	"reflect"
	"strings"
	"testing"

	"cloudwall/internal/model"
)

// TestGCPInPlaceSameAsFull: GCP context records of the shapes a parser
// reads differently give in place what a full read gives, and those
// marked plain are read in place.
func TestGCPInPlaceSameAsFull(t *testing.T) {
	p := newContextPrefilter(t)
	entry := func(top, pp string) string {
		return `{"insertId":"i1","logName":"projects/p/logs/cloudaudit.googleapis.com%2Factivity",` + top +
			`"protoPayload":{"@type":"type.googleapis.com/google.cloud.audit.AuditLog","methodName":"SetIamPolicy","resourceName":"projects/p",` +
			`"authenticationInfo":{"principalEmail":"a@p.iam.gserviceaccount.com"},"requestMetadata":{"callerIp":"1.2.3.4"}` + pp + `}}`
	}
	tests := []struct {
		name, rec string
		plain     bool // read in place
	}{
		{"plain", entry(`"timestamp":"2024-01-01T00:00:00Z",`, ``), true},
		{"time with offset", entry(`"timestamp":" 2024-01-01 01:00:00.5+01:00 ",`, ``), true},
		{"time with zone name", entry(`"timestamp":"2024-01-01 00:00:00 UTC",`, ``), true},
		{"time unreadable", entry(`"timestamp":"yesterday",`, ``), true},
		{"time empty", entry(`"timestamp":"",`, ``), true},
		{"time null", entry(`"timestamp":null,`, ``), true},
		{"time a number", entry(`"timestamp":1700000000,`, ``), true},
		{"time protobuf", entry(`"timestamp":{"seconds":"1700000000","nanos":5},`, ``), true},
		{"time protobuf as text", entry(`"timestamp":"{\"seconds\":1700000000}",`, ``), true},
		{"time escaped", entry(`"timestamp":"2024-01-01T00:00:00\u005a",`, ``), true},
		{"no time", entry(``, ``), true},
		{"operation", entry(`"timestamp":"2024-01-01T00:00:00Z","operation":{"id":"op\u002d1","first":"true","last":false},`, ``), true},
		{"operation id a number", entry(`"operation":{"id":7,"last":true},`, ``), true},
		{"failed", entry(``, `,"status":{"code":7,"message":"denied"}`), true},
		{"failed by name", entry(``, `,"status":"{\"code\":\"permission_denied\"}"`), true},
		{"delegation", strings.Replace(entry(``, ``), `"principalEmail":"a@p.iam.gserviceaccount.com"`,
			`"principalEmail":"a@p.iam.gserviceaccount.com","serviceAccountDelegationInfo":[{"firstPartyPrincipal":{"principalEmail":"b@x"}},"{\"principalSubject\":\"s\"}",{"principalSubject":"t"}]`, 1), true},
		{"delegation in place", strings.Replace(entry(``, ``), `"principalEmail":"a@p.iam.gserviceaccount.com"`,
			`"principalEmail":"a@p.iam.gserviceaccount.com","serviceAccountDelegationInfo":[{"firstPartyPrincipal":{"principalEmail":"b@x"}},7,{"thirdPartyPrincipal":{"thirdPartyClaims":{"sub":"t"}}}]`, 1), true},
		{"data access log", strings.Replace(entry(``, ``), "%2Factivity", "%2FDATA_ACCESS", 1), true},
		{"non-ASCII log name", strings.Replace(entry(``, ``), "%2Factivity", "\u00e9%2Fdata_access", 1), true},
		{"other @type", strings.Replace(entry(``, ``), "audit.AuditLog", "audit.Other", 1), false},
		{"key case", strings.Replace(entry(``, ``), `"protoPayload"`, `"PROTOPAYLOAD"`, 1), true},
		{"keys twice up to case", entry(`"InsertId":"i2",`, ``), false},
		{"protoPayload as text", `{"insertId":"i1","protoPayload":"{\"methodName\":\"SetIamPolicy\"}"}`, true},
		{"Wazuh", `{"integration":"gcp","gcp":{"logName":"x"},"protoPayload":{"methodName":"SetIamPolicy"}}`, false},
		{"no method", `{"insertId":"i1","protoPayload":{"methodName":" ","x":"SetIamPolicy"}}`, false},
		{"project from the log name", `{"logName":"organizations/9/logs/x","protoPayload":{"methodName":"SetIamPolicy","resourceLocation":{"currentLocations":"us-east1"}}}`, true},
	}
	for _, tt := range tests {
		raw := []byte(tt.rec)
		src := model.SourceRef{File: "f", Index: 1}
		full := Parse(raw, src, nil)
		// An escape makes the prefilter read a record in full; the rest
		// are read lean.
		if m := p.Match(raw); m != Context && !strings.Contains(tt.rec, `\u00`) {
			t.Errorf("%s: prefilter match %v, want Context", tt.name, m)
		}
		if lean := Parse(raw, src, p); !reflect.DeepEqual(lean, full) {
			t.Errorf("%s: read lean\n%+v\nin full\n%+v", tt.name, lean, full)
		}
		got, ok := parseInPlace(nil, raw, src)
		if ok != tt.plain {
			t.Errorf("%s: read in place %v, want %v (full read: %+v)", tt.name, ok, tt.plain, full)
		}
		if ok && !reflect.DeepEqual(got, full) {
			t.Errorf("%s: read in place\n%+v\nin full\n%+v", tt.name, got, full)
		}
	}
}
