package pipeline

import (
	"slices"

	"cloudwall/internal/detect"
	"cloudwall/internal/model"
	"cloudwall/internal/state"
)

// An AKS managedClusters/write is a PUT of the whole cluster: one whose
// body carries no authorized IP ranges leaves the cluster without any,
// so its API server admits every address. The detector passes such a
// write over (most are scales and upgrades, and it cannot know whether
// the cluster had ranges); state can. The pipeline judges the write as
// the allowlist turned off, and keeps that finding only when state
// shows ranges were removed.

// rangesFinding is the finding of a PUT that may have dropped a
// cluster's ranges, to keep only when rangesRemoved says state saw it.
func rangesFinding(det *detect.Detector, ev *model.Event) (model.Finding, bool) {
	if det == nil || !state.DropsRanges(ev) {
		return model.Finding{}, false
	}
	off := *ev
	off.Settings = map[string]string{model.SettingEnabled: "false"}
	off.Notes = append(slices.Clip(ev.Notes), "the write's body carries no apiServerAccessProfile.authorizedIPRanges: a PUT replaces the whole cluster, so it has none after it")
	return det.Evaluate(&off)
}

// rangesRemoved says state applied the write and it removed the ranges
// the cluster was known to have; then it adds what they were to f.
func rangesRemoved(f *model.Finding, ch *state.Change) bool {
	if !ch.Applied || len(ch.Before.Rules) == 0 {
		return false
	}
	f.Reasons = model.CapNotes(append(f.Reasons, "state: the ranges it removed were known ("+rulesWords(ch.Before.Rules)+")"))
	return true
}

// keepRemovedRanges drops the candidate writes (quiet) whose replay
// removed no known ranges, and says how many it kept.
func keepRemovedRanges(evs []evaluated) ([]evaluated, int64) {
	var kept int64
	out := evs[:0]
	for i := range evs {
		if evs[i].quiet {
			if !rangesRemoved(&evs[i].f, &evs[i].ch) {
				continue
			}
			kept++
		}
		out = append(out, evs[i])
	}
	return out, kept
}
