package audit

import (
	"fmt"
	"slices"

	"cloudwall/internal/model"
	"cloudwall/internal/state"
)

// shadowedBy returns the deny rules of fw, evaluated first, that decide
// all the traffic of every allow the change opens (c.New), as audit of fw
// would find each allow shadowed; nil when one of them decides some
// traffic, when the change opens no allow or also removes a deny, or when
// fw is not a whole firewall (a rule resource on its own). order is
// state.Shadows of fw, computed on first use.
func (c Change) shadowedBy(fw *model.Firewall, order func() map[int]state.Shadow) []*model.Rule {
	if fw == nil || fw.Partial || c.Kind != Added && c.Kind != Widened || slices.ContainsFunc(c.Gone, isDeny) {
		return nil
	}
	var by []*model.Rule
	opens := false
	for _, n := range c.New {
		if !isAllow(n) {
			continue
		}
		opens = true
		id := ruleIdentity(fw, &n)
		i := slices.IndexFunc(fw.Rules, func(r model.Rule) bool { return !r.Disabled && ruleIdentity(fw, &r) == id })
		sh, ok := order()[i]
		if i < 0 || !ok || !sh.Full {
			return nil
		}
		for _, r := range sh.By {
			if !slices.Contains(by, r) {
				by = append(by, r)
			}
		}
	}
	if !opens {
		return nil
	}
	return by
}

// markShadowed says an opening finding's allow never applies: info, no
// exposure, the denies that decide its traffic named.
func markShadowed(f *model.Finding, by []*model.Rule) {
	f.Title += ", but never applies (shadowed by " + plural(by, "deny rule") + " " + names(by) + ")"
	f.Reasons = append(f.Reasons, fmt.Sprintf("%s %s %s evaluated first and %s all of its traffic: the allow opens nothing (was %s); if it was meant to open access, access is still closed",
		plural(by, "deny rule"), refs(by), verb(by, "is", "are"), verb(by, "matches", "match"), f.Severity))
	f.Severity = model.Info
	f.Exposure = nil
}

// lazyShadows computes state.Shadows of fw once, when first asked.
func (a *Auditor) lazyShadows(fw *model.Firewall) func() map[int]state.Shadow {
	var order map[int]state.Shadow
	return func() map[int]state.Shadow {
		if order == nil {
			order = state.Shadows(fw, a.d)
		}
		return order
	}
}
