package detect

import (
	"fmt"
	"strings"

	"cloudwall/internal/content"
	"cloudwall/internal/model"
)

// defaultRulePriority is the priority of the last rule of a Cloud Armor
// policy and of an App Engine firewall, the one that decides every
// request no other rule matches.
const defaultRulePriority = 2147483647

// admitsEveryone raises an allow rule that matches every source in a
// firewall that guards one whole service (a Cloud Armor policy, the App
// Engine firewall) to high: rules are evaluated in priority order and the
// first match decides, so such a rule lets every request past every rule
// after it, the default rule included. The firewall stops restricting who
// reaches the service, the same as a Cloud Armor policy detached or a
// default action set to allow (high). A Cloud Armor throttle or
// rate_based_ban rule allows every request under a rate limit its writer
// chose, so it counts as an allow. A rule that matches every source
// on a VPC firewall opens only its ports, and is weighed by them. The
// creation of a Cloud Armor policy is not raised: the policy guards
// nothing until a backend service uses it, and its default rule allows
// every source unless the creator says otherwise. Nor is the default rule
// of an App Engine batch update, which replaces the whole rule set and so
// sends the default rule every time, allowing every source in the
// firewall of every new app (as a WAFv2 UpdateWebACL sends its default
// action): the call that changes the default alone is UpdateIngressRule.
func admitsEveryone(op *content.Operation, ev *model.Event, ch model.RuleChange, j *judged) {
	rateLimit := op.Resource == "cloud_armor_policy" && (ch.Action == "throttle" || ch.Action == "rate_based_ban")
	if op.Cloud != model.GCP || op.Kind != content.KindRules || ch.Effect == model.Removed || ch.Action != model.Allow && !rateLimit || !j.world || j.sev >= model.High {
		return
	}
	isDefault := ch.Priority != nil && *ch.Priority == defaultRulePriority
	if isDefault && strings.HasSuffix(ev.OperationKey, ".batchupdateingressrules") {
		return
	}
	var what string
	switch op.Resource {
	case "cloud_armor_policy":
		what = "the backend services that use the policy"
	case "appengine_firewall_rule":
		what = "the app"
	default:
		return
	}
	why := fmt.Sprintf("an allow rule that matches every source lets every request past the rules after it, the default rule included: the firewall no longer restricts who reaches %s, as if it were detached or its default action set to allow: raised from %s to high", what, j.sev)
	if isDefault {
		why = fmt.Sprintf("the default rule (priority %d), which decides every request no other rule matches, now allows every source: only the deny rules before it still restrict who reaches %s, as if the firewall were detached or its default action set to allow: raised from %s to high",
			defaultRulePriority, what, j.sev)
	}
	if rateLimit {
		why = fmt.Sprintf("a %s rule allows every request under its rate limit (its conformAction can only be allow), and the limit is the caller's to choose: ", ch.Action) + why
	}
	j.sev = model.High
	j.reasons = append(j.reasons, why)
}

// newPolicyDefault caps at low the default rule allowing every source in
// the call that creates a Cloud Armor policy: every new policy gets that
// rule unless its creator sets another, and the policy guards nothing
// until a backend service uses it, in a setSecurityPolicy call judged on
// its own. Like the allow-all egress rule of a new security group, it
// restores nothing that was restricted.
func newPolicyDefault(op *content.Operation, ch model.RuleChange, j *judged) {
	if op.Cloud != model.GCP || op.Kind != content.KindCreate || op.Resource != "cloud_armor_policy" ||
		ch.Action != model.Allow || ch.Priority == nil || *ch.Priority != defaultRulePriority || !j.world || j.sev <= model.Low {
		return
	}
	j.reasons = append(j.reasons, fmt.Sprintf("the default rule every new Cloud Armor policy gets unless its creator sets another (allow every source), in a policy that guards nothing until a backend service uses it (setSecurityPolicy): lowered from %s to low", j.sev))
	j.sev = model.Low
}
