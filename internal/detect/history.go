package detect

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"cloudwall/internal/content"
	"cloudwall/internal/model"
)

// History judges events in the light of the earlier events of one scan:
// an exposure split across calls (four /2 authorizations on one group and
// port, each medium alone) is judged by the union of what the calls
// opened, and a rule that references a managed prefix list whose CIDRs the
// scan saw is judged with those CIDRs.
//
// Feed it events in time order (SortForHistory). It holds, per firewall,
// direction, protocol and port range, only the address peers allow rules
// added (minus those removed later), and per prefix list its CIDRs: a few
// strings per firewall event, at most maxHeldPeers per key.
type History struct {
	d      *Detector
	opened map[string]*opened
	lists  map[string]*prefixList
	// ipsets says how the web ACLs seen use each WAFv2 IP set.
	ipsets map[string]*ipsetUse
	// refs are the allow rules that reference each prefix list.
	refs map[string][]prefixRef
	// maxKeys bounds len(opened)+len(lists); full counts the calls whose
	// openings were not kept because of it.
	maxKeys int
	full    int64
}

// maxHeldPeers bounds the peers History keeps for one firewall and port.
const maxHeldPeers = 1024

// DefaultHistoryKeys bounds how many firewall-and-port keys and prefix
// lists a History holds (a few hundred bytes each): past it, openings on
// further firewalls and ports are not remembered, so a later call there
// is judged alone. Full says how many calls that concerned.
const DefaultHistoryKeys = 100_000

// Full reports how many calls opened something History could not
// remember because it held DefaultHistoryKeys keys (or the limit set by
// SetLimit) already.
func (h *History) Full() int64 { return h.full }

// Limit is how many keys History holds at most.
func (h *History) Limit() int { return h.maxKeys }

// SetLimit changes how many keys History holds (tests use a small one).
func (h *History) SetLimit(n int) { h.maxKeys = n }

// room reports whether a new key may be held, counting the call once
// when it may not.
func (h *History) room(counted *bool) bool {
	if len(h.opened)+len(h.lists)+len(h.ipsets)+len(h.refs) < h.maxKeys {
		return true
	}
	if !*counted {
		h.full++
		*counted = true
	}
	return false
}

// opened is what earlier calls opened on one firewall, direction,
// protocol and port range.
type opened struct {
	peers []model.Peer
	calls []string // the calls that added them, for reasons
}

// prefixList is the CIDRs the scan saw a managed prefix list given.
type prefixList struct {
	cidrs []model.Peer
	calls []string
}

// NewHistory returns an empty History judging with d.
func (d *Detector) NewHistory() *History {
	return &History{d: d, opened: map[string]*opened{}, lists: map[string]*prefixList{}, ipsets: map[string]*ipsetUse{}, refs: map[string][]prefixRef{}, maxKeys: DefaultHistoryKeys}
}

// SortForHistory orders events by time, then input position, the order
// History needs.
func SortForHistory(evs []model.Event) {
	slices.SortStableFunc(evs, func(a, b model.Event) int { return HistoryOrder(&a, &b) })
}

// HistoryOrder is the order SortForHistory sorts by (ties keep the
// events' order), for events sorted on disk.
func HistoryOrder(a, b *model.Event) int {
	return cmp.Or(a.Time.Compare(b.Time), cmp.Compare(a.Source.File, b.Source.File), cmp.Compare(a.Source.Index, b.Source.Index))
}

// Evaluate is Detector.Evaluate for the next event in time order.
func (h *History) Evaluate(ev *model.Event) (model.Finding, bool) {
	f, ok := h.d.Evaluate(ev)
	if !ok {
		return f, false
	}
	op, _ := h.d.c.Operation(ev.OperationKey)
	applied := ev.Outcome != model.Failure && !strings.Contains(strings.ToLower(ev.ErrorCode), "dryrun")
	if ev.Resource.Type == "prefix_list" {
		if applied {
			h.recordList(ev)
			h.weighListRefs(ev, &f)
		}
		return f, true
	}
	if ev.Resource.Type == "web_acl" && applied {
		h.recordIPSetUse(ev)
		h.weighWidenedRefs(ev, &f)
	}
	// Judge again with what earlier calls and known prefix lists add; keep
	// the worse reading.
	wider, why := h.widen(op, ev)
	if len(why) > 0 {
		if g, ok := h.d.Evaluate(&wider); ok && g.Severity > f.Severity {
			f.Severity, f.Title, f.Exposure, f.Tags = g.Severity, g.Title, g.Exposure, g.Tags
			f.Reasons = model.CapNotes(append(why, g.Reasons...))
		}
	}
	h.weighIPSetUse(ev, &f)
	if applied {
		h.record(op, ev)
		h.recordListRefs(ev)
	}
	return f, true
}

