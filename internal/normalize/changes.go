package normalize

import (
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"cloudwall/internal/model"
)

// MaxChanges bounds the rule changes one event keeps, and MaxPeers the
// peers of one change. No cloud call comes near them (an AWS security
// group holds at most 1,000 rules, an Azure NSG 1,000 with 4,000
// prefixes each, a GCP firewall rule 5,000 ranges), so a record past them
// was not written by a cloud as it stands; whoever wrote it chose what a
// scan would hold for it, and every later stage (judgement, state replay,
// findings) costs memory per change and per peer. Such a record is still
// judged on all it says, within the bounds, and never judged milder than
// its entries: see limitChanges and limitPeers.
const (
	MaxChanges = 1000
	MaxPeers   = 5000
)

// limitChanges bounds ev.Changes to MaxChanges plus a few merged ones.
// Entries logged twice are kept once. Past MaxChanges, the entries that
// open access (allow or pass-on rules added or altered, deny rules
// removed) are folded, per effect, direction, action and protocol, into
// one change holding all their ports and peers: it pairs each port with
// each peer, so it is at least as wide as every entry in it and the
// judgement can only be harsher. The entries that close access (deny
// rules added, allow rules removed) past the bound are left out: leaving
// one out can only make the judgement harsher too. A note says what was
// done.
func limitChanges(ev *model.Event) {
	if len(ev.Changes) <= MaxChanges {
		return
	}
	logged := len(ev.Changes)
	// A copy, not the record's list cut down: the event is held to the
	// end of the scan, and the list would keep every entry's memory.
	ev.Changes = slices.Clone(uniqueChanges(ev.Changes))
	if len(ev.Changes) <= MaxChanges {
		ev.Notes = append([]string{fmt.Sprintf("%d rule entries logged, %d of them repeats, kept once", logged, logged-len(ev.Changes))}, ev.Notes...)
		return
	}
	rest := ev.Changes[MaxChanges:]
	kept := ev.Changes[:MaxChanges:MaxChanges]
	var merged []model.RuleChange
	at := map[string]int{}
	closing := 0
	for i := range rest {
		c := &rest[i]
		if closes(c) {
			closing++
			continue
		}
		k := mergeKey(c)
		j, ok := at[k]
		if !ok {
			j = len(merged)
			at[k] = j
			merged = append(merged, model.RuleChange{Effect: c.Effect, Direction: c.Direction, Action: c.Action, Protocol: c.Protocol})
		}
		mergeInto(&merged[j], c)
	}
	for i := range merged {
		merged[i].Ports = slices.Clone(unionPorts(merged[i].Ports))
		merged[i].Peers = slices.Clone(unique(merged[i].Peers))
		merged[i].Targets = slices.Clone(unique(merged[i].Targets))
	}
	ev.Changes = append(kept, merged...)
	ev.Notes = append([]string{fmt.Sprintf("%d rule entries logged, more than a cloud call makes (%d): the first %d are kept as logged, %d more that open access are merged into %d wider changes (each pairs all their ports with all their peers; no rollback is built), %d that close access are left out",
		logged, MaxChanges, MaxChanges, len(rest)-closing, len(merged), closing)}, ev.Notes...)
}

// closes reports whether a change can only take access away.
func closes(c *model.RuleChange) bool {
	switch c.Effect {
	case model.Removed:
		return c.Action != model.Deny
	default:
		return c.Action == model.Deny
	}
}

// mergeKey groups the changes one merged change may stand for: those of
// the same effect, direction, action and protocol, and alike in whether
// their ports, peers and targets are logged (a change that does not say
// is judged apart from one that does).
func mergeKey(c *model.RuleChange) string {
	return strings.Join([]string{string(c.Effect), string(c.Direction), string(c.Action), c.Protocol,
		strconv.FormatBool(len(c.Ports) > 0), strconv.FormatBool(len(c.Peers) > 0), strconv.FormatBool(len(c.Targets) > 0)}, "\x00")
}

