package detect

import (
	"fmt"
	"slices"

	"cloudwall/internal/content"
	"cloudwall/internal/model"
)

// maxListRefs bounds the referencing rules History keeps per prefix list.
const maxListRefs = 8

// prefixRef is an allow rule that references a managed prefix list, kept so
// that a later change of the list is judged by what those rules now open.
type prefixRef struct {
	ev   model.Event // the call, with only the referencing change
	call string
}

// recordListRefs keeps the allow rules of ev that reference prefix lists.
func (h *History) recordListRefs(ev *model.Event) {
	op, ok := h.d.c.Operation(ev.OperationKey)
	if !ok {
		return
	}
	for _, ch := range ev.Changes {
		removed := ch.Effect == model.Removed || op.Kind == content.KindRemove
		if !removed && !opens(op, ch) {
			continue
		}
		for _, p := range ch.Peers {
			if p.Kind != model.PeerPrefixList {
				continue
			}
			k := listKey(ev, p.Value)
			if removed {
				// The referencing rule revoked: the list no longer
				// opens it.
				h.refs[k] = slices.DeleteFunc(h.refs[k], func(r prefixRef) bool {
					c := r.ev.Changes[0]
					return r.ev.Resource.ID == ev.Resource.ID && c.Direction == ch.Direction &&
						protocol(c.Protocol) == protocol(ch.Protocol) && slices.Equal(c.Ports, ch.Ports)
				})
				continue
			}
			if len(h.refs[k]) >= maxListRefs {
				continue
			}
			if _, held := h.refs[k]; !held {
				var counted bool
				if !h.room(&counted) {
					continue
				}
			}
			one := *ev
			c := ch
			c.Peers = []model.Peer{p}
			one.Changes = []model.RuleChange{c}
			h.refs[k] = append(h.refs[k], prefixRef{ev: one, call: describeCall(ev)})
		}
	}
}

// weighListRefs judges a prefix list change by the rules the scan saw
// reference the list: each is judged again with the list's entries as
// its peers, and the worst is kept when it is worse (SSH referencing a
// list that now holds 0.0.0.0/0 is SSH open to the internet).
func (h *History) weighListRefs(ev *model.Event, f *model.Finding) {
	k := listKey(ev, ev.Resource.ID)
	l := h.lists[k]
	if l == nil || len(l.cidrs) == 0 || f.Outcome != model.Success {
		return
	}
	for _, r := range h.refs[k] {
		again := r.ev
		again.Changes = slices.Clone(r.ev.Changes)
		again.Changes[0].Peers = l.cidrs
		g, ok := h.d.Evaluate(&again)
		if !ok || g.Severity <= f.Severity {
			continue
		}
		f.Reasons = append(f.Reasons, fmt.Sprintf("the list is referenced by %s on %s (%s): with the list's entries (%s) that rule now reads: %s: raised from %s to %s",
			describe(r.ev.Changes[0]), shortResource(r.ev.Resource), r.call, peerValues(l.cidrs), g.Title, f.Severity, g.Severity))
		f.Severity = g.Severity
	}
}
