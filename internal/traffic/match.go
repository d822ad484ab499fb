package traffic

import (
	"net/netip"
	"slices"
	"strings"
	"time"

	"cloudwall/internal/model"
)

// Options tunes the join.
type Options struct {
	// Trusted networks: flows from them are counted apart, never as use
	// from outside.
	Trusted []netip.Prefix
	// TopN is how many sources and destinations a result lists (10).
	TopN int
	// Waiting is how soon after the opening a first arrival counts as a
	// sign the opener was waiting to use it (15 minutes).
	Waiting time.Duration
	// Lookback is how long before an opening accepted inbound flows on its
	// port are counted as traffic the opening did not cause (24 hours).
	Lookback time.Duration
	// MaxTracked bounds the distinct addresses counted per opening (4096);
	// more are still counted in the totals.
	MaxTracked int
	// Workers is how many files are read at once; 0: GOMAXPROCS.
	Workers int
	// MaxRecord bounds one JSON record (the scan's --max-record-size).
	MaxRecord int
}

func (o *Options) defaults() {
	if o.TopN <= 0 {
		o.TopN = 10
	}
	if o.Waiting <= 0 {
		o.Waiting = 15 * time.Minute
	}
	if o.Lookback <= 0 {
		o.Lookback = 24 * time.Hour
	}
	if o.MaxTracked <= 0 {
		o.MaxTracked = 4096
	}
}

// widePorts is the span from which an opening is not indexed by port.
const widePorts = 256

// matcher finds the openings a flow can touch. It is read-only once
// built and shared by every worker.
type matcher struct {
	open   []Opening
	byPort map[int][]int32
	wide   []int32
	opts   Options
	// ifaceOpen maps an interface to the openings that name it, for the
	// outbound pass.
	ifaceOpen map[string][]int32
	// covIfaces are the AWS interfaces whose own coverage is kept: those
	// behind an opening's firewall.
	covIfaces map[string]bool
}

func newMatcher(open []Opening, opts Options) *matcher {
	m := &matcher{open: open, byPort: map[int][]int32{}, opts: opts, ifaceOpen: map[string][]int32{}, covIfaces: map[string]bool{}}
	for i, o := range open {
		idx := int32(i)
		span := 0
		for _, r := range o.Ports {
			span += r.To - r.From + 1
		}
		if len(o.Ports) == 0 || o.Ports.All() || span > widePorts {
			m.wide = append(m.wide, idx)
		} else {
			for _, r := range o.Ports {
				for p := r.From; p <= r.To; p++ {
					m.byPort[p] = append(m.byPort[p], idx)
				}
			}
		}
		for _, in := range o.Interfaces {
			m.ifaceOpen[in] = append(m.ifaceOpen[in], idx)
			if o.Cloud == model.AWS && in != "" {
				m.covIfaces[in] = true
			}
		}
	}
	return m
}

// direction says which way a flow went relative to the cloud network,
// from the record where it says and from the addresses where it does not.
func direction(f *Flow) Direction {
	if f.Direction != DirUnknown {
		return f.Direction
	}
	srcIn, dstIn := isInternal(f.Src), isInternal(f.Dst)
	switch {
	case !srcIn && dstIn:
		return DirIn
	case srcIn && !dstIn:
		return DirOut
	}
	return DirUnknown
}

// undirected reports a flow whose record does not say its direction and
// whose two ends both look outside: IPv6 in a VPC has public addresses, so
// a default-format AWS record cannot be oriented by its addresses.
func undirected(f *Flow) bool {
	return f.Direction == DirUnknown && !f.External && !isInternal(f.Src) && !isInternal(f.Dst)
}

// inboundByPort reports whether an undirected flow reads as inbound to
// opening o from its ports: the destination port is one the opening names
// and the source port is not (a reply from the opened port goes the other
// way). An opening of every port cannot orient a flow, nor can a flow
// from a service port to a client port: it reads as well as the answer to
// a connection the interface made (an opening of high ports).
func inboundByPort(o *Opening, f *Flow) bool {
	if len(o.Ports) == 0 || o.Ports.All() || f.DstPort < 0 || f.SrcPort < 0 {
		return false
	}
	if f.SrcPort < 1024 && f.DstPort >= 1024 {
		return false
	}
	return portIn(o.Ports, f.DstPort) && !portIn(o.Ports, f.SrcPort)
}

