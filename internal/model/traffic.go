package model

import "time"

// Traffic verdicts: what the flow logs say about one opening.
const (
	// TrafficUsed: accepted inbound flows from outside arrived through the
	// opening while it was open.
	TrafficUsed = "used"
	// TrafficRejected: inbound flows from outside reached the opening's
	// port while it was open, and every one was rejected (a network ACL or
	// another control still blocked them).
	TrafficRejected = "rejected-only"
	// TrafficNotSeen: flow logs cover the firewall's account and the
	// window, and no inbound flow from outside was seen on the port.
	TrafficNotSeen = "not-seen"
	// TrafficNoCoverage: no flow log read covers the firewall and window
	// (for Azure: no NSG flow log of the NSG), or the flows that do cannot
	// be told inbound from outbound, so nothing is known.
	TrafficNoCoverage = "no-coverage"
)

// Evidence levels tying a flow to an opening, strongest first.
const (
	// EvidenceRule: the flow record names the firewall rule that allowed
	// it (Azure NSG flow logs, GCP Firewall Rules Logging).
	EvidenceRule = "rule"
	// EvidenceInterface: the flow was logged on a network interface or VM
	// known to sit behind the firewall.
	EvidenceInterface = "interface"
	// EvidenceNetwork: only the account or network, port and time match;
	// another firewall may have let the flow in.
	EvidenceNetwork = "network"
)

// Traffic is what flow logs say about one exposure: was the opening used?
type Traffic struct {
	Verdict string `json:"verdict"`
	// Evidence is the strongest level that tied a flow to the opening.
	Evidence string `json:"evidence,omitempty"`
	// Window is the interval the flows were matched against.
	WindowStart time.Time `json:"window_start"`
	// StartUnknown says WindowStart is not when the exposure began but
	// the earliest time it is known to hold; with Unbounded, flows before
	// it were matched too (it held for an unknown time before the data).
	StartUnknown bool       `json:"start_unknown,omitempty"`
	Unbounded    bool       `json:"window_start_unbounded,omitempty"`
	WindowEnd    *time.Time `json:"window_end,omitempty"` // nil: still open at the end of the logs
	// FirstInbound and LastInbound bound the accepted inbound flows.
	FirstInbound *time.Time `json:"first_inbound,omitempty"`
	LastInbound  *time.Time `json:"last_inbound,omitempty"`
	// FirstArrivalAfter is how long after the opening the first accepted
	// inbound flow arrived; Waiting marks an arrival within minutes (a
	// sign the opener was waiting to use it).
	FirstArrivalAfter string `json:"first_arrival_after,omitempty"`
	Waiting           bool   `json:"waiting,omitempty"`
	InboundFlows      int64  `json:"inbound_flows"`
	InboundPackets    int64  `json:"inbound_packets"`
	InboundBytes      int64  `json:"inbound_bytes"`
	// Sources are the busiest outside sources, most bytes first;
	// DistinctSources counts all of them.
	Sources         []FlowPeer `json:"sources,omitempty"`
	DistinctSources int64      `json:"distinct_sources"`
	// Rejected counts inbound flows from outside on the port that were
	// rejected during the window.
	Rejected int64 `json:"rejected,omitempty"`
	// RejectedBy names the rules the flow records say denied them (Azure
	// flow logs, GCP Firewall Rules Logging), most often first.
	RejectedBy []string `json:"rejected_by,omitempty"`
	// DirectionFromPorts counts accepted inbound flows whose record does
	// not say the direction and whose two addresses are both public (IPv6
	// in a default-format AWS flow log): they were read as inbound because
	// they went to the opened port from another port.
	DirectionFromPorts int64 `json:"direction_from_ports,omitempty"`
	// Undirected counts accepted flows of that kind in the window that the
	// opening's ports could not orient (an opening of every port): with
	// no inbound flow told apart, the verdict is no-coverage.
	Undirected int64 `json:"undirected,omitempty"`
	// RuleNameOnly counts accepted inbound flows tied by rule name alone:
	// Azure VNet flow logs name the rule and an ACL id (aclID), not the
	// NSG, and no snapshot tied that id to this NSG, so a rule of the same
	// name in another NSG may have let them in. RuleACLs are the aclIDs
	// those flows name; more than one means more than one NSG has such a
	// rule, and the evidence is then network, not rule.
	RuleNameOnly int64    `json:"rule_name_only,omitempty"`
	RuleACLs     []string `json:"rule_acls,omitempty"`
	// UnknownVerdict counts inbound flows from outside on the port in the
	// window whose records say neither accept nor reject (an AWS custom
	// flow-log format without the action field): a packet was seen, not
	// let in, so they are not use and the verdict cannot be not-seen.
	UnknownVerdict int64 `json:"unknown_verdict,omitempty"`
	// Before counts accepted inbound flows on the port from outside in the
	// day before the opening: traffic the opening did not cause.
	Before int64 `json:"before,omitempty"`
	// Trusted counts accepted inbound flows from trusted networks, which
	// are not counted as use from outside.
	Trusted int64 `json:"trusted,omitempty"`
	// Outbound flows to outside from the same interfaces after the first
	// inbound arrival (possible exfiltration or command and control).
	OutboundFlows        int64      `json:"outbound_flows,omitempty"`
	OutboundBytes        int64      `json:"outbound_bytes,omitempty"`
	OutboundDestinations []FlowPeer `json:"outbound_destinations,omitempty"`
	// Summary says the verdict in words.
	Summary string `json:"summary"`
}

// FlowPeer is one remote address with what it exchanged.
type FlowPeer struct {
	Address string `json:"address"`
	Flows   int64  `json:"flows"`
	Packets int64  `json:"packets"`
	Bytes   int64  `json:"bytes"`
	// First is the first flow from (or to) this address.
	First time.Time `json:"first"`
}

// FlowCounts is what reading flow logs saw, for the summary.
type FlowCounts struct {
	Files   int64 `json:"files"`
	Records int64 `json:"records"`
	Flows   int64 `json:"flows"`
	// Unreadable records are reported in the summary's problems.
	Unreadable int64 `json:"unreadable"`
	// Skipped records carry no flow: headers, NODATA and SKIPDATA records,
	// entries of other logs.
	Skipped int64 `json:"skipped"`
	// Openings is how many exposures the flows were joined to; Used how
	// many of them flows show used.
	Openings int64 `json:"openings"`
	Used     int64 `json:"used"`
}
