package audit

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"cloudwall/internal/detect"
	"cloudwall/internal/model"
	"cloudwall/internal/snapshot"
	"cloudwall/internal/state"
)

// ChangeKind says how a rule differs between two snapshots.
type ChangeKind string

// Change kinds. A rule that both gains and loses coverage is Widened: what
// it newly admits is what matters.
const (
	Added    ChangeKind = "added"
	Removed  ChangeKind = "removed"
	Widened  ChangeKind = "widened"
	Narrowed ChangeKind = "narrowed"
)

// Change is one rule (by snapshot.RuleKey) that differs between two
// versions of a firewall.
type Change struct {
	Kind ChangeKind
	Key  string
	// Before and After are the rules of that key in each version.
	Before, After []model.Rule
	// New are the rules of After whose traffic the rules of Before with
	// the same action do not all match; Gone the rules of Before that the
	// rules of After do not cover.
	New, Gone []model.Rule
}

// Compare lists the rules that differ between two versions of one
// firewall; either may be nil (created, deleted). Rules are matched by
// snapshot.RuleKey; a matched rule is widened or narrowed by whether its
// peers, ports and protocols cover the other's.
func Compare(before, after *model.Firewall) []Change {
	group := func(fw *model.Firewall) (map[string][]model.Rule, []string) {
		m := map[string][]model.Rule{}
		var keys []string
		if fw == nil {
			return m, nil
		}
		for _, r := range fw.Rules {
			if r.Disabled {
				continue
			}
			k := snapshot.RuleKey(fw, &r)
			if _, ok := m[k]; !ok {
				keys = append(keys, k)
			}
			m[k] = append(m[k], r)
		}
		return m, keys
	}
	a, ak := group(before)
	b, bk := group(after)
	keys := ak
	for _, k := range bk {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	var out []Change
	for _, k := range keys {
		if c, ok := compare(k, a[k], b[k]); ok {
			out = append(out, c)
		}
	}
	return out
}

// CompareRule compares two versions of one rule resource (a Terraform
// aws_security_group_rule before and after an update, each read as a
// partial firewall): whatever fields changed, even those RuleKey is made
// of (its ports), it is one rule widened or narrowed, not one rule removed
// and another added. The Change is keyed as Compare would key the rule's
// new version, so its finding id stays the one an added rule had.
func CompareRule(before, after *model.Firewall) []Change {
	live := func(fw *model.Firewall) []model.Rule {
		return slices.DeleteFunc(slices.Clone(fw.Rules), func(r model.Rule) bool { return r.Disabled })
	}
	b, a := live(before), live(after)
	var key string
	switch {
	case len(a) > 0:
		key = snapshot.RuleKey(after, &a[0])
	case len(b) > 0:
		key = snapshot.RuleKey(before, &b[0])
	}
	if c, ok := compare(key, b, a); ok {
		return []Change{c}
	}
	return nil
}

// compare classifies the rules of one key in two versions; false when
// they match the same traffic.
func compare(key string, before, after []model.Rule) (Change, bool) {
	c := Change{Key: key, Before: before, After: after}
	c.New = uncovered(c.After, c.Before)
	c.Gone = uncovered(c.Before, c.After)
	switch {
	case len(c.Before) == 0 && len(c.After) == 0:
		return c, false
	case len(c.Before) == 0:
		c.Kind = Added
	case len(c.After) == 0:
		c.Kind = Removed
	case len(c.New) == 0 && len(c.Gone) == 0:
		return c, false
	case slices.ContainsFunc(c.New, isAllow) || slices.ContainsFunc(c.Gone, isDeny):
		c.Kind = Widened
	default:
		c.Kind = Narrowed
	}
	return c, true
}

func isAllow(r model.Rule) bool { return r.Action != model.Deny }
func isDeny(r model.Rule) bool  { return r.Action == model.Deny }

// uncovered lists the rules of xs whose traffic the rules of ys with the
// same action do not match in full, as the state engine matches packets.
// A deny covers a deny only from the same place in evaluation order or an
// earlier one: a deny moved later (a higher priority or rule number) lets
// what it blocked through the rules now decided before it, so the deny it
// was is gone.
func uncovered(xs, ys []model.Rule) []model.Rule {
	var out []model.Rule
	for _, x := range xs {
		var same []model.Rule
		for _, y := range ys {
			if y.Action == x.Action && !(x.Action == model.Deny && x.Priority != nil && y.Priority != nil && *y.Priority > *x.Priority) {
				same = append(same, y)
			}
		}
		if !state.Covers(x, same) {
			out = append(out, x)
		}
	}
	return out
}

// units are the single-rule changes a Change is made of: rules added (New)
// and removed (Gone), each with its effect.
func (c Change) units() []model.RuleChange {
	var out []model.RuleChange
	for _, r := range c.New {
		// What a widened rule newly admits is judged as added: its
		// previous content is known, and listed in the reasons.
		rc := r.RuleChange
		rc.Effect = model.Added
		out = append(out, rc)
	}
	for _, r := range c.Gone {
		rc := r.RuleChange
		rc.Effect = model.Removed
		out = append(out, rc)
	}
	return out
}

// judge weighs every unit and returns the worst, with the rule it was
// judged on.
func (c Change) judge(d *detect.Detector, typ string) (detect.Judgement, model.RuleChange) {
	var best detect.Judgement
	var bestRC model.RuleChange
	for i, u := range c.units() {
		j := d.JudgeRule(typ, u)
		if i == 0 || j.Severity > best.Severity {
			best, bestRC = j, u
		}
	}
	return best, bestRC
}

// rule is the rule a Change is about, for names and ids.
func (c Change) rule() model.Rule {
	switch {
	case len(c.After) > 0:
		return c.After[0]
	case len(c.Before) > 0:
		return c.Before[0]
	}
	return model.Rule{}
}

// phrase says what changed, for titles.
func (c Change) phrase(judged string) string {
	switch c.Kind {
	case Added:
		if !strings.HasPrefix(judged, "opened") {
			return judged // "deny rule added (closing access)"
		}
		return "rule added, " + open(judged)
	case Removed:
		return judged
	case Widened:
		if from, to, ok := c.denyMovedLater(); ok {
			// "deny rule removed (opened … is no longer blocked by it)"
			_, rest, _ := strings.Cut(judged, "deny rule removed ")
			rest = strings.Replace(rest, "is no longer blocked by it", "is blocked by it only after the rules now before it", 1)
			return fmt.Sprintf("deny rule moved later in evaluation, priority %d to %d %s", from, to, rest)
		}
		return "rule widened, " + open(judged)
	}
	return "rule narrowed"
}

// denyMovedLater reports a change that widens only by evaluating a deny
// later (priority from, now to), and no allow added.
func (c Change) denyMovedLater() (from, to int, ok bool) {
	if slices.ContainsFunc(c.New, isAllow) || len(c.Gone) == 0 || c.Gone[0].Action != model.Deny || c.Gone[0].Priority == nil {
		return 0, 0, false
	}
	for _, r := range c.After {
		if r.Action == model.Deny && r.Priority != nil && *r.Priority > *c.Gone[0].Priority {
			return *c.Gone[0].Priority, *r.Priority, true
		}
	}
	return 0, 0, false
}

// reasons lists the rule versions, for the finding.
func (c Change) reasons() []string {
	var out []string
	for _, r := range c.Before {
		out = append(out, "before: "+describe(r))
	}
	for _, r := range c.After {
		out = append(out, "after: "+describe(r))
	}
	return out
}

func describe(r model.Rule) string {
	var peers []string
	for _, p := range r.Peers {
		peers = append(peers, p.String())
	}
	s := fmt.Sprintf("%s %s %s", cmp.Or(r.Direction, model.Ingress), cmp.Or(string(r.Action), "allow"), cmp.Or(r.Protocol, "?"))
	if len(r.Ports) > 0 {
		s += " " + strings.Join(r.Ports.Strings(), ",")
	}
	if r.Priority != nil {
		s += fmt.Sprintf(" priority %d", *r.Priority)
	}
	return s + " from " + strings.Join(peers, ",")
}

// Diff compares two snapshot sets, firewall by firewall (snapshot.Key),
// and returns a finding for every rule added, removed, widened or
// narrowed, judged by the detector as the call making it would be.
func (a *Auditor) Diff(before, after *snapshot.Set) []model.Finding {
	var out []model.Finding
	seen := map[string]bool{}
	for i := range after.Firewalls {
		fa := &after.Firewalls[i]
		k := snapshot.Key(fa)
		seen[k] = true
		fb := before.Firewall(k)
		if fb == nil {
			f := finding(RuleDiffNew, fa, nil, model.Info, label(fa)+": only in the second snapshot set")
			f.Tags = []string{"diff"}
			out = append(out, f)
		}
		out = append(out, a.diffFirewall(fb, fa)...)
	}
	for i := range before.Firewalls {
		fb := &before.Firewalls[i]
		if seen[snapshot.Key(fb)] {
			continue
		}
		f := finding(RuleDiffGone, fb, nil, model.Info, label(fb)+": only in the first snapshot set")
		f.Tags = []string{"diff"}
		out = append(out, f)
		out = append(out, a.diffFirewall(fb, nil)...)
	}
	Rank(out)
	return out
}

func (a *Auditor) diffFirewall(before, after *model.Firewall) []model.Finding {
	fw := after
	if fw == nil {
		fw = before
	}
	var out []model.Finding
	order := a.lazyShadows(after)
	for _, c := range Compare(before, after) {
		j, rc := c.judge(a.d, fw.Resource.Type)
		id := map[ChangeKind]string{Added: RuleDiffAdded, Removed: RuleDiffRemoved, Widened: RuleDiffWidened, Narrowed: RuleDiffNarrowed}[c.Kind]
		sev := j.Severity
		if c.Kind == Narrowed {
			sev = model.Info
		}
		r := c.rule()
		f := finding(id, fw, &r, sev, label(fw)+ruleLabel(&r)+": "+c.phrase(j.Change))
		f.Changes = []model.RuleChange{rc}
		f.Reasons = append(c.reasons(), j.Reasons...)
		f.Exposure = j.Exposure
		if by := c.shadowedBy(after, order); by != nil {
			markShadowed(&f, by)
		}
		f.Tags = []string{"diff"}
		f.ID = findingID(id, snapshot.Key(fw), c.Key)
		if before != nil && after != nil && !after.AsOf.IsZero() {
			f.Time = after.AsOf.UTC()
		}
		out = append(out, f)
	}
	return out
}
