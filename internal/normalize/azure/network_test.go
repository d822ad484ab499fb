package azure

import (
	"testing"

	"cloudwall/internal/model"
)

// TestWritten: whether a write created its resource is read from every
// shape that logs ARM's answer, and a record whose fields disagree reads
// as an update.
func TestWritten(t *testing.T) {
	const head = `"operationName":"Microsoft.Network/virtualNetworks/subnets/write","resourceId":"/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/virtualNetworks/v/subnets/a","correlationId":"c"`
	for _, tt := range []struct {
		name, rec string
		want      model.WriteStatus
	}{
		{"resource-log signature", `{` + head + `,"time":"2026-04-13T09:00:00Z","resultType":"Success","resultSignature":"Succeeded.Created"}`, model.WriteCreated},
		{"resource-log statusCode", `{` + head + `,"time":"2026-04-13T09:00:00Z","resultType":"Success","properties":{"statusCode":"Created"}}`, model.WriteCreated},
		{"resource-log ok", `{` + head + `,"time":"2026-04-13T09:00:00Z","resultType":"Success","resultSignature":"Succeeded.OK","properties":{"statusCode":"OK"}}`, model.WriteUpdated},
		{"fields disagree", `{` + head + `,"time":"2026-04-13T09:00:00Z","resultType":"Success","resultSignature":"Succeeded.Created","properties":{"statusCode":"OK"}}`, model.WriteUpdated},
		{"REST subStatus", `{` + head + `,"eventTimestamp":"2026-04-13T09:00:00Z","status":{"value":"Succeeded"},"subStatus":{"value":"Created","localizedValue":"Created (HTTP Status Code: 201)"}}`, model.WriteCreated},
		{"REST localized only", `{` + head + `,"eventTimestamp":"2026-04-13T09:00:00Z","status":{"value":"Succeeded"},"subStatus":{"value":"","localizedValue":"OK (HTTP Status Code: 200)"}}`, model.WriteUpdated},
		{"REST accepted created", `{` + head + `,"eventTimestamp":"2026-04-13T09:00:00Z","status":{"value":"Accepted"},"subStatus":{"value":"Created"}}`, model.WriteCreated},
		{"Log Analytics", `{"OperationNameValue":"MICROSOFT.NETWORK/VIRTUALNETWORKS/SUBNETS/WRITE","ResourceId":"/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/virtualNetworks/v/subnets/a","TimeGenerated":"2026-04-13T09:00:00Z","ActivityStatusValue":"Success","ActivitySubstatusValue":"Created","CorrelationId":"c"}`, model.WriteCreated},
		{"failed", `{` + head + `,"time":"2026-04-13T09:00:00Z","resultType":"Failure","resultSignature":"Failed.Created","properties":{"statusCode":"Created"}}`, ""},
		{"started", `{` + head + `,"time":"2026-04-13T09:00:00Z","resultType":"Start","resultSignature":"Started."}`, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ev := only(t, mustParse(t, tt.rec), 0)
			if ev.Written != tt.want {
				t.Errorf("written %q, want %q", ev.Written, tt.want)
			}
		})
	}
}

// TestVirtualNetworkSubnets: a virtual network written with inline
// subnets without an NSG detaches theirs (policy ""), unless the only
// such subnets are ones that cannot carry an NSG.
func TestVirtualNetworkSubnets(t *testing.T) {
	rec := func(subnets string) string {
		return `{"operationName":"MICROSOFT.NETWORK/VIRTUALNETWORKS/WRITE","resourceId":"/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/virtualNetworks/v","time":"2026-04-13T09:00:00Z","resultType":"Start","correlationId":"c","properties":{"requestbody":"{\"properties\":{\"subnets\":[` + subnets + `]}}"}}`
	}
	const nsg = `\"networkSecurityGroup\":{\"id\":\"/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/networkSecurityGroups/n\"}`
	for _, tt := range []struct {
		name, subnets string
		detach        bool
		targets       int
	}{
		{"bare subnet", `{\"name\":\"app\",\"properties\":{\"addressPrefix\":\"10.0.1.0/24\"}}`, true, 0},
		{"subnet with NSG", `{\"name\":\"app\",\"properties\":{` + nsg + `}}`, false, 1},
		{"gateway subnet only", `{\"name\":\"app\",\"properties\":{` + nsg + `}},{\"name\":\"GATEWAYSUBNET\",\"properties\":{}}`, false, 1},
		{"route server and bare", `{\"name\":\"RouteServerSubnet\",\"properties\":{}},{\"name\":\"db\",\"properties\":{}}`, true, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ev := only(t, mustParse(t, rec(tt.subnets)), 0)
			v, set := ev.Settings[model.SettingPolicy]
			if detach := set && v == ""; detach != tt.detach || len(ev.Targets) != tt.targets {
				t.Errorf("settings %v targets %v, want detach %v and %d targets; notes %q", ev.Settings, ev.Targets, tt.detach, tt.targets, ev.Notes)
			}
		})
	}
}
