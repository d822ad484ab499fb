package pipeline

import (
	"fmt"

	"cloudwall/internal/detect"
	"cloudwall/internal/model"
	"cloudwall/internal/state"
)

// knownEgressRestriction raises the re-added default egress rule of an
// AWS security group (all traffic to 0.0.0.0/0, low alone: every new
// group has it) when the replayed state knew the group's rules and they
// held no such rule: the group's egress had been narrowed, and the call
// lifts that restriction, the way data leaves.
func knownEgressRestriction(det *detect.Detector, ev *model.Event, f *model.Finding, ch *state.Change) {
	if det == nil || !ch.Applied || ch.NoOp || !ch.Before.Known || f.Outcome != model.Success || f.Severity >= model.Medium {
		return
	}
	if !det.RestoresDefaultEgress(ev) || len(ch.Opened) == 0 && len(ch.After.Rules) == 0 {
		return
	}
	f.Reasons = append(f.Reasons, fmt.Sprintf("state: the group's rules were known and held no allow-all egress rule (its egress had been restricted): this lifts the restriction: raised from %s to medium", f.Severity))
	f.Severity = model.Medium
}
