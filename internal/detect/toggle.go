package detect

import (
	"fmt"
	"strconv"
	"strings"

	"cloudwall/internal/content"
	"cloudwall/internal/model"
)

// GCP firewall rules can be disabled: "if set to true, rules are not
// enforced and the network behaves as if it did not exist" (Compute API,
// Firewall.disabled and FirewallPolicyRule.disabled). A call that sends a
// rule together with disabled=true therefore admits nothing through it,
// and a partial update (patch) that sends only a priority changes which
// rules a rule outranks, not what it admits. These judgements say so; the
// replay judges them again when state knows the rule.

// disabledCall says the call sent one rule with disabled=true: the rule
// it writes is not enforced. Only calls that write one rule (a VPC
// firewall rule, whose changes are its protocol entries; a policy's
// addRule or patchRule) say so of their changes: a whole policy written
// with several rules carries one disabled flag for all of them.
func disabledCall(op *content.Operation, ev *model.Event) bool {
	key := ev.OperationKey
	oneRule := strings.HasPrefix(key, "compute.firewalls.") || strings.HasSuffix(key, ".addrule") || strings.HasSuffix(key, ".patchrule")
	return oneRule && op.Kind == content.KindRules && len(ev.Changes) > 0 &&
		model.SettingIs(ev.Settings, model.SettingDisabled, "true")
}

// disabled judges one rule a call wrote disabled. A rule it created
// (insert, addRule) enforces nothing until enabled: at most low, however
// wide it is. A rule it rewrote or patched (update, patch, patchRule) is
// now not enforced, so what it did before stops: an allow closes, a deny
// opens what it blocked (weighed like a removed deny), a rule whose
// action the call does not give is the hedged "if it was a deny".
func (d *Detector) disabled(op *content.Operation, ch model.RuleChange) judged {
	w := d.c.Severity
	label := ruleLabel(op, ch)
	if ch.Effect == model.Added {
		j := d.change(op, ch)
		if j.closing {
			return judged{sev: j.sev, change: label + "created disabled (closing once enabled)", closing: true,
				reasons: []string{fmt.Sprintf("disabled=true: the rule (%s) is not enforced until it is enabled; enabled, it narrows access (%s)", describe(ch), j.sev)}}
		}
		sev := min(j.sev, model.Low)
		return judged{sev: sev, change: label + "created disabled (enforces nothing until enabled)",
			reasons: []string{fmt.Sprintf("disabled=true: the rule (%s) is not enforced until it is enabled, and enabling it is a call of its own; enabled, it would be %s (%s): %s",
				describe(ch), j.sev, j.change, sev)}}
	}
	rc := ch
	rc.Effect = model.Removed
	if rc.Action == "" && op.AllowOnly {
		rc.Action = model.Allow
	}
	j := d.change(op, rc)
	switch rc.Action {
	case model.Allow, model.GotoNext:
		j.change = label + "disabled (closing access)"
		j.reasons = []string{fmt.Sprintf("disabled=true on an allow rule (%s): it no longer admits anything; access narrows (%s)", describe(ch), j.sev)}
	case model.Deny:
		what := strings.TrimPrefix(j.change, "deny rule removed (")
		what = strings.TrimPrefix(strings.TrimPrefix(what, "opened "), "to ")
		j.change = label + "disabled (a deny: " + what
		j.reasons[0] = strings.Replace(j.reasons[0], "deny rule removed", "deny rule disabled", 1)
	default:
		j = judged{sev: w.RemovedUnknown, change: label + "disabled (if it was a deny, what it blocked is now allowed)",
			reasons: []string{fmt.Sprintf("disabled=true (%s) and the call does not say whether the rule allows or denies: if it was an enabled deny, what it blocked may now be reachable (%s)", describe(ch), w.RemovedUnknown)}}
	}
	return j
}

// endpointOffCall says the call turns a cluster's public API endpoint
// off (EKS endpointPublicAccess=false, GKE private endpoint only) and
// sends its allowlist too: the list admits no one while the endpoint is
// off (EKS keeps it, and applies it when the endpoint is turned on).
func endpointOffCall(ev *model.Event) bool {
	return (ev.Resource.Type == "eks_cluster" || ev.Resource.Type == "gke_cluster") && len(ev.Changes) > 0 &&
		model.SettingIs(ev.Settings, model.SettingPublicAccess, "disabled")
}

// parked judges a list sent with the endpoint turned off, as a rule
// created disabled is: at most low, whatever it admits, since turning
// the endpoint on is a call of its own (the replay then judges that call
// with the list).
func (d *Detector) parked(op *content.Operation, ch model.RuleChange) judged {
	j := d.change(op, ch)
	sev := min(j.sev, model.Low)
	if ch.Effect == model.Added {
		// A cluster created private: the list is the one its response
		// shows, most often EKS's default, not one the caller chose.
		sev = model.Info
	}
	return judged{sev: sev, change: "allowlist set with the public endpoint turned off (admits no one until it is turned on)", closing: j.closing,
		reasons: []string{fmt.Sprintf("public_network_access=\"disabled\" in the same call: the list (%s) guards no endpoint until a later call turns it on; then it would be %s (%s): %s",
			describe(ch), j.sev, j.change, sev)}}
}

// ruleLabel names the rule in a policy's title ("rule 10 "), where the
// title names the policy; a VPC firewall rule's title names the rule.
func ruleLabel(op *content.Operation, ch model.RuleChange) string {
	if ch.Priority == nil || !strings.Contains(op.Resource, "policy") {
		return ""
	}
	return "rule " + strconv.Itoa(*ch.Priority) + " "
}

// priorityOnly says a GCP partial update sent a rule's priority and nothing
// else that decides what it matches or does.
func priorityOnly(ev *model.Event, ch model.RuleChange) bool {
	return ev.Cloud == model.GCP && OnlyPriority(ch)
}

// OnlyPriority says a change altered a rule's priority and sent nothing
// that decides what it matches or does.
func OnlyPriority(ch model.RuleChange) bool {
	return ch.Effect == model.Altered && ch.Priority != nil && ch.Action == "" && ch.Protocol == "" &&
		len(ch.Ports) == 0 && len(ch.Peers) == 0 && len(ch.Targets) == 0
}

// reordered judges a patch that sent only a priority: what the rule
// admits or blocks is unchanged, which rules it outranks may not be.
func (d *Detector) reordered(op *content.Operation, ch model.RuleChange) judged {
	p := strconv.Itoa(*ch.Priority)
	change := "priority set to " + p
	if ruleLabel(op, ch) != "" {
		// A policy rule is named by its priority: the patch may as well
		// have sent it only to say which rule it changed.
		change = "rule " + p + " patched (only its priority sent)"
	}
	return judged{sev: model.Low, change: change,
		reasons: []string{fmt.Sprintf("the call sent only the priority %s: what the rule allows or denies is unchanged, which rules it is evaluated before may not be (an allow raised above a deny, or a deny lowered below an allow, changes what gets through); the rule's content is not in this call: low", p)}}
}

// gotoNext judges an added goto_next policy rule: it admits nothing by
// itself, matching traffic goes on to the next level (the VPC's firewall
// rules, network policies), but it does skip this policy's later rules.
func (d *Detector) gotoNext(ch model.RuleChange) judged {
	return judged{sev: model.Low, change: "goto_next rule " + string(ch.Effect) + " (hands matching traffic to the next level; admits nothing by itself)",
		reasons: []string{fmt.Sprintf("goto_next (%s): matching traffic is not allowed here but evaluated at the next level (VPC firewall rules, network firewall policies); a deny after it in this policy no longer applies to that traffic: low", describe(ch))}}
}
