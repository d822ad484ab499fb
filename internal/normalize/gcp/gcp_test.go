package gcp

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"cloudwall/internal/model"
	"cloudwall/internal/normalize/jv"
	"cloudwall/internal/normalize/record"
	"cloudwall/internal/testutil"
)

// sharedSample is the real GCP sample kept beside the repository.
const sharedSample = "../../../../shared/data/gcp/audit-log-entries.json.log"

// fixtures lists the input files in testdata: *.json and *.jsonl that are
// not golden files.
func fixtures(t testing.TB) []string {
	t.Helper()
	return testutil.Fixtures(t, "testdata", "*.json", "*.jsonl")
}

// parseFixture parses every record of a fixture, failing on any error.
func parseFixture(t testing.TB, path string) []model.Event {
	t.Helper()
	events := []model.Event{}
	for i, rec := range testutil.Records(t, path) {
		if !Detect(rec) {
			t.Errorf("%s: record %d: Detect = false", path, i)
		}
		evs, err := Parse(rec, model.SourceRef{File: filepath.Base(path), Index: int64(i)})
		if err != nil {
			t.Errorf("%s: record %d: %v", path, i, err)
		}
		events = append(events, evs...)
	}
	return events
}

func TestGolden(t *testing.T) {
	for _, path := range fixtures(t) {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			testutil.GoldenJSON(t, testutil.GoldenPath(path), parseFixture(t, path))
		})
	}
}

// one parses a single-record fixture.
func one(t *testing.T, path string) model.Event {
	t.Helper()
	evs := parseFixture(t, path)
	if len(evs) != 1 {
		t.Fatalf("%s: got %d events, want 1", path, len(evs))
	}
	return evs[0]
}

func peerStrings(ps []model.Peer) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.String()
	}
	return out
}

func TestInsertWithoutSourceDefaultsToWorld(t *testing.T) {
	ev := one(t, "testdata/vpc_insert_no_source.json")
	if ev.OperationKey != "compute.firewalls.insert" || ev.Account != "scc-log-pubsub" {
		t.Errorf("key, account = %q, %q", ev.OperationKey, ev.Account)
	}
	if !slices.Contains(ev.Notes, "no source given: GCP defaults to 0.0.0.0/0") {
		t.Errorf("notes = %q, want the default-source note", ev.Notes)
	}
	if len(ev.Changes) != 2 {
		t.Fatalf("got %d changes, want 2 (tcp:80, icmp)", len(ev.Changes))
	}
	for _, c := range ev.Changes {
		if got := peerStrings(c.Peers); !slices.Equal(got, []string{"0.0.0.0/0"}) {
			t.Errorf("%s peers = %q, want [0.0.0.0/0]", c.Protocol, got)
		}
		if c.Effect != model.Added || c.Direction != model.Ingress || c.Action != model.Allow {
			t.Errorf("%s: effect/direction/action = %s/%s/%s", c.Protocol, c.Effect, c.Direction, c.Action)
		}
		if c.Priority == nil || *c.Priority != 1000 {
			t.Errorf("%s: priority = %v, want default 1000", c.Protocol, c.Priority)
		}
	}
	if got := ev.Changes[0].Ports.Strings(); !slices.Equal(got, []string{"80"}) {
		t.Errorf("tcp ports = %q", got)
	}
	if len(ev.Changes[1].Ports) != 0 {
		t.Errorf("icmp ports = %q, want none", ev.Changes[1].Ports.Strings())
	}
}

func TestFirstAndLastShareOperation(t *testing.T) {
	evs := parseFixture(t, "testdata/vpc_insert_world_ssh_rdp.jsonl")
	if len(evs) != 2 {
		t.Fatalf("got %d events, want 2", len(evs))
	}
	first, last := evs[0], evs[1]
	want := "operation-1773483128113-64d0f1a7c2b3e-5f1e2d3c-9a8b7c6d|compute.firewalls.insert"
	if first.OperationID != want || last.OperationID != want {
		t.Errorf("operation ids = %q, %q, want %q", first.OperationID, last.OperationID, want)
	}
	if first.Phase != model.PhaseStart || last.Phase != model.PhaseEnd {
		t.Errorf("phases = %q, %q, want start, end", first.Phase, last.Phase)
	}
	if first.EventID == last.EventID {
		t.Errorf("both entries have event id %q", first.EventID)
	}
	if len(first.Changes) != 1 || len(last.Changes) != 0 {
		t.Fatalf("changes = %d, %d; want content on the first entry only", len(first.Changes), len(last.Changes))
	}
	c := first.Changes[0]
	if got := c.Ports.Strings(); !slices.Equal(got, []string{"22", "3389"}) {
		t.Errorf("ports = %q", got)
	}
	if c.Priority == nil || *c.Priority != 900 {
		t.Errorf("priority = %v, want 900 (logged as a string)", c.Priority)
	}
	if !slices.Equal(c.Targets, []string{"bastion"}) {
		t.Errorf("targets = %q", c.Targets)
	}
}

