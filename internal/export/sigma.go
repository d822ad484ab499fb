package export

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"cloudwall/internal/content"
	"cloudwall/internal/model"
)

var sigmaTarget = target{
	name: "sigma",
	what: "Sigma rules (https://sigmahq.io/docs/basics/rules.html) over the `aws/cloudtrail`, `azure/activitylogs` and `gcp/gcp.audit` log sources, " +
		"with the field names of SigmaHQ's rules for them (CloudTrail's own names; Azure's `operationName` and `properties`; GCP as `gcp.audit.*`). " +
		"Each rule has `<rule>.yml` (every call of its operations) and, where the request carries the rule content, `<rule>-internet.yml` " +
		"(opened to the whole internet) and `<rule>-internet-sensitive.yml` (also on a sensitive port or all protocols).",
	clouds: []model.Cloud{model.AWS, model.Azure, model.GCP},
	render: renderSigma,
}

// sigmaLevel maps a severity to a Sigma level.
func sigmaLevel(s model.Severity) string {
	if s == model.Info {
		return "informational"
	}
	return s.String()
}

func renderSigma(c *content.Content, s *spec) []File {
	out := []File{{Name: s.op.ID + ".yml", Data: sigmaRule(c, s, "")}}
	if s.exp != nil {
		out = append(out, File{Name: s.op.ID + variantInternet + ".yml", Data: sigmaRule(c, s, variantInternet)})
		if len(s.exp.ports) > 0 || len(s.exp.protocols) > 0 {
			out = append(out, File{Name: s.op.ID + variantSensitive + ".yml", Data: sigmaRule(c, s, variantSensitive)})
		}
	}
	return out
}

// sigmaRule writes one Sigma rule.
func sigmaRule(c *content.Content, s *spec, variant string) []byte {
	op := s.op
	var b bytes.Buffer
	for _, l := range header(c, s, variant, gapSigma) {
		fmt.Fprintf(&b, "# %s\n", l)
	}
	level := s.level
	switch variant {
	case variantInternet:
		level = s.worldLevel
	case variantSensitive:
		level = s.sensitiveLevel
	}
	title := op.Description
	if variant != "" {
		title = strings.TrimSuffix(title, ".") + variantTitle(variant)
	}
	fmt.Fprintf(&b, "title: %s\n", yq("cloudwall "+op.ID+variant+": "+strings.TrimSuffix(title, ".")))
	fmt.Fprintf(&b, "id: %s\n", ruleUUID(op.ID+variant))
	if variant != "" {
		fmt.Fprintf(&b, "related:\n    - id: %s\n      type: derived\n", ruleUUID(op.ID))
	}
	b.WriteString("status: experimental\n")
	fmt.Fprintf(&b, "description: %s\n", yq(op.Description+" Generated from cloudwall rule "+op.ID+"; run `cloudwall explain "+op.ID+"` for the investigation guide."))
	b.WriteString("references:\n    - https://attack.mitre.org/techniques/T1562/007/\n")
	b.WriteString("author: cloudwall (generated from its operation catalogue)\n")
	b.WriteString("tags:\n    - attack.defense-evasion\n    - attack.t1562.007\n")
	b.WriteString("logsource:\n")
	switch op.Cloud {
	case model.AWS:
		b.WriteString("    product: aws\n    service: cloudtrail\n")
	case model.Azure:
		b.WriteString("    product: azure\n    service: activitylogs\n")
	case model.GCP:
		b.WriteString("    product: gcp\n    service: gcp.audit\n")
	}
	b.WriteString("detection:\n")
	cond := sigmaSelection(&b, s)
	if variant != "" {
		sigmaSearch(&b, "world", sigmaValues(c, s, s.exp.peers, s.worldValue(c)))
		cond = "(" + cond + ") and world"
	}
	if variant == variantSensitive {
		var any []string
		if len(s.exp.ports) > 0 {
			sigmaSearch(&b, "sensitive_port", sigmaValues(c, s, s.exp.ports, portValue(c)))
			any = append(any, "sensitive_port")
		}
		if len(s.exp.protocols) > 0 {
			sigmaSearch(&b, "all_protocols", sigmaValues(c, s, s.exp.protocols, valuesRegex(s.exp.allProtocols)))
			any = append(any, "all_protocols")
		}
		cond += " and (" + strings.Join(any, " or ") + ")"
	}
	fmt.Fprintf(&b, "    condition: %s\n", cond)
	b.WriteString("fields:\n")
	for _, f := range sigmaFields(op.Cloud) {
		fmt.Fprintf(&b, "    - %s\n", f)
	}
	b.WriteString("falsepositives:\n    - Approved changes by infrastructure-as-code pipelines and administrators (see Tuning in `cloudwall explain " + op.ID + "`)\n")
	fmt.Fprintf(&b, "level: %s\n", sigmaLevel(level))
	return b.Bytes()
}

