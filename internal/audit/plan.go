package audit

import (
	"fmt"
	"slices"
	"strings"

	"cloudwall/internal/model"
	"cloudwall/internal/snapshot"
)

// plan judges what a Terraform plan would change: each rule it adds,
// widens, narrows or removes, judged as the call applying it would be.
func (a *Auditor) plan(p snapshot.Plan) []model.Finding {
	var out []model.Finding
	for _, ch := range p.Changes {
		fw := ch.After
		if fw == nil {
			fw = ch.Before
		}
		if fw == nil {
			continue
		}
		verb := strings.Join(ch.Actions, "+")
		tags := []string{"terraform"}
		if ch.Drift {
			tags = append(tags, "drift")
			verb = "drift"
		}
		changes := Compare(ch.Before, ch.After)
		if ch.Before != nil && ch.After != nil && ch.Before.Partial && ch.After.Partial {
			// A rule resource updated or replaced is one rule, even when
			// its ports changed.
			changes = CompareRule(ch.Before, ch.After)
		}
		order := a.lazyShadows(ch.After)
		for _, c := range changes {
			if len(ch.Unknown) > 0 && len(c.After) > 0 && !slices.ContainsFunc(c.After, func(r model.Rule) bool { return len(r.Peers) > 0 || r.Action == model.Deny }) &&
				!slices.ContainsFunc(c.Before, isDeny) {
				// Its peers are known only after apply: reported below,
				// neither an opening nor (for an allow that had peers) a
				// closing. A deny whose peers become unknown is still
				// judged: what it denied is no longer known to be denied.
				continue
			}
			f, ok := a.planFinding(fw, c, ch, verb, p)
			if !ok {
				continue
			}
			if by := c.shadowedBy(ch.After, order); by != nil && f.Rule == RulePlanOpens {
				markShadowed(&f, by)
			}
			f.Tags = slices.Clone(tags)
			out = append(out, f)
		}
		if len(ch.Computed) > 0 && len(ch.Unknown) == 0 {
			lists := strings.Join(ch.Computed, ", ")
			f := finding(RulePlanUnknown, fw, nil, model.Info, fmt.Sprintf("%s %s: inline rule lists computed at apply (%s)", ch.Address, verb, lists))
			f.Reasons = []string{fmt.Sprintf("Terraform computes %s only at apply, as the provider does whenever the configuration declares no inline rules: "+
				"rules managed as separate resources are judged on their own, but a dynamic block over values known only after apply would be hidden here", lists)}
			planContext(&f, ch, verb, p)
			f.ID = findingID(RulePlanUnknown, p.Source.File, ch.Address, "computed")
			f.Tags = slices.Clone(tags)
			out = append(out, f)
		}
		if len(ch.Unknown) > 0 {
			f := finding(RulePlanUnknown, fw, nil, model.Low, fmt.Sprintf("%s %s: rules known only after apply (%s)", ch.Address, verb, strings.Join(ch.Unknown, ", ")))
			f.Reasons = []string{fmt.Sprintf("Terraform knows %s only after apply: the plan cannot be judged on it, which does not make it safe", strings.Join(ch.Unknown, ", "))}
			f.Reasons = append(f.Reasons, ch.Notes...)
			planContext(&f, ch, verb, p)
			f.ID = findingID(RulePlanUnknown, p.Source.File, ch.Address)
			f.Tags = slices.Clone(tags)
			out = append(out, f)
		}
	}
	return out
}

// planFinding turns one rule difference into a finding: opening (a rule
// added or widened), removing a deny, or closing (info).
func (a *Auditor) planFinding(fw *model.Firewall, c Change, ch snapshot.ResourceChange, verb string, p snapshot.Plan) (model.Finding, bool) {
	j, rc := c.judge(a.d, fw.Resource.Type)
	var id string
	switch {
	case rc.Effect == model.Removed && rc.Action == model.Deny:
		id = RulePlanRemoves
	case rc.Effect != model.Removed && rc.Action != model.Deny && (c.Kind == Added || c.Kind == Widened):
		id = RulePlanOpens
	default:
		id = RulePlanCloses
	}
	sev := j.Severity
	if id == RulePlanCloses {
		sev = model.Info
	}
	r := c.rule()
	f := finding(id, fw, &r, sev, fmt.Sprintf("%s %s: %s%s: %s", ch.Address, verb, label(fw), ruleLabel(&r), c.phrase(j.Change)))
	f.Reasons = append(c.reasons(), j.Reasons...)
	for _, r := range c.After {
		// How values known only after apply, or left to a default, were
		// read: what the judgement rests on.
		for _, n := range r.Notes {
			if !slices.Contains(f.Reasons, n) {
				f.Reasons = append(f.Reasons, n)
			}
		}
	}
	if id == RulePlanOpens && ch.NewGroup && c.Kind == Added && len(c.New) > 0 && !slices.ContainsFunc(c.New, notDefaultEgress) {
		// README: the egress everything a firewall starts with is the
		// normal state, not an opening. Any other egress, or this one
		// added to an existing group, is judged as it is.
		f.Severity = model.Info
		f.Reasons = append(f.Reasons, "a new security group's default egress: AWS creates every group with this allow-all rule, "+
			"which Terraform removes and the configuration declares again; the normal state, not an opening (was "+j.Severity.String()+")")
	}
	if id == RulePlanOpens && (temporary.MatchString(r.Description) || slices.ContainsFunc(r.Tags, temporary.MatchString)) {
		f.Reasons = append(f.Reasons, fmt.Sprintf("described as temporary (%q): plan when it will be removed", r.Description))
	}
	f.Exposure = j.Exposure
	f.Changes = []model.RuleChange{rc}
	planContext(&f, ch, verb, p)
	f.ID = findingID(id, p.Source.File, ch.Address, c.Key)
	return f, true
}

// planContext points a finding at the plan and the resource change.
func planContext(f *model.Finding, ch snapshot.ResourceChange, verb string, p snapshot.Plan) {
	f.Operation = "terraform " + verb
	f.Resource.Address = ch.Address
	f.Event = model.EventRef{File: p.Source.File, Index: p.Source.Index, EventID: ch.Address}
	f.Time = p.AsOf.UTC()
}

// notDefaultEgress reports a rule other than the allow-all egress AWS
// gives a new security group (all protocols and ports to 0.0.0.0/0, or
// ::/0 in a VPC with IPv6).
func notDefaultEgress(r model.Rule) bool {
	return !(r.Direction == model.Egress && r.Action != model.Deny && r.Protocol == "all" &&
		(len(r.Ports) == 0 || r.Ports.All()) && len(r.Peers) == 1 && r.Peers[0].Kind == model.PeerCIDR &&
		(r.Peers[0].Value == "0.0.0.0/0" || r.Peers[0].Value == "::/0"))
}
