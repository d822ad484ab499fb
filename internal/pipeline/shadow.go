package pipeline

import (
	"fmt"
	"strings"

	"cloudwall/internal/model"
	"cloudwall/internal/state"
)

// knownShadow judges by its effect a call whose added allow rules are all
// decided by deny rules evaluated before them, which the replayed state
// knows (from the baseline or an earlier call in the scan): an NSG allow
// at priority 200 under a deny at 100, a GCP allow under a deny of higher
// priority. It opens nothing while those denies stand, so it is not rated
// as the opening it would be; but one more call (the deny removed or
// disabled) makes it effective, so it stays at least medium. The title
// and a tag say it is shadowed.
func knownShadow(f *model.Finding, ch *state.Change) {
	if len(ch.ShadowedBy) == 0 || f.Outcome != model.Success || f.Severity <= model.Medium {
		return
	}
	var names []string
	for _, r := range ch.ShadowedBy {
		names = append(names, denyName(r))
	}
	by := shortList(names)
	f.Reasons = append(f.Reasons, fmt.Sprintf("shadowed: %s, evaluated first, decides all the traffic the allow admits; it opens nothing while that rule stands, but removing or disabling the deny would open it: lowered from %s to medium",
		by, f.Severity))
	f.Severity = model.Medium
	f.Title += " (shadowed by " + shortList(titleNames(ch.ShadowedBy)) + ")"
	if !containsTag(f.Tags, "shadowed") {
		f.Tags = append(f.Tags, "shadowed")
	}
}

// denyName names a deny rule in a reason: "deny rule deny-ssh (priority
// 100: deny inbound tcp/22 from *)".
func denyName(r model.Rule) string {
	s := "deny rule"
	if r.Name != "" {
		s += " " + r.Name
	}
	var in []string
	if r.Priority != nil {
		in = append(in, fmt.Sprintf("priority %d", *r.Priority))
	}
	in = append(in, ruleWords(r.RuleChange, false))
	return s + " (" + strings.Join(in, ": ") + ")"
}

func containsTag(tags []string, t string) bool {
	for _, x := range tags {
		if x == t {
			return true
		}
	}
	return false
}

// titleNames names deny rules briefly for a title: "deny rule deny-ssh".
func titleNames(rs []model.Rule) []string {
	var out []string
	for _, r := range rs {
		switch {
		case r.Name != "":
			out = append(out, "deny rule "+r.Name)
		case r.Priority != nil:
			out = append(out, fmt.Sprintf("deny rule %d", *r.Priority))
		default:
			out = append(out, "a deny rule")
		}
	}
	return out
}

// knownUnshadowed raises a call that removed rules (a deny deleted or
// disabled) when the replayed state shows it opened an exposure window:
// an allow the removed deny shadowed now decides its traffic. Without it,
// lowering the shadowed allow (knownShadow) would leave the call that
// really exposed at the removed deny's reduced weight. Calls that add
// rules are weighed by their own content, and with a baseline enrich
// weighs every call by its windows.
func knownUnshadowed(ev *model.Event, f *model.Finding, ch *state.Change, baseline bool) {
	if baseline || f.Outcome != model.Success || len(ch.Opened) == 0 || len(ev.Changes) == 0 {
		return
	}
	for _, c := range ev.Changes {
		if c.Effect != model.Removed {
			return
		}
	}
	worst := model.Info
	for _, w := range ch.Opened {
		worst = max(worst, w.Severity)
	}
	if worst <= f.Severity {
		return
	}
	f.Reasons = append(f.Reasons, fmt.Sprintf("state: with the rule removed, the allow rules it shadowed decide their traffic (%s now reachable): raised from %s to %s",
		joinExposure(ch.Opened), f.Severity, worst))
	f.Severity = worst
}
