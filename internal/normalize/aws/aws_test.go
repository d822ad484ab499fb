package aws

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"cloudwall/internal/model"
	"cloudwall/internal/normalize/jv"
	"cloudwall/internal/normalize/record"
	"cloudwall/internal/testutil"
)

// sharedData is the shared sample folder, relative to this package.
const sharedData = "../../../../shared/data/aws"

// bundledSamples are the demo CloudTrail files the README uses.
const bundledSamples = "../../../testdata/samples/aws"

// parseFile parses every record of a file; skipped records add nothing.
func parseFile(t testing.TB, path string) (events []model.Event, skipped int) {
	t.Helper()
	events = []model.Event{}
	for i, rec := range testutil.Records(t, path) {
		if !Detect(rec) {
			t.Errorf("%s: record %d: Detect = false", path, i)
		}
		evs, err := Parse(rec, model.SourceRef{File: filepath.ToSlash(path), Index: int64(i)})
		var skip *record.SkipError
		switch {
		case errors.As(err, &skip):
			skipped++
		case err != nil:
			t.Fatalf("%s: record %d: %v", path, i, err)
		default:
			events = append(events, evs...)
		}
	}
	return events, skipped
}

// TestGolden parses every fixture and compares the events with the
// fixture's golden file. Run with -update to rewrite the goldens, then
// review the diff.
func TestGolden(t *testing.T) {
	for _, in := range testutil.Fixtures(t, "testdata") {
		name := strings.TrimSuffix(filepath.Base(in), ".json")
		t.Run(name, func(t *testing.T) {
			events, _ := parseFile(t, in)
			testutil.GoldenJSON(t, testutil.GoldenPath(in), events)
		})
	}
}

// parseOne parses the single record of a fixture.
func parseOne(t *testing.T, name string) model.Event {
	t.Helper()
	events, _ := parseFile(t, filepath.Join("testdata", name+".json"))
	if len(events) != 1 {
		t.Fatalf("%s: %d events, want 1", name, len(events))
	}
	return events[0]
}

// peers renders a change's peers as strings.
func peers(c model.RuleChange) []string {
	var out []string
	for _, p := range c.Peers {
		out = append(out, p.String())
	}
	return out
}

func hasNote(ev model.Event, substr string) bool {
	for _, n := range ev.Notes {
		if strings.Contains(n, substr) {
			return true
		}
	}
	return false
}

func TestFlatStratusRecord(t *testing.T) {
	ev := parseOne(t, "ec2_authorize_ingress_flat_stratus")
	if ev.OperationKey != "ec2:authorizesecuritygroupingress" || ev.Outcome != model.Success {
		t.Errorf("key %q outcome %q", ev.OperationKey, ev.Outcome)
	}
	if ev.Resource != (model.Resource{Type: "security_group", ID: "sg-003dc7f1f1c686164"}) {
		t.Errorf("resource = %+v", ev.Resource)
	}
	if len(ev.Changes) != 1 {
		t.Fatalf("changes = %+v, want 1 (request and response describe the same rule)", ev.Changes)
	}
	c := ev.Changes[0]
	if c.Effect != model.Added || c.Direction != model.Ingress || c.Protocol != "tcp" ||
		c.Ports.Strings()[0] != "22" || strings.Join(peers(c), ",") != "208.236.235.254/0" ||
		c.Name != "sgr-09b3e3d2ca1edf2a2" || c.Action != model.Allow {
		t.Errorf("change = %+v", c)
	}
	if ev.OperationID != ev.EventID || ev.EventID == "" {
		t.Errorf("operation id %q, event id %q", ev.OperationID, ev.EventID)
	}
}

