package export

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"

	"cloudwall/internal/content"
	"cloudwall/internal/model"
)

var kqlTarget = target{
	name: "kql",
	what: "Microsoft Sentinel: a KQL query per rule (`<rule>.kql`) over the tables the Sentinel connectors fill " +
		"(`AWSCloudTrail`, `AzureActivity`, `GCPAuditLogs`), and the same query as a Scheduled analytics rule (`<rule>.yaml`) " +
		"whose alert severity comes from the query's `AlertSeverity` column.",
	clouds: []model.Cloud{model.AWS, model.Azure, model.GCP},
	render: renderKQL,
}

func renderKQL(c *content.Content, s *spec) []File {
	q := kqlQuery(c, s)
	return []File{{Name: s.op.ID + ".kql", Data: q}, {Name: s.op.ID + ".yaml", Data: sentinelRule(c, s, q)}}
}

// kqlQuery writes one rule's query.
func kqlQuery(c *content.Content, s *spec) []byte {
	var b bytes.Buffer
	for _, l := range header(c, s, "", "") {
		fmt.Fprintf(&b, "// %s\n", l)
	}
	var text, project string
	switch s.op.Cloud {
	case model.AWS:
		b.WriteString("AWSCloudTrail\n")
		var alts []string
		for _, g := range groupBySource(s.aws) {
			alts = append(alts, fmt.Sprintf("(EventSource =~ %s and EventName in~ (%s))", kqlString(g.source), quoteList(g.names, kqlString)))
		}
		fmt.Fprintf(&b, "| where %s\n", strings.Join(alts, "\n    or "))
		text = "tolower(RequestParameters)"
		project = "TimeGenerated, RecipientAccountId, AWSRegion, EventSource, EventName, ErrorCode, UserIdentityType, UserIdentityArn, UserIdentityAccessKeyId, SourceIpAddress, UserAgent"
	case model.Azure:
		b.WriteString("AzureActivity\n")
		fmt.Fprintf(&b, "| where OperationNameValue in~ (%s)\n", kqlList(s.names))
		text = "tolower(tostring(Properties_d))"
		project = "TimeGenerated, SubscriptionId, ResourceGroup, _ResourceId, OperationNameValue, ActivityStatusValue, Caller, CallerIpAddress, CorrelationId"
	case model.GCP:
		b.WriteString("GCPAuditLogs\n")
		fmt.Fprintf(&b, "| where tolower(MethodName) matches regex %s\n", kqlRegex(methodRegex(s.names)))
		text = "tolower(tostring(Request))"
		project = "TimeGenerated, ProjectId, ServiceName, MethodName, GCPResourceName, PrincipalEmail, CallerIp = tostring(RequestMetadata.callerIp), StatusMessage"
	}
	p := patterns(c, s)
	if s.exp == nil {
		b.WriteString("| extend WorldOpen = false, SensitivePort = false\n")
	} else {
		fmt.Fprintf(&b, "| extend RequestText = %s\n", text)
		if s.noSource != nil {
			var absent []string
			for _, f := range s.noSource {
				absent = append(absent, "isnull(Request."+f+")")
			}
			fmt.Fprintf(&b, "| extend NoSource = isnotempty(tostring(Request.%s)) and %s and tostring(Request.direction) !~ \"EGRESS\"\n", s.present, strings.Join(absent, " and "))
			fmt.Fprintf(&b, "| extend WorldOpen = NoSource or RequestText matches regex %s\n", kqlRegex(p.world))
		} else {
			fmt.Fprintf(&b, "| extend WorldOpen = RequestText matches regex %s\n", kqlRegex(p.world))
		}
		fmt.Fprintf(&b, "| extend SensitivePort = %s\n", orFalse(p, func(re string) string { return "RequestText matches regex " + kqlRegex(re) }, " or "))
	}
	fmt.Fprintf(&b, "| extend Severity = case(WorldOpen and SensitivePort, %s, WorldOpen, %s, %s)\n",
		kqlString(s.sensitiveLevel.String()), kqlString(s.worldLevel.String()), kqlString(s.level.String()))
	fmt.Fprintf(&b, "| extend AlertSeverity = case(Severity in (\"critical\", \"high\"), \"High\", Severity == \"medium\", \"Medium\", Severity == \"low\", \"Low\", \"Informational\")\n")
	fmt.Fprintf(&b, "| extend CloudwallRule = %s\n", kqlString(s.op.ID))
	fmt.Fprintf(&b, "| project %s, CloudwallRule, Severity, AlertSeverity, WorldOpen, SensitivePort\n", project)
	return b.Bytes()
}

