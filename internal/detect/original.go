package detect

import (
	"cmp"
	"slices"
	"strings"

	"cloudwall/internal/model"
)

// withOriginal completes an event's rule changes from the rule as it was
// before the call (Event.Original), which another record of the operation
// than the one that carries the request may log: GCP logs a
// firewalls.patch's request in its first entry and the rule's previous
// state in its last.
//
//   - A partial update sends only what it changes. A change that names no
//     action, protocol or ports (a patch of source ranges, targets or
//     priority) keeps the rule's own, one change per protocol entry; the
//     peers, targets and priority it did not send are the rule's too.
//   - A removal that names only the rule removed the rule as it was.
//   - A patch that sent only whether the rule is enforced (disabled) left
//     the rule as it was: that rule is what it switched on or off.
//
// Changes that say what they do are kept as they are: the request, not
// the state before it, says what the call wrote. ok is false when nothing
// was completed; note then is "". The event itself is not changed: the
// state replay reads what the call sent.
func withOriginal(ev *model.Event) (changes []model.RuleChange, note string, ok bool) {
	if len(ev.Original) == 0 {
		return nil, "", false
	}
	place := model.RecordPlace(ev.OriginalAt.File, ev.OriginalAt.Index)
	if len(ev.Changes) == 0 {
		if _, ok := ev.Settings[model.SettingDisabled]; !ok {
			return nil, "", false
		}
		for _, o := range ev.Original {
			changes = append(changes, merged(ev, model.RuleChange{Effect: model.Altered}, o))
		}
		return changes, "the call only switched whether the rule is enforced: the rule is read from its state before the call, which " + place + " logs (resourceOriginalState)", true
	}
	completed := false
	for _, ch := range ev.Changes {
		if ch.Action != "" || ch.Protocol != "" || len(ch.Ports) > 0 || ch.Effect == model.Added {
			changes = append(changes, ch)
			continue
		}
		completed = true
		for _, o := range ev.Original {
			changes = append(changes, merged(ev, ch, o))
		}
	}
	if !completed {
		return nil, "", false
	}
	return changes, "what the call did not send (the rule's action, protocols and ports, and any peers, targets or priority it left alone) is read from the rule's state before the call, which " + place + " logs (resourceOriginalState)", true
}

// merged is ch, a change that names no action, protocol or ports,
// completed from o, one protocol entry of the rule before the call.
func merged(ev *model.Event, ch, o model.RuleChange) model.RuleChange {
	c := o
	c.Effect = ch.Effect
	c.Ports = slices.Clone(o.Ports)
	c.Direction = cmp.Or(o.Direction, ch.Direction) // a patch cannot change it
	c.Peers = peersAfter(ev, ch, o)
	c.PeersOmitted = 0
	if len(c.Peers) == len(ch.Peers) {
		c.PeersOmitted = ch.PeersOmitted
	}
	c.Targets = slices.Clone(o.Targets)
	if len(ch.Targets) > 0 {
		c.Targets = slices.Clone(ch.Targets)
	}
	if ch.Priority != nil {
		c.Priority = model.IntPtr(*ch.Priority)
	} else if o.Priority != nil {
		c.Priority = model.IntPtr(*o.Priority)
	}
	c.Name = cmp.Or(ch.Name, o.Name)
	return c
}

// peerFields are, by direction and peer kind, the list field of a VPC
// firewall rule (lower case, as Event.Sent names them) that holds them.
var peerFields = map[model.Direction]map[model.PeerKind]string{
	model.Ingress: {model.PeerCIDR: "sourceranges", model.PeerTag: "sourcetags", model.PeerServiceAccount: "sourceserviceaccounts"},
	model.Egress:  {model.PeerCIDR: "destinationranges"},
}

// peersAfter returns the rule's peers after the call: of each kind, those
// the call sent when it sent that field, else those the rule had. When the
// record does not list the fields it sent, the call's peers replace the
// rule's if it sent any.
func peersAfter(ev *model.Event, ch, o model.RuleChange) []model.Peer {
	if ev.Sent == nil || ch.Effect == model.Removed {
		if len(ch.Peers) > 0 {
			return slices.Clone(ch.Peers)
		}
		return slices.Clone(o.Peers)
	}
	fields := peerFields[cmp.Or(o.Direction, ch.Direction)]
	sent := func(p model.Peer) bool {
		f, ok := fields[p.Kind]
		return ok && slices.Contains(ev.Sent, strings.ToLower(f))
	}
	var out []model.Peer
	for _, p := range o.Peers {
		if !sent(p) {
			out = append(out, p)
		}
	}
	return append(out, ch.Peers...)
}
