package model

import "time"

// FirewallTimeline is one firewall's history as replayed state shows it:
// each call that touched it and each exposure window, for `cloudwall
// timeline`.
type FirewallTimeline struct {
	Cloud    Cloud    `json:"cloud"`
	Account  string   `json:"account,omitempty"`
	Region   string   `json:"region,omitempty"`
	Firewall Resource `json:"firewall"`
	// Severity is the worst of its windows and changes.
	Severity Severity `json:"severity"`
	// Known says the firewall's full rule set was known (from a baseline,
	// or its creation was in the logs); Note says what was not.
	Known bool   `json:"known"`
	Note  string `json:"note,omitempty"`
	// Exposed is how long, in total, the internet could reach it through
	// some rule within the data (open windows counted up to End).
	Exposed time.Duration `json:"exposed_ns"`
	// End is the end of the data of its account (cloud and account): the
	// latest firewall call read there, or flow record with --flows. Its windows
	// still open are measured up to it, not to another account's data.
	End     time.Time `json:"end,omitzero"`
	Windows []Window  `json:"windows"`
	Changes []Change  `json:"changes"`
}

// Change is one call in a firewall's timeline.
type Change struct {
	Time      time.Time `json:"time"`
	Operation string    `json:"operation"`
	Outcome   Outcome   `json:"outcome"`
	Actor     Actor     `json:"actor"`
	SourceIP  string    `json:"source_ip,omitempty"`
	// FindingID, Severity and Title are the scan finding for the call.
	FindingID string   `json:"finding_id"`
	Severity  Severity `json:"severity"`
	Title     string   `json:"title"`
	Before    *RuleSet `json:"before,omitempty"`
	After     *RuleSet `json:"after,omitempty"`
	// Opened and Closed are the ids of the windows the call opened and
	// closed.
	Opened   []string `json:"opened,omitempty"`
	Closed   []string `json:"closed,omitempty"`
	Notes    []string `json:"notes,omitempty"`
	Rollback []string `json:"rollback,omitempty"`
	Event    EventRef `json:"event"`
}
