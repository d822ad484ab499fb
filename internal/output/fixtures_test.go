package output

import (
	"time"

	"cloudwall/internal/model"
)

// testFindings is a fixed, ranked set covering every cloud and severity, a
// failed attempt with an error code, an IaC tag, peers of every kind, a
// CSV-injection user agent, a terminal escape, unicode, pipes and line
// breaks in names.
func testFindings() []model.Finding {
	guidance := &model.Guidance{
		Investigate: []string{
			"Confirm with the actor whether the change was intended.",
			"Look for connections from the opened range in flow logs since the change.",
		},
		Respond: []string{
			"If not approved, remove the rule: aws ec2 revoke-security-group-ingress --group-id sg-0abc1234 --security-group-rule-ids sgr-0aaa",
			"Rotate the actor's credentials if the change was not theirs.",
			"A command whose values hold backticks and pipes: echo '```' '|' '<b>'",
		},
		Commands: []model.Command{
			{Step: "respond", Index: 0, Run: "aws ec2 revoke-security-group-ingress --group-id sg-0abc1234 --security-group-rule-ids sgr-0aaa"},
			{Step: "respond", Index: 2, Run: "echo '```' '|' '<b>'"},
		},
	}
	return []model.Finding{
		{
			ID:        "cw-0001",
			Rule:      "world-open-admin-port",
			Title:     "SSH opened to the internet on web-sg|prod",
			Severity:  model.Critical,
			Cloud:     model.AWS,
			Time:      time.Date(2025, 3, 14, 9, 26, 53, 0, time.UTC),
			Account:   "123456789012",
			Region:    "eu-west-1",
			Resource:  model.Resource{Type: "security_group", ID: "sg-0abc1234", Name: "web-sg|prod"},
			Operation: "AuthorizeSecurityGroupIngress",
			Outcome:   model.Success,
			Actor: model.Actor{
				Type:      "IAMUser",
				ID:        "arn:aws:iam::123456789012:user/alice",
				Name:      "alice",
				Session:   "AKIAEXAMPLEKEY",
				AccessKey: "AKIAEXAMPLEKEY",
			},
			SourceIP:  "203.0.113.7",
			UserAgent: "=cmd|' /C calc'!A0",
			Changes: []model.RuleChange{
				{
					Effect: model.Added, Direction: model.Ingress, Action: model.Allow,
					Protocol: "tcp", Ports: model.PortList{{From: 22, To: 22}},
					Peers: []model.Peer{{Kind: model.PeerCIDR, Value: "0.0.0.0/0"}, {Kind: model.PeerCIDR, Value: "::/0"}},
					Name:  "sgr-0aaa",
				},
				{
					Effect: model.Added, Direction: model.Ingress, Action: model.Allow,
					Protocol: "all", Ports: model.PortList{model.AllPortRange},
					Peers: []model.Peer{{Kind: model.PeerGroup, Value: "sg-0def5678"}, {Kind: model.PeerPrefixList, Value: "pl-0123abcd"}},
				},
			},
			Exposure: []string{"internet -> 22/tcp (ssh)", "internet (IPv6) -> 22/tcp (ssh)"},
			Reasons:  []string{"0.0.0.0/0 and ::/0 can reach 22/tcp (ssh)", "actor used no MFA"},
			Attack:   model.AttackIDs,
			Guidance: guidance,
			Event:    model.EventRef{File: "logs/aws/2025/03/14/trail.json.gz", Index: 41, EventID: "6f1c0b2e-1111-4a2b-9c3d-0123456789ab"},
		},
		{
			ID:        "cw-0002",
			Rule:      "world-open-admin-port",
			Title:     "RDP opened to Internet on nsg-ünïcødé",
			Severity:  model.High,
			Cloud:     model.Azure,
			Time:      time.Date(2025, 3, 14, 10, 2, 0, 500_000_000, time.UTC),
			Account:   "00000000-1111-2222-3333-444444444444",
			Region:    "westeurope",
			Resource:  model.Resource{Type: "nsg_rule", ID: "/subscriptions/00000000-1111-2222-3333-444444444444/resourceGroups/rg-prod/providers/Microsoft.Network/networkSecurityGroups/nsg-ünïcødé/securityRules/AllowRDP", Name: "AllowRDP"},
			Operation: "MICROSOFT.NETWORK/NETWORKSECURITYGROUPS/SECURITYRULES/WRITE",
			Outcome:   model.Success,
			Actor: model.Actor{
				Type: "ServicePrincipal",
				ID:   "9f8e7d6c-0000-1111-2222-333344445555",
				Name: "terraform-deployer",
				MFA:  true,
			},
			SourceIP:  "198.51.100.23",
			UserAgent: "HashiCorp Terraform/1.7.0 (+https://www.terraform.io) terraform-provider-azurerm/3.90.0",
			Changes: []model.RuleChange{{
				Effect: model.Added, Direction: model.Ingress, Action: model.Allow,
				Protocol: "tcp", Ports: model.PortList{{From: 3389, To: 3389}},
				Peers:    []model.Peer{{Kind: model.PeerServiceTag, Value: "Internet"}, {Kind: model.PeerAny, Value: "*"}},
				Priority: model.IntPtr(100),
				Name:     "AllowRDP",
			}},
			Exposure: []string{"internet -> 3389/tcp (rdp)"},
			Tags:     []string{"iac"},
			Reasons:  []string{"service tag Internet can reach 3389/tcp (rdp)", "user agent is Terraform: likely an infrastructure-as-code deployment"},
			Attack:   model.AttackIDs,
			Guidance: guidance,
			Event:    model.EventRef{File: "logs/azure/activity.json", Index: 7, EventID: "a1b2c3d4-5678-90ab-cdef-1234567890ab"},
		},
		{
			ID:        "cw-0003",
			Rule:      "firewall-rule-broadened",
			Title:     "Firewall rule +allow-internal admits 10.0.0.0/8 to web tags",
			Severity:  model.Medium,
			Cloud:     model.GCP,
			Time:      time.Date(2025, 3, 15, 0, 0, 1, 0, time.UTC),
			Account:   "prod-project-123",
			Region:    "global",
			Resource:  model.Resource{Type: "vpc_firewall_rule", ID: "projects/prod-project-123/global/firewalls/+allow-internal", Name: "+allow-internal"},
			Operation: "v1.compute.firewalls.insert",
			// The detector reports a request whose completion is not in the
			// log as a success tagged unconfirmed.
			Outcome: model.Success,
			Actor: model.Actor{
				Type:       "ServiceAccount",
				ID:         "deployer@prod-project-123.iam.gserviceaccount.com",
				ViaService: "cloudbuild.googleapis.com",
			},
			SourceIP:  "2001:db8::1",
			UserAgent: "curl/8.0 \x1b[31mred\x1b[0m",
			Changes: []model.RuleChange{{
				Effect: model.Added, Direction: model.Ingress, Action: model.Allow,
				Protocol: "tcp", Ports: model.PortList{{From: 8000, To: 8080}, {From: 443, To: 443}},
				Peers:    []model.Peer{{Kind: model.PeerCIDR, Value: "10.0.0.0/8"}, {Kind: model.PeerTag, Value: "bastion"}, {Kind: model.PeerServiceAccount, Value: "ci@prod-project-123.iam.gserviceaccount.com"}},
				Priority: model.IntPtr(1000),
				Name:     "+allow-internal",
				Targets:  []string{"tag:web"},
			}},
			Settings: map[string]string{model.SettingDisabled: "false"},
			Tags:     []string{"unconfirmed"},
			Reasons:  []string{"new rule admits a private range"},
			Attack:   model.AttackIDs,
			Event:    model.EventRef{File: "logs/gcp/cloudaudit.jsonl", Index: 1203, EventID: "-abc123def"},
		},
		{
			ID:        "cw-0004",
			Rule:      "nacl-deny-removed",
			Title:     "Attempt to remove a deny rule from a network ACL failed",
			Severity:  model.Low,
			Cloud:     model.AWS,
			Time:      time.Date(2025, 3, 15, 12, 30, 0, 0, time.UTC),
			Account:   "123456789012",
			Region:    "us-east-1",
			Resource:  model.Resource{Type: "network_acl", ID: "acl-0f00ba47"},
			Operation: "DeleteNetworkAclEntry",
			Outcome:   model.Failure,
			ErrorCode: "Client.UnauthorizedOperation",
			Actor: model.Actor{
				Type:    "AssumedRole",
				ID:      "arn:aws:sts::123456789012:assumed-role/dev/bob",
				Name:    "bob\nsmith",
				Session: "ASIAEXAMPLE",
			},
			SourceIP:  "ec2.amazonaws.com",
			UserAgent: "@SUM(1+1)",
			Changes: []model.RuleChange{{
				Effect: model.Removed, Direction: model.Egress, Action: model.Deny,
				Protocol: "udp",
				Peers:    []model.Peer{{Kind: model.PeerOther, Value: "evil.example"}},
				Name:     "100",
			}},
			Tags:    []string{"attempt"},
			Reasons: []string{"the call failed: Client.UnauthorizedOperation"},
			Attack:  model.AttackIDs,
			Event:   model.EventRef{File: "logs/aws/2025/03/15/trail.json.gz", Index: 0, EventID: "0e0e0e0e-2222-4a2b-9c3d-0123456789ab"},
		},
		{
			ID:        "cw-0005",
			Rule:      "sql-firewall-changed",
			Title:     "SQL server firewall rule <all> | changed",
			Severity:  model.Info,
			Cloud:     model.Azure,
			Time:      time.Date(2025, 3, 16, 23, 59, 59, 0, time.UTC),
			Account:   "00000000-1111-2222-3333-444444444444",
			Resource:  model.Resource{Type: "sql_firewall_rule", Name: "[click](https://evil.example)"},
			Operation: "MICROSOFT.SQL/SERVERS/FIREWALLRULES/WRITE",
			Outcome:   model.Success,
			Actor:     model.Actor{Type: "User", ID: "carol@example.com", Name: "Carol \u202eevil"},
			Changes: []model.RuleChange{{
				Effect: model.Altered, Action: model.Allow,
				Peers: []model.Peer{{Kind: model.PeerRange, Value: "0.0.0.0-255.255.255.255"}},
			}},
			Reasons: []string{"rule content replaced; the old range is not logged"},
			Attack:  model.AttackIDs,
			Event:   model.EventRef{File: "logs/azure/activity.json", Index: 8},
		},
	}
}

