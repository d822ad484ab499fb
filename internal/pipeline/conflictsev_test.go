package pipeline

import (
	"strings"
	"testing"

	"cloudwall/internal/model"
)

// gcpInsert is a GCP firewalls.insert audit entry whose request is req.
// Hand-built in the documented shape of a Cloud Audit Logs LogEntry.
func gcpInsert(name, req string) string {
	return `{"protoPayload":{"@type":"type.googleapis.com/google.cloud.audit.AuditLog","serviceName":"compute.googleapis.com","methodName":"v1.compute.firewalls.insert",` +
		`"resourceName":"projects/p1/global/firewalls/` + name + `","authenticationInfo":{"principalEmail":"m@x.example"},"requestMetadata":{"callerIp":"192.0.2.66"},` +
		`"request":{"@type":"type.googleapis.com/compute.firewalls.insert","name":"` + name + `","network":"projects/p1/global/networks/default","direction":"INGRESS",` + req + `}},` +
		`"insertId":"` + name + `","resource":{"type":"gce_firewall_rule","labels":{"project_id":"p1"}},"timestamp":"2026-03-14T10:40:02Z","logName":"projects/p1/logs/cloudaudit.googleapis.com%2Factivity",` +
		`"operation":{"id":"op-` + name + `","producer":"compute.googleapis.com","first":true,"last":true}}`
}

// azureRuleWrite is an Azure NSG security rule write whose request body
// (JSON text, as the Activity Log keeps it) holds props. Hand-built in the
// documented shape of an Activity Log record.
func azureRuleWrite(name, props string) string {
	body := strings.ReplaceAll(`{"properties":{"protocol":"Tcp","sourcePortRange":"*","destinationPortRange":"3389","destinationAddressPrefix":"*","priority":100,`+props+`}}`, `"`, `\"`)
	return `{"records":[{"time":"2026-03-14T10:21:07Z","resourceId":"/SUBSCRIPTIONS/S1/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.NETWORK/NETWORKSECURITYGROUPS/NSG/SECURITYRULES/` + name + `",` +
		`"operationName":"MICROSOFT.NETWORK/NETWORKSECURITYGROUPS/SECURITYRULES/WRITE","category":"Administrative","resultType":"Success","resultSignature":"Succeeded.Created",` +
		`"callerIpAddress":"203.0.113.45","correlationId":"c-` + name + `","identity":{"claims":{"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn":"m@x.example"}},` +
		`"properties":{"requestbody":"` + body + `","statusCode":"Created"}}]}`
}

// TestConflictingSettingsJudgedTheWorseWay: keys given twice, or in two
// letter cases, inside a request body never lower the severity: a rule
// created "disabled" in one reading and enabled in the other, or read
// as both allow and deny (one rule cannot be both, so its deny shadows
// nothing), is judged open. Each reading is judged and a note names the
// conflict.
func TestConflictingSettingsJudgedTheWorseWay(t *testing.T) {
	const allowSSH = `"alloweds":[{"IPProtocol":"tcp","ports":["22"]}],"sourceRanges":["0.0.0.0/0"]`
	tests := []struct {
		name, text, note string
	}{
		{"gcp disabled in one letter case, enabled in the other", gcpInsert("fw1", allowSSH+`,"disabled":true,"Disabled":false`), `"disabled"`},
		{"gcp disabled given twice", gcpInsert("fw2", allowSSH+`,"disabled":false,"disabled":true`), `"disabled" (duplicate key)`},
		{"gcp one rule read as deny and allow", gcpInsert("fw3", `"denieds":[{"IPProtocol":"tcp","ports":["22"]}],"Alloweds":[{"IPProtocol":"tcp","ports":["22"]}],"sourceRanges":["0.0.0.0/0"]`), ""},
		{"gcp source ranges in two letter cases", gcpInsert("fw4", `"alloweds":[{"IPProtocol":"tcp","ports":["22"]}],"sourceRanges":["10.0.0.0/8"],"SourceRanges":["0.0.0.0/0"]`), `"sourceRanges"`},
		{"azure access Deny and Allow", azureRuleWrite("R1", `"sourceAddressPrefix":"*","direction":"Inbound","access":"Deny","Access":"Allow"`), `"access"`},
		{"azure properties in two letter cases", azureRuleWrite("R2", `"sourceAddressPrefix":"*","direction":"Inbound","access":"Allow","Direction":"Outbound"`), `"direction"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := scanText(t, nil, tt.text+"\n", 0)
			worst := model.Info
			var reasons []string
			for _, f := range res.Findings {
				worst = max(worst, f.Severity)
				reasons = append(reasons, f.Reasons...)
			}
			if worst != model.Critical {
				t.Errorf("worst severity %s, want critical; findings:\n%s", worst, findingTitles(res))
			}
			if all := strings.Join(reasons, "\n"); tt.note != "" && !strings.Contains(all, "conflicting values for "+tt.note) {
				t.Errorf("no note naming the conflict %s:\n%s", tt.note, all)
			}
		})
	}
}
