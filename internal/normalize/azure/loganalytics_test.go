package azure

import (
	"slices"
	"strings"
	"testing"
	"time"

	"cloudwall/internal/model"
)

func TestLogAnalyticsSecurityRuleRDP(t *testing.T) {
	evs := parseFile(t, "testdata/loganalytics_securityrule_rdp.json")
	start, end := only(t, evs, 0), only(t, evs, 1)

	if start.Phase != model.PhaseStart || start.Outcome != model.Unknown {
		t.Errorf("start row: phase %q outcome %q, want start/unknown", start.Phase, start.Outcome)
	}
	if end.Phase != model.PhaseEnd || end.Outcome != model.Success {
		t.Errorf("end row: phase %q outcome %q, want end/success", end.Phase, end.Outcome)
	}
	const key = "microsoft.network/networksecuritygroups/securityrules/write"
	wantID := "7c3e9a10-52d4-4b8f-a1e6-0d9b3f2c8e45|" + key + "|" + strings.ToLower(start.Resource.ID)
	if start.OperationID != wantID || end.OperationID != wantID {
		t.Errorf("OperationID start %q end %q, want %q", start.OperationID, end.OperationID, wantID)
	}
	// The localized OperationName column must not be read as the operation.
	if start.OperationKey != key || start.Operation != "MICROSOFT.NETWORK/NETWORKSECURITYGROUPS/SECURITYRULES/WRITE" {
		t.Errorf("Operation %q key %q", start.Operation, start.OperationKey)
	}
	if start.Resource.Type != "nsg_rule" || start.Resource.Name != "ALLOW-RDP-MGMT" || start.Service != "Microsoft.Network" {
		t.Errorf("Resource %+v service %q", start.Resource, start.Service)
	}
	if start.Account != "3f9c1e27-6a4b-4d0e-8c51-b7a2d9e04f16" || start.EventID != "d41f7b2e-9c3a-4e81-b6d5-0f2a8c7e1b93" {
		t.Errorf("account %q event id %q", start.Account, start.EventID)
	}
	want := time.Date(2026, 3, 17, 9, 42, 13, 662047100, time.UTC)
	if !start.Time.Equal(want) {
		t.Errorf("Time = %v, want %v (TimeGenerated)", start.Time, want)
	}
	a := start.Actor
	if a.Type != "User" || a.Name != "eve.admin@contoso.onmicrosoft.com" || a.ID != "2e8f4a6c-1b3d-4e5f-8a7b-9c0d1e2f3a4b" || !a.MFA {
		t.Errorf("Actor = %+v (from the Claims string)", a)
	}
	if start.SourceIP != "198.51.100.77" {
		t.Errorf("SourceIP = %q", start.SourceIP)
	}
	for _, ev := range []model.Event{start, end} {
		if len(ev.Changes) != 1 {
			t.Fatalf("%s: %d changes, want 1 (%q)", ev.Phase, len(ev.Changes), ev.Notes)
		}
		c := ev.Changes[0]
		if c.Effect != model.Added || c.Direction != model.Ingress || c.Action != model.Allow || c.Protocol != "tcp" {
			t.Errorf("%s: change %+v", ev.Phase, c)
		}
		if !slices.Equal(c.Peers, []model.Peer{{Kind: model.PeerAny, Value: "*"}}) || !slices.Equal(c.Ports.Strings(), []string{"3389"}) {
			t.Errorf("%s: peers %v ports %v", ev.Phase, c.Peers, c.Ports.Strings())
		}
		if c.Priority == nil || *c.Priority != 120 {
			t.Errorf("%s: priority %v, want 120", ev.Phase, c.Priority)
		}
	}
}

func TestLogAnalyticsDelete(t *testing.T) {
	evs := parseFile(t, "testdata/loganalytics_nsg_delete.json")
	start, end := only(t, evs, 0), only(t, evs, 1)
	if end.OperationKey != "microsoft.network/networksecuritygroups/delete" || end.Resource.Type != "nsg" || end.Resource.Name != "nsg-db" {
		t.Errorf("key %q resource %+v", end.OperationKey, end.Resource)
	}
	if end.Outcome != model.Success || start.Phase != model.PhaseStart || start.OperationID != end.OperationID {
		t.Errorf("outcome %q phases %q/%q ids %q/%q", end.Outcome, start.Phase, end.Phase, start.OperationID, end.OperationID)
	}
	// Only _ResourceId is exported; Claims_d and Authorization_d are objects.
	if !strings.HasSuffix(end.Resource.ID, "/networksecuritygroups/nsg-db") || end.Actor.Type != "User" || !end.Actor.MFA {
		t.Errorf("resource id %q actor %+v", end.Resource.ID, end.Actor)
	}
}

