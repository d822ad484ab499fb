package model

import "time"

// Window is a span of time during which a firewall admitted traffic from
// the internet (as the detector judges peers) through one rule: "sg-0abc
// tcp/22 open to 0.0.0.0/0 from 10:02:11 to 10:47:40", or, for an egress
// rule (Rule.Direction egress), let its workloads send to the internet. The state engine
// (package state) opens a window when a replayed change makes a world-open
// allow rule effective (added, widened, or no longer shadowed by a deny)
// and closes it when the rule stops being effective (removed, narrowed,
// shadowed, disabled, or the firewall deleted). Windows are built from
// logs alone or on top of a snapshot baseline; other stages (flow-log
// joins, correlations) read them as they are.
type Window struct {
	// ID is stable for the same input: a hash of the firewall, the rule
	// and the start.
	ID      string `json:"id"`
	Cloud   Cloud  `json:"cloud"`
	Account string `json:"account,omitempty"`
	Region  string `json:"region,omitempty"`
	// Network is the GCP VPC network the firewall rule belongs to, where
	// the logs say: flow logs name it, so flows in another network are not
	// its traffic.
	Network  string   `json:"network,omitempty"`
	Firewall Resource `json:"firewall"`
	// Rule is the rule that admitted the traffic: direction, action,
	// protocol, ports, peers (Effect empty). Ports are the ports on which
	// the rule was effective when the window opened (a deny evaluated
	// earlier can shadow part of its range).
	Rule RuleChange `json:"rule"`
	// ExceptTargets, on a GCP rule that applies to every instance, names
	// the targets (tags, service accounts) on which a deny evaluated
	// first blocks all of the rule's traffic: instances with them were
	// not exposed through it.
	ExceptTargets []string `json:"except_targets,omitempty"`
	// Start is when the exposure began. When StartKnown is false the
	// exposure was already in force when the data begins (in the baseline
	// snapshot, or first seen in a log without its creation) and Start is
	// the earliest time it is known to hold.
	Start      time.Time `json:"start"`
	StartKnown bool      `json:"start_known"`
	// StartUnbounded, with StartKnown false, says nothing bounds how long
	// before Start the exposure held: no dated snapshot shows it, so Start
	// is only where the data begins, and traffic before it went through
	// the same rule.
	StartUnbounded bool `json:"start_unbounded,omitempty"`
	// End is when the exposure stopped; nil while it is still open at the
	// end of the data.
	End *time.Time `json:"end"`
	// Short marks a window opened and closed within the short-window
	// threshold (cleanup after use: default 1 h).
	Short bool `json:"short,omitempty"`
	// Opened and Closed say which call started and ended the window; nil
	// when the data does not show it.
	Opened *WindowEdge `json:"opened,omitempty"`
	Closed *WindowEdge `json:"closed,omitempty"`
	// Severity is the detector's judgement of the exposure.
	Severity Severity `json:"severity"`
	// Exposure says who could reach what, in words.
	Exposure []string `json:"exposure,omitempty"`
	// Rollback lists the commands that close the window (printed, never
	// run); a line starting with "#" explains what cannot be built. Only
	// a window still open at the end of the data has them: a closed
	// window has nothing left to close.
	Rollback []string `json:"rollback,omitempty"`
	// Traffic says whether flow logs show the window used (timeline
	// --flows).
	Traffic *Traffic `json:"traffic,omitempty"`
}

// Duration is how long the window was open: up to End, or up to until
// when the window is still open.
func (w *Window) Duration(until time.Time) time.Duration {
	if w.End != nil {
		return w.End.Sub(w.Start)
	}
	return until.Sub(w.Start)
}

// SnapshotEdge is the Operation of a window edge that is not a call but a
// configuration snapshot: a window it closes ended at some time before
// the snapshot, by a change the logs do not hold.
const SnapshotEdge = "snapshot"

// WindowEdge is the call at one end of a window.
type WindowEdge struct {
	Time      time.Time `json:"time"`
	Operation string    `json:"operation,omitempty"`
	Actor     Actor     `json:"actor"`
	SourceIP  string    `json:"source_ip,omitempty"`
	EventID   string    `json:"event_id,omitempty"`
	// FindingID is the id of the scan finding for the same call.
	FindingID string `json:"finding_id,omitempty"`
	// Why says how the call opened or closed the window ("rule added",
	// "firewall deleted", "shadowed by deny rule 50").
	Why string `json:"why,omitempty"`
}

// RuleSet is the rules of one firewall around a change, trimmed to the
// rules the change touched.
type RuleSet struct {
	Rules []Rule `json:"rules"`
	// Known is false when the firewall's full rule set at that time is not
	// known (no baseline, and its creation is not in the logs): Rules then
	// holds only the rules the logs showed.
	Known bool `json:"known"`
	// Note says what is not known ("rules before 2026-03-14T10:02:11Z
	// unknown").
	Note string `json:"note,omitempty"`
	// Omitted counts rules left out of Rules in a finding: one call can
	// touch 60,000 rules (one per peer of a security group), and a finding
	// lists at most MaxRulesShown.
	Omitted int `json:"omitted,omitempty"`
}

// MaxRulesShown bounds the rules a finding's before or after lists.
const MaxRulesShown = 100

// Capped returns s with at most MaxRulesShown rules, the rest counted in
// Omitted. s itself is not changed.
func (s RuleSet) Capped() RuleSet {
	if len(s.Rules) <= MaxRulesShown {
		return s
	}
	s.Omitted += len(s.Rules) - MaxRulesShown
	s.Rules = s.Rules[:MaxRulesShown:MaxRulesShown]
	return s
}