// evidence ranks, weakest first.
const (
	evNone = iota
	evNetwork
	evInterface
	evRule
)

var evidenceNames = [...]string{"", model.EvidenceNetwork, model.EvidenceInterface, model.EvidenceRule}

// tie says how strongly flow f is tied to opening o, or evNone when the
// record shows that something else decided it.
func (m *matcher) tie(o *Opening, f *Flow) int {
	if o.Cloud != f.Cloud {
		return evNone
	}
	if o.Account != "" && f.Account != "" && !strings.EqualFold(o.Account, f.Account) {
		return evNone
	}
	// A GCP firewall rule's name is unique in its project, so a Firewall
	// Rules Logging record that names it needs no network to match.
	if o.Network != "" && f.Network != "" && !strings.EqualFold(o.Network, f.Network) && !(f.Cloud == model.GCP && f.Firewall != "") {
		return evNone
	}
	if o.Protocol >= 0 && f.Protocol >= 0 && o.Protocol != f.Protocol {
		return evNone
	}
	if len(o.Ports) > 0 && !o.Ports.All() {
		if f.DstPort < 0 || !portIn(o.Ports, f.DstPort) {
			return evNone
		}
	}
	switch f.Cloud {
	case model.Azure:
		if f.Firewall != "" && o.Firewall.ID != "" && f.Firewall != strings.ToLower(o.Firewall.ID) {
			return evNone // another NSG decided
		}
		// A denied flow names the rule that denied it, never the opening's
		// allow rule: it is tied by its NSG or network, not by rule name.
		if f.Rule != "" && o.RuleName != "" && f.Decision != Reject {
			if !strings.EqualFold(f.Rule, o.RuleName) {
				return evNone // another rule of the NSG decided
			}
			if f.Firewall == "" && o.ACL != "" && f.ACL != "" && f.ACL != "unspecified" && f.ACL != o.ACL {
				return evNone // a VNet flow another NSG's rule of that name allowed
			}
			return evRule
		}
		if f.Firewall != "" && o.Firewall.ID != "" {
			return evInterface
		}
	case model.GCP:
		// As for Azure: a denied flow names the deny rule.
		if f.Firewall != "" && f.Decision != Reject {
			if o.RuleName != "" && !strings.EqualFold(f.Firewall, o.RuleName) {
				return evNone
			}
			if o.RuleName != "" {
				return evRule
			}
		}
	}
	if ev, ok := o.history.tieAt(o, f.Interface, f.Start, f.End); ok {
		return ev // the group set calls had put on the interface then
	}
	for _, in := range o.Interfaces {
		if in == f.Interface && in != "" {
			return evInterface
		}
	}
	if o.Elsewhere[f.Interface] {
		return evNone // a snapshot shows this interface behind other firewalls only
	}
	return evNetwork
}

// nameOnly reports an Azure VNet flow tied to opening o by its rule name
// alone: nothing the record holds (aclID, the flow log's target) is known
// to be o's NSG, so a rule of the same name in another NSG may have
// allowed it.
func nameOnly(o *Opening, f *Flow) bool {
	if f.Cloud != model.Azure || f.Firewall != "" || f.Rule == "" {
		return false
	}
	if o.ACL != "" && f.ACL == o.ACL {
		return false
	}
	return f.Network == "" || !slices.Contains(o.Attached, f.Network)
}

func portIn(l model.PortList, p int) bool {
	for _, r := range l {
		if r.Contains(p) {
			return true
		}
	}
	return false
}

// looksLikeReply reports a flow that is most likely the answer to a
// connection made from inside (a server's well-known source port to an
// ephemeral port); it says nothing about an opening of all ports.
func looksLikeReply(f *Flow) bool {
	return f.SrcPort > 0 && f.SrcPort < 1024 && f.DstPort >= 32768
}

func (m *matcher) trusted(a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range m.opts.Trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

func peerAllowed(o *Opening, a netip.Addr) bool {
	if len(o.Peers) == 0 {
		return true
	}
	a = a.Unmap()
	for _, p := range o.Peers {
		if p.Contains(a) {
			return true
		}
	}
	return false
}
