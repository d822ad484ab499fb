package attack

import (
	"fmt"
	"path/filepath"
	"strings"
	"time"
)

const (
	azureSub = "5f2b7a1e-3c4d-4e5f-8a9b-0c1d2e3f4a5b"
	azureRG  = "RG-PROD"
)

type azureRenderer struct{}

func (azureRenderer) claims(actor string) (map[string]any, string) {
	base := map[string]any{"aud": "https://management.core.windows.net/", "iss": "https://sts.windows.net/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee/",
		"http://schemas.microsoft.com/identity/claims/tenantid": "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee", "ipaddr": callerIP[actor], "ver": "1.0"}
	switch actor {
	case "terraform", "terraform-stolen":
		base["appid"] = "3c9e1f2a-7b6d-4e5f-9a8b-1c2d3e4f5a6b"
		base["idtyp"] = "app"
		base["http://schemas.microsoft.com/identity/claims/objectidentifier"] = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
		return base, "ServicePrincipal"
	case "engineer", "engineer-stolen":
		base["http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn"] = "alice@contoso-demo.com"
		base["name"] = "Alice Platform"
		base["idtyp"] = "user"
		base["http://schemas.microsoft.com/identity/claims/objectidentifier"] = "11111111-aaaa-4bbb-8ccc-000000000002"
		return base, "User"
	}
	base["http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn"] = "intern@contoso-demo.com"
	base["name"] = "Dev Intern"
	base["idtyp"] = "user"
	base["http://schemas.microsoft.com/identity/claims/objectidentifier"] = "11111111-aaaa-4bbb-8ccc-000000000003"
	return base, "User"
}

func (a azureRenderer) step(s Scenario, i int, st Step, at time.Time) ([]record, string, string) {
	nsg := fmt.Sprintf("/SUBSCRIPTIONS/%s/RESOURCEGROUPS/%s/PROVIDERS/MICROSOFT.NETWORK/NETWORKSECURITYGROUPS/NSG-%s", strings.ToUpper(azureSub), azureRG, strings.ToUpper(target(st)))
	rule := func(direction, peer string) map[string]any {
		proto, port := "Tcp", portText(st.Port)
		if st.Port == 0 {
			proto = "*"
		}
		p := map[string]any{"protocol": proto, "sourcePortRange": "*", "destinationPortRange": port, "access": "Allow", "priority": 100 + i, "direction": direction}
		if direction == "Inbound" {
			p["sourceAddressPrefix"], p["destinationAddressPrefix"] = peer, "*"
		} else {
			p["sourceAddressPrefix"], p["destinationAddressPrefix"] = "*", "Internet"
		}
		return map[string]any{"properties": p}
	}
	var op, resource string
	var body map[string]any
	switch st.Action {
	case OpenIngress, Benign:
		peer := peerOf(st)
		if peer == "0.0.0.0/0" {
			peer = "*"
		}
		op, resource, body = "MICROSOFT.NETWORK/NETWORKSECURITYGROUPS/SECURITYRULES/WRITE", nsg+"/SECURITYRULES/"+strings.ToUpper(ruleName(st)), rule("Inbound", peer)
	case OpenEgress:
		st.Port = 0
		op, resource, body = "MICROSOFT.NETWORK/NETWORKSECURITYGROUPS/SECURITYRULES/WRITE", nsg+"/SECURITYRULES/"+strings.ToUpper(ruleName(st)), rule("Outbound", "*")
	case CloseIngress:
		open := st
		open.Action = OpenIngress
		op, resource = "MICROSOFT.NETWORK/NETWORKSECURITYGROUPS/SECURITYRULES/DELETE", nsg+"/SECURITYRULES/"+strings.ToUpper(ruleName(open))
	case Delete:
		op, resource = "MICROSOFT.NETWORK/AZUREFIREWALLS/DELETE", fmt.Sprintf("/SUBSCRIPTIONS/%s/RESOURCEGROUPS/RG-HUB/PROVIDERS/MICROSOFT.NETWORK/AZUREFIREWALLS/AFW-HUB", strings.ToUpper(azureSub))
	default:
		// Reads are not in the Activity Log.
		return nil, "", ""
	}
	claims, ptype := a.claims(st.Actor)
	corr := uuid(s.Name, i, "correlation")
	mk := func(t time.Time, resultType, signature string, props map[string]any) record {
		props["entity"], props["message"], props["eventCategory"] = resource, strings.ToLower(op), "Administrative"
		rec := map[string]any{
			"time": t.Format("2006-01-02T15:04:05.0000000Z"), "resourceId": resource, "operationName": op, "category": "Administrative",
			"resultType": resultType, "resultSignature": signature, "durationMs": 0, "callerIpAddress": callerIP[st.Actor],
			"correlationId": corr, "level": "Information", "location": "westeurope", "properties": props,
			"identity": map[string]any{"authorization": map[string]any{"scope": resource, "action": op,
				"evidence": map[string]any{"role": "Contributor", "principalType": ptype}}, "claims": claims},
		}
		return record{at: t, data: mustJSON(rec)}
	}
	key := strings.ToLower(op)
	if st.Denied {
		msg := fmt.Sprintf(`{"error":{"code":"AuthorizationFailed","message":"The client '%v' does not have authorization to perform action '%s' over scope '%s'."}}`,
			claims["http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn"], op, resource)
		return []record{mk(at, "Failure", "Failed.Forbidden", map[string]any{"statusCode": "Forbidden", "statusMessage": msg})}, key, resource
	}
	start := map[string]any{}
	end := map[string]any{"statusCode": "OK"}
	if body != nil {
		start["requestbody"] = string(mustJSON(body))
		resp := body["properties"].(map[string]any)
		resp["provisioningState"] = "Succeeded"
		end["responseBody"] = string(mustJSON(map[string]any{"name": ruleName(st), "id": strings.ToLower(resource), "properties": resp}))
	}
	return []record{mk(at, "Start", "Started.", start), mk(at.Add(2*time.Second), "Success", "Succeeded.OK", end)}, key, resource
}

func (azureRenderer) write(dir string, recs []record) ([]string, error) {
	if len(recs) == 0 {
		return nil, nil
	}
	t := recs[0].at
	rel := filepath.Join("insights-activity-logs", "resourceId=", "SUBSCRIPTIONS", strings.ToUpper(azureSub),
		"y="+t.Format("2006"), "m="+t.Format("01"), "d="+t.Format("02"), "h="+t.Format("15"), "m=00", "PT1H.json")
	return []string{rel}, writePlain(filepath.Join(dir, rel), jsonLines(recs))
}
