package gcp

import (
	"cloudwall/internal/model"
	"cloudwall/internal/normalize/jv"
)

// Readers of single rules for configuration snapshots (package snapshot),
// sharing the audit-log parser's code so a rule reads the same from a log,
// a REST GET, `gcloud ... --format=json` or a Cloud Asset Inventory export.

// FirewallRule reads one VPC firewall rule (compute#firewall, REST or
// gcloud JSON; allowed/denied or the audit log's alloweds/denieds): one
// added change per protocol entry, whether the rule is disabled, and the
// caveats found. A rule with no source gets GCP's default 0.0.0.0/0.
func FirewallRule(fw map[string]any) (changes []model.RuleChange, disabled bool, notes []string) {
	r := &reader{ev: &model.Event{Resource: model.Resource{Name: jv.Str(fw, "name")}}, req: fw}
	r.vpcFirewall("insert")
	return r.ev.Changes, model.SettingIs(r.ev.Settings, model.SettingDisabled, "true"), r.ev.Notes
}

// PolicyRule reads one rule of a hierarchical or network firewall policy:
// one change per layer4Config, whether it is disabled, and the caveats.
func PolicyRule(rule map[string]any) (changes []model.RuleChange, disabled bool, notes []string) {
	r := &reader{ev: &model.Event{}, req: rule}
	r.policyRule(rule, model.Added)
	return r.ev.Changes, model.SettingIs(r.ev.Settings, model.SettingDisabled, "true"), r.ev.Notes
}