// orFalse joins the port and protocol tests of p with sep, or "false"
// when the rule has neither.
func orFalse(p textPatterns, test func(string) string, sep string) string {
	var parts []string
	for _, re := range []string{p.port, p.proto} {
		if re != "" {
			parts = append(parts, test(re))
		}
	}
	if len(parts) == 0 {
		return "false"
	}
	return strings.Join(parts, sep)
}

// methodRegex matches a GCP methodName, lower case, whose key (the name
// after an API version segment, or the whole name) is one of keys.
func methodRegex(keys []string) string {
	var q []string
	for _, k := range keys {
		q = append(q, regexp.QuoteMeta(k))
	}
	return `^([a-z0-9]+\.)?(` + strings.Join(q, "|") + `)$`
}

// kqlString quotes a KQL string literal.
func kqlString(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// kqlRegex quotes a regular expression as a verbatim KQL string.
func kqlRegex(re string) string {
	return "@'" + strings.ReplaceAll(re, "'", "''") + "'"
}

func kqlList(names []string) string {
	var q []string
	for _, n := range names {
		q = append(q, kqlString(n))
	}
	return strings.Join(q, ", ")
}

// sentinelSeverity is the analytics rule's default severity.
func sentinelSeverity(s model.Severity) string {
	switch {
	case s >= model.High:
		return "High"
	case s == model.Medium:
		return "Medium"
	case s == model.Low:
		return "Low"
	}
	return "Informational"
}

// sentinelRule wraps the query in a Scheduled analytics rule in the
// Azure-Sentinel repository's YAML format.
func sentinelRule(c *content.Content, s *spec, query []byte) []byte {
	op := s.op
	var b bytes.Buffer
	fmt.Fprintf(&b, "id: %s\n", ruleUUID(op.ID+"/sentinel"))
	fmt.Fprintf(&b, "name: %s\n", yq("cloudwall "+op.ID+": "+strings.TrimSuffix(op.Description, ".")))
	fmt.Fprintf(&b, "description: %s\n", yq(op.Description+" Generated from cloudwall rule "+op.ID+"; `cloudwall explain "+op.ID+"` has the investigation guide. The alert severity follows the exposure (AlertSeverity column)."))
	fmt.Fprintf(&b, "severity: %s\n", sentinelSeverity(s.level))
	b.WriteString("requiredDataConnectors:\n")
	switch op.Cloud {
	case model.AWS:
		b.WriteString("  - connectorId: AWS\n    dataTypes:\n      - AWSCloudTrail\n")
	case model.Azure:
		b.WriteString("  - connectorId: AzureActivity\n    dataTypes:\n      - AzureActivity\n")
	case model.GCP:
		b.WriteString("  - connectorId: GCPAuditLogsDefinition\n    dataTypes:\n      - GCPAuditLogs\n")
	}
	b.WriteString("queryFrequency: 1h\nqueryPeriod: 1h\ntriggerOperator: gt\ntriggerThreshold: 0\n")
	b.WriteString("tactics:\n  - DefenseEvasion\nrelevantTechniques:\n  - T1562.007\n")
	b.WriteString("query: |\n")
	for _, l := range strings.Split(strings.TrimRight(string(query), "\n"), "\n") {
		fmt.Fprintf(&b, "  %s\n", l)
	}
	b.WriteString("alertDetailsOverride:\n  alertSeverityColumnName: AlertSeverity\n")
	b.WriteString("entityMappings:\n")
	switch op.Cloud {
	case model.AWS:
		b.WriteString("  - entityType: Account\n    fieldMappings:\n      - identifier: FullName\n        columnName: UserIdentityArn\n")
		b.WriteString("  - entityType: IP\n    fieldMappings:\n      - identifier: Address\n        columnName: SourceIpAddress\n")
	case model.Azure:
		b.WriteString("  - entityType: Account\n    fieldMappings:\n      - identifier: FullName\n        columnName: Caller\n")
		b.WriteString("  - entityType: IP\n    fieldMappings:\n      - identifier: Address\n        columnName: CallerIpAddress\n")
		b.WriteString("  - entityType: AzureResource\n    fieldMappings:\n      - identifier: ResourceId\n        columnName: _ResourceId\n")
	case model.GCP:
		b.WriteString("  - entityType: Account\n    fieldMappings:\n      - identifier: FullName\n        columnName: PrincipalEmail\n")
		b.WriteString("  - entityType: IP\n    fieldMappings:\n      - identifier: Address\n        columnName: CallerIp\n")
	}
	b.WriteString("version: 1.0.0\nkind: Scheduled\n")
	return b.Bytes()
}
