package traffic

import (
	"net/netip"
	"slices"
	"strings"
	"time"

	"cloudwall/internal/model"
)

// Openings lists what the findings opened to outside addresses: each
// ingress allow rule a successful call added, open from the call until a
// later call on the same firewall removed the same rule (same protocol,
// overlapping ports, same peer) or deleted the firewall; and, for a call
// that added no allow but opened an exposure window (a deny removed or
// disabled, an allow re-enabled), that window. owner[i] is the index of
// the finding opening i came from.
//
// Interfaces behind an AWS security group come from Attachments: pass the
// findings to its AddCalls, then the openings to its Apply.
func Openings(findings []model.Finding) (open []Opening, owner []int) {
	order := make([]int, len(findings))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return findings[a].Time.Compare(findings[b].Time) })

	for _, i := range order {
		f := &findings[i]
		if f.Outcome != model.Success || !flowVisible[f.Resource.Type] {
			continue
		}
		changes := f.Changes
		if disabled(f) {
			// A rule written or switched disabled admits nothing,
			// whatever its content.
			changes = nil
		}
		opened, allows := false, false
		for _, c := range changes {
			if narrows(f, c) {
				// The call closed a wider exposure and left this part of
				// it: it opened nothing, so its traffic is none of its
				// doing (use of the part left is not use of the opening).
				opened = true
				continue
			}
			o, ok := FromChange(f.ID, f, c, f.Time)
			if !ok {
				continue
			}
			opened = true
			o.End = closedAt(findings, order, f, c)
			if f.Window != nil {
				o.Network = f.Window.Network // flows in another GCP network are not its traffic
			}
			if w := f.Window; w != nil && w.Start.Equal(f.Time) {
				// The state engine knows when the exposure this call
				// opened ended (also by a later change that narrowed or
				// shadowed it), better than a matching removal does.
				o.End = time.Time{}
				if w.End != nil {
					o.End = *w.End
				}
			}
			open = append(open, o)
			owner = append(owner, i)
			allows = true
		}
		if allows {
			for _, rest := range rests(findings, order, f, f.Window) {
				open = append(open, rest)
				owner = append(owner, i)
			}
		}
		if w := f.Window; !opened && !closes(f) && w != nil && w.Start.Equal(f.Time) {
			// The call opened something without adding an allow: it
			// removed or disabled a deny, re-enabled an allow, raised
			// one above a deny. The state engine's window says what.
			if o, ok := FromWindow(w); ok {
				o.Key = f.ID
				open = append(open, o)
				owner = append(owner, i)
			}
		}
	}
	return open, owner
}

// rests follows the exposure window w that finding f opened through the
// calls that narrowed it without closing it: a deny of part of the
// internet put before the rule (a network ACL deny of 0.0.0.0/1 before a
// world allow) closes w and opens, at the same call, a window of the same
// rule for the addresses it left. Those addresses were opened by f, so
// each such window is an opening of f's too, timed from f.
func rests(findings []model.Finding, order []int, f *model.Finding, w *model.Window) []Opening {
	if w == nil || !w.Start.Equal(f.Time) {
		return nil
	}
	var out []Opening
	for w.End != nil {
		var next *model.Window
		for _, j := range order {
			g := &findings[j]
			gw := g.Window
			if gw == nil || !g.Time.Equal(*w.End) || !closes(g) || !gw.Start.Equal(g.Time) || g.Cloud != f.Cloud ||
				!strings.EqualFold(g.Resource.ID, f.Resource.ID) || !sameWindowRule(gw.Rule, w.Rule) {
				continue
			}
			next = gw
			break
		}
		if next == nil {
			break
		}
		if o, ok := FromWindow(next); ok {
			o.Key, o.Opened = f.ID, f.Time
			out = append(out, o)
		}
		w = next
	}
	return out
}

// sameWindowRule says two windows are of one rule: the same name and
// priority (network ACL entry number, NSG priority, GCP rule name) and
// direction.
func sameWindowRule(a, b model.RuleChange) bool {
	if a.Direction != b.Direction || !strings.EqualFold(a.Name, b.Name) || a.Name == "" {
		return false
	}
	return (a.Priority == nil) == (b.Priority == nil) && (a.Priority == nil || *a.Priority == *b.Priority)
}

// narrows reports whether change c of finding f only narrowed the
// exposure window f closed: a world rule replaced by a /24 in place, a
// network ACL entry replaced by a narrower one. Everything c admits was
// admitted by the window's rule until the call, so the call opened
// nothing.
func narrows(f *model.Finding, c model.RuleChange) bool {
	w := f.Window
	if w == nil || w.End == nil || !w.End.Equal(f.Time) || !w.Start.Before(f.Time) ||
		c.Effect == model.Removed || c.Action == model.Deny || c.Direction == model.Egress {
		return false
	}
	if p := strings.ToLower(w.Rule.Protocol); p != "" && p != "all" && p != "-1" && p != "*" && !strings.EqualFold(p, c.Protocol) {
		return false
	}
	if len(w.Rule.Ports) > 0 && !w.Rule.Ports.All() {
		if len(c.Ports) == 0 || c.Ports.All() {
			return false
		}
		for _, r := range c.Ports {
			if !slices.ContainsFunc(w.Rule.Ports, func(x model.PortRange) bool { return x.From <= r.From && r.To <= x.To }) {
				return false
			}
		}
	}
	any := false
	for _, p := range c.Peers {
		q, ok := outsidePrefix(p)
		if !ok {
			continue // admits no outside address
		}
		any = true
		if !slices.ContainsFunc(w.Rule.Peers, func(wp model.Peer) bool { return peerHolds(wp, q) }) {
			return false
		}
	}
	return any
}

