package snapshot

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"cloudwall/internal/ingest"
	"cloudwall/internal/model"
)

// The real recordings, read as published: what each wrapper holds.
func TestRecordingsRealSamples(t *testing.T) {
	date := func(s string) time.Time {
		d, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	tests := []struct {
		name  string
		files []string
		key   string
		rules []string // every rule of the firewall, rule() form, sorted
		count int      // number of rules when rules is nil
		asOf  time.Time
		// records, skipped: the summary's counts.
		records, skipped int64
		check            func(t *testing.T, set *Set, fw *model.Firewall)
	}{
		{name: "placebo NACL before", files: []string{"aws/custodian_describe-network-acls_default-before.json"},
			key:   "aws|network_acl|acl-6c9db915",
			rules: []string{"egress allow all all from 0.0.0.0/0", "egress deny all all from 0.0.0.0/0", "ingress allow all all from 0.0.0.0/0", "ingress deny all all from 0.0.0.0/0"},
			asOf:  date("2017-06-26T18:49:42Z"), records: 1},
		{name: "placebo NACL after the entry delete", files: []string{"aws/custodian_describe-network-acls_default-after-entry-delete.json"},
			key:   "aws|network_acl|acl-6c9db915",
			rules: []string{"egress deny all all from 0.0.0.0/0", "ingress allow all all from 0.0.0.0/0", "ingress deny all all from 0.0.0.0/0"},
			asOf:  date("2017-06-26T18:49:42Z"), records: 1},
		// Placebo's {"__class__":"datetime"} capture times: the later item
		// dates the group, not the response's Date header.
		{name: "placebo datetime objects", files: []string{"aws/custodian_config_get-resource-config-history_security-group.json"},
			key:   "aws|security_group|sg-a38ed1de",
			rules: []string{"egress allow all all from 0.0.0.0/0", "ingress allow tcp 443 from 10.42.1.0/24", "ingress allow tcp 8080 from 0.0.0.0/0"},
			asOf:  date("2016-12-11T06:04:03.8Z"), records: 1},
		{name: "placebo without a Date header stays undated", files: []string{"aws/custodian_describe-security-groups_tcp-udp-icmp-one-group.json"},
			key: "aws|security_group|sg-6c7fa917", count: 21, records: 1},
		{name: "flight firewalls list", files: []string{"gcp/custodian_rest_firewalls-list.flight.json"},
			key:   "gcp|network|projects/cloud-custodian/global/networks/default",
			rules: []string{"ingress allow tcp 22 from 1.1.1.1"},
			asOf:  date("2021-03-15T18:01:18Z"), records: 1},
		{name: "flight of an operation is skipped", files: []string{"gcp/custodian_rest_firewalls-patch_operation.flight.json"},
			records: 1, skipped: 1},
		// list, PUT of one rule, list again: the second list is the state.
		{name: "cassette NSG list, PUT, list", files: []string{"azure/custodian_arm-nsg-list_open-ports-before-after-put.cassette.json"},
			key:   "azure|nsg|/subscriptions/ea42f556-5106-4743-99b0-c129bfa71a47/resourcegroups/test_networksecuritygroup/providers/microsoft.network/networksecuritygroups/c7n-nsg",
			count: 13, asOf: date("2021-03-15T23:39:47Z"), records: 3, skipped: 1,
			check: func(t *testing.T, _ *Set, fw *model.Firewall) {
				var names []string
				for _, r := range fw.Rules {
					if !r.Builtin {
						names = append(names, r.Name)
					}
				}
				slices.Sort(names)
				want := []string{"c7n-policy-baea42b8-85e7-11eb-b168-00155d1e47af", "test1", "test2", "test3", "test4", "test5", "test6"}
				if !slices.Equal(names, want) {
					t.Errorf("rules %v, want those of the last list %v", names, want)
				}
			}},
		{name: "cassette SQL servers then their firewall rules", files: []string{"azure/custodian_arm-sql-server-firewall-rules.cassette.json"},
			key:   "azure|sql_server|/subscriptions/ea42f556-5106-4743-99b0-c129bfa71a47/resourcegroups/test_sqlserver/providers/microsoft.sql/servers/cctestsqlserverj6y6cbbtaphs4",
			rules: []string{"ingress allow tcp 1433 from 0.0.0.0-0.0.0.0", "ingress allow tcp 1433 from 1.2.2.128-1.2.2.255"},
			asOf:  date("2019-09-16T20:51:03Z"), records: 2, skipped: 1}, // the server list holds no firewall rules
		{name: "spec example reads its 200 body", files: []string{"azure/azure-rest-api-specs_NetworkSecurityGroupGet.example.json"},
			key:   "azure|nsg|/subscriptions/subid/resourcegroups/rg1/providers/microsoft.network/networksecuritygroups/testnsg",
			count: 7, records: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			set := readSamples(t, tt.files...)
			s := set.Summary
			if s.Records != tt.records || s.Skipped != tt.skipped || s.Unreadable != 0 {
				t.Errorf("records %d skipped %d unreadable %d, want %d, %d, 0", s.Records, s.Skipped, s.Unreadable, tt.records, tt.skipped)
			}
			if tt.key == "" {
				if len(set.Firewalls) != 0 {
					t.Errorf("firewalls read: %d", len(set.Firewalls))
				}
				return
			}
			fw := mustFirewall(t, set, tt.key)
			got := rules(fw)
			slices.Sort(got)
			if tt.rules != nil && !slices.Equal(got, tt.rules) || tt.rules == nil && len(got) != tt.count {
				t.Errorf("rules:\n  %s", strings.Join(got, "\n  "))
			}
			if !fw.AsOf.Equal(tt.asOf) {
				t.Errorf("as of %v, want %v", fw.AsOf, tt.asOf)
			}
			if tt.check != nil {
				tt.check(t, set, fw)
			}
		})
	}
}

