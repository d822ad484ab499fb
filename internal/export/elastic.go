package export

import (
	"bytes"
	"fmt"
	"strings"

	"cloudwall/internal/content"
	"cloudwall/internal/model"
)

var esqlTarget = target{
	name: "esql",
	what: "Elastic ES|QL over the data streams of the Elastic AWS (`logs-aws.cloudtrail-*`), Azure (`logs-azure.activitylogs-*`) " +
		"and Google Cloud (`logs-gcp.audit-*`) integrations, one `<rule>.esql` per rule. ES|QL cannot read flattened fields " +
		"(`azure.activitylogs.properties`, `gcp.audit.request`), so Azure and GCP exposure is read from `event.original`, which " +
		"the integrations keep only with their *Preserve original event* option; without it those columns are false. " +
		"No ES|QL parser is published as a Go module or npm package: the tests check the queries' structure and field names " +
		"and run their Lucene expressions, translated to RE2, over the fixtures; they are not parsed by Elasticsearch itself.",
	clouds: []model.Cloud{model.AWS, model.Azure, model.GCP},
	render: func(c *content.Content, s *spec) []File {
		return []File{{Name: s.op.ID + ".esql", Data: esqlQuery(c, s)}}
	},
}

var eqlTarget = target{
	name: "eql",
	what: "Elastic EQL over the same data streams: `<rule>.eql` (every call of the rule's operations) and, where the request " +
		"carries the rule content, `<rule>-internet.eql` and `<rule>-internet-sensitive.eql`, as for Sigma (EQL has no computed " +
		"columns), for AWS rules: EQL searches indexed fields only, and the Azure and GCP request bodies are in flattened fields or in the unindexed `event.original`, so Azure and GCP rules match their operations only. No EQL parser is published " +
		"as a Go module or npm package: the tests check structure and field names, and run the Lucene expressions translated to " +
		"RE2 over the fixtures.",
	clouds: []model.Cloud{model.AWS, model.Azure, model.GCP},
	render: renderEQL,
}

// elasticSource is where a cloud's events are and the text field the
// request is read from.
func elasticSource(cl model.Cloud) (index, dataset, text string) {
	switch cl {
	case model.AWS:
		return "logs-aws.cloudtrail-*", "aws.cloudtrail", "aws.cloudtrail.request_parameters"
	case model.Azure:
		return "logs-azure.activitylogs-*", "azure.activitylogs", "event.original"
	}
	return "logs-gcp.audit-*", "gcp.audit", "event.original"
}