// widen returns ev with each added allow rule's peers joined by those
// earlier calls added on the same firewall and ports, and prefix-list
// peers joined by the list's known CIDRs; why says what was joined.
func (h *History) widen(op *content.Operation, ev *model.Event) (model.Event, []string) {
	out := *ev
	out.Changes = slices.Clone(ev.Changes)
	var why []string
	for i, ch := range ev.Changes {
		if !opens(op, ch) {
			continue
		}
		var extra []model.Peer
		for _, p := range ch.Peers {
			if p.Kind != model.PeerPrefixList {
				continue
			}
			if l := h.lists[listKey(ev, p.Value)]; l != nil {
				extra = append(extra, l.cidrs...)
				why = append(why, fmt.Sprintf("prefix list %s holds %s (seen in this scan: %s)", p.Value, peerValues(l.cidrs), short(l.calls, 3)))
			}
		}
		for _, k := range h.keys(ev, ch) {
			o := h.opened[k.key]
			if o == nil || h.d.worldOpen(o.peers) {
				// Nothing earlier, or the earlier calls opened to the
				// world by themselves: their findings say so.
				continue
			}
			var added bool
			for _, p := range o.peers {
				if !slices.Contains(ch.Peers, p) && !slices.Contains(extra, p) {
					extra = append(extra, p)
					added = true
				}
			}
			if added {
				why = append(why, fmt.Sprintf("judged with what earlier calls opened on %s %s %s: %s (%s)",
					shortResource(ev.Resource), ch.Direction, k.ports, peerValues(o.peers), short(o.calls, 3)))
			}
		}
		if len(extra) > 0 {
			c := ch
			c.Peers = append(slices.Clone(ch.Peers), extra...)
			out.Changes[i] = c
		}
	}
	return out, why
}

// record adds what ev opened (and removes what it closed) for later calls.
func (h *History) record(op *content.Operation, ev *model.Event) {
	if ev.Resource.ID == "" {
		return
	}
	call := describeCall(ev)
	var counted bool
	for _, ch := range ev.Changes {
		removed := ch.Effect == model.Removed || op.Kind == content.KindRemove
		action := ch.Action
		if action == "" && op.AllowOnly {
			action = model.Allow
		}
		if action != model.Allow {
			continue
		}
		for _, k := range h.keys(ev, ch) {
			o := h.opened[k.key]
			switch {
			case removed && o != nil:
				o.peers = slices.DeleteFunc(o.peers, func(p model.Peer) bool { return slices.Contains(ch.Peers, p) })
			case !removed:
				if o == nil {
					if !h.room(&counted) {
						continue
					}
					o = &opened{}
					h.opened[k.key] = o
				}
				n := len(o.peers)
				for _, p := range ch.Peers {
					if addressPeer(p) && !slices.Contains(o.peers, p) && len(o.peers) < maxHeldPeers {
						o.peers = append(o.peers, p)
					}
				}
				if len(o.peers) > n && len(o.calls) < 8 {
					o.calls = append(o.calls, call)
				}
			}
		}
	}
}

// recordList keeps the CIDRs a prefix-list call added, drops those it
// removed.
func (h *History) recordList(ev *model.Event) {
	if ev.Resource.ID == "" {
		return
	}
	k := listKey(ev, ev.Resource.ID)
	l := h.lists[k]
	if l == nil {
		var counted bool
		if !h.room(&counted) {
			return
		}
		l = &prefixList{}
		h.lists[k] = l
	}
	for _, ch := range ev.Changes {
		if ch.Effect == model.Removed {
			l.cidrs = slices.DeleteFunc(l.cidrs, func(p model.Peer) bool { return slices.Contains(ch.Peers, p) })
			continue
		}
		for _, p := range ch.Peers {
			if addressPeer(p) && !slices.Contains(l.cidrs, p) && len(l.cidrs) < maxHeldPeers {
				l.cidrs = append(l.cidrs, p)
			}
		}
	}
	if len(l.calls) < 8 {
		l.calls = append(l.calls, describeCall(ev))
	}
}

type portKey struct {
	key   string
	ports string
}

// keys are the History keys of one rule: one per port range.
func (h *History) keys(ev *model.Event, ch model.RuleChange) []portKey {
	if ev.Resource.ID == "" {
		return nil
	}
	dir := ch.Direction
	if dir == "" {
		dir = model.Ingress
	}
	proto := protocol(ch.Protocol)
	base := strings.Join([]string{string(ev.Cloud), ev.Account, ev.Region, ev.Resource.Type, ev.Resource.ID, string(dir), proto}, "|")
	if len(ch.Ports) == 0 {
		return []portKey{{key: base + "|", ports: proto}}
	}
	var out []portKey
	for _, r := range ch.Ports {
		p := r.String()
		if proto != "" && proto != "all" {
			p += "/" + proto
		}
		out = append(out, portKey{key: base + "|" + r.String(), ports: p})
	}
	return out
}

func listKey(ev *model.Event, id string) string {
	return string(ev.Cloud) + "|" + ev.Account + "|" + ev.Region + "|" + id
}

// opens reports an added or altered allow rule.
func opens(op *content.Operation, ch model.RuleChange) bool {
	if ch.Effect == model.Removed || op.Kind == content.KindRemove {
		return false
	}
	return ch.Action == model.Allow || ch.Action == "" && op.AllowOnly || ch.Action == ""
}

func addressPeer(p model.Peer) bool {
	return p.Kind == model.PeerCIDR || p.Kind == model.PeerRange
}

func peerValues(ps []model.Peer) string {
	v := make([]string, len(ps))
	for i, p := range ps {
		v[i] = p.Value
	}
	return short(v, 4)
}

// describeCall names a call for reasons: "AuthorizeSecurityGroupIngress
// 2022-06-01T12:00:00Z (event e1)".
func describeCall(ev *model.Event) string {
	s := ev.Operation
	if !ev.Time.IsZero() {
		s += " " + ev.Time.UTC().Format(time.RFC3339)
	}
	if ev.EventID != "" {
		s += " (event " + ev.EventID + ")"
	}
	return s
}

// worldOpen reports whether peers, alone or together, are world-scale.
func (d *Detector) worldOpen(peers []model.Peer) bool {
	gs, _ := d.groups(peers)
	return slices.ContainsFunc(gs, func(g group) bool { return g.scope == content.World })
}
