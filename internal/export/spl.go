package export

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"

	"cloudwall/internal/content"
	"cloudwall/internal/model"
)

var splTarget = target{
	name: "spl",
	what: "Splunk: an SPL search per rule (`<rule>.spl`) over the Splunk Add-on for AWS (`sourcetype=aws:cloudtrail`), " +
		"the Microsoft Cloud Services add-on's Event Hub activity logs (`mscs:azure:eventhub`, and `azure:monitor:activity` of the " +
		"Microsoft Azure add-on) and the Google Cloud add-on's Pub/Sub audit logs (`google:gcp:pubsub:audit:admin_activity` since " +
		"version 4, `google:gcp:pubsub:message` before), and `savedsearches.conf` with a scheduled alert stanza for each. " +
		"No SPL parser is published as a Go module or npm package, so the tests check the searches' structure and run their " +
		"expressions with RE2 over the fixtures; they are not parsed by Splunk itself.",
	clouds: []model.Cloud{model.AWS, model.Azure, model.GCP},
	render: func(c *content.Content, s *spec) []File {
		return []File{{Name: s.op.ID + ".spl", Data: splQuery(c, s)}}
	},
	extra: savedSearches,
}

// splString quotes an SPL string literal: backslashes and quotes escaped.
func splString(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// splSearch is the search itself, without the header.
func splSearch(c *content.Content, s *spec) string {
	var b strings.Builder
	p := patterns(c, s)
	switch s.op.Cloud {
	case model.AWS:
		var alts []string
		for _, g := range groupBySource(s.aws) {
			alts = append(alts, fmt.Sprintf("(eventSource=%s eventName IN (%s))", splString(g.source), quoteList(g.names, splString)))
		}
		fmt.Fprintf(&b, "sourcetype=\"aws:cloudtrail\" (%s)\n", strings.Join(alts, " OR "))
		b.WriteString("| spath output=request_text path=requestParameters\n")
	case model.Azure:
		var q []string
		for _, n := range s.names {
			q = append(q, regexp.QuoteMeta(n))
		}
		b.WriteString("sourcetype IN (\"mscs:azure:eventhub\", \"azure:monitor:activity\")\n")
		fmt.Fprintf(&b, "| where match(lower(_raw), %s)\n", splString(`"operationname"[ ]*:[ ]*("|\{[ ]*"value"[ ]*:[ ]*")(`+strings.Join(q, "|")+`)"`))
		b.WriteString("| eval request_text=_raw\n")
	case model.GCP:
		var q []string
		for _, n := range s.names {
			q = append(q, regexp.QuoteMeta(n))
		}
		b.WriteString("sourcetype IN (\"google:gcp:pubsub:audit:admin_activity\", \"google:gcp:pubsub:message\")\n")
		fmt.Fprintf(&b, "| where match(lower(_raw), %s)\n", splString(`"methodname"[ ]*:[ ]*"([a-z0-9]+\.)?(`+strings.Join(q, "|")+`)"`))
		b.WriteString("| spath output=request_text path=data.protoPayload.request\n")
		b.WriteString("| spath output=request_bare path=protoPayload.request\n")
		b.WriteString("| eval request_text=coalesce(request_text, request_bare)\n")
	}
	b.WriteString("| eval request_text=lower(coalesce(request_text, \"\"))\n")
	if s.exp == nil {
		b.WriteString("| eval world_open=0, sensitive_port=0\n")
	} else {
		fmt.Fprintf(&b, "| eval world_open=if(match(request_text, %s), 1, 0)\n", splString(p.world))
		fmt.Fprintf(&b, "| eval sensitive_port=if(%s, 1, 0)\n", orFalse(p, func(re string) string { return "match(request_text, " + splString(re) + ")" }, " OR "))
	}
	fmt.Fprintf(&b, "| eval severity=case(world_open=1 AND sensitive_port=1, %s, world_open=1, %s, true(), %s)\n",
		splString(s.sensitiveLevel.String()), splString(s.worldLevel.String()), splString(s.level.String()))
	fmt.Fprintf(&b, "| eval cloudwall_rule=%s\n", splString(s.op.ID))
	switch s.op.Cloud {
	case model.AWS:
		b.WriteString("| table _time, recipientAccountId, awsRegion, eventSource, eventName, errorCode, userIdentity.arn, sourceIPAddress, userAgent, cloudwall_rule, severity, world_open, sensitive_port\n")
	case model.Azure:
		b.WriteString("| table _time, sourcetype, cloudwall_rule, severity, world_open, sensitive_port, _raw\n")
	case model.GCP:
		b.WriteString("| table _time, sourcetype, cloudwall_rule, severity, world_open, sensitive_port, _raw\n")
	}
	return b.String()
}

// splQuery writes one rule's search with its header as SPL comments.
func splQuery(c *content.Content, s *spec) []byte {
	var b bytes.Buffer
	for _, l := range header(c, s, "", gapText) {
		fmt.Fprintf(&b, "``` %s ```\n", strings.ReplaceAll(l, "```", "'''"))
	}
	b.WriteString(splSearch(c, s))
	return b.Bytes()
}

// splunkSeverity is alert.severity: 1 debug, 2 info, 3 warn, 4 error,
// 5 severe, 6 fatal.
func splunkSeverity(s model.Severity) int {
	return int(s) + 2
}

// savedSearches writes one scheduled alert stanza per rule.
func savedSearches(c *content.Content, specs []*spec) []File {
	var b bytes.Buffer
	b.WriteString("# cloudwall: one scheduled alert per rule, generated from the operation catalogue by\n")
	b.WriteString("# `cloudwall export --target spl`; the searches are the .spl files beside this one.\n")
	b.WriteString("# alert.severity is the rule's base severity; each result carries its own `severity`.\n")
	for _, s := range specs {
		fmt.Fprintf(&b, "\n[cloudwall - %s]\n", s.op.ID)
		fmt.Fprintf(&b, "description = %s\n", strings.ReplaceAll(s.op.Description, "\n", " "))
		lines := strings.Split(strings.TrimRight(splSearch(c, s), "\n"), "\n")
		b.WriteString("search = ")
		for i, l := range lines {
			b.WriteString(l)
			if i < len(lines)-1 {
				b.WriteString(" \\\n")
			}
		}
		b.WriteString("\n")
		b.WriteString("dispatch.earliest_time = -65m@m\ndispatch.latest_time = -5m@m\n")
		b.WriteString("cron_schedule = 0 * * * *\nenableSched = 1\nis_scheduled = 1\n")
		b.WriteString("counttype = number of events\nrelation = greater than\nquantity = 0\n")
		b.WriteString("alert.track = 1\nalert.digest_mode = 0\n")
		fmt.Fprintf(&b, "alert.severity = %d\n", splunkSeverity(s.level))
	}
	return []File{{Name: "savedsearches.conf", Data: b.Bytes()}}
}
