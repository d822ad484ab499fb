package model

import "time"

// Approval statuses: a finding inside an approved change record, or one
// that touches the record's scope but differs from it.
const (
	Approved        = "approved"
	OutsideApproval = "outside-approval"
)

// ApprovalRef ties a finding to an approved change record (a ticket).
type ApprovalRef struct {
	Ticket string `json:"ticket"`
	// Status is Approved or OutsideApproval.
	Status string `json:"status"`
	// Outside says, for OutsideApproval, each way the change differs from
	// the record ("port 3389 not approved (approved: 443)").
	Outside []string `json:"outside,omitempty"`
	// Source is the file the record came from.
	Source string `json:"source,omitempty"`
}

// SuppressionRef names the suppression that hid a finding.
type SuppressionRef struct {
	ID      string    `json:"id"`
	Owner   string    `json:"owner"`
	Reason  string    `json:"reason"`
	Expires time.Time `json:"expires"`
}

// Related links a finding to another one; Correlation is the rule id of
// the correlation that linked them ("mass-change", "failed-then-succeeded").
type Related struct {
	ID          string `json:"id"`
	Correlation string `json:"correlation"`
}

// TimelineEntry is one operation of the actor's session shown around a
// finding: what else the session did before and after the change.
type TimelineEntry struct {
	Time      time.Time `json:"time"`
	Operation string    `json:"operation"`
	Outcome   Outcome   `json:"outcome,omitempty"`
	// Resource is what the operation acted on, where the log says.
	Resource string `json:"resource,omitempty"`
	// Class groups operations an analyst looks for: "credentials",
	// "compute", "logging", "recon", "firewall".
	Class string `json:"class,omitempty"`
	// FindingID is set when the operation is itself a finding.
	FindingID string `json:"finding_id,omitempty"`
}

// FirstSeen is one thing a finding is the first of in its account: Kind
// is "actor", "network", "network-class", "user-agent", "access-key",
// "region"; Value what was new ("198.51.100.0/24").
type FirstSeen struct {
	Kind  string `json:"kind"`
	Value string `json:"value"`
}