// armNSG is an ARM NSG with one inbound allow per named port.
func armNSG(ports ...string) string {
	var rs []string
	for i, p := range ports {
		rs = append(rs, `{"name":"r`+p+`","properties":{"protocol":"Tcp","sourceAddressPrefix":"*","sourcePortRange":"*","destinationAddressPrefix":"*","destinationPortRange":"`+p+`","access":"Allow","priority":`+string(rune('1'+i))+`00,"direction":"Inbound"}}`)
	}
	return `{"id":"/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/networkSecurityGroups/n","name":"n","type":"Microsoft.Network/networkSecurityGroups","location":"eastus","properties":{"securityRules":[` + strings.Join(rs, ",") + `]}}`
}

func cassetteGET(status int, body string) string {
	return `{"request":{"method":"GET","uri":"https://management.azure.com/subscriptions/s/providers/Microsoft.Network/networkSecurityGroups?api-version=2020-08-01&sig=SECRET"},` +
		`"response":{"status":{"code":` + itoa(status) + `,"message":""},"headers":{"date":["Mon, 15 Mar 2021 23:39:47 GMT"]},"body":` + body + `}}`
}

const nsgKey = "azure|nsg|/subscriptions/s/resourcegroups/g/providers/microsoft.network/networksecuritygroups/n"

