package azure

import (
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"cloudwall/internal/model"
	"cloudwall/internal/normalize/jv"
	"cloudwall/internal/testutil"
)

// sharedData is the repository-external sample folder, relative to this
// package's directory.
const sharedData = "../../../../shared/data/azure"

// parseFile parses every record of a fixture, failing on any error.
func parseFile(t testing.TB, path string) []model.Event {
	t.Helper()
	var out []model.Event
	for i, rec := range testutil.Records(t, path) {
		evs, err := Parse(rec, model.SourceRef{File: filepath.Base(path), Index: int64(i)})
		if err != nil {
			t.Fatalf("%s record %d: %v", path, i, err)
		}
		out = append(out, evs...)
	}
	return out
}

func TestGolden(t *testing.T) {
	for _, path := range testutil.Fixtures(t, "testdata") {
		t.Run(filepath.Base(path), func(t *testing.T) {
			for i, rec := range testutil.Records(t, path) {
				if !Detect(rec) {
					t.Errorf("record %d: Detect = false", i)
				}
			}
			testutil.GoldenJSON(t, testutil.GoldenPath(path), parseFile(t, path))
		})
	}
}

// only returns the single event a fixture record yields.
func only(t *testing.T, evs []model.Event, i int) model.Event {
	t.Helper()
	if i >= len(evs) {
		t.Fatalf("want event %d, have %d events", i, len(evs))
	}
	return evs[i]
}

func TestSecurityRuleRDPFromAny(t *testing.T) {
	evs := parseFile(t, "testdata/eventhub_securityrule_rdp.json")
	start, end := only(t, evs, 0), only(t, evs, 1)

	if start.Phase != model.PhaseStart || start.Outcome != model.Unknown {
		t.Errorf("start record: phase %q outcome %q, want start/unknown", start.Phase, start.Outcome)
	}
	if end.Phase != model.PhaseEnd || end.Outcome != model.Success {
		t.Errorf("end record: phase %q outcome %q, want end/success", end.Phase, end.Outcome)
	}
	if start.OperationID == "" || start.OperationID != end.OperationID {
		t.Errorf("OperationID start %q end %q, want equal and non-empty", start.OperationID, end.OperationID)
	}
	if start.OperationKey != "microsoft.network/networksecuritygroups/securityrules/write" {
		t.Errorf("OperationKey = %q", start.OperationKey)
	}
	if start.Resource.Type != "nsg_rule" || start.Resource.Name != "ALLOW-RDP-ANY" {
		t.Errorf("Resource = %+v", start.Resource)
	}
	if start.Account != "7d2a0c6e-3b1f-4d8e-9a55-2f0c8b1e4a90" || start.Service != "Microsoft.Network" || start.Region != "westeurope" {
		t.Errorf("account %q service %q region %q", start.Account, start.Service, start.Region)
	}
	want := time.Date(2026, 3, 14, 10, 21, 7, 441825300, time.UTC)
	if !start.Time.Equal(want) || start.Time.Location() != time.UTC {
		t.Errorf("Time = %v, want %v", start.Time, want)
	}
	a := start.Actor
	if a.Type != "User" || a.Name != "mallory@contoso.onmicrosoft.com" || a.ID != "5b0e3a1c-8f4d-4c2b-9e7a-6d1f0c3b2a98" || !a.MFA || a.ViaService != "" {
		t.Errorf("Actor = %+v", a)
	}
	if start.SourceIP != "203.0.113.45" {
		t.Errorf("SourceIP = %q", start.SourceIP)
	}

	for _, ev := range []model.Event{start, end} {
		if len(ev.Changes) != 1 {
			t.Fatalf("%s: %d changes, want 1", ev.Phase, len(ev.Changes))
		}
		c := ev.Changes[0]
		if c.Effect != model.Added || c.Direction != model.Ingress || c.Action != model.Allow || c.Protocol != "tcp" {
			t.Errorf("%s: change %+v", ev.Phase, c)
		}
		if len(c.Peers) != 1 || c.Peers[0] != (model.Peer{Kind: model.PeerAny, Value: "*"}) {
			t.Errorf("%s: peers %v, want [any:*]", ev.Phase, c.Peers)
		}
		if !slices.Equal(c.Ports.Strings(), []string{"3389"}) {
			t.Errorf("%s: ports %v, want [3389]", ev.Phase, c.Ports.Strings())
		}
		if c.Priority == nil || *c.Priority != 110 {
			t.Errorf("%s: priority %v, want 110", ev.Phase, c.Priority)
		}
		if !slices.Equal(c.Targets, []string{"10.20.1.4"}) {
			t.Errorf("%s: targets %v", ev.Phase, c.Targets)
		}
	}
}

