package traffic

import (
	"net/netip"
	"strings"
	"time"

	"cloudwall/internal/model"
)

// Opening is one exposure to join flows to: a firewall that let a set of
// outside peers reach some ports, from Start until End.
type Opening struct {
	// Key is the caller's id for the opening (a finding or window id).
	Key     string
	Cloud   model.Cloud
	Account string
	// Firewall is the firewall object; for Azure the NSG (a rule id is cut
	// back to its NSG), for GCP the firewall rule.
	Firewall model.Resource
	// Network narrows the opening to one VPC, VNet or GCP network.
	Network string
	// Protocol is the IANA number, -1 for every protocol.
	Protocol int
	// Ports are the destination ports opened; empty or AllPorts: every port.
	Ports model.PortList
	// Peers are the outside sources the opening lets in; empty means any.
	Peers []netip.Prefix
	Start time.Time
	// Opened, when set, is when the exposure this opening carries on was
	// opened (Start is then when a later call narrowed it to what this
	// opening admits): arrivals are timed from it, and flows between it
	// and Start are not traffic from before the opening.
	Opened time.Time
	// StartUnknown says Start is not when the opening began but the
	// earliest time it is known to hold (a window already open when the
	// data or its dated baseline begins); with Unbounded nothing bounds
	// how long before Start it held, so flows before Start through it are
	// its use too.
	StartUnknown, Unbounded bool
	// End is when the opening was closed; zero: open at the end of the logs.
	End time.Time
	// Interfaces are the ENIs, NIC MACs or VM names known to sit behind the
	// firewall during the window.
	Interfaces []string
	// Elsewhere holds interfaces a configuration snapshot listed with
	// their firewalls: a flow logged on one of them that is not in
	// Interfaces did not pass this firewall. Nil when no snapshot listed
	// interfaces; shared between openings, never written by the join.
	Elsewhere map[string]bool
	// history, set by Attachments.Apply, says which groups calls put on
	// an interface when: a flow is tied by the set in force at its time.
	history *Attachments
	// ACL is an Azure NSG's resourceGuid and Attached the NICs and subnets
	// it is attached to (lower case), where a snapshot says: VNet flow
	// logs name the rule, the aclID and the flow log's target, not the
	// NSG, and a rule name alone can be another NSG's.
	ACL      string
	Attached []string
	// RuleName is the opening rule's name where the cloud names rules
	// (Azure NSG rule, GCP firewall rule).
	RuleName string
}

// FromChange builds an opening from one ingress allow rule as a finding
// reports it: its world or public peers become the opening's sources.
// It returns false when the change opens nothing to outside addresses.
func FromChange(key string, f *model.Finding, c model.RuleChange, end time.Time) (Opening, bool) {
	if c.Effect == model.Removed || c.Action == model.Deny || c.Direction == model.Egress {
		return Opening{}, false
	}
	o := Opening{
		Key: key, Cloud: f.Cloud, Account: f.Account, Firewall: f.Resource,
		Protocol: -1, Ports: c.Ports, Start: f.Time, End: end,
	}
	if p := strings.ToLower(c.Protocol); p != "" && p != "all" && p != "-1" && p != "*" {
		o.Protocol = ProtocolNumber(p)
		if o.Protocol < 0 {
			return Opening{}, false // a protocol no flow can carry as logged
		}
	}
	outside := false
	for _, p := range c.Peers {
		pfx, ok := outsidePrefix(p)
		if !ok {
			continue
		}
		outside = true
		if pfx.IsValid() {
			o.Peers = append(o.Peers, pfx)
		} else {
			o.Peers = nil // any address: no restriction
			break
		}
	}
	if !outside {
		return Opening{}, false
	}
	switch f.Cloud {
	case model.Azure:
		o.Firewall.ID, o.RuleName = splitNSGRule(f.Resource.ID)
		if o.RuleName == "" {
			o.RuleName = c.Name
		}
	case model.GCP:
		o.RuleName = f.Resource.Name
		if o.RuleName == "" {
			o.RuleName = c.Name
		}
	}
	return o, true
}

// outsidePrefix reads a peer that can admit outside addresses. It returns
// an invalid prefix for "any address" and false for peers that admit no
// outside address (private ranges, groups, tags other than the internet).
func outsidePrefix(p model.Peer) (netip.Prefix, bool) {
	switch p.Kind {
	case model.PeerAny:
		return netip.Prefix{}, true
	case model.PeerServiceTag:
		v := strings.ToLower(p.Value)
		return netip.Prefix{}, v == "internet" || v == "*"
	case model.PeerCIDR:
		v := strings.TrimSpace(p.Value)
		pfx, err := netip.ParsePrefix(v)
		if err != nil {
			a, aerr := netip.ParseAddr(v)
			if aerr != nil {
				return netip.Prefix{}, false
			}
			pfx = netip.PrefixFrom(a, a.BitLen())
		}
		// 0.0.0.0/0 and ::/0 stay prefixes: each admits its own family
		// only, so an IPv6 flow is not use of an IPv4 opening.
		pfx = pfx.Masked()
		if isInternal(pfx.Addr()) && pfx.Bits() >= 8 {
			return netip.Prefix{}, false
		}
		return pfx, true
	case model.PeerRange:
		lo, hi, ok := strings.Cut(p.Value, "-")
		a, err1 := netip.ParseAddr(strings.TrimSpace(lo))
		b, err2 := netip.ParseAddr(strings.TrimSpace(hi))
		if !ok || err1 != nil || err2 != nil {
			return netip.Prefix{}, false
		}
		if isInternal(a) && isInternal(b) {
			return netip.Prefix{}, false
		}
		// A range is widened to the smallest prefix holding both ends.
		for bits := a.BitLen(); bits >= 0; bits-- {
			pfx, _ := a.Prefix(bits)
			if pfx.Contains(b) {
				return pfx, true
			}
		}
	}
	return netip.Prefix{}, false
}

// splitNSGRule cuts an Azure rule id back to its NSG and the rule's name.
func splitNSGRule(id string) (nsg, rule string) {
	if i := model.IndexFold(id, "/securityrules/"); i >= 0 {
		return strings.ToLower(id[:i]), id[i+len("/securityrules/"):]
	}
	return strings.ToLower(id), ""
}

// isInternal reports addresses that never arrive from the internet.
func isInternal(a netip.Addr) bool {
	a = a.Unmap()
	return a.IsPrivate() || a.IsLoopback() || a.IsLinkLocalUnicast() || a.IsUnspecified() ||
		cgnat.Contains(a) || a.IsMulticast()
}

var cgnat = netip.MustParsePrefix("100.64.0.0/10")

// FromWindow builds an opening from an exposure window of the state
// engine: the window's rule and span, its firewall and account. It returns
// false when the rule admits no outside address or the firewall's traffic
// is not in flow logs.
func FromWindow(w *model.Window) (Opening, bool) {
	if !flowVisible[w.Firewall.Type] {
		return Opening{}, false
	}
	f := &model.Finding{ID: w.ID, Cloud: w.Cloud, Account: w.Account, Resource: w.Firewall, Time: w.Start}
	c := w.Rule
	c.Effect = model.Added
	var end time.Time
	if w.End != nil {
		end = *w.End
	}
	o, ok := FromChange(w.ID, f, c, end)
	o.Network = w.Network
	o.StartUnknown = !w.StartKnown
	o.Unbounded = !w.StartKnown && w.StartUnbounded
	return o, ok
}
