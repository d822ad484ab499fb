package normalize

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"cloudwall/internal/content"
	"cloudwall/internal/model"
)

// seedFiles adds the parsers' fixtures and the shared samples to f.
func seedFiles(f *testing.F) {
	var files []string
	for _, p := range []string{"testdata/*.json", "*/testdata/*.json", "*/testdata/*.jsonl", sharedData("*/*")} {
		m, _ := filepath.Glob(p)
		files = append(files, m...)
	}
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil && len(b) < 64<<10 {
			f.Add(b)
		}
	}
	for _, s := range []string{`{"Records":[{"a":1},`, "{\"a\":\"\n", `[1,2,{"b":[]}]`, "\xEF\xBB\xBF{}", `{"value":[{}]}`,
		// Bad elements first in a wrapper, and nesting past the limit.
		`{"Records":[null,{"a":1}]}`, `{"records":[7,"x",[],{}]}`, `{"value":[true],"nextLink":null}`,
		`[{"a":` + strings.Repeat("[", MaxDepth+1) + `"]\"["` + strings.Repeat("]", MaxDepth+1) + `},{"b":1}]`,
		"[" + strings.Repeat("[{", MaxDepth) + "\n{\"b\":2}\n",
		// Broken elements on one line: a mismatched bracket, a string left
		// open, objects inside the broken one, a stray ']', a cut record.
		`{"Records":[{"a":[},{"b":1},{"c":2}]}`, `{"Records":[{"a":"x,{"b":1},{"c":"\"{"}]}`,
		`{"Records":[{"a":[},"b":[{"c":1}]],{"d":1}]}`, `[{"a":1},],{"b":2}]`, `{"value":[{"a":{"b":[1,{"c":{"d":2},{"e":3}]}`} {
		f.Add([]byte(s))
	}
}

// FuzzSplitter: any input ends, never panics, and accounts for every record.
func FuzzSplitter(f *testing.F) {
	seedFiles(f)
	// NUL padding after, between and alone (TestSplitterTrailingNULs).
	f.Add([]byte("{\"a\":1}\x00\x00\x00"))
	f.Add([]byte("\x00\x00\n{\"a\":1}\x00\x00x\x00\x00{\"b\":2}\xef\xbf\xbd"))
	f.Fuzz(func(t *testing.T, b []byte) {
		s := newSplitterSize(strings.NewReader(string(b)), 16)
		s.MaxRecord = 1 << 16
		var n int64
		for i := 0; ; i++ {
			if i > len(b)+10 {
				t.Fatalf("splitter does not end on %q", b)
			}
			rec, err := s.Next()
			var re *RecordError
			if errors.As(err, &re) {
				n++
				continue
			}
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("unexpected error %v", err)
			}
			n++
			if len(rec.Data) == 0 {
				t.Fatalf("empty record from %q", b)
			}
		}
		if n != s.Records() {
			t.Fatalf("returned %d records and errors, Records() = %d", n, s.Records())
		}
		// Read sizes must not change what comes out.
		whole, wholeProblems, _ := splitAll(t, strings.NewReader(string(b)), 1<<16)
		chunked, chunkedProblems, _ := splitAll(t, chunkReader{strings.NewReader(string(b)), 1 + len(b)%13}, 1<<16)
		if strings.Join(whole, "\x00") != strings.Join(chunked, "\x00") || len(wholeProblems) != len(chunkedProblems) {
			t.Fatalf("chunked reads changed the records of %q", b)
		}
		// Streaming a snapshot's lists ends too, and reads the same
		// whatever the read sizes.
		lists := func(r io.Reader) string {
			s := newSplitterSize(r, 16)
			s.MaxRecord = 1 << 16
			s.Lists = map[string]bool{"SecurityGroups": true, "configurationItems": true}
			var out []string
			for i := 0; ; i++ {
				if i > 2*len(b)+10 {
					t.Fatalf("splitter with lists does not end on %q", b)
				}
				rec, err := s.Next()
				if errors.Is(err, io.EOF) || err != nil && !errors.As(err, new(*RecordError)) {
					return strings.Join(out, "\x00")
				}
				out = append(out, fmt.Sprintf("%d %d %s %v %s %v", rec.Index, rec.Offset, rec.List, rec.End, rec.Data, err))
			}
		}
		if lists(strings.NewReader(string(b))) != lists(chunkReader{strings.NewReader(string(b)), 1 + len(b)%13}) {
			t.Fatalf("chunked reads changed the listed records of %q", b)
		}
	})
}

