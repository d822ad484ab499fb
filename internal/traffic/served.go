package traffic

import "net/netip"

// served is what the first pass learns of one interface from the accepted
// inbound flows from outside it received, whichever opening (if any) let
// them in: the ports it answered on, the remote ends that reached it (so
// ICMP back to them is a reply, whatever protocol they came in over), and
// its own addresses. The outbound pass uses it to tell a server's replies
// from new connections, and to orient flows whose record says no
// direction. An inbound record that is itself the answer to a connection
// the interface made (looksLikeReply: a service port to a high port) teaches
// nothing but the interface's address: learning its port would make the
// interface's own upload from that port read as a reply.
type served struct {
	ports   map[uint32]struct{} // protocol<<16 | local port
	remotes map[netip.Addr]struct{}
	self    map[netip.Addr]struct{}
	// full is set when ports overflowed: replies are then told by ports
	// alone (a well-known source port to a high destination port).
	full bool
}

// Bounds on what is learnt per interface and how many interfaces.
const (
	maxServedPorts  = 1024
	maxServedSelf   = 16
	maxServedIfaces = 1 << 16
)

func portKey(proto, port int) uint32 { return uint32(proto&0xffff)<<16 | uint32(port&0xffff) }

func portless(proto int) bool { return proto == 1 || proto == 58 }

// servedSet maps an interface to what it served.
type servedSet map[string]*served

func (s servedSet) get(iface string) *served {
	v := s[iface]
	if v == nil && len(s) < maxServedIfaces {
		v = &served{}
		s[iface] = v
	}
	return v
}

// add records one accepted inbound flow from outside on the interface.
func (v *served) add(f *Flow, remoteLimit int) {
	v.addSelf(f.Dst.Unmap())
	if !portless(f.Protocol) && looksLikeReply(f) {
		return
	}
	v.addRemote(f.Src.Unmap(), remoteLimit)
	if !portless(f.Protocol) && f.DstPort >= 0 {
		v.addPort(portKey(f.Protocol, f.DstPort))
	}
}

func (v *served) addRemote(a netip.Addr, limit int) {
	if v.remotes == nil {
		v.remotes = map[netip.Addr]struct{}{}
	}
	if len(v.remotes) < limit {
		v.remotes[a] = struct{}{}
	}
}

func (v *served) addSelf(a netip.Addr) {
	if !a.IsValid() {
		return
	}
	if v.self == nil {
		v.self = map[netip.Addr]struct{}{}
	}
	if len(v.self) < maxServedSelf {
		v.self[a] = struct{}{}
	}
}

func (v *served) addPort(k uint32) {
	if v.full {
		return
	}
	if v.ports == nil {
		v.ports = map[uint32]struct{}{}
	}
	if len(v.ports) >= maxServedPorts {
		v.full, v.ports = true, nil
		return
	}
	v.ports[k] = struct{}{}
}

func (s servedSet) merge(o servedSet, remoteLimit int) {
	for iface, w := range o {
		v := s.get(iface)
		if v == nil {
			continue
		}
		for a := range w.self {
			v.addSelf(a)
		}
		for a := range w.remotes {
			v.addRemote(a, remoteLimit)
		}
		if w.full {
			v.full, v.ports = true, nil
		}
		for k := range w.ports {
			v.addPort(k)
		}
	}
}

// isSelf reports an address the interface received inbound flows on.
func (v *served) isSelf(a netip.Addr) bool {
	if v == nil {
		return false
	}
	_, ok := v.self[a.Unmap()]
	return ok
}

// reply reports whether outbound flow f answers inbound traffic the
// interface accepted: sent from a port it served (ports swapped), or, for
// ICMP, to a remote end that reached it.
func (v *served) reply(f *Flow) bool {
	if v == nil {
		return false
	}
	if portless(f.Protocol) {
		_, ok := v.remotes[f.Dst.Unmap()]
		return ok
	}
	if f.SrcPort < 0 {
		return false
	}
	if v.full {
		return f.SrcPort < 1024 && f.DstPort >= 1024
	}
	_, ok := v.ports[portKey(f.Protocol, f.SrcPort)]
	return ok
}