// testSummary is a fixed scan summary with more problems than the human
// summary lists.
func testSummary() model.Summary {
	problems := []model.Problem{
		{File: "logs/aws/broken.json.gz", Index: -1, Message: "gzip: invalid header"},
		{File: "logs/aws/2025/03/14/trail.json.gz", Index: 17, Offset: 40960, Message: "invalid character '}' looking for beginning of value"},
		{File: "logs/gcp/cloudaudit.jsonl", Index: 3, Message: "line too long (> 64 MiB)"},
		{File: "logs/evil\x1b[2J.json", Index: 0, Message: "unexpected \x07 bell"},
	}
	for i := range 8 {
		problems = append(problems, model.Problem{File: "logs/azure/activity.json", Index: int64(100 + i), Message: "not an audit record"})
	}
	return model.Summary{
		Files:             12,
		FilesFailed:       1,
		Bytes:             3_500_000,
		BytesUncompressed: 26_000_000,
		Records:           120_345,
		Unreadable:        2,
		Skipped:           310,
		Recognised:        1_021,
		FirewallEvents:    57,
		Duplicates:        4,
		Findings:          map[string]int64{"critical": 1, "high": 1, "medium": 1, "low": 1, "info": 1},
		FindingsFiltered:  7,
		Elapsed:           1_234_567_891 * time.Nanosecond,
		Problems:          problems,
	}
}