// sigmaSelection writes the searches that match the rule's operations
// and returns the condition that joins them.
func sigmaSelection(b *bytes.Buffer, s *spec) string {
	switch s.op.Cloud {
	case model.AWS:
		b.WriteString("    selection:\n")
		for _, g := range groupBySource(s.aws) {
			fmt.Fprintf(b, "        - eventSource: %s\n          eventName:\n", yq(g.source))
			for _, n := range g.names {
				fmt.Fprintf(b, "              - %s\n", yq(n))
			}
		}
		return "selection"
	case model.Azure:
		b.WriteString("    selection:\n        operationName:\n")
		for _, n := range s.names {
			fmt.Fprintf(b, "            - %s\n", yq(n))
		}
		return "selection"
	default:
		// GCP logs the method with an API version before the key
		// ("v1.compute.firewalls.insert"), App Engine without one.
		b.WriteString("    selection_method:\n        gcp.audit.method_name|endswith:\n")
		for _, n := range s.names {
			fmt.Fprintf(b, "            - %s\n", yq("."+n))
		}
		b.WriteString("    selection_method_bare:\n        gcp.audit.method_name:\n")
		for _, n := range s.names {
			fmt.Fprintf(b, "            - %s\n", yq(n))
		}
		return "1 of selection_method*"
	}
}

// sigmaValues returns one (field, regex) per place the values may be.
// AWS and GCP requests are structured: each field is matched whole.
// Azure logs its bodies as JSON text: the text is searched.
func sigmaValues(c *content.Content, s *spec, fields []field, value string) [][2]string {
	var out [][2]string
	switch s.op.Cloud {
	case model.Azure:
		re := "(?i)" + textRegex(fields, value)
		out = append(out, [2]string{"properties.requestbody|re", re}, [2]string{"properties.responseBody|re", re})
	default:
		prefix := "requestParameters."
		if s.op.Cloud == model.GCP {
			prefix = "gcp.audit.request."
		}
		for _, f := range fields {
			out = append(out, [2]string{prefix + f.path + "|re", "(?i)^" + value + "$"})
		}
	}
	return out
}

// sigmaSearch writes a search that matches when any of the pairs does.
func sigmaSearch(b *bytes.Buffer, name string, pairs [][2]string) {
	fmt.Fprintf(b, "    %s:\n", name)
	for _, p := range pairs {
		fmt.Fprintf(b, "        - %s: %s\n", p[0], yq(p[1]))
	}
}

// sigmaFields are the fields worth showing with a match.
func sigmaFields(cl model.Cloud) []string {
	switch cl {
	case model.AWS:
		return []string{"eventTime", "eventSource", "eventName", "recipientAccountId", "awsRegion", "userIdentity.arn", "sourceIPAddress", "userAgent", "errorCode", "requestParameters"}
	case model.Azure:
		return []string{"time", "operationName", "resultType", "resourceId", "callerIpAddress", "identity.claims.name", "properties.requestbody", "properties.responseBody"}
	}
	return []string{"timestamp", "gcp.audit.method_name", "gcp.audit.resource_name", "gcp.audit.authentication_info.principal_email", "source.ip", "gcp.audit.status.code", "gcp.audit.request"}
}

// awsGroup is one CloudTrail event source with the operation names a rule
// reads there, in catalogue order.
type awsGroup struct {
	source string
	names  []string
}

func groupBySource(ops []awsOp) []awsGroup {
	var out []awsGroup
	for _, o := range ops {
		i := slices.IndexFunc(out, func(g awsGroup) bool { return g.source == o.source })
		if i < 0 {
			out = append(out, awsGroup{source: o.source})
			i = len(out) - 1
		}
		out[i].names = append(out[i].names, o.name)
	}
	return out
}

// quoteList quotes each name with quote and joins them with ", ".
func quoteList(names []string, quote func(string) string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = quote(n)
	}
	return strings.Join(q, ", ")
}

// yq quotes a YAML scalar in single quotes.
func yq(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}