func TestPermissionDeniedIsFailure(t *testing.T) {
	ev := one(t, "testdata/vpc_insert_permission_denied.json")
	if ev.Outcome != model.Failure || ev.ErrorCode != "PERMISSION_DENIED" {
		t.Errorf("outcome, code = %s, %q", ev.Outcome, ev.ErrorCode)
	}
	if !strings.Contains(ev.ErrorMessage, "compute.firewalls.create") {
		t.Errorf("message = %q", ev.ErrorMessage)
	}
	if len(ev.Changes) != 1 {
		t.Errorf("an attempt keeps its content: got %d changes", len(ev.Changes))
	}
	if ev.OperationID != ev.EventID || ev.Phase != model.PhaseOnly {
		t.Errorf("without operation: operation id %q, phase %q", ev.OperationID, ev.Phase)
	}
}

func TestGKERobot(t *testing.T) {
	ev := one(t, "testdata/vpc_insert_gke_robot.json")
	if ev.Actor.Type != "ServiceAccount" || ev.Actor.ViaService != "container.googleapis.com" {
		t.Errorf("actor = %+v", ev.Actor)
	}
	if len(ev.Changes) != 6 {
		t.Fatalf("got %d changes, want 6", len(ev.Changes))
	}
	for _, c := range ev.Changes {
		wantAll := c.Protocol == "tcp" || c.Protocol == "udp" || c.Protocol == "sctp"
		if c.Ports.All() != wantAll {
			t.Errorf("%s: ports %q", c.Protocol, c.Ports.Strings())
		}
	}
}

func TestPatchReadsOnlyWhatWasSent(t *testing.T) {
	ev := one(t, "testdata/vpc_patch_disabled.json")
	if ev.Settings[model.SettingDisabled] != "true" {
		t.Errorf("settings = %v", ev.Settings)
	}
	if len(ev.Changes) != 0 {
		t.Errorf("a patch of disabled alone has no rule content: %+v", ev.Changes)
	}
	if ev.OperationKey != "compute.firewalls.patch" || ev.Operation != "beta.compute.firewalls.patch" {
		t.Errorf("operation = %q key %q", ev.Operation, ev.OperationKey)
	}
}

func TestDelete(t *testing.T) {
	ev := one(t, "testdata/vpc_delete.json")
	if len(ev.Changes) != 1 || ev.Changes[0].Effect != model.Removed || ev.Changes[0].Name != "deny-ssh-external" {
		t.Errorf("changes = %+v", ev.Changes)
	}
}

func TestCloudSQL(t *testing.T) {
	ev := one(t, "testdata/cloudsql_patch_world.json")
	if len(ev.Changes) != 1 {
		t.Fatalf("got %d changes", len(ev.Changes))
	}
	c := ev.Changes[0]
	if got := peerStrings(c.Peers); !slices.Equal(got, []string{"203.0.113.0/24", "0.0.0.0/0"}) {
		t.Errorf("peers = %q", got)
	}
	if c.Protocol != "tcp" || !slices.Equal(c.Ports.Strings(), []string{"3306"}) {
		t.Errorf("protocol/ports = %s %q", c.Protocol, c.Ports.Strings())
	}
	if ev.Settings[model.SettingPublicIP] != "true" || ev.Region != "europe-west1" {
		t.Errorf("settings %v region %q", ev.Settings, ev.Region)
	}
	pg := one(t, "testdata/cloudsql_create_postgres.json")
	if len(pg.Changes) != 1 || !slices.Equal(pg.Changes[0].Ports.Strings(), []string{"5432"}) || pg.Changes[0].Effect != model.Added {
		t.Errorf("postgres changes = %+v", pg.Changes)
	}
}

