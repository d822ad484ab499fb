package detect

import (
	"encoding/json"
	"path/filepath"
	"testing"

	"cloudwall/internal/model"
	"cloudwall/internal/testutil"
)

// goldenEvents are full events whose findings are pinned in testdata, so a
// change to wording, guidance or severity shows up as a reviewable diff.
func goldenEvents() map[string]*model.Event {
	stratus := sgIngress(model.RuleChange{Effect: model.Added, Direction: model.Ingress, Action: model.Allow,
		Protocol: "tcp", Ports: port(22), Peers: []model.Peer{cidr("208.236.235.254/0")}, Name: "sgr-09b3e3d2ca1edf2a2"})
	stratus.Resource = model.Resource{Type: "security_group", ID: "sg-003dc7f1f1c686164"}
	stratus.Actor = model.Actor{Type: "AssumedRole", ID: "arn:aws:sts::032092706103:assumed-role/stratus/aws-go-sdk",
		Name: "stratus", Session: "ASIAxxxx"}
	stratus.UserAgent = "stratus-red-team_4bc5f6a0 aws-sdk-go-v2/1.17.1"
	stratus.Account = "032092706103"
	stratus.EventID, stratus.OperationID = "0b5e53ba-1b2f-4bd4-9dd5-4e4e9c1b4b1e", "0b5e53ba-1b2f-4bd4-9dd5-4e4e9c1b4b1e"

	denied := event(model.AWS, "route53resolver:disassociatefirewallrulegroup")
	denied.Operation = "DisassociateFirewallRuleGroup"
	denied.Resource = model.Resource{Type: "dns_firewall_rule_group", ID: "rslvr-frgassoc-1a2b"}
	denied.Outcome, denied.ErrorCode = model.Failure, "AccessDenied"
	denied.ErrorMessage = "User: arn:aws:iam::111122223333:user/alice is not authorized to perform: route53resolver:DisassociateFirewallRuleGroup"

	azfw := &model.Event{
		Cloud: model.Azure, Time: t0, Account: "00000000-1111-2222-3333-444444444444", Region: "westeurope",
		Service: "Microsoft.Network", Operation: "MICROSOFT.NETWORK/AZUREFIREWALLS/WRITE",
		OperationKey: "microsoft.network/azurefirewalls/write", Outcome: model.Success,
		Actor:     model.Actor{Type: "User", ID: "ops@contoso.example", Name: "ops@contoso.example"},
		SourceIP:  "203.0.113.50",
		UserAgent: "HashiCorp Terraform/1.8.0 (+https://www.terraform.io) terraform-provider-azurerm/3.100.0",
		Resource: model.Resource{Type: "azure_firewall", Name: "fw-hub",
			ID: "/subscriptions/00000000-1111-2222-3333-444444444444/resourceGroups/hub/providers/Microsoft.Network/azureFirewalls/fw-hub"},
		Settings:    map[string]string{model.SettingThreatIntelMode: "off"},
		EventID:     "a1b2c3d4-0000-4000-8000-000000000001",
		OperationID: "907d49da-7c4e-4a3e-9f55-6b1d1a0f2c11|microsoft.network/azurefirewalls/write|/subscriptions/00000000-1111-2222-3333-444444444444/resourcegroups/hub/providers/microsoft.network/azurefirewalls/fw-hub",
		Phase:       model.PhaseEnd,
		Source:      model.SourceRef{File: "PT1H.json", Index: 17},
	}

	sql := event(model.Azure, "microsoft.sql/servers/firewallrules/write",
		model.RuleChange{Effect: model.Added, Peers: []model.Peer{rng("0.0.0.0-0.0.0.0")}, Name: "AllowAllWindowsAzureIps"})
	sql.Operation = "Microsoft.Sql/servers/firewallRules/write"
	sql.Region = "westeurope"
	sql.Resource = model.Resource{Type: "sql_firewall_rule", Name: "AllowAllWindowsAzureIps",
		ID: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Sql/servers/sql-1/firewallRules/AllowAllWindowsAzureIps"}
	sql.Outcome = model.Unknown

	gcp := event(model.GCP, "compute.firewalls.insert", model.RuleChange{Effect: model.Added, Direction: model.Ingress,
		Action: model.Allow, Protocol: "tcp", Ports: port(80), Peers: []model.Peer{cidr("0.0.0.0/0")}, Name: "firewall-rule-01"},
		model.RuleChange{Effect: model.Added, Direction: model.Ingress, Action: model.Allow, Protocol: "icmp",
			Peers: []model.Peer{cidr("0.0.0.0/0")}, Name: "firewall-rule-01"})
	gcp.Operation = "v1.compute.firewalls.insert"
	gcp.Account, gcp.Region = "scc-log-pubsub", "global"
	gcp.Actor = model.Actor{Type: "User", ID: "dev@example.com"}
	gcp.UserAgent = "google-cloud-sdk gcloud/218.0.0 command/gcloud.compute.firewall-rules.create"
	gcp.Resource = model.Resource{Type: "vpc_firewall_rule", Name: "firewall-rule-01",
		ID: "projects/scc-log-pubsub/global/firewalls/firewall-rule-01"}
	gcp.Notes = []string{"INGRESS rule without sourceRanges, sourceTags or sourceServiceAccounts: the API default source 0.0.0.0/0 applies"}
	gcp.OperationID = "operation-1536243735684-575318d9d5c30-3d8b3ca4-fc4b5f4a|compute.firewalls.insert"

	nacl := event(model.AWS, "ec2:deletenetworkaclentry",
		model.RuleChange{Effect: model.Removed, Direction: model.Ingress, Name: "90"})
	nacl.Operation = "DeleteNetworkAclEntry"
	nacl.Resource = model.Resource{Type: "network_acl", ID: "acl-0f1e2d3c"}

	return map[string]*model.Event{
		"aws-stratus-ssh":      stratus,
		"aws-denied-attempt":   denied,
		"azure-fw-threatintel": azfw,
		"azure-sql-services":   sql,
		"gcp-insert-default":   gcp,
		"aws-nacl-delete":      nacl,
	}
}

func TestGolden(t *testing.T) {
	d := detector(t)
	for name, ev := range goldenEvents() {
		t.Run(name, func(t *testing.T) {
			f, ok := d.Evaluate(ev)
			if !ok {
				t.Fatal("not a firewall event")
			}
			got := testutil.GoldenJSON(t, filepath.Join("testdata", name+".golden.json"), f)
			var back model.Finding
			if err := json.Unmarshal(got, &back); err != nil {
				t.Errorf("finding does not round-trip through JSON: %v", err)
			}
		})
	}
}
