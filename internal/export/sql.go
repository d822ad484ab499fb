package export

import (
	"bytes"
	"fmt"
	"strings"

	"cloudwall/internal/content"
	"cloudwall/internal/model"
)

var athenaTarget = target{
	name: "athena",
	what: "Amazon Athena (Trino SQL) over the CloudTrail table that the CloudTrail console or the AWS documentation's " +
		"`CREATE EXTERNAL TABLE` defines (named `cloudtrail_logs` here; `requestparameters` is JSON text). One `<rule>.sql` per AWS rule.",
	clouds: []model.Cloud{model.AWS},
	render: func(c *content.Content, s *spec) []File {
		return []File{{Name: s.op.ID + ".sql", Data: athenaQuery(c, s)}}
	},
}

var bigqueryTarget = target{
	name: "bigquery",
	what: "BigQuery over a Cloud Logging sink dataset: the Admin Activity audit log table `cloudaudit_googleapis_com_activity` " +
		"(`protopayload_auditlog.methodName`, `requestJson`, ...). Replace `PROJECT.DATASET` with the sink's dataset. One `<rule>.sql` per GCP rule.",
	clouds: []model.Cloud{model.GCP},
	render: func(c *content.Content, s *spec) []File {
		return []File{{Name: s.op.ID + ".sql", Data: bigqueryQuery(c, s)}}
	},
}

// sqlString quotes a standard SQL string literal (Trino and BigQuery
// read backslashes in it literally only in Trino; BigQuery gets raw
// strings from bqRaw).
func sqlString(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// bqRaw quotes a BigQuery raw string, in which backslashes are literal;
// text with a quote gets an ordinary string with its escapes instead.
func bqRaw(s string) string {
	if !strings.Contains(s, "'") {
		return "r'" + s + "'"
	}
	return "'" + strings.NewReplacer(`\`, `\\`, "'", `\'`).Replace(s) + "'"
}

// severityCase is the SQL CASE that ranks a row as the engine's severity
// table would.
func severityCase(s *spec, world, sensitive string) string {
	return fmt.Sprintf("CASE WHEN %s AND %s THEN %s WHEN %s THEN %s ELSE %s END", world, sensitive,
		sqlString(s.sensitiveLevel.String()), world, sqlString(s.worldLevel.String()), sqlString(s.level.String()))
}

func sqlHeader(b *bytes.Buffer, c *content.Content, s *spec, noSourceGap string) {
	for _, l := range header(c, s, "", noSourceGap) {
		fmt.Fprintf(b, "-- %s\n", l)
	}
}

// athenaQuery writes one AWS rule as Athena SQL.
func athenaQuery(c *content.Content, s *spec) []byte {
	var b bytes.Buffer
	sqlHeader(&b, c, s, gapText)
	p := patterns(c, s)
	match := func(re string) string { return "regexp_like(lower(requestparameters), " + sqlString(re) + ")" }
	world, sensitive := "false", "false"
	if s.exp != nil {
		world = match(p.world)
		sensitive = orFalse(p, match, " OR ")
	}
	var alts []string
	for _, g := range groupBySource(s.aws) {
		alts = append(alts, fmt.Sprintf("(lower(eventsource) = %s AND lower(eventname) IN (%s))", sqlString(g.source), quoteList(g.names, sqlString)))
	}
	b.WriteString("SELECT eventtime, recipientaccountid, awsregion, eventsource, eventname, errorcode,\n")
	b.WriteString("    useridentity.type AS actor_type, useridentity.arn AS actor_arn, useridentity.accesskeyid AS access_key,\n")
	b.WriteString("    sourceipaddress, useragent, requestparameters,\n")
	fmt.Fprintf(&b, "    %s AS cloudwall_rule, world_open, sensitive_port,\n", sqlString(s.op.ID))
	fmt.Fprintf(&b, "    %s AS severity\n", severityCase(s, "world_open", "sensitive_port"))
	b.WriteString("FROM (\n")
	b.WriteString("    SELECT *,\n")
	fmt.Fprintf(&b, "        %s AS world_open,\n", world)
	fmt.Fprintf(&b, "        %s AS sensitive_port\n", sensitive)
	b.WriteString("    FROM cloudtrail_logs\n")
	fmt.Fprintf(&b, "    WHERE %s\n", strings.Join(alts, "\n        OR "))
	b.WriteString(") AS calls\nORDER BY eventtime DESC\n")
	return b.Bytes()
}

// bigqueryQuery writes one GCP rule as BigQuery SQL.
func bigqueryQuery(c *content.Content, s *spec) []byte {
	var b bytes.Buffer
	sqlHeader(&b, c, s, "")
	p := patterns(c, s)
	match := func(re string) string {
		return "REGEXP_CONTAINS(LOWER(IFNULL(protopayload_auditlog.requestJson, '')), " + bqRaw(re) + ")"
	}
	world, sensitive := "FALSE", "FALSE"
	if s.exp != nil {
		world = match(p.world)
		sensitive = orFalse(p, match, " OR ")
	}
	if s.noSource != nil {
		absent := []string{"JSON_VALUE(protopayload_auditlog.requestJson, '$." + s.present + "') IS NOT NULL"}
		for _, f := range s.noSource {
			absent = append(absent, "JSON_QUERY(protopayload_auditlog.requestJson, '$."+f+"') IS NULL")
		}
		absent = append(absent, "UPPER(IFNULL(JSON_VALUE(protopayload_auditlog.requestJson, '$.direction'), 'INGRESS')) != 'EGRESS'")
		world = "(" + world + "\n            OR (" + strings.Join(absent, " AND ") + "))"
	}
	b.WriteString("SELECT timestamp, project_id, method_name, resource_name, principal_email, caller_ip, status_code,\n")
	fmt.Fprintf(&b, "    %s AS cloudwall_rule, world_open, sensitive_port,\n", sqlString(s.op.ID))
	fmt.Fprintf(&b, "    %s AS severity\n", severityCase(s, "world_open", "sensitive_port"))
	b.WriteString("FROM (\n")
	b.WriteString("    SELECT timestamp,\n")
	b.WriteString("        resource.labels.project_id AS project_id,\n")
	b.WriteString("        protopayload_auditlog.methodName AS method_name,\n")
	b.WriteString("        protopayload_auditlog.resourceName AS resource_name,\n")
	b.WriteString("        protopayload_auditlog.authenticationInfo.principalEmail AS principal_email,\n")
	b.WriteString("        protopayload_auditlog.requestMetadata.callerIp AS caller_ip,\n")
	b.WriteString("        protopayload_auditlog.status.code AS status_code,\n")
	fmt.Fprintf(&b, "        %s AS world_open,\n", world)
	fmt.Fprintf(&b, "        %s AS sensitive_port\n", sensitive)
	b.WriteString("    FROM `PROJECT.DATASET.cloudaudit_googleapis_com_activity`\n")
	fmt.Fprintf(&b, "    WHERE REGEXP_CONTAINS(LOWER(protopayload_auditlog.methodName), %s)\n", bqRaw(methodRegex(s.names)))
	b.WriteString(") AS calls\nORDER BY timestamp DESC\n")
	return b.Bytes()
}
