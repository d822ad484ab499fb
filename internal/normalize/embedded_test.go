package normalize

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"cloudwall/internal/model"
)

// TestEmbeddedConflictsJudgeEveryReading: JSON text inside a record (a
// lookup-events CloudTrailEvent, a Splunk _raw holding an Azure record
// whose requestbody is text again) that gives a key twice is read both
// ways whatever the order; the note says which text held it.
func TestEmbeddedConflictsJudgeEveryReading(t *testing.T) {
	text := func(v string) string { b, _ := json.Marshal(v); return string(b) }
	ct := func(ranges string) string {
		return `{"EventId":"e1","EventName":"AuthorizeSecurityGroupIngress","CloudTrailEvent":` + text(`{"eventVersion":"1.08","eventSource":"ec2.amazonaws.com","eventName":"AuthorizeSecurityGroupIngress","eventTime":"2022-06-01T12:05:53Z","eventID":"e1","awsRegion":"us-east-1","recipientAccountId":"1","requestParameters":{"groupId":"sg-1","ipPermissions":{"items":[{"ipProtocol":"tcp","fromPort":22,"toPort":22,"ipRanges":{"items":[`+ranges+`]}}]}}}`) + `}`
	}
	azure := func(prop string) string {
		rec := `{"time":"2026-03-14T10:21:07Z","resourceId":"/SUBSCRIPTIONS/S1/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.NETWORK/NETWORKSECURITYGROUPS/NSG/SECURITYRULES/R1","operationName":"MICROSOFT.NETWORK/NETWORKSECURITYGROUPS/SECURITYRULES/WRITE","category":"Administrative","resultType":"Start","correlationId":"c1","properties":{"requestbody":` +
			text(`{"properties":{"protocol":"Tcp","destinationPortRange":"3389",`+prop+`,"access":"Allow","priority":110,"direction":"Inbound"}}`) + `}}`
		return `{"_raw":` + text(rec) + `,"host":"splunk"}`
	}
	tests := []struct {
		name, raw, wantPeer, wantNote string
	}{
		{"CloudTrailEvent, world-open first", ct(`{"cidrIp":"0.0.0.0/0","cidrIp":"10.0.0.5/32"}`), "0.0.0.0/0", `JSON text in CloudTrailEvent gives conflicting values for "cidrIp" (duplicate key)`},
		{"CloudTrailEvent, world-open last", ct(`{"cidrIp":"10.0.0.5/32","cidrIp":"0.0.0.0/0"}`), "10.0.0.5/32", `JSON text in CloudTrailEvent gives conflicting values for "cidrIp" (duplicate key)`},
		{"CloudTrailEvent, letter case", ct(`{"cidrIp":"10.0.0.5/32","CidrIp":"0.0.0.0/0"}`), "10.0.0.5/32", "letter case: cidrIp, CidrIp"},
		{"text in text, world-open first", azure(`"sourceAddressPrefix":"*","sourceAddressPrefix":"10.0.0.0/8"`), "10.0.0.0/8", `JSON text in _raw > properties.requestbody gives conflicting values for "sourceAddressPrefix"`},
		{"text in text, world-open last", azure(`"sourceAddressPrefix":"10.0.0.0/8","sourceAddressPrefix":"*"`), "10.0.0.0/8", `JSON text in _raw > properties.requestbody gives conflicting values for "sourceAddressPrefix"`},
		{"no conflict, no note", azure(`"sourceAddressPrefix":"*"`), "*", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := Parse([]byte(tt.raw), model.SourceRef{File: "t.json"}, nil)
			if res.Kind != Parsed || len(res.Events) != 1 {
				t.Fatalf("kind %v, %d events: %s", res.Kind, len(res.Events), res.Reason)
			}
			var peers []string
			for _, c := range res.Events[0].Changes {
				for _, p := range c.Peers {
					peers = append(peers, p.Value)
				}
			}
			world := "0.0.0.0/0"
			if strings.Contains(tt.raw, "sourceAddressPrefix") {
				world = "*"
			}
			if all := " " + strings.Join(peers, " ") + " "; !strings.Contains(all, " "+world+" ") || !strings.Contains(all, " "+tt.wantPeer+" ") {
				t.Errorf("peers %q lack the world-open reading or %s", peers, tt.wantPeer)
			}
			notes := strings.Join(res.Events[0].Notes, "\n")
			if tt.wantNote == "" && strings.Contains(notes, "conflicting") || !strings.Contains(notes, tt.wantNote) {
				t.Errorf("notes %q, want one naming %s", notes, tt.wantNote)
			}
		})
	}
}

// TestEmbeddedConflictsBounded: JSON text with more conflicting keys than
// a record is read for costs at most maxReadings parses, and says how
// many keys were not each judged.
func TestEmbeddedConflictsBounded(t *testing.T) {
	var body strings.Builder
	body.WriteString(`{"properties":{`)
	for i := range 40 {
		if i > 0 {
			body.WriteByte(',')
		}
		fmt.Fprintf(&body, `"k%d":1,"k%d":2`, i, i)
	}
	body.WriteString(`}}`)
	b, _ := json.Marshal(body.String())
	raw := `{"time":"2026-03-14T10:21:07Z","resourceId":"/SUBSCRIPTIONS/S1/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.NETWORK/NETWORKSECURITYGROUPS/NSG/SECURITYRULES/R1","operationName":"MICROSOFT.NETWORK/NETWORKSECURITYGROUPS/SECURITYRULES/WRITE","category":"Administrative","resultType":"Start","correlationId":"c1","properties":{"requestbody":` + string(b) + `}}`
	res := Parse([]byte(raw), model.SourceRef{File: "t.json"}, nil)
	if res.Kind != Parsed || len(res.Events) != 1 {
		t.Fatalf("kind %v: %s", res.Kind, res.Reason)
	}
	notes := strings.Join(res.Events[0].Notes, "\n")
	if n := strings.Count(notes, "conflicting values"); n != 8 || !strings.Contains(notes, "and 32 more keys") {
		t.Errorf("%d conflict notes in %q; want 8 and the other 32 counted", n, notes)
	}
}
