package audit

import (
	"slices"
	"strings"

	"cloudwall/internal/model"
)

// Rule ids of audit and diff findings.
const (
	RuleWorldOpen     = "audit-world-open"
	RuleBroad         = "audit-broad-rule"
	RuleShadowedAllow = "audit-shadowed-allow"
	RuleShadowedDeny  = "audit-shadowed-deny"
	RuleTemporary     = "audit-temporary-rule"
	RuleStale         = "audit-stale-rule"
	RuleDefaultGroup  = "audit-default-group-rules"
	RulePlanOpens     = "audit-plan-opens"
	RulePlanRemoves   = "audit-plan-removes-deny"
	RulePlanCloses    = "audit-plan-closes"
	RulePlanUnknown   = "audit-plan-unknown"
	RuleDiffAdded     = "diff-rule-added"
	RuleDiffRemoved   = "diff-rule-removed"
	RuleDiffWidened   = "diff-rule-widened"
	RuleDiffNarrowed  = "diff-rule-narrowed"
	RuleDiffNew       = "diff-firewall-added"
	RuleDiffGone      = "diff-firewall-removed"
)

// RuleInfo describes one audit or diff rule, for `cloudwall rules` and
// SARIF tool metadata.
type RuleInfo struct {
	ID          string
	Description string
	// Severity is the usual severity; the finding's own may differ, as
	// the detector judges each rule's exposure.
	Severity model.Severity
}

// Command says which command reports the rule: "audit" or "diff".
func (r RuleInfo) Command() string {
	if strings.HasPrefix(r.ID, "diff-") {
		return "diff"
	}
	return "audit"
}

// Guidance returns what to check and do for an audit or diff rule.
func Guidance(id string) model.Guidance {
	g := guidance[id]
	return model.Guidance{Investigate: slices.Clone(g.Investigate), Respond: slices.Clone(g.Respond)}
}

// Rules lists the audit and diff rules in documentation order.
func Rules() []RuleInfo {
	return []RuleInfo{
		{RuleWorldOpen, "A rule in force admits the internet; severity follows ports (admin and all ports critical), lowered when the snapshot shows the group attached to nothing, only to load balancers on 80/443, or to no public address.", model.Critical},
		{RuleBroad, "A rule in force admits a wide but not world-open set of addresses (a large public range, all Azure services) rated medium or worse.", model.Medium},
		{RuleShadowedAllow, "An allow rule never applies: a deny evaluated before it matches all of its traffic.", model.Info},
		{RuleShadowedDeny, "A deny rule never applies: an allow evaluated before it admits all the traffic it was meant to block.", model.Medium},
		{RuleTemporary, "A rule whose description, name or tags say temporary, test or debug is still in force.", model.Low},
		{RuleStale, "A broad rule has been in force longer than --stale-after (where the snapshot has creation dates).", model.Low},
		{RuleDefaultGroup, "A default security group holds rules beyond its defaults; every interface launched without a group gets them.", model.Medium},
		{RulePlanOpens, "A Terraform plan adds or widens an allow rule; judged as the call that applies it would be. A rule resource updated in place is one rule widened, whatever fields changed; a new security group's default egress (allow all to 0.0.0.0/0 or ::/0, which AWS creates and Terraform removes unless declared) is info, the normal state.", model.High},
		{RulePlanRemoves, "A Terraform plan removes a deny rule or deletes a firewall with deny rules: what it blocked may become reachable.", model.Medium},
		{RulePlanCloses, "A Terraform plan removes an allow rule or adds a deny: access narrows.", model.Info},
		{RulePlanUnknown, "A Terraform plan changes firewall rules whose content is known only after apply: it cannot be judged (low). An inline rule list wholly computed at apply (ingress, egress, security_rule of a group whose rules are separate resources, judged on their own) is info, alike for AWS and Azure.", model.Low},
		{RuleDiffAdded, "A rule present in the second snapshot set and not in the first.", model.High},
		{RuleDiffRemoved, "A rule present in the first snapshot set and not in the second.", model.Info},
		{RuleDiffWidened, "A rule admits more (peers, ports or protocols) in the second snapshot set than in the first.", model.High},
		{RuleDiffNarrowed, "A rule admits less in the second snapshot set than in the first.", model.Info},
		{RuleDiffNew, "A firewall present only in the second snapshot set (its rules are reported as added).", model.Info},
		{RuleDiffGone, "A firewall present only in the first snapshot set (its rules are reported as removed).", model.Info},
	}
}

// guidance is what to check and do for each audit rule.
var guidance = map[string]model.Guidance{
	RuleWorldOpen: {
		Investigate: []string{"Confirm the rule is intended and approved; find who created it in the audit logs (cloudwall scan over the same period).", "Check what listens on the exposed ports on the attached interfaces, and flow logs for connections from outside."},
		Respond:     []string{"Narrow the peers to the addresses that need access, or remove the rule.", "Put administrative access behind a bastion, VPN or identity-aware proxy instead of an open port."},
	},
	RuleBroad: {
		Investigate: []string{"Check why the range is this wide and who owns the addresses."},
		Respond:     []string{"Narrow the range to the addresses that need access."},
	},
	RuleShadowedAllow: {
		Investigate: []string{"Decide whether the allow or the deny expresses the intent."},
		Respond:     []string{"Remove the dead allow, or reorder the rules if the access is needed."},
	},
	RuleShadowedDeny: {
		Investigate: []string{"Check whether the deny was meant to block traffic the earlier allow now admits."},
		Respond:     []string{"Give the deny a lower number (evaluated first) or narrow the allow."},
	},
	RuleTemporary: {
		Investigate: []string{"Find the change that added the rule and whether its purpose has ended."},
		Respond:     []string{"Remove the rule, or record an owner and an expiry date."},
	},
	RuleStale: {
		Investigate: []string{"Check whether the exception is still needed and still approved."},
		Respond:     []string{"Remove or re-approve the rule."},
	},
	RuleDefaultGroup: {
		Investigate: []string{"List interfaces using the default group (aws ec2 describe-network-interfaces --filters Name=group-id,Values=<group>)."},
		Respond:     []string{"Move the rules to a dedicated group and leave the default group without extra rules."},
	},
	RulePlanOpens: {
		Investigate: []string{"Review the change with its author before apply."},
		Respond:     []string{"Narrow the rule in the Terraform code, or record the approval."},
	},
	RulePlanRemoves: {
		Investigate: []string{"Check what the deny blocked and whether something else still blocks it."},
		Respond:     []string{"Keep the deny, or confirm the traffic it blocked is no longer a risk."},
	},
	RulePlanUnknown: {
		Investigate: []string{"Resolve the unknown values (references to resources created in the same plan) and judge the rule after apply: cloudwall audit over a snapshot taken then."},
	},
	RuleDiffAdded: {
		Investigate: []string{"Find the call that added the rule between the two snapshots: cloudwall scan over the audit logs of that period."},
		Respond:     []string{"Remove the rule if it was not approved."},
	},
	RuleDiffWidened: {
		Investigate: []string{"Find the call that widened the rule between the two snapshots: cloudwall scan over the audit logs of that period."},
		Respond:     []string{"Restore the narrower rule if the change was not approved."},
	},
	RuleDiffRemoved: {
		Investigate: []string{"If the removed rule was a deny, check what it blocked."},
	},
}