// hostileRecordings are wrapped documents, good and bad; the fuzz target
// starts from them too.
var hostileRecordings = []struct {
	name, doc string
	// rules lists the NSG's (nsgKey) rules by port, nil for no NSG.
	rules                        []string
	records, unreadable, skipped int64
	problem                      string // "" for none
}{
	{name: "placebo with no data", doc: `{"status_code":200}`, records: 1, unreadable: 1, problem: "boto placebo recording with no data"},
	{name: "placebo data is not an object", doc: `{"status_code":200,"data":[1,2]}`, records: 1, unreadable: 1, problem: "data is a JSON array, not an object"},
	{name: "placebo status is not a number", doc: `{"status_code":"ok","data":{}}`, records: 1, unreadable: 1, problem: "status_code is not a number"},
	{name: "placebo of a failed call", doc: `{"status_code":500,"data":{"Error":{"Code":"InternalError"}}}`, records: 1, skipped: 1, problem: "failed call (status_code 500); skipped"},
	{name: "placebo of a write: metadata only", doc: `{"status_code":200,"data":{"ResponseMetadata":{"HTTPStatusCode":200}}}`, records: 1, skipped: 1,
		problem: "skipped, holds no firewall rules cloudwall reads: boto placebo recording of a call that answered nothing but its metadata"},
	{name: "placebo of an unknown call names the inner keys", doc: `{"status_code":200,"data":{"Hello":"world","ResponseMetadata":{}}}`, records: 1, skipped: 1, problem: "unknown snapshot shape inside a boto placebo recording (keys: Hello); skipped"},
	{name: "placebo bad datetime does not break the reader", doc: `{"status_code":200,"data":{"configurationItems":[{"configurationItemCaptureTime":{"__class__":"datetime","year":2016,"month":2,"day":31},"resourceType":"AWS::EC2::SecurityGroup","resourceId":"sg-1","awsRegion":"us-east-1","configuration":{"groupId":"sg-1","ipPermissions":[{"ipProtocol":"tcp","fromPort":22,"toPort":22,"ipRanges":["0.0.0.0/0"]}]}}]}}`,
		records: 1},
	{name: "flight with no body", doc: `{"headers":{"status":"200"}}`, records: 1, unreadable: 1, problem: "HTTP flight recording with no body"},
	{name: "flight body is a number", doc: `{"headers":{"status":"200"},"body":7}`, records: 1, unreadable: 1, problem: "body is a JSON number, not a document"},
	{name: "flight body text that is not JSON", doc: `{"headers":{},"body":"<html>"}`, records: 1, unreadable: 1, problem: "body is not JSON"},
	{name: "flight body is JSON text of JSON text", doc: `{"headers":{},"body":"\"{}\""}`, records: 1, unreadable: 1, problem: "body is a JSON string, not a document"},
	{name: "flight of a failed call", doc: `{"headers":{"status":"403"},"body":{"error":{"code":403}}}`, records: 1, skipped: 1, problem: "failed call (status 403); skipped"},
	{name: "flight body as JSON text", doc: `{"headers":{"status":"200"},"body":` + quote(armNSG("22")) + `}`, rules: []string{"22"}, records: 1},
	{name: "cassette with no interactions", doc: `{"version":1,"interactions":[]}`, records: 1, skipped: 1, problem: "VCR cassette with no interactions"},
	{name: "cassette interaction is not an object", doc: `{"version":1,"interactions":[7]}`, records: 1, unreadable: 1, problem: "interaction 1 has no request and response"},
	{name: "cassette GET with no body", doc: `{"version":1,"interactions":[` + cassetteGET(200, `{}`) + `]}`, records: 1, unreadable: 1, problem: "with no body"},
	{name: "cassette failed and write calls are counted and named", doc: `{"version":1,"interactions":[` + cassetteGET(500, `{"data":{"error":{}}}`) +
		`,{"request":{"method":"put","uri":"x"},"response":{"status":{"code":201},"body":{"data":` + armNSG("3389") + `}}},` + cassetteGET(200, `{"data":{"value":[`+armNSG("22")+`]}}`) + `]}`,
		rules: []string{"22"}, records: 3, skipped: 2, problem: "VCR cassette: 2 of 3 interactions skipped (only successful GETs are snapshots): failed GET (500) ×1, PUT ×1"},
	{name: "cassette: the later GET wins over the earlier", doc: `{"version":1,"interactions":[` + cassetteGET(200, `{"data":{"value":[`+armNSG("22", "80")+`]}}`) + `,` + cassetteGET(200, `{"data":`+armNSG("443")+`}`) + `]}`,
		rules: []string{"443"}, records: 2},
	{name: "cassette body as vcrpy text", doc: `{"version":1,"interactions":[` + cassetteGET(200, `{"string":`+quote(armNSG("22"))+`}`) + `]}`, rules: []string{"22"}, records: 1},
	{name: "cassette empty list", doc: `{"version":1,"interactions":[` + cassetteGET(200, `{"data":{"value":[]}}`) + `]}`, records: 1, skipped: 1,
		problem: "skipped, holds no firewall rules cloudwall reads: VCR cassette interaction 1 (GET /subscriptions/s/providers/Microsoft.Network/networkSecurityGroups): an empty list"},
	{name: "cassette list of an NSG and a VM names the VM", doc: `{"version":1,"interactions":[` + cassetteGET(200, `{"data":{"value":[`+armNSG("22")+`,{"id":"/subscriptions/s/resourceGroups/g/providers/Microsoft.Compute/virtualMachines/vm","type":"Microsoft.Compute/virtualMachines"}]}}`) + `]}`,
		rules: []string{"22"}, records: 1, problem: "skipped, holds no firewall rules cloudwall reads: Azure resource of type microsoft.compute/virtualmachines"},
	{name: "ruby VCR cassette", doc: `{"http_interactions":[` + cassetteGET(200, `{"string":`+quote(armNSG("22"))+`}`) + `],"recorded_with":"VCR 6.0.0"}`, rules: []string{"22"}, records: 1},
	{name: "spec example without a successful body", doc: `{"parameters":{},"responses":{"202":{},"204":{}}}`, records: 1, skipped: 1,
		problem: "skipped, holds no firewall rules cloudwall reads: REST API spec example with no successful response body"},
	{name: "spec example 200 before 201", doc: `{"parameters":{},"responses":{"201":{"body":` + armNSG("80") + `},"200":{"body":` + armNSG("22") + `}}}`, rules: []string{"22"}, records: 1},
	{name: "a recording in a recording is read", doc: `{"status_code":200,"data":{"headers":{"status":"200"},"body":` + armNSG("22") + `}}`, rules: []string{"22"}, records: 1},
	{name: "three levels are not unwrapped", doc: `{"headers":{},"body":{"headers":{},"body":{"headers":{},"body":` + armNSG("22") + `}}}`, records: 1, unreadable: 1, problem: "nested more than 2 deep"},
	{name: "nesting past the decoder's limit", doc: strings.Repeat(`{"headers":{},"body":`, 600) + `{}` + strings.Repeat(`}`, 600), records: 1, unreadable: 1, problem: "nested more than"},
}

