package traffic

import (
	"cmp"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"

	"cloudwall/internal/model"
)

func result(o *Opening, u *usage, cov coverage, opts Options) model.Traffic {
	t := model.Traffic{
		WindowStart:    o.Start,
		StartUnknown:   o.StartUnknown,
		Unbounded:      o.Unbounded,
		InboundFlows:   u.flows,
		InboundPackets: u.packets,
		InboundBytes:   u.byts,
		Rejected:       u.rejected,
		Before:         u.before,
		Trusted:        u.trusted,
		OutboundFlows:  u.outFlows,
		OutboundBytes:  u.outBytes,
		RejectedBy:     rejectedBy(u.rejRules),
		Undirected:     u.undirected,
		UnknownVerdict: u.unknown,
		RuleNameOnly:   u.nameFlows,
	}
	if u.nameFlows > 0 {
		t.RuleACLs = slices.Clone(u.nameACLs)
		slices.Sort(t.RuleACLs)
	}
	if !o.End.IsZero() {
		end := o.End
		t.WindowEnd = &end
	}
	t.DistinctSources = int64(len(u.sources))
	if u.untracked > 0 {
		t.DistinctSources++ // at least one more address, not tracked
	}
	t.Sources = topPeers(u.sources, opts.TopN)
	t.OutboundDestinations = topPeers(u.dests, opts.TopN)
	covered, missing := cov.coversOpening(o)
	switch {
	case u.flows > 0:
		t.Verdict = model.TrafficUsed
		t.Evidence = evidenceNames[u.evidence]
		if u.evidence == evRule && u.nameFlows == u.flows && len(u.nameACLs) > 1 {
			t.Evidence = model.EvidenceNetwork // the rule name is more than one NSG's
		}
		t.DirectionFromPorts = u.byPorts
		first, last := u.first, u.last
		t.FirstInbound, t.LastInbound = &first, &last
		if !o.StartUnknown {
			// How soon after the opening: only when the opening is seen.
			from := o.Start
			if !o.Opened.IsZero() {
				from = o.Opened
			}
			after := max(first.Sub(from), 0)
			t.FirstArrivalAfter = after.Round(time.Second).String()
			t.Waiting = after <= opts.Waiting
		}
	case u.rejected > 0:
		t.Verdict = model.TrafficRejected
		t.Evidence = evidenceNames[u.rejEvidence]
	case u.undirected == 0 && u.unknown == 0 && covered:
		t.Verdict = model.TrafficNotSeen
	default:
		t.Verdict = model.TrafficNoCoverage
	}
	t.Summary = summary(&t)
	if t.Verdict == model.TrafficRejected && !covered {
		t.Summary += "; but no flow log read covers this firewall itself (for an Azure NSG: no NSG flow log of it), so accepted flows through it may be unlogged"
	}
	if len(missing) > 0 && (t.Verdict == model.TrafficNoCoverage || t.Verdict == model.TrafficRejected) && t.Undirected == 0 {
		t.Summary += "; no records of " + listShort(missing, 5) + " behind it through the window (flow logs of other interfaces or subnets say nothing of these)"
	}
	return t
}

func rejectedBy(m map[string]int64) []string {
	out := make([]string, 0, len(m))
	for r := range m {
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b string) int { return cmp.Or(cmp.Compare(m[b], m[a]), cmp.Compare(a, b)) })
	if len(out) == 0 {
		return nil
	}
	return out
}