func TestLogAnalyticsSQLAll(t *testing.T) {
	evs := parseFile(t, "testdata/loganalytics_sql_firewall_all.json")
	for i, ev := range evs {
		if len(ev.Changes) != 1 {
			t.Fatalf("row %d: %d changes (%q)", i, len(ev.Changes), ev.Notes)
		}
		c := ev.Changes[0]
		if !slices.Equal(c.Peers, []model.Peer{{Kind: model.PeerRange, Value: "0.0.0.0-255.255.255.255"}}) ||
			!slices.Equal(c.Ports.Strings(), []string{"1433"}) || c.Name != "allow-all" {
			t.Errorf("row %d: change %+v", i, c)
		}
		if ev.Resource.Type != "sql_firewall_rule" || ev.Service != "Microsoft.Sql" {
			t.Errorf("row %d: type %q service %q", i, ev.Resource.Type, ev.Service)
		}
	}
	a := only(t, evs, 0).Actor
	if a.Type != "ServicePrincipal" || a.ID != "4c2e0a8b-6d4f-4b1a-9c3e-5f7a9b1d3e50" || a.ViaService != "9a7c5e3b-1d2f-4a8b-b6c4-e0f2a4c6e8d1" {
		t.Errorf("Actor = %+v (Claims_d as JSON text)", a)
	}
	if only(t, evs, 0).OperationID != only(t, evs, 1).OperationID {
		t.Error("Start and Success rows have different OperationIDs")
	}
}

func TestLogAnalyticsRows(t *testing.T) {
	// A failed attempt: the error is in Properties.statusMessage.
	fail := only(t, mustParse(t, `{"TimeGenerated":"2026-03-17T09:00:00Z","OperationNameValue":"Microsoft.Network/networkSecurityGroups/securityRules/write",
		"OperationName":"Create or Update Security Rule","ActivityStatusValue":"Failure","ActivitySubstatusValue":"Forbidden",
		"CorrelationId":"C1","ResourceId":"/subscriptions/S1/resourceGroups/g/providers/Microsoft.Network/networkSecurityGroups/n/securityRules/r",
		"Properties":"{\"statusCode\":\"Forbidden\",\"statusMessage\":\"{\\\"error\\\":{\\\"code\\\":\\\"AuthorizationFailed\\\",\\\"message\\\":\\\"The client does not have authorization\\\"}}\"}"}`), 0)
	if fail.Outcome != model.Failure || fail.Phase != model.PhaseEnd || fail.ErrorCode != "AuthorizationFailed" || fail.Account != "s1" {
		t.Errorf("failure row: outcome %q phase %q code %q account %q", fail.Outcome, fail.Phase, fail.ErrorCode, fail.Account)
	}
	if fail.OperationID != "c1|microsoft.network/networksecuritygroups/securityrules/write|/subscriptions/s1/resourcegroups/g/providers/microsoft.network/networksecuritygroups/n/securityrules/r" {
		t.Errorf("OperationID = %q", fail.OperationID)
	}
	// Older rows: Started/Succeeded spellings, Properties_d empty, Properties unreadable.
	old := only(t, mustParse(t, `{"TimeGenerated":"2026-03-17T09:00:00Z","OperationNameValue":"Microsoft.Network/networkSecurityGroups/securityRules/write",
		"ActivityStatusValue":"Started","Properties_d":{},"Properties":"{\"requestbody\":\"{\\\"properties\\\":{\\\"access\\\":"}`), 0)
	if old.Phase != model.PhaseStart || !hasNote(old, "Properties is not a JSON object") || len(old.Changes) != 0 {
		t.Errorf("truncated Properties: phase %q notes %q changes %+v", old.Phase, old.Notes, old.Changes)
	}
	// A Properties_d object whose requestbody is itself an object.
	obj := only(t, mustParse(t, `{"TimeGenerated":"2026-03-17T09:00:00Z","OperationNameValue":"MICROSOFT.SQL/SERVERS/FIREWALLRULES/WRITE","ActivityStatusValue":"Accept",
		"_ResourceId":"/subscriptions/s1/resourcegroups/g/providers/microsoft.sql/servers/a/firewallrules/b",
		"Properties_d":{"requestbody":{"properties":{"startIpAddress":"0.0.0.0","endIpAddress":"255.255.255.255"}}}}`), 0)
	if obj.Phase != model.PhaseStart || len(obj.Changes) != 1 || obj.Changes[0].Peers[0].Value != "0.0.0.0-255.255.255.255" {
		t.Errorf("object requestbody: phase %q changes %+v notes %q", obj.Phase, obj.Changes, obj.Notes)
	}
}