func mergeInto(m, c *model.RuleChange) {
	m.Merged++
	m.Ports = append(m.Ports, c.Ports...)
	m.Peers = append(m.Peers, c.Peers...)
	m.PeersOmitted += c.PeersOmitted
	m.Targets = append(m.Targets, c.Targets...)
}

// uniqueChanges keeps the first of each change logged more than once.
func uniqueChanges(cs []model.RuleChange) []model.RuleChange {
	seen := make(map[string]bool, len(cs))
	out := cs[:0]
	var b strings.Builder
	for _, c := range cs {
		b.Reset()
		fmt.Fprintf(&b, "%s\x00%s\x00%s\x00%s\x00%v\x00%v\x00%d\x00%s\x00%q", c.Effect, c.Direction, c.Action, c.Protocol, c.Ports, c.Peers, c.PeersOmitted, c.Name, c.Targets)
		if c.Priority != nil {
			fmt.Fprintf(&b, "\x00%d", *c.Priority)
		}
		if k := b.String(); !seen[k] {
			seen[k] = true
			out = append(out, c)
		}
	}
	clear(cs[len(out):])
	return out
}

// unionPorts sorts ranges and joins those that overlap or touch.
func unionPorts(l model.PortList) model.PortList {
	slices.SortFunc(l, func(a, b model.PortRange) int { return a.From - b.From })
	var out model.PortList
	for _, r := range l {
		if n := len(out); n > 0 && r.From <= out[n-1].To+1 {
			out[n-1].To = max(out[n-1].To, r.To)
			continue
		}
		out = append(out, r)
	}
	return out
}

// unique keeps the first of each value, in place.
func unique[T comparable](xs []T) []T {
	seen := make(map[T]bool, len(xs))
	out := xs[:0]
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

// limitPeers bounds each change of ev to MaxPeers peers: a peer logged
// twice is kept once, and past the bound the widest are kept (every
// address before a named set, shorter prefixes before longer ones, and
// text that is no address before any named group), so the peer a rule
// opens widest to is never the one left out. The rest are counted in
// PeersOmitted, and a note says so.
func limitPeers(ev *model.Event) {
	for i := range ev.Changes {
		c := &ev.Changes[i]
		if len(c.Peers) <= MaxPeers {
			continue
		}
		logged := len(c.Peers)
		c.Peers = unique(c.Peers)
		if len(c.Peers) <= MaxPeers {
			c.Peers = slices.Clone(c.Peers)
			continue
		}
		slices.SortStableFunc(c.Peers, func(a, b model.Peer) int { return breadth(a) - breadth(b) })
		cut := len(c.Peers) - MaxPeers
		c.Peers = slices.Clone(c.Peers[:MaxPeers])
		c.PeersOmitted += cut
		ev.Notes = append([]string{fmt.Sprintf("a rule names %d peers, more than a cloud rule holds (%d): the %d widest are judged, %d narrower ones are left out", logged, MaxPeers, MaxPeers, cut)}, ev.Notes...)
	}
}

// breadth orders peers widest first: wildcards and /0, then service tags
// (Azure "Internet"), then prefixes by length, then text that is no
// address (judged as unreadable), then named groups, lists and tags.
func breadth(p model.Peer) int {
	switch p.Kind {
	case model.PeerAny:
		return 0
	case model.PeerServiceTag:
		return 1
	case model.PeerCIDR:
		if pr, err := netip.ParsePrefix(p.Value); err == nil {
			if pr.Bits() == 0 {
				return 0
			}
			return 2 + pr.Bits()
		}
		if _, err := netip.ParseAddr(p.Value); err == nil {
			return 200
		}
		// Text that is no prefix, which detection judges by its text:
		// one that ends in a zero length ("00.0.0.0/00") may read as the
		// whole internet.
		if i := strings.LastIndexByte(p.Value, '/'); i >= 0 {
			if n, err := strconv.Atoi(p.Value[i+1:]); err == nil && n == 0 {
				return 0
			}
		}
		return 300
	case model.PeerRange:
		return 150
	}
	return 400
}
