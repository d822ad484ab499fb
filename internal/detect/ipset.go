package detect

import (
	"fmt"
	"strings"

	"cloudwall/internal/model"
)

// ipsetUse is how the web ACLs the scan saw use one WAFv2 IP set: in an
// allow rule (its addresses skip the rules after it) or a block rule.
type ipsetUse struct {
	allow, block []string // the web ACLs' calls, for reasons
	// widened is the call that set the set to every address, when the
	// last UpdateIPSet the scan saw did ("" when it did not).
	widened string
}

// ipsetKey names an IP set by account and id; a web ACL rule names it by
// ARN (arn:aws:wafv2:REGION:ACCOUNT:regional/ipset/NAME/ID).
func ipsetKey(account, id string) string {
	return account + "\x00" + strings.ToLower(strings.TrimSpace(id))
}

// recordIPSetUse remembers the IP sets a web ACL call's rules reference,
// with the rule's action (a counting rule neither allows nor blocks).
func (h *History) recordIPSetUse(ev *model.Event) {
	for _, ch := range ev.Changes {
		if ch.Effect == model.Removed || ch.Action != model.Allow && ch.Action != model.Deny {
			continue
		}
		for _, p := range ch.Peers {
			_, rest, ok := strings.Cut(p.Value, "/ipset/")
			if p.Kind != model.PeerOther || !ok {
				continue
			}
			id := rest[strings.LastIndex(rest, "/")+1:]
			k := ipsetKey(ev.Account, id)
			u := h.ipsets[k]
			if u == nil {
				var counted bool
				if !h.room(&counted) {
					continue
				}
				u = &ipsetUse{}
				h.ipsets[k] = u
			}
			call := fmt.Sprintf("%s rule %s", describeCall(ev), ch.Name)
			if ch.Action == model.Allow {
				u.allow = appendCapped(u.allow, call)
			} else {
				u.block = appendCapped(u.block, call)
			}
		}
	}
}

func appendCapped(l []string, s string) []string {
	if len(l) < 3 {
		return append(l, s)
	}
	return l
}

// weighIPSetUse judges a WAF IP set opened to the internet by how the web
// ACLs of the scan use it: in an allow rule every address now skips the
// rules after it (high); only in block rules every request is now
// blocked, an outage that admits no one (low). Unknown use keeps the
// operation's judgement (medium, between the two), with a reason that
// says how to find the use.
func (h *History) weighIPSetUse(ev *model.Event, f *model.Finding) {
	if ev.Resource.Type != "ip_set" || ev.Cloud != model.AWS || f.Outcome != model.Success {
		return
	}
	world := false
	for _, ch := range ev.Changes {
		world = world || ch.Effect != model.Removed && h.d.worldOpen(ch.Peers)
	}
	h.recordWidened(ev, world)
	if !world || f.Severity < model.Medium {
		return
	}
	u := h.ipsets[ipsetKey(ev.Account, ev.Resource.ID)]
	if u == nil || len(u.allow)+len(u.block) == 0 {
		f.Reasons = append(f.Reasons, fmt.Sprintf("no web ACL call in this scan references the set, and a set admits or blocks no one until a rule references it: "+
			"in an allow rule (or a block rule on the addresses not in it) every address now passes, high; in a block rule every request is now blocked, low; kept at %s: "+
			"the investigation steps list the web ACLs of its scope and the rules of each that reference it", f.Severity))
		return
	}
	switch {
	case len(u.allow) > 0:
		if f.Severity < model.High {
			f.Reasons = append(f.Reasons, fmt.Sprintf("the set is used in an allow rule (seen in this scan: %s): every address now matches it and skips the web ACL's later rules: raised from %s to high",
				strings.Join(u.allow, "; "), f.Severity))
			f.Severity = model.High
		}
	default:
		f.Reasons = append(f.Reasons, fmt.Sprintf("the set is used only in block rules (seen in this scan: %s): every request now matches a block rule, an outage that admits no one: lowered from %s to low",
			strings.Join(u.block, "; "), f.Severity))
		f.Severity = model.Low
	}
}

// recordWidened remembers whether a wafv2 UpdateIPSet, which replaces
// the whole address list, left the set holding every address.
func (h *History) recordWidened(ev *model.Event, world bool) {
	if ev.OperationKey != "wafv2:updateipset" {
		return
	}
	k := ipsetKey(ev.Account, ev.Resource.ID)
	u := h.ipsets[k]
	if u == nil {
		var counted bool
		if !world || !h.room(&counted) {
			return
		}
		u = &ipsetUse{}
		h.ipsets[k] = u
	}
	u.widened = ""
	if world {
		u.widened = describeCall(ev)
	}
}

// weighWidenedRefs raises a web ACL call whose allow rule references an
// IP set an earlier call of the scan set to every address: the order
// UpdateIPSet then UpdateWebACL lets every request past the web ACL's
// later rules as surely as the reverse order, which weighIPSetUse judges.
func (h *History) weighWidenedRefs(ev *model.Event, f *model.Finding) {
	if f.Outcome != model.Success || f.Severity >= model.High {
		return
	}
	for _, ch := range ev.Changes {
		if ch.Effect == model.Removed || ch.Action != model.Allow {
			continue
		}
		for _, p := range ch.Peers {
			_, rest, ok := strings.Cut(p.Value, "/ipset/")
			if p.Kind != model.PeerOther || !ok {
				continue
			}
			u := h.ipsets[ipsetKey(ev.Account, rest[strings.LastIndex(rest, "/")+1:])]
			if u == nil || u.widened == "" {
				continue
			}
			f.Reasons = append(f.Reasons, fmt.Sprintf("rule %s allows the IP set %s, which %s set to every address: every request matches the rule and skips the web ACL's later rules: raised from %s to high",
				ch.Name, p.Value, u.widened, f.Severity))
			f.Severity = model.High
			return
		}
	}
}