// FuzzParse: dispatch and every cloud parser take any record without
// panicking, and what they return marshals.
func FuzzParse(f *testing.F) {
	seedFiles(f)
	pre, err := NewPrefilter(testAnchors(f))
	if err != nil {
		f.Fatal(err)
	}
	ctx := newContextPrefilter(f)
	catalogue, err := content.Default()
	if err != nil {
		f.Fatal(err)
	}
	f.Add([]byte(`{"eventVersion":"1.08","eventName":"DescribeSecurityGroups","eventSource":"ec2.amazonaws.com","eventTime":"2024-01-01T00:00:00Z","requestParameters":{"groupId":"sg-1"},"userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::1:user/a"}}`))
	f.Add([]byte(`{"time":"2025-03-03T01:35:41.3273113Z","resourceId":"/SUBSCRIPTIONS/S1/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.WEB/SITES/APP","operationName":"MICROSOFT.WEB/SITES/CONFIG/LIST/ACTION","category":"Administrative","resultType":"Failure","resultSignature":"Failed.Forbidden","callerIpAddress":"66.154.61.243:443","correlationId":"c1","identity":{"authorization":{"scope":"/subscriptions/s1/resourceGroups/rg","evidence":{"principalId":"p1","principalType":"ServicePrincipal"}},"claims":{"appid":"a1","http://schemas.microsoft.com/identity/claims/objectidentifier":"o1","http://schemas.microsoft.com/claims/authnmethodsreferences":"pwd,mfa","uti":"u1","xms_mirid":"/x/userAssignedIdentities/mi"}},"level":"Error","location":"global","properties":{"statusCode":"Forbidden","statusMessage":"{\"error\":{\"code\":\"AuthorizationFailed\",\"message\":\"no\"}}","requestbody":"{\"properties\":{}}"}}`))
	// GCP LogEntries kept as context, read in place: a refused listing of
	// a long-running operation with delegation, a protobuf timestamp, and
	// a Wazuh event that also has a protoPayload (read as Wazuh's).
	f.Add([]byte(`{"insertId":"i1","logName":"projects/p/logs/cloudaudit.googleapis.com%2Fdata_access","operation":{"id":"op-1","first":true,"last":"false"},"protoPayload":{"@type":"type.googleapis.com/google.cloud.audit.AuditLog","authenticationInfo":{"principalEmail":"service-1@compute-system.iam.gserviceaccount.com","serviceAccountDelegationInfo":[{"firstPartyPrincipal":{"principalEmail":"a@p.iam.gserviceaccount.com"}}]},"authorizationInfo":[{"granted":false}],"methodName":"v1.compute.firewalls.list","request":{"filter":"x"},"requestMetadata":{"callerIp":"1.2.3.4","callerSuppliedUserAgent":"gcloud"},"resourceLocation":{"currentLocations":["us-east1"]},"resourceName":"projects/p/global/firewalls","serviceName":"compute.googleapis.com","status":{"code":7,"message":"PERMISSION_DENIED"}},"resource":{"labels":{"project_id":"p"},"type":"gce_firewall_rule"},"timestamp":"2024-01-01T00:00:00.5Z"}`))
	f.Add([]byte(`{"insertId":"i2","logName":"organizations/9/logs/cloudaudit.googleapis.com%2Factivity","protoPayload":{"authenticationInfo":{"principalSubject":"principal://x"},"methodName":"beta.compute.instances.insert","resourceName":"projects/p/zones/us-east1-b/instances/vm","status":{"code":"ok"}},"timestamp":{"seconds":1700000000,"nanos":5}}`))
	f.Add([]byte(`{"integration":"gcp","gcp":{"logName":"projects/p/logs/x"},"protoPayload":{"methodName":"SetIamPolicy"},"timestamp":"2024-01-01T00:00:00Z"}`))
	// JSON text giving a key twice: an Azure requestbody, a BigQuery
	// row's requestJson, text in text (a Splunk _raw).
	f.Add([]byte(`{"operationName":"MICROSOFT.NETWORK/NETWORKSECURITYGROUPS/SECURITYRULES/WRITE","resourceId":"/SUBSCRIPTIONS/S/RESOURCEGROUPS/R/PROVIDERS/MICROSOFT.NETWORK/NETWORKSECURITYGROUPS/N/SECURITYRULES/X","time":"2026-01-01T00:00:00Z","properties":{"requestbody":"{\"properties\":{\"sourceAddressPrefix\":\"*\",\"SourceAddressPrefix\":\"10.0.0.0/8\",\"sourceAddressPrefix\":\"10.0.0.0/8\",\"destinationPortRange\":\"22\",\"access\":\"Allow\",\"direction\":\"Inbound\"}}"}}`))
	f.Add([]byte(`{"protopayload_auditlog":{"serviceName":"compute.googleapis.com","methodName":"v1.compute.firewalls.insert","resourceName":"projects/p/global/firewalls/f","requestJson":"{\"alloweds\":[{\"IPProtocol\":\"tcp\"}],\"sourceRanges\":[\"0.0.0.0/0\"],\"sourceRanges\":[\"10.0.0.0/8\"],\"x\":\"{\\\"a\\\":1,\\\"a\\\":2}\"}"},"timestamp":"2026-01-01 00:00:00 UTC"}`))
	f.Add([]byte(`{"_raw":"{\"EventId\":\"e\",\"CloudTrailEvent\":\"{\\\"eventName\\\":\\\"AuthorizeSecurityGroupIngress\\\",\\\"eventName\\\":\\\"DescribeSecurityGroups\\\",\\\"eventSource\\\":\\\"ec2.amazonaws.com\\\"}\"}"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		s := newSplitterSize(strings.NewReader(string(b)), 64)
		var scratch []model.Event // reused from record to record, as the scan does
		for i := 0; i < 64; i++ {
			rec, err := s.Next()
			if errors.Is(err, io.EOF) {
				return
			}
			if err != nil {
				var re *RecordError
				if errors.As(err, &re) {
					continue
				}
				return
			}
			src := model.SourceRef{File: "fuzz", Index: rec.Index}
			full := Parse(rec.Data, src, nil)
			fast := Parse(rec.Data, src, pre)
			if fast.Kind != Filtered && fast.Kind != full.Kind {
				t.Fatalf("prefiltered parse kind %d, full %d", fast.Kind, full.Kind)
			}
			if full.Kind == Parsed && fast.Kind == Filtered {
				// Only a catalogued operation is a firewall event; a
				// parser may read the content of a name it does not
				// know (AuthorizeCac`eSecurityGroupIngress), which no
				// scan then judges.
				for _, ev := range full.Events {
					if _, ok := catalogue.Operation(ev.OperationKey); ok && len(ev.Changes)+len(ev.Settings)+len(ev.Targets) > 0 {
						t.Fatalf("prefilter dropped a record with firewall content: %s", rec.Data)
					}
				}
			}
			// A record read lean (only context operations named) gives
			// what reading it in full as context gives (its JSON text
			// read one way), into the last one's array.
			if ctx.Match(rec.Data) == Context {
				lean := ParseInto(scratch, rec.Data, src, ctx)
				if full := contextInFull(rec.Data, src); !reflect.DeepEqual(contextView(lean), contextView(full)) {
					t.Fatalf("read lean %+v, in full %+v", lean, full)
				}
				if cap(lean.Events) == 1 {
					scratch = lean.Events
				}
			}
			for _, ev := range full.Events {
				if _, err := json.Marshal(ev); err != nil {
					t.Fatalf("event does not marshal: %v", err)
				}
			}
		}
	})
}