func TestSIEMReexport(t *testing.T) {
	ev := one(t, "testdata/siem_lowercase_keys.json")
	if ev.Operation != "v1.compute.firewalls.insert" || ev.SourceIP != "192.0.2.66" || ev.EventID != "-s1i2e3m4l5c" {
		t.Errorf("operation %q ip %q id %q", ev.Operation, ev.SourceIP, ev.EventID)
	}
	if ev.Phase != model.PhaseStart || ev.Outcome != model.Unknown { // a first entry alone: not yet done
		t.Errorf("phase %q outcome %q", ev.Phase, ev.Outcome)
	}
	if len(ev.Changes) != 1 {
		t.Fatalf("got %d changes", len(ev.Changes))
	}
	c := ev.Changes[0]
	if c.Protocol != "tcp" || !slices.Equal(c.Ports.Strings(), []string{"22", "8080"}) || c.Priority == nil || *c.Priority != 100 {
		t.Errorf("change = %+v", c)
	}
	if ev.Settings[model.SettingDisabled] != "false" {
		t.Errorf("settings = %v", ev.Settings)
	}
}

func TestWrongTypesAreNoted(t *testing.T) {
	ev := one(t, "testdata/wrong_types.json")
	if !ev.Time.IsZero() {
		t.Errorf("time = %v, want zero for an unreadable timestamp", ev.Time)
	}
	if ev.Outcome != model.Failure || ev.ErrorCode != "PERMISSION_DENIED" {
		t.Errorf("outcome %s code %q", ev.Outcome, ev.ErrorCode)
	}
	for _, want := range []string{`unreadable timestamp "yesterday"`, `unreadable port "abc"`, `unreadable address range "00.0.0.0/0"`, "alloweds: 2 of 3 entries are not objects"} {
		if !slices.ContainsFunc(ev.Notes, func(n string) bool { return strings.Contains(n, want) }) {
			t.Errorf("notes lack %q: %q", want, ev.Notes)
		}
	}
	if len(ev.Changes) != 1 || !slices.Equal(ev.Changes[0].Ports.Strings(), []string{"22"}) {
		t.Errorf("changes = %+v", ev.Changes)
	}
}

func TestPubSub(t *testing.T) {
	push := one(t, "testdata/pubsub_push.json")
	if push.OperationKey != "compute.firewalls.patch" || len(push.Changes) != 1 || push.Changes[0].Direction != model.Ingress {
		t.Errorf("push event = %+v", push)
	}
	pull := parseFixture(t, "testdata/pubsub_pull.json")
	if len(pull) != 2 {
		t.Fatalf("pull: got %d events, want 2", len(pull))
	}
	if pull[1].Settings[settingEnforcementOrder] != "before_classic_firewall" {
		t.Errorf("url-safe unpadded message: settings = %v", pull[1].Settings)
	}
}

// TestMessageEncodings checks every base64 spelling relays produce, and data
// already decoded to JSON text or an object.
func TestMessageEncodings(t *testing.T) {
	entry := testutil.Records(t, "testdata/vpc_delete.json")[0]
	raw, err := json.Marshal(entry)
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string]any{
		"std":       base64.StdEncoding.EncodeToString(raw),
		"url":       base64.URLEncoding.EncodeToString(raw),
		"raw-std":   base64.RawStdEncoding.EncodeToString(raw),
		"raw-url":   base64.RawURLEncoding.EncodeToString(raw),
		"json-text": string(raw),
		"object":    entry,
	} {
		rec := map[string]any{"message": map[string]any{"data": data}, "subscription": "projects/p/subscriptions/s"}
		evs, err := Parse(rec, model.SourceRef{})
		if err != nil || len(evs) != 1 || evs[0].EventID != "-3c4v5b6n7m8a" {
			t.Errorf("%s: events %v, err %v", name, evs, err)
		}
	}
}