// esqlString quotes an ES|QL string literal.
func esqlString(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// tripleQuoted is an ES|QL or EQL raw string: no escapes are read in it.
func tripleQuoted(s string) string {
	return `"""` + s + `"""`
}

// esqlQuery writes one rule as ES|QL.
func esqlQuery(c *content.Content, s *spec) []byte {
	var b bytes.Buffer
	for _, l := range header(c, s, "", gapText) {
		fmt.Fprintf(&b, "// %s\n", l)
	}
	index, _, text := elasticSource(s.op.Cloud)
	fmt.Fprintf(&b, "FROM %s\n", index)
	var keep string
	switch s.op.Cloud {
	case model.AWS:
		var alts []string
		for _, g := range groupBySource(s.aws) {
			alts = append(alts, fmt.Sprintf("(TO_LOWER(event.provider) == %s AND TO_LOWER(event.action) IN (%s))", esqlString(g.source), quoteList(g.names, esqlString)))
		}
		fmt.Fprintf(&b, "| WHERE %s\n", strings.Join(alts, "\n    OR "))
		keep = "@timestamp, cloud.account.id, cloud.region, event.provider, event.action, event.outcome, aws.cloudtrail.error_code, aws.cloudtrail.user_identity.arn, source.address, user_agent.original"
	case model.Azure:
		fmt.Fprintf(&b, "| WHERE TO_LOWER(azure.activitylogs.operation_name) IN (%s)\n", quoteList(s.names, esqlString))
		keep = "@timestamp, azure.activitylogs.identity.authorization.scope, azure.activitylogs.operation_name, azure.activitylogs.result_type, azure.activitylogs.identity.claims_initiated_by_user.name, source.ip"
	case model.GCP:
		fmt.Fprintf(&b, "| WHERE TO_LOWER(gcp.audit.method_name) RLIKE %s\n", tripleQuoted(luceneWhole(methodRegex(s.names))))
		keep = "@timestamp, cloud.project.id, gcp.audit.method_name, gcp.audit.resource_name, gcp.audit.authentication_info.principal_email, source.ip, gcp.audit.status.code"
	}
	p := patterns(c, s)
	if s.exp == nil {
		b.WriteString("| EVAL world_open = false, sensitive_port = false\n")
	} else {
		fmt.Fprintf(&b, "| EVAL request_text = TO_LOWER(COALESCE(%s, \"\"))\n", text)
		fmt.Fprintf(&b, "| EVAL world_open = request_text RLIKE %s\n", tripleQuoted(lucene(p.world)))
		fmt.Fprintf(&b, "| EVAL sensitive_port = %s\n", orFalse(p, func(re string) string { return "request_text RLIKE " + tripleQuoted(lucene(re)) }, " OR "))
	}
	fmt.Fprintf(&b, "| EVAL severity = CASE(world_open AND sensitive_port, %s, world_open, %s, %s)\n",
		esqlString(s.sensitiveLevel.String()), esqlString(s.worldLevel.String()), esqlString(s.level.String()))
	fmt.Fprintf(&b, "| EVAL cloudwall_rule = %s\n", esqlString(s.op.ID))
	fmt.Fprintf(&b, "| KEEP %s, cloudwall_rule, severity, world_open, sensitive_port\n", keep)
	b.WriteString("| SORT @timestamp DESC\n")
	return b.Bytes()
}

func renderEQL(c *content.Content, s *spec) []File {
	out := []File{{Name: s.op.ID + ".eql", Data: eqlQuery(c, s, "")}}
	// EQL searches indexed fields only: event.original is not indexed,
	// so only CloudTrail's request_parameters keyword can be searched.
	if s.exp != nil && s.op.Cloud == model.AWS {
		out = append(out, File{Name: s.op.ID + variantInternet + ".eql", Data: eqlQuery(c, s, variantInternet)})
		if len(s.exp.ports) > 0 || len(s.exp.protocols) > 0 {
			out = append(out, File{Name: s.op.ID + variantSensitive + ".eql", Data: eqlQuery(c, s, variantSensitive)})
		}
	}
	return out
}

// eqlQuery writes one rule (or its internet variant) as EQL.
func eqlQuery(c *content.Content, s *spec, variant string) []byte {
	var b bytes.Buffer
	for _, l := range header(c, s, variant, gapText) {
		fmt.Fprintf(&b, "// %s\n", l)
	}
	if variant == "" && s.exp != nil && s.op.Cloud != model.AWS {
		b.WriteString("// Not expressed in EQL: the exposure; the request body is in no indexed field (see the esql and sigma targets).\n")
	}
	_, dataset, text := elasticSource(s.op.Cloud)
	fmt.Fprintf(&b, "any where event.dataset == %s\n", esqlString(dataset))
	switch s.op.Cloud {
	case model.AWS:
		var alts []string
		for _, g := range groupBySource(s.aws) {
			alts = append(alts, fmt.Sprintf("(event.provider : %s and event.action : (%s))", esqlString(g.source), quoteList(g.names, esqlString)))
		}
		fmt.Fprintf(&b, "  and (%s)\n", strings.Join(alts, "\n    or "))
	case model.Azure:
		fmt.Fprintf(&b, "  and azure.activitylogs.operation_name : (%s)\n", quoteList(s.names, esqlString))
	case model.GCP:
		fmt.Fprintf(&b, "  and gcp.audit.method_name regex~ %s\n", tripleQuoted(luceneWhole(methodRegex(s.names))))
	}
	if variant == "" {
		return b.Bytes()
	}
	p := patterns(c, s)
	fmt.Fprintf(&b, "  and %s regex~ %s\n", text, tripleQuoted(lucene(p.world)))
	if variant == variantSensitive {
		fmt.Fprintf(&b, "  and (%s)\n", orFalse(p, func(re string) string { return text + " regex~ " + tripleQuoted(lucene(re)) }, " or "))
	}
	return b.Bytes()
}

// lucene rewrites an expression for Lucene's regular expressions (ES|QL
// RLIKE, EQL regex): the whole text must match, so it is wrapped in .*,
// and quotes, which Lucene reserves, are escaped.
func lucene(re string) string {
	return ".*(" + strings.ReplaceAll(re, `"`, `\"`) + ").*"
}

// luceneWhole is lucene for an expression anchored at both ends, which
// Lucene's whole-text match makes implicit.
func luceneWhole(re string) string {
	return strings.ReplaceAll(strings.TrimSuffix(strings.TrimPrefix(re, "^"), "$"), `"`, `\"`)
}