func topPeers(m map[netip.Addr]*peerStat, n int) []model.FlowPeer {
	out := make([]model.FlowPeer, 0, len(m))
	for a, s := range m {
		out = append(out, model.FlowPeer{Address: a.String(), Flows: s.flows, Packets: s.packets, Bytes: s.bytes, First: s.first})
	}
	slices.SortFunc(out, func(a, b model.FlowPeer) int {
		return cmp.Or(cmp.Compare(b.Bytes, a.Bytes), cmp.Compare(b.Flows, a.Flows), cmp.Compare(a.Address, b.Address))
	})
	if len(out) > n {
		out = out[:n]
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

var evidenceWords = map[string]string{
	model.EvidenceRule:      "the flow records name the rule that allowed them",
	model.EvidenceInterface: "flows were logged on an interface behind the firewall",
	model.EvidenceNetwork:   "weaker evidence: only the account or network, port and time match, so another firewall may have let them in",
}

func summary(t *model.Traffic) string {
	var b strings.Builder
	switch t.Verdict {
	case model.TrafficUsed:
		fmt.Fprintf(&b, "opening used: %d accepted inbound flow%s from %d outside source%s (%s) from %s to %s",
			t.InboundFlows, plural(t.InboundFlows), t.DistinctSources, plural(t.DistinctSources), bytesText(t.InboundBytes),
			t.FirstInbound.Format(time.RFC3339), t.LastInbound.Format(time.RFC3339))
		if t.StartUnknown {
			b.WriteString(", while it was open (when it opened is not in the data)")
		} else {
			fmt.Fprintf(&b, "; first %s after the opening", t.FirstArrivalAfter)
		}
		if t.Waiting {
			b.WriteString(" (within minutes: the opener may have been waiting to use it)")
		}
		if len(t.Sources) > 0 {
			fmt.Fprintf(&b, "; top source %s", t.Sources[0].Address)
		}
		fmt.Fprintf(&b, "; %s", evidenceWords[t.Evidence])
		if t.DirectionFromPorts > 0 {
			fmt.Fprintf(&b, "; %d of them read as inbound from the opened port alone (the records do not say the direction and both addresses are public, as IPv6 in a VPC is: add flow-direction to the flow log format)", t.DirectionFromPorts)
		}
		switch {
		case t.RuleNameOnly > 0 && len(t.RuleACLs) > 1:
			fmt.Fprintf(&b, "; %d of them are tied by the rule name alone and came through %d different network security configurations (aclID %s): more than one NSG has a rule of this name and VNet flow logs do not name the NSG, so which one let them in cannot be told (give the NSGs' snapshots, with their resourceGuid, to --baseline)",
				t.RuleNameOnly, len(t.RuleACLs), strings.Join(t.RuleACLs, ", "))
		case t.RuleNameOnly > 0:
			fmt.Fprintf(&b, "; %d of them are tied by the rule name alone: VNet flow logs name the rule and an aclID, not the NSG, so a rule of the same name in another NSG may have let them in (give the NSG's snapshot, with its resourceGuid, to --baseline)", t.RuleNameOnly)
		}
		if t.OutboundFlows > 0 {
			fmt.Fprintf(&b, "; then %d outbound flow%s to outside (%s) from the same interfaces: possible exfiltration or command and control",
				t.OutboundFlows, plural(t.OutboundFlows), bytesText(t.OutboundBytes))
		}
	case model.TrafficRejected:
		fmt.Fprintf(&b, "%d inbound flow%s from outside reached the port and %s rejected",
			t.Rejected, plural(t.Rejected), map[bool]string{true: "was", false: "were all"}[t.Rejected == 1])
		if len(t.RejectedBy) > 0 {
			fmt.Fprintf(&b, " (denied by %s: the allow is shadowed by it or does not apply)", strings.Join(t.RejectedBy, ", "))
		} else {
			b.WriteString(" (a network ACL or another control still blocked them)")
		}
		b.WriteString("; no accepted inbound flow seen in the window")
		if t.Evidence == model.EvidenceNetwork {
			b.WriteString("; weaker evidence: only the account or network, port and time tie them to this firewall")
		}
	case model.TrafficNotSeen:
		b.WriteString("no inbound flow from outside seen in the window (flow logs cover it)")
	case model.TrafficNoCoverage:
		if t.UnknownVerdict > 0 {
			fmt.Fprintf(&b, "%d inbound flow%s from outside reached the port in the window, but the records say neither accept nor reject (a flow-log format without the action field): a packet seen is not a packet let in, so whether the opening was used is unknown (add action to the flow log format)", t.UnknownVerdict, plural(t.UnknownVerdict))
		} else if t.Undirected > 0 {
			fmt.Fprintf(&b, "%d accepted flow%s in the window cannot be told inbound from outbound (the records do not say the direction and both addresses are public, as IPv6 in a VPC is: add flow-direction to the flow log format): whether the opening was used is unknown", t.Undirected, plural(t.Undirected))
		} else {
			b.WriteString("no flow log read covers this firewall in this window: whether the opening was used is unknown")
		}
	}
	switch {
	case t.Before > 0 && t.StartUnknown:
		fmt.Fprintf(&b, "; %d accepted inbound flow%s on the port arrived in the day before %s, the earliest time the rule is known open (whether it was open then is not in the data)",
			t.Before, plural(t.Before), t.WindowStart.UTC().Format(time.RFC3339))
	case t.Before > 0:
		fmt.Fprintf(&b, "; %d accepted inbound flow%s on the port arrived in the day before the opening (not caused by it)", t.Before, plural(t.Before))
	}
	if t.Trusted > 0 {
		fmt.Fprintf(&b, "; %d from trusted networks not counted", t.Trusted)
	}
	if t.UnknownVerdict > 0 && t.Verdict != model.TrafficNoCoverage {
		fmt.Fprintf(&b, "; %d more inbound flow%s whose records have no action (accept or reject) not counted", t.UnknownVerdict, plural(t.UnknownVerdict))
	}
	return b.String()
}

// listShort joins up to n items and says how many more there are.
func listShort(items []string, n int) string {
	if len(items) <= n {
		return strings.Join(items, ", ")
	}
	return strings.Join(items[:n], ", ") + fmt.Sprintf(" and %d more", len(items)-n)
}

func plural(n int64) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func bytesText(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for v := n / unit; v >= unit; v /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

// verdictRank orders verdicts, most telling first.
var verdictRank = map[string]int{model.TrafficUsed: 4, model.TrafficRejected: 3, model.TrafficNotSeen: 2, model.TrafficNoCoverage: 1}

// Combine merges the results of several openings of one finding (one per
// rule it opened) into one: the most telling verdict, summed counts,
// merged sources.
func Combine(ts []model.Traffic, topN int) model.Traffic {
	if len(ts) == 1 {
		return ts[0]
	}
	best := 0
	for i := range ts {
		if verdictRank[ts[i].Verdict] > verdictRank[ts[best].Verdict] {
			best = i
		}
	}
	out := ts[best]
	if out.Verdict != model.TrafficUsed {
		return out
	}
	srcs := map[string]model.FlowPeer{}
	for _, p := range out.Sources {
		srcs[p.Address] = p
	}
	for i := range ts {
		t := &ts[i]
		if i == best || t.Verdict != model.TrafficUsed {
			continue
		}
		out.InboundFlows += t.InboundFlows
		out.InboundPackets = sat(out.InboundPackets, t.InboundPackets)
		out.InboundBytes = sat(out.InboundBytes, t.InboundBytes)
		out.OutboundFlows += t.OutboundFlows
		out.OutboundBytes = sat(out.OutboundBytes, t.OutboundBytes)
		out.Rejected += t.Rejected
		out.UnknownVerdict += t.UnknownVerdict
		out.RuleNameOnly += t.RuleNameOnly
		for _, a := range t.RuleACLs {
			if !slices.Contains(out.RuleACLs, a) {
				out.RuleACLs = append(out.RuleACLs, a)
			}
		}
		out.DirectionFromPorts += t.DirectionFromPorts
		if t.FirstInbound.Before(*out.FirstInbound) {
			out.FirstInbound, out.FirstArrivalAfter, out.Waiting = t.FirstInbound, t.FirstArrivalAfter, t.Waiting
		}
		if t.LastInbound.After(*out.LastInbound) {
			out.LastInbound = t.LastInbound
		}
		for _, p := range t.Sources {
			q := srcs[p.Address]
			if q.Address == "" || p.First.Before(q.First) {
				q.First = p.First
			}
			q.Address = p.Address
			q.Flows += p.Flows
			q.Packets = sat(q.Packets, p.Packets)
			q.Bytes = sat(q.Bytes, p.Bytes)
			srcs[p.Address] = q
		}
		if t.DistinctSources > out.DistinctSources {
			out.DistinctSources = t.DistinctSources
		}
	}
	out.Sources = out.Sources[:0:0]
	for _, p := range srcs {
		out.Sources = append(out.Sources, p)
	}
	slices.SortFunc(out.Sources, func(a, b model.FlowPeer) int {
		return cmp.Or(cmp.Compare(b.Bytes, a.Bytes), cmp.Compare(a.Address, b.Address))
	})
	if len(out.Sources) > topN {
		out.Sources = out.Sources[:topN]
	}
	out.Summary = summary(&out)
	return out
}