func TestRESTBeginEnd(t *testing.T) {
	evs := parseFile(t, "testdata/rest_securityrule_ssh_begin_end.json")
	begin, end := only(t, evs, 0), only(t, evs, 1)
	if begin.OperationID != end.OperationID || begin.Phase != model.PhaseStart || end.Phase != model.PhaseEnd {
		t.Errorf("begin %q/%q end %q/%q", begin.OperationID, begin.Phase, end.OperationID, end.Phase)
	}
	if begin.EventID != "1c5e9a3b-7d2f-4b8e-a6c0-3e9f1d5b7a21" || begin.SourceIP != "198.51.100.23" {
		t.Errorf("EventID %q SourceIP %q", begin.EventID, begin.SourceIP)
	}
	if begin.Actor.MFA {
		t.Error("MFA = true for a pwd-only token")
	}
	if len(begin.Changes) != 1 {
		t.Fatalf("begin: %d changes", len(begin.Changes))
	}
	c := begin.Changes[0]
	wantPeers := []model.Peer{{Kind: model.PeerServiceTag, Value: "Internet"}, {Kind: model.PeerCIDR, Value: "198.51.100.0/24"}}
	if !slices.Equal(c.Peers, wantPeers) || !slices.Equal(c.Ports.Strings(), []string{"22", "2222"}) || c.Name != "ssh-temp" {
		t.Errorf("change %+v", c)
	}
	if len(end.Changes) != 0 {
		t.Errorf("end record without body has changes: %+v", end.Changes)
	}
}

func TestDeletes(t *testing.T) {
	nsg := only(t, parseFile(t, "testdata/nsg_delete.json"), 0)
	if nsg.OperationKey != "microsoft.network/networksecuritygroups/delete" || nsg.Resource.Type != "nsg" || nsg.Outcome != model.Success {
		t.Errorf("NSG delete: %q %q %q", nsg.OperationKey, nsg.Resource.Type, nsg.Outcome)
	}
	rule := only(t, parseFile(t, "testdata/securityrule_delete.json"), 0)
	if len(rule.Changes) != 1 {
		t.Fatalf("rule delete: %d changes", len(rule.Changes))
	}
	c := rule.Changes[0]
	if c.Effect != model.Removed || c.Name != "Deny-All-Inbound" || c.Action != "" {
		t.Errorf("rule delete change %+v", c)
	}
}

func TestFailedAttempt(t *testing.T) {
	evs := parseFile(t, "testdata/failed_authorization.json")
	fail := only(t, evs, 1)
	if fail.Outcome != model.Failure || fail.ErrorCode != "AuthorizationFailed" || fail.Phase != model.PhaseEnd {
		t.Errorf("outcome %q code %q phase %q", fail.Outcome, fail.ErrorCode, fail.Phase)
	}
	if !strings.Contains(fail.ErrorMessage, "does not have authorization") {
		t.Errorf("ErrorMessage = %q", fail.ErrorMessage)
	}
	if fail.OperationID != only(t, evs, 0).OperationID {
		t.Error("Start and Failure records have different OperationIDs")
	}
	if got := only(t, evs, 0).Changes; len(got) != 1 || got[0].Protocol != "all" || !got[0].Ports.All() {
		t.Errorf("attempted rule %+v", got)
	}
}

