package model

import "time"

// Summary counts what one scan read and found. Every record is accounted
// for: Records = Unreadable + Skipped + the records that were parsed.
type Summary struct {
	Files int64 `json:"files"`
	// FilesFailed counts inputs that could not be opened or decompressed
	// at all (a truncated gzip still yields the records before the cut).
	FilesFailed int64 `json:"files_failed"`
	// Bytes is the size of the inputs as read; BytesUncompressed after
	// decompression.
	Bytes             int64 `json:"bytes"`
	BytesUncompressed int64 `json:"bytes_uncompressed"`
	Records           int64 `json:"records"`
	Unreadable        int64 `json:"records_unreadable"`
	// Skipped counts records recognised and deliberately ignored: digest
	// and Insights records, formats that are not audit logs.
	Skipped int64 `json:"records_skipped"`
	// Recognised counts records read as a format cloudwall knows (parsed,
	// or recognised and skipped such as a digest). Zero with records read
	// means every input was of unknown shape: the scan read nothing.
	Recognised     int64 `json:"records_recognised"`
	FirewallEvents int64 `json:"firewall_events"`
	// Firewalls and Rules count what snapshots held (audit, diff): the
	// firewalls read, merged per resource, and their rules.
	Firewalls int64 `json:"firewalls,omitempty"`
	Rules     int64 `json:"rules,omitempty"`
	// Duplicates counts firewall records folded into another record of the
	// same operation (repeats across files, Azure Start/Success, GCP first/last).
	Duplicates int64 `json:"duplicates"`
	// Repeats counts info findings folded into an earlier finding: a
	// write that set again, the same, what the last successful write of
	// the resource in these logs set (that finding says how often).
	Repeats  int64            `json:"repeats"`
	Findings map[string]int64 `json:"findings"` // by severity name
	// Correlations counts the findings the correlations made (mass
	// change, failed then succeeded, ...); they are in Findings too.
	Correlations int64 `json:"correlations,omitempty"`
	// FactsLearned counts first-seen facts the store did not hold before
	// this scan (cloudwall learn reports it).
	FactsLearned int64 `json:"facts_learned,omitempty"`
	// FindingsFiltered counts findings hidden by --min-severity and the
	// other filters.
	FindingsFiltered int64 `json:"findings_filtered"`
	// Undated counts findings shown although --since or --until was given
	// and their time is unknown (the record's time was absent or
	// unreadable): a filter on time cannot place them, so they are kept,
	// never dropped.
	Undated int64 `json:"findings_undated,omitempty"`
	// Suppressed counts findings hidden by an active suppression in the
	// configuration (listed with --show-suppressed).
	Suppressed int64 `json:"findings_suppressed,omitempty"`
	// SuppressedShown says the suppressed findings are in this output
	// too (--show-suppressed), each tagged suppressed.
	SuppressedShown bool `json:"findings_suppressed_shown,omitempty"`
	// Notices are things about the run the reader must know that are not
	// problems with the input: an expired suppression that no longer
	// hides anything, a first scan with no history in the store.
	Notices []string `json:"notices,omitempty"`
	// Spilled counts the findings ranked on disk because there were more
	// than --max-held of them (all are still reported).
	Spilled int64         `json:"findings_spilled,omitempty"`
	Elapsed time.Duration `json:"elapsed_ns"`
	// Flows counts what was read of the flow logs given with --flows.
	Flows *FlowCounts `json:"flows,omitempty"`
	// Interrupted is set when the scan was stopped (Ctrl-C, SIGTERM)
	// before it read every input: the counts and findings are partial.
	Interrupted bool `json:"interrupted,omitempty"`
	// Problems lists unreadable records and inputs, the first few per file.
	Problems []Problem `json:"problems,omitempty"`
}

// Problem is one input or record cloudwall could not read.
type Problem struct {
	File string `json:"file"`
	// Index is the record's position in its file, or -1 for a whole-file
	// problem; Offset the byte offset in the decompressed stream when known.
	Index   int64  `json:"index"`
	Offset  int64  `json:"offset,omitempty"`
	Message string `json:"message"`
}