func TestDetect(t *testing.T) {
	for _, tc := range []struct {
		name string
		rec  string
		want bool
	}{
		{"log entry", `{"protoPayload":{}}`, true},
		{"lower-case key", `{"protopayload":{}}`, true},
		{"push", `{"message":{"data":"e30="},"subscription":"projects/p/subscriptions/s"}`, true},
		{"pull", `{"receivedMessages":[]}`, true},
		{"message without subscription", `{"message":{"data":"e30="}}`, false},
		{"cloudtrail", `{"Records":[{"eventSource":"ec2.amazonaws.com"}]}`, false},
		{"azure", `{"operationName":{"value":"Microsoft.Network/networkSecurityGroups/write"}}`, false},
		{"text payload", `{"textPayload":"hello","logName":"projects/p/logs/syslog"}`, false},
	} {
		rec, err := jv.DecodeObject([]byte(tc.rec))
		if err != nil {
			t.Fatal(err)
		}
		if got := Detect(rec); got != tc.want {
			t.Errorf("%s: Detect = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	for _, tc := range []struct {
		name, rec, want string
	}{
		{"request log", `{"insertId":"x1","protoPayload":{"@type":"type.googleapis.com/google.appengine.logging.v1.RequestLog"}}`,
			`log entry "x1": protoPayload is a type.googleapis.com/google.appengine.logging.v1.RequestLog, not an AuditLog`},
		{"no method", `{"protoPayload":{"@type":"type.googleapis.com/google.cloud.audit.AuditLog"}}`, "log entry: AuditLog has no methodName"},
		{"payload not object", `{"protoPayload":42}`, "protoPayload is a JSON number, not an object"},
		{"null payload", `{"protoPayload":null}`, "no protoPayload"},
		{"push bad base64", `{"message":{"data":"%%%"},"subscription":"s"}`, "pub/sub push: decode message data"},
		{"push not json", `{"message":{"data":"` + b64("hello") + `"},"subscription":"s"}`, "pub/sub push: message data"},
		{"push text payload", `{"message":{"data":"` + b64(`{"textPayload":"x"}`) + `"},"subscription":"s"}`, "no protoPayload"},
		{"push data number", `{"message":{"data":5},"subscription":"s"}`, "message data is a JSON number"},
		{"not gcp", `{"foo":1}`, "neither a LogEntry"},
	} {
		rec, err := jv.DecodeObject([]byte(tc.rec))
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		evs, err := Parse(rec, model.SourceRef{})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want it to contain %q", tc.name, err, tc.want)
		}
		if len(evs) != 0 {
			t.Errorf("%s: got %d events with the error", tc.name, len(evs))
		}
	}
}

func TestPullPartialAndEmpty(t *testing.T) {
	good := testutil.Records(t, "testdata/vpc_delete.json")[0]
	raw, _ := json.Marshal(good)
	rec := map[string]any{"receivedMessages": []any{
		map[string]any{"message": map[string]any{"data": base64.StdEncoding.EncodeToString(raw)}},
		map[string]any{"message": map[string]any{"data": "!!"}},
		"junk",
	}}
	evs, err := Parse(rec, model.SourceRef{})
	if len(evs) != 1 || err == nil || !strings.Contains(err.Error(), "received message 1") || !strings.Contains(err.Error(), "received message 2") {
		t.Errorf("partial pull: %d events, err %v", len(evs), err)
	}
	_, err = Parse(map[string]any{"receivedMessages": []any{}}, model.SourceRef{})
	var skip *record.SkipError
	if !errors.As(err, &skip) {
		t.Errorf("empty pull: err = %v, want a SkipError", err)
	}
}

func TestOperationKey(t *testing.T) {
	for in, want := range map[string]string{
		"v1.compute.firewalls.insert":                    "compute.firewalls.insert",
		"beta.compute.firewalls.patch":                   "compute.firewalls.patch",
		"alpha.compute.firewallPolicies.addRule":         "compute.firewallpolicies.addrule",
		"v1beta1.compute.securityPolicies.patchRule":     "compute.securitypolicies.patchrule",
		"v2alpha.foo.bar":                                "foo.bar",
		"cloudsql.instances.patch":                       "cloudsql.instances.patch",
		"google.appengine.v1.Firewall.CreateIngressRule": "google.appengine.v1.firewall.createingressrule",
		"io.k8s.core.v1.nodes.list":                      "io.k8s.core.v1.nodes.list",
		"GetResourceBillingInfo":                         "getresourcebillinginfo",
		"v1.":                                            "v1.",
		"version.compute.x":                              "version.compute.x",
		" V1.compute.firewalls.delete ":                  "compute.firewalls.delete",
	} {
		if got := operationKey(in); got != want {
			t.Errorf("operationKey(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestServiceAgent(t *testing.T) {
	for in, want := range map[string]string{
		"service-918273645012@container-engine-robot.iam.gserviceaccount.com": "container.googleapis.com",
		"service-1@gcp-sa-cloudbuild.iam.gserviceaccount.com":                 "gcp-sa-cloudbuild",
		"918273645012@cloudservices.gserviceaccount.com":                      "cloudservices",
		"terraform@acme-prod-7781.iam.gserviceaccount.com":                    "",
		"service-abc@container-engine-robot.iam.gserviceaccount.com":          "",
		"alice@acme-corp.com": "",
		"":                    "",
	} {
		if got := serviceAgent(in); got != want {
			t.Errorf("serviceAgent(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestSharedSample parses the real GCP sample: every line is an audit entry,
// none touches a firewall, and the PERMISSION_DENIED entry is a failure.
func TestSharedSample(t *testing.T) {
	f, err := os.Open(sharedSample)
	if errors.Is(err, os.ErrNotExist) {
		t.Skipf("shared sample %s is absent; skipping", sharedSample)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<24)
	var n, failures int
	for sc.Scan() {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		rec, err := jv.DecodeObject(line)
		if err != nil {
			t.Fatalf("line %d: %v", n+1, err)
		}
		if !Detect(rec) {
			t.Errorf("line %d: Detect = false", n+1)
		}
		evs, err := Parse(rec, model.SourceRef{File: filepath.Base(sharedSample), Index: int64(n)})
		if err != nil || len(evs) != 1 {
			t.Fatalf("line %d: %d events, err %v", n+1, len(evs), err)
		}
		ev := evs[0]
		if len(ev.Changes)+len(ev.Settings)+len(ev.Targets) != 0 {
			t.Errorf("line %d (%s): unexpected firewall content %+v", n+1, ev.Operation, ev)
		}
		if ev.Time.IsZero() || ev.Account == "" || ev.Operation == "" {
			t.Errorf("line %d: time %v account %q operation %q", n+1, ev.Time, ev.Account, ev.Operation)
		}
		if ev.Outcome == model.Failure {
			failures++
			if ev.ErrorCode != "PERMISSION_DENIED" {
				t.Errorf("line %d: error code %q", n+1, ev.ErrorCode)
			}
		}
		n++
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if n != 11 || failures != 1 {
		t.Errorf("read %d entries with %d failures, want 11 and 1", n, failures)
	}
}

// demoSample is the bundled README sample: a Cloud Storage sink object.
const demoSample = "../../../testdata/samples/gcp/cloudaudit.googleapis.com/activity/2026/03/14/10:00:00_10:59:59_S0.json"

// TestDemoSample checks the README sample parses and holds the firewall
// changes it is meant to show, among benign entries.
func TestDemoSample(t *testing.T) {
	raw, err := os.ReadFile(demoSample)
	if errors.Is(err, os.ErrNotExist) {
		t.Skipf("demo sample %s is absent; skipping", demoSample)
	}
	if err != nil {
		t.Fatal(err)
	}
	var n int
	var keys []string
	for line := range bytes.Lines(raw) {
		rec, err := jv.DecodeObject(line)
		if err != nil {
			t.Fatalf("line %d: %v", n+1, err)
		}
		evs, err := Parse(rec, model.SourceRef{File: "S0.json", Index: int64(n)})
		if err != nil || len(evs) != 1 {
			t.Fatalf("line %d: %d events, err %v", n+1, len(evs), err)
		}
		ev := evs[0]
		if ev.Account != "acme-prod-7781" {
			t.Errorf("line %d: account %q", n+1, ev.Account)
		}
		if len(ev.Changes) > 0 || len(ev.Settings) > 0 {
			keys = append(keys, ev.OperationKey)
		}
		n++
	}
	want := []string{"compute.firewalls.insert", "compute.firewalls.insert", "cloudsql.instances.patch", "compute.firewalls.patch"}
	if n != 25 || !slices.Equal(keys, want) {
		t.Errorf("read %d entries; entries with firewall content %q, want 25 and %q", n, keys, want)
	}
}

func TestProtobufTimestamp(t *testing.T) {
	for _, tc := range []struct {
		ts   string
		want string
		note bool
	}{
		{`{"seconds":"1773483128","nanos":113000000}`, "2026-03-14T10:12:08.113Z", false},
		{`{"seconds":1000000000000000}`, "0001-01-01T00:00:00Z", true},
		{`"2026-03-14T11:12:08.5+01:00"`, "2026-03-14T10:12:08.5Z", false},
		// Zone-less UTC of SIEM and BigQuery re-exports (Panther test logs).
		{`"2023-05-23 19:19:40.353"`, "2023-05-23T19:19:40.353Z", false},
		{`"2023-05-23 19:19:40.353 UTC"`, "2023-05-23T19:19:40.353Z", false},
		{`"2023-05-23T19:19:40"`, "2023-05-23T19:19:40Z", false},
		{`"2023-05-23 21:19:40+02:00"`, "2023-05-23T19:19:40Z", false},
	} {
		rec, err := jv.DecodeObject([]byte(`{"timestamp":` + tc.ts + `,"protoPayload":{"methodName":"v1.compute.firewalls.get"}}`))
		if err != nil {
			t.Fatal(err)
		}
		evs, err := Parse(rec, model.SourceRef{})
		if err != nil {
			t.Fatal(err)
		}
		if got := evs[0].Time.Format(time.RFC3339Nano); got != tc.want || (len(evs[0].Notes) > 0) != tc.note {
			t.Errorf("%s: time %s notes %q, want %s", tc.ts, got, evs[0].Notes, tc.want)
		}
		if _, err := json.Marshal(evs[0]); err != nil {
			t.Errorf("%s: %v", tc.ts, err)
		}
	}
}

// TestDelegationChain: an impersonation chain keeps its order, the first
// caller is the original caller, and the principal ends the chain.
func TestDelegationChain(t *testing.T) {
	pp := map[string]any{"authenticationInfo": map[string]any{
		"principalEmail": "deployer@prod.iam.gserviceaccount.com",
		"serviceAccountDelegationInfo": []any{
			map[string]any{"firstPartyPrincipal": map[string]any{"principalEmail": "alice@example.com"}},
			map[string]any{"firstPartyPrincipal": map[string]any{"principalEmail": "ci@build.iam.gserviceaccount.com"}},
		},
	}}
	a := actor(pp)
	if a.ID != "deployer@prod.iam.gserviceaccount.com" || a.OriginalCaller != "alice@example.com" || a.ViaService != "alice@example.com" ||
		a.Delegation != "alice@example.com, ci@build.iam.gserviceaccount.com, deployer@prod.iam.gserviceaccount.com" {
		t.Errorf("actor %+v", a)
	}
	// Without a chain there is no original caller apart from the principal.
	if a := actor(map[string]any{"authenticationInfo": map[string]any{"principalEmail": "bob@example.com"}}); a.OriginalCaller != "" || a.Delegation != "" {
		t.Errorf("no chain: actor %+v", a)
	}
}

func TestPathValue(t *testing.T) {
	tests := []struct{ path, key, want string }{
		{"projects/p/global/firewalls/f", "projects", "p"},
		{"//compute.googleapis.com/projects/p/zones/z/instances/i", "zones", "z"},
		{"projects/p/zones/z", "zones", "z"},
		{"projects/", "projects", ""},
		{"projects//regions/r", "projects", ""},
		{"projects//projects/q", "projects", "q"},
		{"a/projects", "projects", ""},
		{"", "projects", ""},
		{"projects", "projects", ""},
	}
	for _, tt := range tests {
		if got := pathValue(tt.path, tt.key); got != tt.want {
			t.Errorf("pathValue(%q, %q) = %q, want %q", tt.path, tt.key, got, tt.want)
		}
	}
}

// TestAppEngineRuleName: an App Engine rule is named by its priority, from
// the resource name or the request; a CreateIngressRule that logs only
// apps/APP (as the real Panther record does) leaves the name empty rather
// than naming the rule after the app. Whether the request is there says
// whether the content is logged.
func TestAppEngineRuleName(t *testing.T) {
	entry := func(method, resourceName, request string) map[string]any {
		s := `{"insertId":"x","timestamp":"2023-05-23T19:28:35Z","protoPayload":{"@type":"type.googleapis.com/google.cloud.audit.AuditLog",` +
			`"serviceName":"appengine.googleapis.com","methodName":"` + method + `","resourceName":"` + resourceName + `"` + request + `}}`
		var m map[string]any
		if err := json.Unmarshal([]byte(s), &m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	const create = "google.appengine.v1.Firewall.CreateIngressRule"
	for _, c := range []struct {
		name, method, resourceName, request string
		want                                string
		unlogged                            bool
	}{
		{"create names the app only, no request", create, "apps/test-project-123456", "", "", true},
		{"create names the app, request has the rule", create, "apps/p1",
			`,"request":{"parent":"apps/p1","rule":{"action":"DENY","priority":1000,"sourceRange":"10.0.0.0/8"}}`, "1000", false},
		{"create names the rule", create, "apps/p1/firewall/ingressRules/100", "", "100", true},
		{"update names the rule", "google.appengine.v1.Firewall.UpdateIngressRule", "apps/p1/firewall/ingressRules/1000", "", "1000", true},
		{"batch names the rule list", "google.appengine.v1.Firewall.BatchUpdateIngressRules", "apps/p1/firewall/ingressRules",
			`,"request":{"ingressRules":[{"action":"ALLOW","priority":10,"sourceRange":"*"}]}`, "", false},
	} {
		ev, err := parseEntry(entry(c.method, c.resourceName, c.request), model.SourceRef{})
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if ev.Resource.Name != c.want || ev.Resource.Type != "appengine_firewall_rule" || ev.ContentNotLogged != c.unlogged {
			t.Errorf("%s: resource %+v content not logged %v, want name %q, not logged %v", c.name, ev.Resource, ev.ContentNotLogged, c.want, c.unlogged)
		}
	}
}

// TestPatchListsTheFieldsSent: a patch names the list fields it sent,
// an empty one included (it clears the field), so the state replaces
// those and keeps the rest.
func TestPatchListsTheFieldsSent(t *testing.T) {
	raw, err := os.ReadFile("testdata/vpc_patch_disabled.json")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		request string
		want    []string
	}{
		{`"targetTags": [], "targetServiceAccounts": ["app@p1.iam.gserviceaccount.com"]`, []string{"targettags", "targetserviceaccounts"}},
		{`"sourceTags": ["bastion"]`, []string{"sourcetags"}},
		{`"disabled": true`, []string{}},
	}
	for _, tt := range tests {
		var rec map[string]any
		if err := json.Unmarshal([]byte(strings.Replace(string(raw), `"disabled": true`, tt.request, 1)), &rec); err != nil {
			t.Fatal(err)
		}
		evs, err := Parse(rec, model.SourceRef{File: "patch.json"})
		if err != nil || len(evs) != 1 {
			t.Fatalf("%s: %d events, %v", tt.request, len(evs), err)
		}
		if got := evs[0].Sent; got == nil || !slices.Equal(got, tt.want) {
			t.Errorf("%s: patched %q, want %q", tt.request, got, tt.want)
		}
	}
}

// TestCloudSQLEmptyList: an empty authorized-network list sent replaces the
// instance's list with nothing. A patch or update that sends it removes
// every authorized network (closing access); a create that sends it admits
// none. Read as an allow from an unlogged source, it was an opening.
func TestCloudSQLEmptyList(t *testing.T) {
	evs := parseFixture(t, "testdata/cloudsql_empty_list.jsonl")
	tests := []struct {
		op      string
		changes int
		effect  model.Effect
	}{
		{"cloudsql.instances.patch", 1, model.Removed},
		{"cloudsql.instances.create", 0, ""},
	}
	if len(evs) != len(tests) {
		t.Fatalf("got %d events, want %d", len(evs), len(tests))
	}
	for i, tt := range tests {
		ev := evs[i]
		if ev.Operation != tt.op || len(ev.Changes) != tt.changes {
			t.Errorf("%s: operation %q, changes %+v", tt.op, ev.Operation, ev.Changes)
			continue
		}
		if tt.changes > 0 && (ev.Changes[0].Effect != tt.effect || len(ev.Changes[0].Peers) != 0) {
			t.Errorf("%s: change %+v, want %s with no peers", tt.op, ev.Changes[0], tt.effect)
		}
	}
}
