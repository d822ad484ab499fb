package state

import "cloudwall/internal/model"

// seedOriginal gives a GCP VPC rule the state has nothing of (no
// baseline, no earlier record, not deleted) the rules its call logs it
// held before (Event.Original, a firewalls.patch or delete's
// resourceOriginalState), so the undo sets back the logged values and a
// window has the rule's real ports. It fills unknowns only: a record can
// claim any earlier state, so it never replaces what the state holds, and
// the rule's content stays not known as a whole (a field it lacks is
// still asked for, not read as empty). A claimed deny is not taken: it
// would shadow other rules of the network and close their windows.
func (a *applier) seedOriginal() {
	f, ev := a.f, a.ev
	if f.family != gcpVPC || f.known || f.deleted || len(f.rules) > 0 || len(ev.Original) == 0 {
		return
	}
	for _, c := range ev.Original {
		if c.Action != model.Allow {
			return
		}
	}
	for _, c := range ev.Original {
		c.Effect = ""
		r := model.Rule{RuleChange: c, Disabled: ev.OriginalDisabled}
		f.rules = append(f.rules, a.e.split(f, r, nil)...)
	}
	a.e.reindex(f)
	a.note("the rule's content before this call is read from the operation's resourceOriginalState (%s), not from a baseline or earlier records",
		model.RecordPlace(ev.OriginalAt.File, ev.OriginalAt.Index))
}
