package pipeline

import (
	"fmt"
	"strings"
	"time"

	"cloudwall/internal/detect"
	"cloudwall/internal/model"
	"cloudwall/internal/state"
)

// knownRemoval judges again a call that removed rules whose content its
// log does not give (a GCP firewalls.delete, an Azure NSG rule delete: the
// name only) when the replayed state knew them, from a baseline or from
// the call that added them: the detector then weighs what was removed (an
// allow closes access, a deny may open what it blocked) instead of a rule
// of unknown action.
//
// A call that deleted a whole firewall (no rule in its log, none left
// after it) keeps its judgement; a reason says what state knew it held.
func knownRemoval(det *detect.Detector, ev *model.Event, f *model.Finding, ch *state.Change) {
	if det == nil || ev == nil || !ch.Applied || len(ch.Before.Rules) == 0 {
		return
	}
	if len(ev.Changes) == 0 {
		if len(ch.After.Rules) == 0 && ch.Before.Known {
			why := "state: it held " + rulesWords(ch.Before.Rules)
			if added := openedBy(ch.Closed); added != "" {
				why += "; the exposure it closed was opened at " + added
			}
			f.Reasons = model.CapNotes(append(f.Reasons, why))
		}
		return
	}
	// A GCP patch logs only the fields it sent: a rule the state built
	// from one is whole only when the firewall is known (created or
	// written whole in the logs, or in the baseline). Other clouds' rule
	// writes carry the whole rule.
	if ev.Cloud == model.GCP && !ch.Before.Known {
		return
	}
	for _, c := range ev.Changes {
		if c.Effect != model.Removed || c.Action != "" {
			return
		}
	}
	for _, r := range ch.Before.Rules {
		if r.Action == "" {
			return
		}
	}
	known := *ev
	known.Changes = make([]model.RuleChange, 0, len(ch.Before.Rules))
	for _, r := range ch.Before.Rules {
		rc := r.RuleChange
		rc.Effect = model.Removed
		known.Changes = append(known.Changes, rc)
	}
	g, ok := det.Evaluate(&known)
	if !ok {
		return
	}
	why := "state: what the call removed is known (" + rulesWords(ch.Before.Rules) + ")"
	if added := openedBy(ch.Closed); added != "" {
		why += ", added at " + added
	}
	why += ": judged by that content, not as a rule whose action is unknown"
	g.Reasons = model.CapNotes(append([]string{why}, g.Reasons...))
	*f = fromEarlier(f, g)
}

// maxRulesWords bounds the rules a reason names.
const maxRulesWords = 5

// rulesWords names the rules, at most maxRulesWords, the rest counted.
func rulesWords(rs []model.Rule) string {
	var parts []string
	for i, r := range rs {
		if i == maxRulesWords {
			parts = append(parts, fmt.Sprintf("and %d more", len(rs)-maxRulesWords))
			break
		}
		parts = append(parts, ruleWords(r.RuleChange, r.Disabled))
	}
	return strings.Join(parts, "; ")
}

// ruleWords describes a removed rule: "allow ingress tcp/80 from 0.0.0.0/0".
func ruleWords(r model.RuleChange, disabled bool) string {
	s := string(r.Action) + " " + string(r.Direction) + " " + cmpOr(r.Protocol, "all")
	if len(r.Ports) > 0 && !r.Ports.All() {
		s += "/" + strings.Join(r.Ports.Strings(), ",")
	}
	var peers []string
	for _, p := range r.Peers {
		peers = append(peers, p.String())
	}
	if len(peers) > 0 {
		dir := " from "
		if r.Direction == model.Egress {
			dir = " to "
		}
		s += dir + strings.Join(peers, ", ")
	}
	if disabled {
		s += " (disabled)"
	}
	return s
}

// openedBy says when and by whom the earliest of the windows the call
// closed was opened, when the data shows it.
func openedBy(closed []*model.Window) string {
	var first *model.WindowEdge
	for _, w := range closed {
		if w.Opened != nil && (first == nil || w.Opened.Time.Before(first.Time)) {
			first = w.Opened
		}
	}
	if first == nil {
		return ""
	}
	s := first.Time.UTC().Format(time.RFC3339)
	if who := first.Actor.Name; who != "" {
		s += fmt.Sprintf(" by %s", who)
	} else if first.Actor.ID != "" {
		s += " by " + first.Actor.ID
	}
	return s
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