func TestAzureFirewall(t *testing.T) {
	ev := only(t, parseFile(t, "testdata/azure_firewall_threatintel_off.json"), 0)
	if ev.Settings[model.SettingThreatIntelMode] != "off" || ev.Resource.Type != "azure_firewall" {
		t.Errorf("settings %v type %q", ev.Settings, ev.Resource.Type)
	}
	if ev.Actor.Type != "ServicePrincipal" || ev.Actor.ViaService != "9f3c2b1a-7e6d-4c5b-8a9f-0e1d2c3b4a55" {
		t.Errorf("Actor = %+v", ev.Actor)
	}
	var dnat *model.RuleChange
	for i := range ev.Changes {
		if ev.Changes[i].Name == "dnat-in/rdp-to-vm" {
			dnat = &ev.Changes[i]
		}
	}
	if dnat == nil {
		t.Fatalf("no DNAT change in %+v", ev.Changes)
	}
	if dnat.Action != model.Allow || dnat.Direction != model.Ingress || !slices.Equal(dnat.Ports.Strings(), []string{"3389"}) {
		t.Errorf("DNAT change %+v", *dnat)
	}
	// An application rule filters what the workloads reach: egress, its
	// FQDNs the peers, its sources the workloads it applies to.
	var app *model.RuleChange
	for i := range ev.Changes {
		if ev.Changes[i].Name == "web-out/all-web" {
			app = &ev.Changes[i]
		}
	}
	if app == nil || app.Direction != model.Egress || !slices.Equal(app.Peers, []model.Peer{{Kind: model.PeerAny, Value: "*"}}) ||
		!slices.Equal(app.Targets, []string{"10.30.0.0/16"}) || !slices.Equal(app.Ports.Strings(), []string{"443", "80"}) {
		t.Errorf("application rule %+v", app)
	}
	// The Accept record carries no body: no settings, no content.
	if acc := only(t, parseFile(t, "testdata/azure_firewall_threatintel_off.json"), 1); acc.Settings != nil || acc.Phase != model.PhaseStart {
		t.Errorf("Accept record: settings %v phase %q", acc.Settings, acc.Phase)
	}
}

func TestRuleCollectionGroupAny(t *testing.T) {
	ev := only(t, parseFile(t, "testdata/rulecollectiongroup_allow_any.json"), 0)
	if ev.Resource.Type != "rule_collection_group" {
		t.Errorf("type %q", ev.Resource.Type)
	}
	c := ev.Changes[0]
	if c.Name != "allow-everything/any-any" || c.Protocol != "all" || !c.Ports.All() || c.Action != model.Allow ||
		!slices.Equal(c.Peers, []model.Peer{{Kind: model.PeerAny, Value: "*"}}) || *c.Priority != 100 {
		t.Errorf("first change %+v", c)
	}
}

func TestSQLFirewallRules(t *testing.T) {
	evs := parseFile(t, "testdata/sql_firewall_rules.json")
	wants := []struct{ name, peer string }{
		{"ClientIPAddress_2026-3-14_13-0-0", "0.0.0.0-255.255.255.255"},
		{"AllowAllWindowsAzureIps", "0.0.0.0-0.0.0.0"},
		{"office-egress", "203.0.113.10-203.0.113.10"},
	}
	for i, w := range wants {
		ev := only(t, evs, i)
		if len(ev.Changes) != 1 {
			t.Fatalf("%s: %d changes", w.name, len(ev.Changes))
		}
		c := ev.Changes[0]
		if c.Name != w.name || len(c.Peers) != 1 || c.Peers[0] != (model.Peer{Kind: model.PeerRange, Value: w.peer}) ||
			c.Protocol != "tcp" || !slices.Equal(c.Ports.Strings(), []string{"1433"}) || c.Action != model.Allow || c.Direction != model.Ingress {
			t.Errorf("%s: change %+v", w.name, c)
		}
		if ev.Resource.Type != "sql_firewall_rule" || ev.Service != "Microsoft.Sql" {
			t.Errorf("%s: type %q service %q", w.name, ev.Resource.Type, ev.Service)
		}
	}
	pg := only(t, evs, 3)
	if c := pg.Changes; len(c) != 1 || c[0].Effect != model.Removed || !slices.Equal(c[0].Ports.Strings(), []string{"5432"}) {
		t.Errorf("PostgreSQL delete %+v", c)
	}
}

