package aws

import (
	"strings"
	"testing"

	"cloudwall/internal/model"
	"cloudwall/internal/normalize/jv"
)

// TestRegionalEventSource: the regional host form of eventSource names
// the same operation as the global one.
func TestRegionalEventSource(t *testing.T) {
	for _, src := range []string{"ec2.amazonaws.com", "ec2.us-east-1.amazonaws.com", "EC2.eu-central-2.amazonaws.com", "ec2.us-gov-west-1.amazonaws.com"} {
		if got := operationKey(src, "AuthorizeSecurityGroupIngress"); got != "ec2:authorizesecuritygroupingress" {
			t.Errorf("%s: key %q", src, got)
		}
	}
	for _, src := range []string{"network-firewall.amazonaws.com", "waf-regional.amazonaws.com"} {
		if got := operationKey(src, "X"); strings.Contains(got, ".") {
			t.Errorf("%s: key %q", src, got)
		}
	}
}

// TestCaseVariantKeysGiveEveryReading: a record naming its operation
// twice under keys that differ in case gives one event per reading, the
// same on every run, each with a note naming the conflict.
func TestCaseVariantKeysGiveEveryReading(t *testing.T) {
	raw := `{"eventVersion":"1.08","eventTime":"2026-03-01T10:00:00Z","eventSource":"ec2.amazonaws.com",
		"EVENTNAME":"DescribeSecurityGroups","EventName":"AuthorizeSecurityGroupIngress","eventID":"v-1",
		"requestParameters":{"groupId":"sg-1","ipPermissions":{"items":[{"ipProtocol":"tcp","fromPort":22,"toPort":22,"ipRanges":{"items":[{"cidrIp":"0.0.0.0/0"}]}}]}}}`
	var first string
	for run := 0; run < 20; run++ {
		rec, err := jv.DecodeObject([]byte(raw))
		if err != nil {
			t.Fatal(err)
		}
		evs, err := Parse(rec, model.SourceRef{File: "v.json"})
		if err != nil {
			t.Fatal(err)
		}
		var keys []string
		for _, ev := range evs {
			keys = append(keys, ev.OperationKey+" "+ev.OperationID)
			if len(ev.Notes) == 0 || !strings.Contains(ev.Notes[len(ev.Notes)-1], `"DescribeSecurityGroups" / "AuthorizeSecurityGroupIngress"`) {
				t.Errorf("notes %q do not name the conflict", ev.Notes)
			}
			if ev.OperationKey == "ec2:authorizesecuritygroupingress" && len(ev.Changes) != 1 {
				t.Errorf("the firewall reading lost its rule: %+v", ev.Changes)
			}
		}
		got := strings.Join(keys, ",")
		if run == 0 {
			first = got
			if !strings.Contains(got, "ec2:authorizesecuritygroupingress") || !strings.Contains(got, "ec2:describesecuritygroups") {
				t.Fatalf("readings %s, want both operations", got)
			}
		} else if got != first {
			t.Fatalf("run %d read %s, run 0 %s", run, got, first)
		}
	}
	// Variants that name the same operation are one reading.
	rec, _ := jv.DecodeObject([]byte(`{"eventVersion":"1.08","eventSource":"ec2.amazonaws.com","eventName":"AuthorizeSecurityGroupIngress","EVENTNAME":"authorizesecuritygroupingress","eventID":"x"}`))
	if evs, err := Parse(rec, model.SourceRef{}); err != nil || len(evs) != 1 || evs[0].OperationID != "x" {
		t.Errorf("same operation spelled twice: %d events, %v", len(evs), err)
	}
}
