package pipeline

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"cloudwall/internal/detect"
	"cloudwall/internal/model"
	"cloudwall/internal/state"
)

// knownToggle judges again a GCP partial update that changed no rule's
// content, when the replayed state knows the rule it touched (from its
// insert, or a baseline):
//
//   - a patch of disabled alone: enabling is judged by what the rule
//     admits once enforced (world-open SSH enabled is critical, however
//     harmless "enabled" sounds); disabling an allow closes, disabling a
//     deny opens what it blocked;
//   - a patch of the priority alone: judged by the exposure windows the
//     new order opened (an allow raised above the deny that blocked the
//     same traffic exposes what the allow admits).
//
// Without that knowledge the detector's hedged judgement stands.
func knownToggle(det *detect.Detector, ev *model.Event, f *model.Finding, ch *state.Change) {
	if det == nil || ev == nil || ev.Cloud != model.GCP || !ch.Applied || ch.NoOp || ev.Outcome == model.Failure {
		return
	}
	if _, ok := ev.Settings[model.SettingDisabled]; ok && len(ev.Changes) == 0 {
		knownDisabled(det, ev, f, ch, model.SettingIs(ev.Settings, model.SettingDisabled, "true"))
		return
	}
	if len(ev.Changes) == 1 && detect.OnlyPriority(ev.Changes[0]) {
		knownOrder(f, ch, *ev.Changes[0].Priority)
	}
}

// knownDisabled judges a patch of disabled alone by the rule state knew.
func knownDisabled(det *detect.Detector, ev *model.Event, f *model.Finding, ch *state.Change, disabled bool) {
	if !ch.Before.Known || len(ch.Before.Rules) == 0 {
		return
	}
	rules := ch.Before.Rules
	if !disabled {
		rules = ch.After.Rules
	}
	known := *ev
	known.Settings = maps.Clone(ev.Settings)
	known.Changes = make([]model.RuleChange, 0, len(rules))
	for _, r := range rules {
		if r.Action == "" {
			return
		}
		rc := r.RuleChange
		rc.Effect = model.Added // enabled: as if it were added now
		if disabled {
			rc.Effect = model.Altered // disabled: what it did stops
		}
		known.Changes = append(known.Changes, rc)
	}
	if !disabled {
		delete(known.Settings, model.SettingDisabled)
	}
	g, ok := det.Evaluate(&known)
	if !ok {
		return
	}
	verb := "disabled"
	if !disabled {
		verb = "enabled"
	}
	why := fmt.Sprintf("state: the rule %s is known (%s): judged by that content, not as a rule whose action is unknown", verb, rulesWords(rules))
	if !disabled {
		why = fmt.Sprintf("state: the rule enabled is known (%s): it is enforced from this call on, so it is judged as if added now", rulesWords(rules))
		g.Title = strings.Replace(g.Title, " opened ", " enabled: opened ", 1)
	}
	g.Reasons = model.CapNotes(append([]string{why}, g.Reasons...))
	*f = fromEarlier(f, g)
}

// fromEarlier returns g, the judgement state's knowledge gives, but never
// below low when that is lower than the call's own judgement f: what
// state knew came from earlier records, which whoever deletes or disables
// a deny can write beside the real logs (an insert claiming it was an
// allow), so such knowledge does not take the call out of sight on its
// own.
func fromEarlier(f *model.Finding, g model.Finding) model.Finding {
	if g.Severity < f.Severity && g.Severity < model.Low {
		g.Reasons = model.CapNotes(append(g.Reasons, fmt.Sprintf("kept at low, not %s: the content comes from earlier records, not from this call's own log", g.Severity)))
		g.Severity = model.Low
	}
	return g
}

// knownOrder judges a priority-only patch by the exposure state says it
// opened: the rule now comes before rules that stopped it, or after rules
// it stopped. A window the call closed and opened again with the same
// exposure (the rule re-keyed by its new priority) is not new.
func knownOrder(f *model.Finding, ch *state.Change, priority int) {
	was := map[string]bool{}
	for _, w := range ch.Closed {
		for _, e := range w.Exposure {
			was[e] = true
		}
	}
	worst := model.Info
	var exp []string
	for _, w := range ch.Opened {
		for _, e := range w.Exposure {
			if !was[e] {
				exp = append(exp, e)
				worst = max(worst, w.Severity)
			}
		}
	}
	if len(exp) == 0 {
		if ch.Before.Known && len(ch.Before.Rules) > 0 {
			f.Reasons = append(f.Reasons, fmt.Sprintf("state: the rule is known (%s) and the new order opens no exposure state can see", rulesWords(ch.Before.Rules)))
		}
		return
	}
	slices.Sort(exp)
	exp = slices.Compact(exp)
	if worst <= f.Severity {
		return
	}
	f.Reasons = model.CapNotes(append([]string{fmt.Sprintf("state: at priority %s the rule is evaluated before rules that decided this traffic until now: this call opened %s: raised from %s to %s",
		strconv.Itoa(priority), strings.Join(exp, ", "), f.Severity, worst)}, f.Reasons...))
	f.Severity = worst
	f.Title += " (opens " + shortList(exp) + ")"
	f.Exposure = exp
}

// shortList names at most three exposures and counts the rest.
func shortList(exp []string) string {
	if len(exp) > 3 {
		return strings.Join(exp[:3], ", ") + fmt.Sprintf(" and %d more", len(exp)-3)
	}
	return strings.Join(exp, ", ")
}
