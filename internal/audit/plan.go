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
		for _, c := range Compare(ch.Before, ch.After) {
			if len(ch.Unknown) > 0 && !slices.ContainsFunc(c.After, func(r model.Rule) bool { return len(r.Peers) > 0 }) && len(c.Before) == 0 {
				continue // its peers are known only after apply: reported below
			}
			f, ok := a.planFinding(fw, c, ch, verb, p)
			if !ok {
				continue
			}
			f.Tags = slices.Clone(tags)
			out = append(out, f)
		}
		if len(ch.Unknown) > 0 {
			f := finding(RulePlanUnknown, fw, nil, model.Low, fmt.Sprintf("%s %s: rules known only after apply (%s)", ch.Address, verb, strings.Join(ch.Unknown, ", ")))
			f.Reasons = []string{fmt.Sprintf("Terraform knows %s only after apply: the plan cannot be judged on it, which does not make it safe", strings.Join(ch.Unknown, ", "))}
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
	f := finding(id, fw, &r, sev, fmt.Sprintf("%s %s: %s%s %s", ch.Address, verb, label(fw), ruleLabel(&r), c.phrase(j.Change)))
	f.Reasons = append(c.reasons(), j.Reasons...)
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
	f.Event = model.EventRef{File: p.Source.File, Index: p.Source.Index, EventID: ch.Address}
	f.Time = p.AsOf.UTC()
}