func quote(s string) string { return `"` + strings.ReplaceAll(s, `"`, `\"`) + `"` }

func TestRecordingsHostile(t *testing.T) {
	for _, tt := range hostileRecordings {
		t.Run(tt.name, func(t *testing.T) {
			set, err := Read(context.Background(), []ingest.Input{ingest.ReaderInput("rec.json", strings.NewReader(tt.doc))}, Options{})
			if err != nil {
				t.Fatal(err)
			}
			s := set.Summary
			if s.Records != tt.records || s.Unreadable != tt.unreadable || s.Skipped != tt.skipped {
				t.Errorf("records %d unreadable %d skipped %d, want %d %d %d", s.Records, s.Unreadable, s.Skipped, tt.records, tt.unreadable, tt.skipped)
			}
			var msgs []string
			for _, p := range s.Problems {
				msgs = append(msgs, p.Message)
				if p.File != "rec.json" || strings.Contains(p.Message, "SECRET") {
					t.Errorf("problem %+v: must name the file and never echo a query", p)
				}
			}
			if tt.problem == "" && len(msgs) > 0 || tt.problem != "" && (len(msgs) != 1 || !strings.Contains(msgs[0], tt.problem)) {
				t.Errorf("problems %q, want %q", msgs, tt.problem)
			}
			fw := set.Firewall(nsgKey)
			if (fw != nil) != (tt.rules != nil) {
				t.Fatalf("NSG read: %v, want %v", fw != nil, tt.rules != nil)
			}
			if fw != nil {
				var ports []string
				for _, r := range fw.Rules {
					ports = append(ports, strings.Join(r.Ports.Strings(), ","))
				}
				if !slices.Equal(ports, tt.rules) {
					t.Errorf("ports %v, want %v", ports, tt.rules)
				}
				if want := time.Date(2021, 3, 15, 23, 39, 47, 0, time.UTC); strings.Contains(tt.doc, "interactions") && !fw.AsOf.Equal(want) {
					t.Errorf("as of %v, want the response date %v", fw.AsOf, want)
				}
			}
		})
	}
}

func TestPlaceboTime(t *testing.T) {
	tests := []struct {
		in   map[string]any
		want string
	}{
		{map[string]any{"year": 2016.0, "month": 12.0, "day": 11.0, "hour": 6.0, "minute": 4.0, "second": 3.0, "microsecond": 800000.0}, "2016-12-11T06:04:03.8Z"},
		{map[string]any{"year": 2016.0, "month": 12.0, "day": 11.0}, "2016-12-11T00:00:00Z"},
		{map[string]any{"year": 2016.0, "month": 13.0, "day": 11.0}, ""},
		{map[string]any{"year": 2016.0, "month": 2.0, "day": 30.0}, ""},
		{map[string]any{"year": 2016.0, "month": 2.0}, ""},
		{map[string]any{"year": 2016.0, "month": 2.0, "day": 3.0, "hour": "x"}, ""},
		{map[string]any{"year": 2016.5, "month": 2.0, "day": 3.0}, ""},
	}
	for _, tt := range tests {
		got := ""
		if ts, ok := placeboTime(tt.in); ok {
			got = ts.Format(time.RFC3339Nano)
		}
		if got != tt.want {
			t.Errorf("%v: %q, want %q", tt.in, got, tt.want)
		}
	}
}
