package pipeline

import (
	"fmt"
	"maps"
	"strings"

	"cloudwall/internal/detect"
	"cloudwall/internal/model"
	"cloudwall/internal/state"
)

// knownEndpoint judges again a call that turned an EKS or GKE cluster's
// public API endpoint on without sending a list, when the replayed state
// knows the list the endpoint applies from then on (sent by an earlier
// call, even one that turned the endpoint off, or from a baseline): the
// call is the opening, judged by that list as if it were added now. The
// detector alone can only say the endpoint was turned on.
func knownEndpoint(det *detect.Detector, ev *model.Event, f *model.Finding, ch *state.Change) {
	if det == nil || ev == nil || !ch.Applied || ch.NoOp || ev.Outcome == model.Failure || len(ev.Changes) > 0 ||
		ev.Resource.Type != "eks_cluster" && ev.Resource.Type != "gke_cluster" ||
		!model.SettingIs(ev.Settings, model.SettingPublicAccess, "enabled") || !ch.Before.Known {
		return
	}
	known := *ev
	known.Settings = maps.Clone(ev.Settings)
	var rules []model.Rule
	for _, r := range ch.After.Rules {
		if r.Disabled || len(r.Peers) == 0 {
			continue
		}
		rc := r.RuleChange
		rc.Effect = model.Added // in force from this call on
		known.Changes = append(known.Changes, rc)
		rules = append(rules, r)
	}
	if len(rules) == 0 {
		return
	}
	g, ok := det.Evaluate(&known)
	if !ok || g.Severity <= f.Severity {
		return
	}
	g.Title = strings.Replace(g.Title, " opened ", " public API endpoint turned on: opened ", 1)
	g.Reasons = model.CapNotes(append([]string{fmt.Sprintf("state: the list the public endpoint applies from this call on is known (%s, set by an earlier call while the endpoint was off, or kept from before): judged as if added now", rulesWords(rules))}, g.Reasons...))
	*f = fromEarlier(f, g)
}