func TestServiceFirewalls(t *testing.T) {
	st := only(t, parseFile(t, "testdata/storage_default_allow.json"), 0)
	if st.Settings[model.SettingDefaultAction] != "allow" || st.Settings[model.SettingPublicAccess] != "enabled" || st.Resource.Type != "storage_account" {
		t.Errorf("storage: settings %v type %q", st.Settings, st.Resource.Type)
	}
	if len(st.Changes) != 3 {
		t.Errorf("storage: %d changes, want 2 IP rules + 1 subnet rule", len(st.Changes))
	}
	kv := only(t, parseFile(t, "testdata/keyvault_network_open.json"), 0)
	if kv.Settings[model.SettingDefaultAction] != "allow" || kv.Resource.Type != "key_vault" || len(kv.Changes) != 1 {
		t.Errorf("key vault: settings %v type %q changes %d", kv.Settings, kv.Resource.Type, len(kv.Changes))
	}
	waf := parseFile(t, "testdata/waf_policy_detection.json")
	if s := only(t, waf, 0).Settings; s[model.SettingWAFMode] != "detection" || s[model.SettingEnabled] != "true" {
		t.Errorf("App Gateway WAF policy settings %v", s)
	}
	if s := only(t, waf, 1).Settings; s[model.SettingEnabled] != "false" || s[model.SettingWAFMode] != "prevention" {
		t.Errorf("Front Door WAF policy settings %v", s)
	}
}

func TestNSGAttachment(t *testing.T) {
	evs := parseFile(t, "testdata/nsg_attachment.json")
	detach, attach, nobody := only(t, evs, 0), only(t, evs, 1), only(t, evs, 2)
	if v, ok := detach.Settings[model.SettingPolicy]; !ok || v != "" {
		t.Errorf("subnet without NSG: settings %v", detach.Settings)
	}
	if attach.Settings[model.SettingPolicy] == "" || len(attach.Targets) != 1 || attach.Resource.Type != "network_interface" {
		t.Errorf("NIC with NSG: settings %v targets %v", attach.Settings, attach.Targets)
	}
	if nobody.Settings != nil {
		t.Errorf("subnet write without body: settings %v", nobody.Settings)
	}
}

func TestNearMisses(t *testing.T) {
	for _, f := range []string{"nearmiss_route_default", "nearmiss_diagnostic_settings", "nearmiss_runcommand_netsh", "nearmiss_servicehealth", "nearmiss_identity_string", "loganalytics_nearmiss_route"} {
		for _, ev := range parseFile(t, "testdata/"+f+".json") {
			if len(ev.Changes) != 0 || len(ev.Settings) != 0 {
				t.Errorf("%s: changes %+v settings %v", f, ev.Changes, ev.Settings)
			}
		}
	}
	deny := only(t, parseFile(t, "testdata/nearmiss_deny_rule.json"), 0)
	if len(deny.Changes) != 1 || deny.Changes[0].Action != model.Deny {
		t.Errorf("deny rule: %+v", deny.Changes)
	}
	sign := only(t, parseFile(t, "testdata/nearmiss_identity_string.json"), 0)
	if sign.Actor.Name != "Michell Lan" || sign.Outcome != model.Unknown || sign.UserAgent == "" {
		t.Errorf("sign-in record: actor %+v outcome %q ua %q", sign.Actor, sign.Outcome, sign.UserAgent)
	}
	diag := only(t, parseFile(t, "testdata/nearmiss_diagnostic_settings.json"), 0)
	if diag.Service != "Microsoft.Insights" || diag.Resource.Type != "" {
		t.Errorf("diagnostic settings: service %q type %q", diag.Service, diag.Resource.Type)
	}
}

func TestTolerance(t *testing.T) {
	evs := parseFile(t, "testdata/tolerance.json")
	upper := only(t, evs, 0)
	if !upper.Time.IsZero() || !hasNote(upper, "unreadable time") {
		t.Errorf("bad time: %v notes %q", upper.Time, upper.Notes)
	}
	if len(upper.Changes) != 1 || upper.Changes[0].Peers[0] != (model.Peer{Kind: model.PeerCIDR, Value: "00.0.0.0/0"}) {
		t.Fatalf("upper-case keys: changes %+v", upper.Changes)
	}
	for _, n := range []string{`unparseable address "00.0.0.0/0"`, `unreadable port "abc"`, `unreadable priority "high"`, `unknown direction "Sideways"`} {
		if !hasNote(upper, n) {
			t.Errorf("missing note %q in %q", n, upper.Notes)
		}
	}
	if got := upper.Changes[0].Ports.Strings(); !slices.Equal(got, []string{"443", "8443"}) {
		t.Errorf("ports %v", got)
	}
	truncated := only(t, evs, 1)
	if len(truncated.Changes) != 0 || !hasNote(truncated, "not valid JSON") || truncated.Time.IsZero() {
		t.Errorf("truncated body: changes %+v notes %q time %v", truncated.Changes, truncated.Notes, truncated.Time)
	}
	wrong := only(t, evs, 2)
	if !hasNote(wrong, "JSON number") || !hasNote(wrong, "not a JSON object") {
		t.Errorf("wrong body types: notes %q", wrong.Notes)
	}
}

