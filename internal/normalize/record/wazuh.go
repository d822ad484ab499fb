package record

import (
	"strings"

	"cloudwall/internal/normalize/jv"
)

// Wazuh returns the record that a Wazuh event or alert carries for the
// named integration ("aws" or "gcp"), and whether rec is one.
//
// Wazuh's cloud modules (wodles/aws, wodles/gcloud) send each log record
// to the manager as {"integration":"aws","aws":{...}} or
// {"integration":"gcp","gcp":{...}}: the CloudTrail record (with the
// module's log_info, source and aws_account_id keys added) or the GCP
// LogEntry. That is also the form wazuh-logtest and the ruleset tests read.
// An alert (alerts.json, the wazuh-alerts-* index) holds the same object
// under "data", next to the alert's "rule" and "agent". Its scalar values
// are text there ("last":"true", "priority":"65534"), and the AWS module
// replaces one-element lists by their element; the parsers' accessors
// read both forms, so the inner record is parsed as it is.
func Wazuh(rec any, integration string) (map[string]any, bool) {
	if data, ok := jv.ExactObj(rec, "data"); ok && isAlert(rec) {
		rec = data
	}
	name, _ := jv.Exact(rec, "integration").(string)
	if !strings.EqualFold(strings.TrimSpace(name), integration) {
		return nil, false
	}
	inner, ok := jv.ExactObj(rec, integration)
	return inner, ok && len(inner) > 0
}

// WazuhAlertData returns the "data" object of a Wazuh alert, whatever it
// holds (before the integration key, Wazuh 4.0's GCP alerts held the
// LogEntry itself there).
func WazuhAlertData(rec any) (map[string]any, bool) {
	data, ok := jv.ExactObj(rec, "data")
	return data, ok && isAlert(rec)
}

// isAlert recognises a Wazuh alert by the rule that raised it.
func isAlert(rec any) bool {
	rule, ok := jv.ExactObj(rec, "rule")
	return ok && rule["id"] != nil
}