func TestResponsePreferredButRequestPeersKept(t *testing.T) {
	ev := parseOne(t, "ec2_authorize_ingress_structured_console")
	var got []string
	for _, c := range ev.Changes {
		got = append(got, c.Name+" "+c.Protocol+" "+strings.Join(c.Ports.Strings(), ",")+" "+strings.Join(peers(c), ","))
	}
	want := []string{
		"sgr-0f1e2d3c4b5a69788 tcp 443 100.68.0.0/18",
		"sgr-0f1e2d3c4b5a69789 tcp 443 2001:db8:1234::/48",
		"sgr-0f1e2d3c4b5a6978a tcp 5432 group:sg-0fedcba9876543210",
		"sgr-0f1e2d3c4b5a6978b tcp 8080-8081 prefix-list:pl-63a5400a",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("changes:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if !ev.Actor.MFA || ev.Actor.Type != "AssumedRole" || ev.Actor.Name != "NetworkAdmins" {
		t.Errorf("actor = %+v", ev.Actor)
	}

	// A leading-zero CIDR never appears in a response; it must survive.
	ev = parseOne(t, "ec2_authorize_ingress_leading_zero")
	if len(ev.Changes) != 1 || strings.Join(peers(ev.Changes[0]), ",") != "00.0.0.0/0,010.0.0.0/8" {
		t.Fatalf("changes = %+v", ev.Changes)
	}
	if !hasNote(ev, `unparseable CIDR "00.0.0.0/0"`) {
		t.Errorf("notes = %q", ev.Notes)
	}
}

func TestSemantics(t *testing.T) {
	tests := []struct {
		fixture string
		check   func(t *testing.T, ev model.Event)
	}{
		{"ec2_revoke_ingress_structured", func(t *testing.T, ev model.Event) {
			c := ev.Changes[0]
			if c.Effect != model.Removed || strings.Join(peers(c), ",") != "10.20.0.0/16" {
				t.Errorf("change = %+v", c)
			}
		}},
		{"ec2_revoke_egress_rule_ids", func(t *testing.T, ev model.Event) {
			if len(ev.Changes) != 2 || ev.Changes[1].Name != "sgr-0123456789abcdef0" ||
				ev.Changes[0].Effect != model.Removed || ev.Changes[0].Direction != model.Egress {
				t.Errorf("changes = %+v", ev.Changes)
			}
		}},
		{"ec2_authorize_ingress_all_traffic_cloudformation", func(t *testing.T, ev model.Event) {
			c := ev.Changes[0]
			if c.Protocol != "all" || !c.Ports.All() {
				t.Errorf("change = %+v", c)
			}
			if ev.Actor.ViaService != "cloudformation.amazonaws.com" {
				t.Errorf("via = %q", ev.Actor.ViaService)
			}
		}},
		{"ec2_authorize_ingress_split_halves", func(t *testing.T, ev model.Event) {
			if len(ev.Changes) != 2 || peers(ev.Changes[1])[0] != "128.0.0.0/1" {
				t.Errorf("changes = %+v", ev.Changes)
			}
		}},
		{"ec2_create_network_acl_entry", func(t *testing.T, ev model.Event) {
			c := ev.Changes[0]
			if c.Protocol != "tcp" || c.Action != model.Allow || c.Direction != model.Ingress ||
				*c.Priority != 50 || c.Name != "50" || c.Ports.Strings()[0] != "22" {
				t.Errorf("change = %+v", c)
			}
		}},
		{"ec2_create_network_acl_entry_egress_ipv6_all", func(t *testing.T, ev model.Event) {
			c := ev.Changes[0]
			if c.Protocol != "all" || !c.Ports.All() || c.Direction != model.Egress || peers(c)[0] != "::/0" {
				t.Errorf("change = %+v", c)
			}
		}},
		{"ec2_replace_network_acl_entry", func(t *testing.T, ev model.Event) {
			if c := ev.Changes[0]; c.Protocol != "udp" || c.Effect != model.Altered {
				t.Errorf("change = %+v", c)
			}
		}},
		{"ec2_delete_network_acl_entry", func(t *testing.T, ev model.Event) {
			c := ev.Changes[0]
			if c.Effect != model.Removed || c.Name != "10" || c.Direction != model.Ingress || len(c.Peers) != 0 {
				t.Errorf("change = %+v", c)
			}
		}},
		{"ec2_modify_security_group_rules", func(t *testing.T, ev model.Event) {
			c := ev.Changes[0]
			if c.Effect != model.Altered || c.Name != "sgr-0f1e2d3c4b5a69788" || peers(c)[0] != "0.0.0.0/0" ||
				ev.Resource.ID != "sg-0a1b2c3d4e5f60718" {
				t.Errorf("event = %+v", ev)
			}
		}},
		{"ec2_modify_security_group_rules_array", func(t *testing.T, ev model.Event) {
			if len(ev.Changes) != 3 || ev.Changes[0].Protocol != "all" || peers(ev.Changes[1])[0] != "group:sg-0fedcba9876543210" {
				t.Errorf("changes = %+v", ev.Changes)
			}
		}},
		{"ec2_modify_instance_attribute_groupset", func(t *testing.T, ev model.Event) {
			if strings.Join(ev.Targets, ",") != "sg-0d4f6b8c0e2a4c6e8,sg-0b6f2e4c1a3d5e7f9" || ev.Resource.Type != "instance" {
				t.Errorf("event = %+v", ev)
			}
		}},
		{"ec2_modify_instance_attribute_attribute_value", func(t *testing.T, ev model.Event) {
			if strings.Join(ev.Targets, ",") != "sg-0d4f6b8c0e2a4c6e8" {
				t.Errorf("targets = %q", ev.Targets)
			}
		}},
		{"near_modify_instance_attribute_instance_type", func(t *testing.T, ev model.Event) {
			if len(ev.Targets)+len(ev.Changes)+len(ev.Settings) != 0 {
				t.Errorf("event = %+v", ev)
			}
		}},
		{"near_modify_instance_attribute_disable_api_termination", func(t *testing.T, ev model.Event) {
			if len(ev.Targets)+len(ev.Changes) != 0 {
				t.Errorf("event = %+v", ev)
			}
		}},
		{"ec2_modify_managed_prefix_list_wrapper", func(t *testing.T, ev model.Event) {
			if len(ev.Changes) != 2 || peers(ev.Changes[0])[0] != "198.51.100.0/24" || len(ev.Changes[1].Peers) != 2 ||
				ev.Resource.ID != "pl-0fedcba9876543210" {
				t.Errorf("event = %+v", ev)
			}
		}},
		{"nfw_update_firewall_delete_protection", func(t *testing.T, ev model.Event) {
			if ev.Settings[model.SettingDeleteProtection] != "false" || ev.Resource.Type != "network_firewall" {
				t.Errorf("event = %+v", ev)
			}
		}},
		{"nfw_update_firewall_policy_change_protection", func(t *testing.T, ev model.Event) {
			if ev.Settings[model.SettingDeleteProtection] != "false" {
				t.Errorf("settings = %v", ev.Settings)
			}
		}},
		{"nfw_update_firewall_policy_pass", func(t *testing.T, ev model.Event) {
			if ev.Settings[model.SettingDefaultAction] != "allow" || ev.Resource.Type != "firewall_policy" {
				t.Errorf("event = %+v", ev)
			}
		}},
		{"nfw_disassociate_subnets", func(t *testing.T, ev model.Event) {
			if len(ev.Targets) != 2 || ev.Resource.Name != "egress-inspection" {
				t.Errorf("event = %+v", ev)
			}
		}},
		{"nfw_associate_firewall_policy", func(t *testing.T, ev model.Event) {
			if !strings.HasSuffix(ev.Settings[model.SettingPolicy], "firewall-policy/Allow-All") {
				t.Errorf("settings = %v", ev.Settings)
			}
		}},
		{"nfw_update_rule_group_suricata", func(t *testing.T, ev model.Event) {
			if len(ev.Changes) != 3 || ev.Changes[0].Action != model.Allow || ev.Changes[0].Ports.Strings()[0] != "3389" ||
				ev.Changes[1].Protocol != "all" || !hasNote(ev, "rules line 5") {
				t.Errorf("event = %+v", ev)
			}
		}},
		{"wafv2_update_web_acl_default_allow_count", func(t *testing.T, ev model.Event) {
			if ev.Settings[model.SettingDefaultAction] != "allow" || !hasNote(ev, "only counts") {
				t.Errorf("event = %+v", ev)
			}
		}},
		{"wafv2_update_web_acl_emptied", func(t *testing.T, ev model.Event) {
			// rules: [] replaces every rule with none.
			if ev.Settings[model.SettingRules] != "none" || ev.Settings[model.SettingDefaultAction] != "allow" || len(ev.Changes) != 0 {
				t.Errorf("event = %+v", ev)
			}
		}},
		{"wafv2_update_web_acl_default_allow_count", func(t *testing.T, ev model.Event) {
			if _, set := ev.Settings[model.SettingRules]; set {
				t.Errorf("rules setting on a web ACL that keeps its rules: %v", ev.Settings)
			}
		}},
		{"wafv2_disassociate_web_acl", func(t *testing.T, ev model.Event) {
			if len(ev.Targets) != 1 || !strings.Contains(ev.Targets[0], "loadbalancer/app/prod-alb") {
				t.Errorf("targets = %q", ev.Targets)
			}
		}},
		{"wafv2_update_ip_set", func(t *testing.T, ev model.Event) {
			if len(ev.Changes) != 1 || len(ev.Changes[0].Peers) != 3 || ev.Resource.Type != "ip_set" || ev.Resource.Scope != "REGIONAL" {
				t.Errorf("event = %+v", ev)
			}
		}},
		{"wafv2_update_web_acl_cloudfront", func(t *testing.T, ev model.Event) {
			if ev.Resource.Scope != "CLOUDFRONT" || ev.Region != "us-east-1" {
				t.Errorf("resource = %+v, region %q", ev.Resource, ev.Region)
			}
		}},
		{"waf_classic_update_web_acl", func(t *testing.T, ev model.Event) {
			if ev.Resource.Scope != "" {
				t.Errorf("classic WAF has no scope: %+v", ev.Resource)
			}
		}},
		{"waf_classic_update_ip_set", func(t *testing.T, ev model.Event) {
			if len(ev.Changes) != 2 || ev.Changes[0].Effect != model.Added || ev.Changes[1].Effect != model.Removed {
				t.Errorf("changes = %+v", ev.Changes)
			}
		}},
		{"cloudfront_update_distribution_remove_waf", func(t *testing.T, ev model.Event) {
			v, ok := ev.Settings[model.SettingPolicy]
			if !ok || v != "" || ev.Resource.ID != "E2QWRUHEXAMPLE" {
				t.Errorf("event = %+v", ev)
			}
		}},
		{"r53r_update_firewall_config_fail_open", func(t *testing.T, ev model.Event) {
			if ev.Settings[model.SettingFailOpen] != "enabled" || ev.Resource.Type != "dns_firewall_config" {
				t.Errorf("event = %+v", ev)
			}
		}},
		{"r53r_update_firewall_rule_allow", func(t *testing.T, ev model.Event) {
			if c := ev.Changes[0]; c.Action != model.Allow || c.Effect != model.Altered {
				t.Errorf("change = %+v", c)
			}
		}},
		{"lightsail_open_instance_public_ports", func(t *testing.T, ev model.Event) {
			if c := ev.Changes[0]; strings.Join(peers(c), ",") != "0.0.0.0/0,::/0" || c.Ports.Strings()[0] != "22" {
				t.Errorf("change = %+v", c)
			}
		}},
		{"lightsail_put_instance_public_ports", func(t *testing.T, ev model.Event) {
			if c := ev.Changes[0]; c.Protocol != "all" || !c.Ports.All() {
				t.Errorf("change = %+v", c)
			}
		}},
		{"guardduty_create_ip_set", func(t *testing.T, ev model.Event) {
			if ev.Resource.ID != "0cb0141ab9fbde177613ab9436212e90" || ev.Settings[model.SettingEnabled] != "true" || len(ev.Targets) != 1 {
				t.Errorf("event = %+v", ev)
			}
		}},
		{"rds_authorize_db_security_group_ingress", func(t *testing.T, ev model.Event) {
			if c := ev.Changes[0]; peers(c)[0] != "0.0.0.0/0" || ev.Resource.Name != "default" {
				t.Errorf("event = %+v", ev)
			}
		}},
		{"redshift_revoke_cluster_security_group_ingress", func(t *testing.T, ev model.Event) {
			if c := ev.Changes[0]; c.Effect != model.Removed || peers(c)[0] != "203.0.113.0/24" {
				t.Errorf("change = %+v", c)
			}
		}},
		{"failed_authorize_ingress_unauthorized", func(t *testing.T, ev model.Event) {
			if ev.Outcome != model.Failure || ev.ErrorCode != "Client.UnauthorizedOperation" || len(ev.Changes) != 1 {
				t.Errorf("event = %+v", ev)
			}
		}},
		{"failed_delete_firewall_access_denied_null", func(t *testing.T, ev model.Event) {
			if ev.Outcome != model.Failure || ev.ErrorCode != "AccessDenied" || ev.Resource.Type != "network_firewall" {
				t.Errorf("event = %+v", ev)
			}
		}},
		{"failed_modify_instance_attribute_dryrun", func(t *testing.T, ev model.Event) {
			if ev.Outcome != model.Failure || ev.ErrorCode != "Client.DryRunOperation" || len(ev.Targets) != 1 {
				t.Errorf("event = %+v", ev)
			}
		}},
		{"near_describe_security_groups", func(t *testing.T, ev model.Event) {
			if !ev.ReadOnly || len(ev.Changes) != 0 {
				t.Errorf("event = %+v", ev)
			}
		}},
		{"near_create_route_default", func(t *testing.T, ev model.Event) {
			if len(ev.Changes) != 0 || ev.OperationKey != "ec2:createroute" {
				t.Errorf("event = %+v", ev)
			}
		}},
		{"near_ssm_send_command", func(t *testing.T, ev model.Event) {
			if len(ev.Changes) != 0 || ev.OperationKey != "ssm:sendcommand" {
				t.Errorf("event = %+v", ev)
			}
		}},
		{"envelope_eventbridge", func(t *testing.T, ev model.Event) {
			if ev.Operation != "AuthorizeSecurityGroupIngress" || len(ev.Changes) != 1 || ev.Account != "111122223333" {
				t.Errorf("event = %+v", ev)
			}
		}},
		{"envelope_lookup_events", func(t *testing.T, ev model.Event) {
			if ev.OperationKey != "ec2:deletenetworkaclentry" || ev.Changes[0].Direction != model.Egress {
				t.Errorf("event = %+v", ev)
			}
		}},
		{"odd_stringified_bodies_and_key_case", func(t *testing.T, ev model.Event) {
			c := ev.Changes[0]
			if c.Protocol != "tcp" || c.Ports.Strings()[0] != "22" || peers(c)[0] != "0.0.0.0/0" || ev.ReadOnly {
				t.Errorf("event = %+v", ev)
			}
		}},
		{"odd_missing_time_numbers_as_strings", func(t *testing.T, ev model.Event) {
			c := ev.Changes[0]
			if !ev.Time.IsZero() || !hasNote(ev, "eventTime is missing") || c.Protocol != "tcp" || !c.Ports.All() ||
				c.Action != model.Allow || *c.Priority != 7 || ev.Account != "111122223333" {
				t.Errorf("event = %+v", ev)
			}
		}},
		{"odd_wrong_types", func(t *testing.T, ev model.Event) {
			for _, n := range []string{`unparseable port "abc"`, "70000-70001", "80-20", `"0.0.0.0/00"`, "ipRanges is", "responseElements is", "eventTime"} {
				if !hasNote(ev, n) {
					t.Errorf("no note mentions %q: %q", n, ev.Notes)
				}
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.fixture, func(t *testing.T) {
			tt.check(t, parseOne(t, tt.fixture))
		})
	}
}

func TestSkipped(t *testing.T) {
	for _, name := range []string{"skip_insight", "skip_digest"} {
		events, skipped := parseFile(t, filepath.Join("testdata", name+".json"))
		if len(events) != 0 || skipped != 1 {
			t.Errorf("%s: %d events, %d skipped; want 0, 1", name, len(events), skipped)
		}
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"no eventName", `{"eventVersion":"1.08","eventSource":"ec2.amazonaws.com"}`, "eventName is missing"},
		{"eventName number", `{"eventVersion":"1.08","eventSource":"ec2.amazonaws.com","eventName":7}`, "eventName is a JSON number, not a string"},
		{"eventSource object", `{"eventVersion":"1.08","eventSource":{},"eventName":"X"}`, "eventSource is a JSON object, not a string"},
		{"eventName empty", `{"eventVersion":"1.08","eventSource":"ec2.amazonaws.com","eventName":" "}`, "eventName is empty"},
		{"only eventName", `{"eventName":1}`, "eventName is a JSON number, not a string"},
		{"bad CloudTrailEvent", `{"EventId":"x","EventName":"X","CloudTrailEvent":"{not json"}`, "lookup-events CloudTrailEvent"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec, err := jv.DecodeObject([]byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if !Detect(rec) {
				t.Errorf("Detect = false")
			}
			_, err = Parse(rec, model.SourceRef{})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestDetect(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{`{"eventVersion":"1.08","eventName":"X","eventSource":"ec2.amazonaws.com"}`, true},
		{`{"eventName":"X","eventSource":"ec2.amazonaws.com"}`, true},
		// Broken, but CloudTrail's: Parse reports what is wrong.
		{`{"eventName":1}`, true},
		{`{"detail-type":"AWS API Call via CloudTrail","source":"aws.ec2","detail":{"eventName":"X"}}`, true},
		{`{"EventId":"1","EventName":"X","CloudTrailEvent":"{}"}`, true},
		{`{"awsAccountId":"1","digestStartTime":"2020-01-01T00:00:00Z","logFiles":[]}`, true},
		{`{"eventType":"AwsCloudTrailInsight","insightDetails":{}}`, true},
		// Azure Activity Log: eventName is an object, no eventSource.
		{`{"eventName":{"value":"EndRequest"},"operationName":{"value":"Microsoft.Network/networkSecurityGroups/write"}}`, false},
		// GCP LogEntry.
		{`{"protoPayload":{"methodName":"v1.compute.firewalls.insert"},"insertId":"x"}`, false},
		{`{}`, false},
	}
	for _, tt := range tests {
		rec, err := jv.DecodeObject([]byte(tt.in))
		if err != nil {
			t.Fatal(err)
		}
		if got := Detect(rec); got != tt.want {
			t.Errorf("Detect(%s) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestEventBridgeNonCloudTrailSkipped(t *testing.T) {
	rec, _ := jv.DecodeObject([]byte(`{"detail-type":"EC2 Instance State-change Notification","source":"aws.ec2","detail":{"instance-id":"i-1","state":"running"}}`))
	_, err := Parse(rec, model.SourceRef{})
	var skip *record.SkipError
	if !errors.As(err, &skip) {
		t.Errorf("err = %v, want a SkipError", err)
	}
}

// TestSharedSamples parses the real and vendor-documented samples kept
// beside the repository.
func TestSharedSamples(t *testing.T) {
	if _, err := os.Stat(sharedData); err != nil {
		t.Skipf("shared samples not found at %s: %v", sharedData, err)
	}
	files, err := filepath.Glob(filepath.Join(sharedData, "*"))
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string][]string{}
	skips := map[string]int{}
	for _, f := range files {
		events, skipped := parseFile(t, f)
		skips[filepath.Base(f)] = skipped
		for _, ev := range events {
			keys[filepath.Base(f)] = append(keys[filepath.Base(f)], ev.OperationKey)
			if ev.Cloud != model.AWS || ev.Time.IsZero() || ev.EventID == "" {
				t.Errorf("%s: incomplete event %+v", f, ev)
			}
		}
	}
	for name, n := range map[string]int{"cloudtrail-digest-json.log": 1, "insight-json.log": 1} {
		if skips[name] != n {
			t.Errorf("%s: %d skipped, want %d", name, skips[name], n)
		}
	}
	want := map[string]string{
		"awsdocs-waf_CreateWebACL.json":         "wafv2:createwebacl",
		"awsdocs-waf_UpdateWebACL.json":         "wafv2:updatewebacl",
		"awsdocs-waf_DeleteWebACL.json":         "wafv2:deletewebacl",
		"awsdocs-waf_classic_rule_Records.json": "waf:createrule waf:getrule waf:updaterule waf:deleterule",
		"DeleteTrail.json":                      "cloudtrail:deletetrail",
	}
	for name, w := range want {
		if got := strings.Join(keys[name], " "); got != w {
			t.Errorf("%s: keys %q, want %q", name, got, w)
		}
	}
}

func TestSharedSampleContent(t *testing.T) {
	path := filepath.Join(sharedData, "awsdocs-waf_UpdateWebACL.json")
	if _, err := os.Stat(path); err != nil {
		t.Skipf("shared samples not found: %v", err)
	}
	events, _ := parseFile(t, path)
	ev := events[0]
	if ev.Settings[model.SettingDefaultAction] != "deny" || ev.Resource.ID != "ebbcb976-8d59-4d20-8ca8-4ab2f6b7c07b" ||
		len(ev.Changes) != 1 || ev.Changes[0].Action != model.Deny {
		t.Errorf("event = %+v", ev)
	}
	events, _ = parseFile(t, filepath.Join(sharedData, "DeleteTrail.json"))
	if ev := events[0]; ev.Outcome != model.Failure || ev.ErrorCode != "AccessDenied" || ev.Actor.Name != "TrailDiscover" {
		t.Errorf("event = %+v", ev)
	}
}

// TestBundledSamples parses the README's demo files (plain or gzipped) and
// checks the attack they tell is there to find.
func TestBundledSamples(t *testing.T) {
	var files []string
	err := filepath.WalkDir(bundledSamples, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && (strings.HasSuffix(path, ".json") || strings.HasSuffix(path, ".json.gz")) {
			files = append(files, path)
		}
		return err
	})
	if err != nil || len(files) == 0 {
		t.Skipf("no bundled samples under %s: %v", bundledSamples, err)
	}
	var all []model.Event
	for _, f := range files {
		events, skipped := parseFile(t, f)
		if skipped != 0 {
			t.Errorf("%s: %d records skipped", f, skipped)
		}
		all = append(all, events...)
	}
	found := map[string]bool{}
	for _, ev := range all {
		if ev.Account != "123456789012" || ev.Time.Year() != 2026 {
			t.Errorf("event %s: account %q time %v", ev.EventID, ev.Account, ev.Time)
		}
		for _, c := range ev.Changes {
			for _, p := range c.Peers {
				if ev.Outcome == model.Success && p.Value == "0.0.0.0/0" && c.Direction == model.Ingress {
					found[ev.OperationKey+" "+strings.Join(c.Ports.Strings(), ",")] = true
				}
			}
		}
		switch {
		case ev.OperationKey == "network-firewall:deletefirewall" && ev.Outcome == model.Success,
			ev.OperationKey == "ec2:deletenetworkaclentry",
			ev.Outcome == model.Failure && strings.HasPrefix(ev.ErrorCode, "AccessDenied"):
			found[ev.OperationKey+" "+string(ev.Outcome)] = true
		}
	}
	for _, want := range []string{
		"ec2:authorizesecuritygroupingress 22",
		"ec2:authorizesecuritygroupingress 3389",
		"ec2:deletenetworkaclentry success",
		"network-firewall:deletefirewall success",
		"wafv2:disassociatewebacl failure",
	} {
		if !found[want] {
			t.Errorf("samples lack %q (found %v)", want, found)
		}
	}
}

// FuzzParse checks that Parse never panics, that every event it returns is
// complete enough for later stages, and that events survive JSON.
func FuzzParse(f *testing.F) {
	for _, in := range testutil.Fixtures(f, "testdata") {
		for _, rec := range testutil.Records(f, in) {
			b, err := json.Marshal(rec)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		rec, err := jv.DecodeObject(raw)
		if err != nil {
			return
		}
		Detect(rec)
		events, err := Parse(rec, model.SourceRef{File: "fuzz", Index: 0})
		if err != nil {
			if len(events) != 0 {
				t.Fatalf("error %v with %d events", err, len(events))
			}
			return
		}
		for _, ev := range events {
			if ev.Cloud != model.AWS || ev.Operation == "" || ev.OperationKey == "" {
				t.Fatalf("incomplete event %+v", ev)
			}
			b, err := json.Marshal(ev)
			if err != nil {
				t.Fatalf("marshal: %v", err)
			}
			var back model.Event
			if err := json.Unmarshal(b, &back); err != nil {
				t.Fatalf("round trip: %v\n%s", err, b)
			}
		}
	})
}

func BenchmarkParse(b *testing.B) {
	var recs []map[string]any
	var size int64
	for _, in := range testutil.Fixtures(b, "testdata") {
		fi, err := os.Stat(in)
		if err != nil {
			b.Fatal(err)
		}
		size += fi.Size()
		recs = append(recs, testutil.Records(b, in)...)
	}
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		for _, rec := range recs {
			_, _ = Parse(rec, model.SourceRef{})
		}
	}
}

// TestManyUnreadablePeers: one record with 60,000 unreadable peers (issue
// 7) is read in linear time; every peer is kept and the notes are capped.
func TestManyUnreadablePeers(t *testing.T) {
	// As many as jv's budget lets a record of their size hold (each is an
	// object): past it the record is refused, not read (jv.TestBudget).
	const n = 20000
	var b strings.Builder
	b.WriteString(`{"eventVersion":"1.08","eventSource":"ec2.amazonaws.com","eventName":"AuthorizeSecurityGroupIngress","eventTime":"2022-06-01T12:05:53Z","eventID":"e1","requestParameters":{"groupId":"sg-1","ipPermissions":{"items":[{"ipProtocol":"tcp","fromPort":22,"toPort":22,"ipRanges":{"items":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"cidrIp":"1.2.%d.x/99"}`, i)
	}
	b.WriteString(`]}}]}}}`)
	rec, err := jv.DecodeObject([]byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	// Linear time is checked in model (TestCapNotesLinear), where the
	// notes are de-duplicated; here: nothing lost, notes capped.
	evs, err := Parse(rec, model.SourceRef{File: "big.json"})
	if err != nil || len(evs) != 1 || len(evs[0].Changes) != 1 {
		t.Fatalf("Parse = %d events, %v", len(evs), err)
	}
	ev := evs[0]
	if got := len(ev.Changes[0].Peers); got != n {
		t.Errorf("%d peers kept, want %d", got, n)
	}
	if len(ev.Notes) != model.MaxNotes+1 || ev.Notes[model.MaxNotes] != fmt.Sprintf("… and %d more notes", n-model.MaxNotes) {
		t.Errorf("%d notes, last %q", len(ev.Notes), ev.Notes[len(ev.Notes)-1])
	}
}

// TestCreateManagedPrefixList: the new list's entries are its CIDRs, and
// its id comes from the response (issue 7: a world-open list created and
// referenced by a group was judged low).
func TestCreateManagedPrefixList(t *testing.T) {
	ev := parseOne(t, "ec2_create_managed_prefix_list")
	if ev.Resource.Type != "prefix_list" || ev.Resource.ID != "pl-0a1b2c3d4e5f60718" || ev.Resource.Name != "partners" {
		t.Errorf("resource %+v", ev.Resource)
	}
	if len(ev.Changes) != 1 || ev.Changes[0].Effect != model.Added || len(peers(ev.Changes[0])) != 1 || peers(ev.Changes[0])[0] != "0.0.0.0/0" {
		t.Errorf("changes %+v", ev.Changes)
	}
}