func hasNote(ev model.Event, sub string) bool {
	return slices.ContainsFunc(ev.Notes, func(n string) bool { return strings.Contains(n, sub) })
}

func TestDetect(t *testing.T) {
	yes := []string{
		`{"operationName":"MICROSOFT.NETWORK/NETWORKSECURITYGROUPS/DELETE","resourceId":"/SUBSCRIPTIONS/X","time":"2026-01-01T00:00:00Z"}`,
		`{"operationName":{"value":"Microsoft.Network/networkSecurityGroups/delete"},"eventTimestamp":"2026-01-01T00:00:00Z"}`,
		`{"OperationName":"Sign-in activity","Category":"SignInLogs"}`,
		`{"OperationNameValue":"MICROSOFT.NETWORK/NETWORKSECURITYGROUPS/DELETE","TimeGenerated":"2026-01-01T00:00:00Z"}`,
		`{"OperationNameValue":"Microsoft.Sql/servers/firewallRules/write","_ResourceId":"/subscriptions/x"}`,
	}
	no := []string{
		`{}`,
		`{"records":[{"operationName":"x","time":"t"}]}`,
		`{"eventVersion":"1.08","eventSource":"ec2.amazonaws.com","eventName":"AuthorizeSecurityGroupIngress","eventTime":"2026-01-01T00:00:00Z"}`,
		`{"protoPayload":{"methodName":"v1.compute.firewalls.insert"},"logName":"projects/p/logs/x","operation":{"id":"op"}}`,
		`{"operationName":"","time":"2026-01-01T00:00:00Z"}`,
		`{"operationName":{"value":""},"eventTimestamp":"x"}`,
		`{"operationName":"x"}`,
		`{"operationName":5,"time":"x"}`,
		`{"OperationNameValue":"MICROSOFT.NETWORK/NETWORKSECURITYGROUPS/DELETE"}`,
		`{"OperationNameValue":"  ","TimeGenerated":"2026-01-01T00:00:00Z"}`,
	}
	for _, s := range yes {
		if !Detect(mustObject(t, s)) {
			t.Errorf("Detect(%s) = false", s)
		}
	}
	for _, s := range no {
		if Detect(mustObject(t, s)) {
			t.Errorf("Detect(%s) = true", s)
		}
	}
	if Detect(nil) {
		t.Error("Detect(nil) = true")
	}
}

func TestParseErrors(t *testing.T) {
	for _, s := range []string{`{"time":"2026-01-01T00:00:00Z","category":"Administrative"}`, `{"operationName":{"x":1}}`, `{"operationName":[1]}`} {
		if _, err := Parse(mustObject(t, s), model.SourceRef{}); err == nil {
			t.Errorf("Parse(%s): no error", s)
		}
	}
	if _, err := Parse(nil, model.SourceRef{}); err == nil {
		t.Error("Parse(nil): no error")
	}
}

func TestTimeLayouts(t *testing.T) {
	want := time.Date(2007, 1, 9, 9, 41, 0, 0, time.UTC)
	for _, s := range []string{"01/09/2007 09:41:00", "1/9/2007 9:41:00 AM", "1/9/2007 10:41:00 AM +01:00", "2007-01-09T09:41:00", "2007-01-09T11:41:00+02:00",
		// Windows PowerShell 5.1 ConvertTo-Json: milliseconds since the
		// epoch, UTC whatever the offset that may follow.
		"/Date(1168335660000)/", "/Date(1168335660000+0100)/", "/Date(1168335660000-0500)/"} {
		ev := only(t, mustParse(t, `{"operationName":"a/b/write","time":"`+s+`"}`), 0)
		if !ev.Time.Equal(want) || ev.Time.Location() != time.UTC {
			t.Errorf("time %q read as %v", s, ev.Time)
		}
	}
	// Near misses stay unread (zero time, a note), never a wrong time.
	for _, s := range []string{"/Date()/", "/Date(12x)/", "/Date(1168335660000+01)/", "Date(1168335660000)", "/Date(99999999999999999)/"} {
		ev := only(t, mustParse(t, `{"operationName":"a/b/write","time":"`+s+`"}`), 0)
		if !ev.Time.IsZero() || !slices.ContainsFunc(ev.Notes, func(n string) bool { return strings.Contains(n, "unreadable time") }) {
			t.Errorf("time %q read as %v, notes %q", s, ev.Time, ev.Notes)
		}
	}
}

