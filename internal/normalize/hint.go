package normalize

import (
	"bytes"
	"strings"

	"cloudwall/internal/normalize/jv"
	"cloudwall/internal/normalize/record"
)

// Hints for input that is not an audit log but another kind cloudwall
// reads elsewhere: flow logs (--flows) and configuration snapshots
// (--baseline, audit, diff). Given to scan, they are reported as before,
// with the hint added, so a user who passed the wrong folder learns where
// it belongs.
const (
	hintFlows    = "; this looks like a flow log: give it to --flows"
	hintSnapshot = "; this looks like a configuration snapshot: give it to --baseline, or read it with cloudwall audit"
	hintParquet  = "; this is a Parquet file: VPC flow logs delivered as Parquet are read with --flows"
)

// textHint looks at the start of a top-level line that is not JSON.
func textHint(line []byte) string {
	if bytes.HasPrefix(line, []byte("PAR1")) {
		return hintParquet
	}
	if i := bytes.IndexByte(line, '\n'); i >= 0 {
		line = line[:i]
	}
	f := bytes.Fields(line)
	if len(f) < 3 {
		return ""
	}
	// A VPC Flow Logs header names its fields; a record starts with the
	// format version and, in the default format, a 12-digit account.
	if string(f[0]) == "version" || bytes.Contains(line, []byte("interface-id")) || bytes.Contains(line, []byte("srcaddr")) {
		return hintFlows
	}
	if len(f) >= 14 && len(f[0]) == 1 && f[0][0] >= '2' && f[0][0] <= '9' && (digits(f[1]) || string(f[1]) == "-") &&
		(bytes.HasPrefix(f[2], []byte("eni-")) || string(f[2]) == "-") {
		return hintFlows
	}
	return ""
}

// recordHint looks at a JSON object of no audit-log shape.
func recordHint(rec map[string]any) string {
	switch {
	case jv.Has(rec, "jsonPayload", "connection") || jv.Has(rec, "jsonPayload", "rule_details"),
		jv.Has(rec, "properties", "flows") || jv.Has(rec, "flowRecords"),
		jv.Has(rec, "srcaddr") && jv.Has(rec, "dstaddr"), // VPC flow fields as an object (Wazuh's AWS module)
		strings.Contains(jv.Str(rec, "category"), "FlowEvent"),
		vpcFlowMessage(jv.Str(rec, "message")):
		return hintFlows
	}
	for _, k := range []string{"SecurityGroups", "SecurityGroupRules", "NetworkAcls", "NetworkInterfaces",
		"PrefixLists", "FirewallPolicyResponse", "RuleGroupResponse", "configurationItems", "configurationItem", "terraform_version", "format_version"} {
		if _, ok := rec[k]; ok {
			return hintSnapshot
		}
	}
	if jv.Has(rec, "properties", "securityRules") || jv.Str(rec, "kind") == "compute#firewall" || jv.Has(rec, "sourceRanges") {
		return hintSnapshot
	}
	return ""
}

// wazuhFlow returns the flow-log record a Wazuh AWS or GCP module event
// or alert carries: the modules ship flow logs too (VPC Flow Logs,
// Firewall Rules Logging), and those must be reported as they are bare,
// with the hint, not skipped as the modules' other events are.
func wazuhFlow(rec map[string]any) (map[string]any, bool) {
	for _, name := range []string{"gcp", "aws"} {
		if inner, ok := record.Wazuh(rec, name); ok && recordHint(inner) == hintFlows {
			return inner, true
		}
	}
	// A Wazuh 4.0 GCP alert held the LogEntry itself as its data.
	if data, ok := record.WazuhAlertData(rec); ok && recordHint(data) == hintFlows {
		return data, true
	}
	return nil, false
}

// azureFlow recognises a record of an Azure NSG flow log
// (NetworkSecurityGroupFlowEvent, properties.flows) or VNet flow log
// (FlowLogFlowEvent, flowRecords), which share the activity log's
// operationName, resourceId and time.
func azureFlow(rec any) bool {
	cat, op := jv.View(rec, "category"), jv.View(rec, "operationName")
	return jv.LowerHasSuffix(cat, "flowevent") || jv.LowerHasSuffix(op, "flowevents") || jv.LowerIs(op, "flowlogflowevent") ||
		jv.Has(rec, "flowRecords", "flows") || jv.Has(rec, "properties", "flows") && jv.Has(rec, "properties", "Version")
}

func vpcFlowMessage(s string) bool {
	return s != "" && textHint([]byte(s)) == hintFlows
}

func digits(b []byte) bool {
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return len(b) > 0
}