// peerHolds reports whether peer p admits every address of q (an invalid
// q: every address).
func peerHolds(p model.Peer, q netip.Prefix) bool {
	w, ok := outsidePrefix(p)
	switch {
	case !ok:
		return false
	case !w.IsValid():
		return true
	case !q.IsValid():
		return false
	}
	return w.Addr().BitLen() == q.Addr().BitLen() && w.Bits() <= q.Bits() && w.Contains(q.Addr())
}

// disabled reports whether the call left its rule disabled (a GCP rule
// created or patched with disabled: true).
func disabled(f *model.Finding) bool {
	return model.SettingIs(f.Settings, model.SettingDisabled, "true")
}

// closes reports whether the call's own changes only close: a deny
// added or kept in force, an allow removed or disabled. A window that
// starts at such a call is the rest of an exposure it narrowed, not
// something it opened.
func closes(f *model.Finding) bool {
	off := disabled(f)
	for _, c := range f.Changes {
		switch {
		case off:
			if c.Action == model.Allow {
				return true
			}
		case c.Effect != model.Removed && c.Action == model.Deny, c.Effect == model.Removed && c.Action == model.Allow:
			return true
		}
	}
	return false
}

// flowVisible lists the firewall kinds whose traffic VPC, NSG and VNet
// flow logs and GCP firewall logging record. Managed services (SQL
// servers, storage, key vaults, Cloud SQL) and Azure Firewall log their
// traffic elsewhere, so a join would wrongly say "not seen".
var flowVisible = map[string]bool{
	"security_group": true, "network_acl": true,
	"nsg": true, "nsg_rule": true,
	"vpc_firewall_rule": true,
}

// closedAt finds the first later finding that removes the rule c or
// deletes its firewall; it returns the zero time when none does.
func closedAt(findings []model.Finding, order []int, opened *model.Finding, c model.RuleChange) (end time.Time) {
	for _, j := range order {
		g := &findings[j]
		if !g.Time.After(opened.Time) || g.Outcome != model.Success || g.Cloud != opened.Cloud ||
			!strings.EqualFold(g.Resource.ID, opened.Resource.ID) || g.Account != opened.Account {
			continue
		}
		if deletes(g) {
			return g.Time
		}
		for _, r := range g.Changes {
			if r.Effect == model.Removed && sameRule(r, c) {
				return g.Time
			}
		}
	}
	return end
}

func deletes(g *model.Finding) bool {
	op := strings.ToLower(g.Operation)
	return len(g.Changes) == 0 && (strings.Contains(op, "delete") && !strings.Contains(op, "deleteentry"))
}

// sameRule reports whether removal r takes away the rule c added: same
// direction and protocol, overlapping ports and a shared peer. A removal
// that names only the rule (an NSG rule delete, a sgr- id) matches by name.
func sameRule(r, c model.RuleChange) bool {
	if r.Name != "" && c.Name != "" && strings.EqualFold(r.Name, c.Name) {
		return true
	}
	if r.Direction != "" && c.Direction != "" && r.Direction != c.Direction {
		return false
	}
	if !strings.EqualFold(r.Protocol, c.Protocol) {
		return false
	}
	if len(r.Ports) > 0 && len(c.Ports) > 0 && !overlaps(r.Ports, c.Ports) {
		return false
	}
	for _, p := range r.Peers {
		for _, q := range c.Peers {
			if p.Kind == q.Kind && strings.EqualFold(p.Value, q.Value) {
				return true
			}
		}
	}
	return len(r.Peers) == 0 && r.Name == ""
}

func overlaps(a, b model.PortList) bool {
	for _, x := range a {
		for _, y := range b {
			if x.From <= y.To && y.From <= x.To {
				return true
			}
		}
	}
	return false
}

// Annotate attaches each finding's traffic, combining the results of its
// openings, and makes findings of medium or above whose opening was used
// critical.
func Annotate(findings []model.Finding, owner []int, results []model.Traffic, topN int) {
	per := map[int][]model.Traffic{}
	for k, i := range owner {
		per[i] = append(per[i], results[k])
	}
	for i, ts := range per {
		t := Combine(ts, max(topN, 1))
		f := &findings[i]
		f.Traffic = &t
		switch t.Verdict {
		case model.TrafficUsed:
			switch {
			case f.Severity < model.Medium:
				// Use of what was judged low (ICMP, a narrow or private
				// peer, egress on one port) is what such an opening is
				// for: evidence, not an alarm.
				f.Reasons = append(f.Reasons, t.Summary+" (not raised: the opening itself was judged "+f.Severity.String()+")")
			case f.Severity < model.Critical:
				f.Reasons = append(f.Reasons, "raised to critical: "+t.Summary)
				f.Severity = model.Critical
			default:
				f.Reasons = append(f.Reasons, t.Summary)
			}
			f.Tags = appendTag(f.Tags, "used")
			if t.Waiting {
				f.Tags = appendTag(f.Tags, "used-within-minutes")
			}
			if t.OutboundFlows > 0 {
				f.Tags = appendTag(f.Tags, "outbound-after")
			}
		default:
			f.Reasons = append(f.Reasons, t.Summary)
		}
	}
}

func appendTag(tags []string, t string) []string {
	if slices.Contains(tags, t) {
		return tags
	}
	return append(tags, t)
}