// TestPowerShell51Export: a Get-AzActivityLog export from Windows
// PowerShell 5.1 keeps its time.
func TestPowerShell51Export(t *testing.T) {
	evs := parseFile(t, "testdata/powershell51_msdate.json")
	want := time.UnixMilli(1775815200000).UTC()
	if len(evs) != 1 {
		t.Fatalf("%d events, want 1", len(evs))
	}
	if got := evs[0].Time; !got.Equal(want) {
		t.Errorf("time %v, want %v", got, want)
	}
}

func TestActorKinds(t *testing.T) {
	// A managed identity seen only through RBAC evidence.
	ev := only(t, mustParse(t, `{"operationName":"a/b/write","time":"2026-01-01T00:00:00Z","identity":{"authorization":{"evidence":{"principalId":"p1","principalType":"ServicePrincipal"}},"claims":{"appid":"app1","amr":["pwd","mfa"]}}}`), 0)
	if ev.Actor.Type != "ServicePrincipal" || ev.Actor.ID != "p1" || ev.Actor.ViaService != "app1" || !ev.Actor.MFA {
		t.Errorf("Actor = %+v", ev.Actor)
	}
	// REST caller only.
	ev = only(t, mustParse(t, `{"operationName":{"value":"a/b/write"},"eventTimestamp":"2026-01-01T00:00:00Z","caller":"ops@contoso.com"}`), 0)
	if ev.Actor.Type != "User" || ev.Actor.Name != "ops@contoso.com" {
		t.Errorf("Actor = %+v", ev.Actor)
	}
	// A user-assigned managed identity: named by its resource, its app
	// and object ids kept.
	ev = only(t, mustParse(t, `{"operationName":"a/b/write","time":"2026-01-01T00:00:00Z","identity":{"claims":{"appid":"app2","idtyp":"app","http://schemas.microsoft.com/identity/claims/objectidentifier":"oid2","xms_mirid":"/subscriptions/s/resourcegroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/deployer-mi"}}}`), 0)
	if ev.Actor.Type != "ServicePrincipal" || ev.Actor.ID != "oid2" || ev.Actor.Name != "deployer-mi" || ev.Actor.AppID != "app2" || ev.Actor.ViaService != "app2" {
		t.Errorf("managed identity: Actor = %+v", ev.Actor)
	}
	// A user signed in through an app (the Azure CLI): the upn names the
	// person, the app id is kept, not taken as the actor.
	ev = only(t, mustParse(t, `{"operationName":"a/b/write","time":"2026-01-01T00:00:00Z","identity":{"claims":{"appid":"04b07795-8ddb-461a-bbee-02f9e1bf7b46","http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn":"alice@contoso.com","http://schemas.microsoft.com/identity/claims/objectidentifier":"oid3"}}}`), 0)
	if ev.Actor.Type != "User" || ev.Actor.ID != "oid3" || ev.Actor.Name != "alice@contoso.com" || ev.Actor.AppID != "04b07795-8ddb-461a-bbee-02f9e1bf7b46" || ev.Actor.ViaService != "" {
		t.Errorf("user through an app: Actor = %+v", ev.Actor)
	}
}

func TestSharedSamples(t *testing.T) {
	if _, err := os.Stat(sharedData); err != nil {
		t.Skipf("shared samples not available at %s: %v", sharedData, err)
	}
	evs := parseFile(t, filepath.Join(sharedData, "azure_graph_api_format.json"))
	var nsg *model.Event
	for i := range evs {
		if evs[i].OperationKey == "microsoft.network/networksecuritygroups/delete" {
			nsg = &evs[i]
		}
	}
	if nsg == nil {
		t.Fatal("no NSG delete in azure_graph_api_format.json")
	}
	if nsg.Outcome != model.Success || nsg.Resource.Type != "nsg" || nsg.Resource.Name != "sakurai10-nsg" || nsg.Service != "Microsoft.Network" {
		t.Errorf("NSG delete: outcome %q resource %+v service %q", nsg.Outcome, nsg.Resource, nsg.Service)
	}
	if nsg.Account != "5d22beda-5051-4d08-89eb-a56f372e8890" || nsg.Actor.Name != "rob@contoso.com" || !nsg.Actor.MFA || nsg.Time.IsZero() {
		t.Errorf("NSG delete: account %q actor %+v time %v", nsg.Account, nsg.Actor, nsg.Time)
	}

	one := parseFile(t, filepath.Join(sharedData, "activitylogs.log"))
	if len(one) != 1 {
		t.Fatalf("activitylogs.log: %d events, want 1", len(one))
	}
	ev := one[0]
	if ev.Outcome != model.Unknown || ev.Phase != model.PhaseStart || ev.Actor.Type != "ServicePrincipal" || ev.Service != "Microsoft.EventHub" || len(ev.Changes) != 0 {
		t.Errorf("activitylogs.log: %+v", ev)
	}

	value := parseFile(t, filepath.Join(sharedData, "azure_value_format.json"))
	if len(value) != 1 || value[0].Outcome != model.Success || value[0].SourceIP != "192.168.35.115" {
		t.Errorf("azure_value_format.json: %+v", value)
	}
}

// TestBundledSamples checks the README demo data parses and holds the
// attack it is meant to show.
func TestBundledSamples(t *testing.T) {
	var paths []string
	root := "../../../testdata/samples/azure"
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".json") {
			paths = append(paths, p)
		}
		return err
	})
	if err != nil || len(paths) == 0 {
		t.Skipf("no bundled samples under %s (%v)", root, err)
	}
	for _, p := range paths {
		var rdp, sql, ti bool
		for i, rec := range testutil.Records(t, p) {
			if !Detect(rec) {
				t.Errorf("%s record %d: not detected", p, i)
			}
		}
		for _, ev := range parseFile(t, p) {
			for _, c := range ev.Changes {
				if slices.Contains(c.Ports.Strings(), "3389") && c.Action == model.Allow {
					rdp = true
				}
				if len(c.Peers) == 1 && c.Peers[0].Value == "0.0.0.0-255.255.255.255" {
					sql = true
				}
			}
			if ev.Settings[model.SettingThreatIntelMode] == "off" {
				ti = true
			}
		}
		if !rdp || !sql || !ti {
			t.Errorf("%s: rdp %v sql %v threat-intel-off %v, want all", p, rdp, sql, ti)
		}
	}
}

func mustObject(t *testing.T, s string) map[string]any {
	t.Helper()
	m, err := jv.DecodeObject([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func mustParse(t *testing.T, s string) []model.Event {
	t.Helper()
	evs, err := Parse(mustObject(t, s), model.SourceRef{File: "inline"})
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

// TestRequestAndResponseBothRead: a record that carries a request and a
// response body yields the rules of both (issue 7: a request that spells
// the source twice cannot hide the "*" the response shows applied), with
// a note naming the difference.
func TestRequestAndResponseBothRead(t *testing.T) {
	ev := only(t, parseFile(t, "testdata/request_response_conflict.json"), 2)
	var peers []string
	for _, c := range ev.Changes {
		for _, p := range c.Peers {
			peers = append(peers, p.String())
		}
	}
	if !slices.Contains(peers, "any:*") || !slices.Contains(peers, "10.0.0.5") {
		t.Errorf("peers %q, want the request's 10.0.0.5 and the response's *", peers)
	}
	if !slices.ContainsFunc(ev.Notes, func(n string) bool {
		return strings.Contains(n, "requestbody and responseBody differ") && strings.Contains(n, `"*"`)
	}) {
		t.Errorf("no note names the conflict: %q", ev.Notes)
	}
	// The same rule in both bodies (names differ only in case) is one
	// rule and no note.
	rec := testutil.Records(t, "testdata/request_response_conflict.json")[2]
	props := jv.Obj(rec, "properties")
	props["requestbody"] = strings.Replace(props["requestbody"].(string), `"sourceAddressPrefix":"10.0.0.5",`, "", 1)
	evs, err := Parse(rec, model.SourceRef{})
	if err != nil || len(evs) != 1 {
		t.Fatalf("Parse: %v", err)
	}
	if len(evs[0].Changes) != 1 || slices.ContainsFunc(evs[0].Notes, func(n string) bool { return strings.Contains(n, "differ") }) {
		t.Errorf("agreeing bodies: changes %+v, notes %q", evs[0].Changes, evs[0].Notes)
	}
}
