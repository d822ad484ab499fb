package content

import (
	"cloudwall/internal/model"
)

// Class is a group of sensitive ports that the severity tables weigh
// together ("admin", "database").
type Class struct {
	Name        string
	Description string
	Origin      string
}

// Reserved class names: the severity tables use them for port sets that
// are not a single class, so a port class may not be called by them.
const (
	ClassAll       = "all"       // every port, or protocol all
	ClassUnknown   = "unknown"   // a port-bearing protocol whose ports the log did not give
	ClassICMP      = "icmp"      // a protocol without ports (icmp, esp, gre, ...)
	ClassOther     = "other"     // ports that are in no class
	ClassSensitive = "sensitive" // table fallback for any declared class not listed
	ClassDefault   = "default"   // table fallback for everything
)

// reservedClass reports whether name is one of the reserved class names.
func reservedClass(name string) bool {
	switch name {
	case ClassAll, ClassUnknown, ClassICMP, ClassOther, ClassSensitive, ClassDefault:
		return true
	}
	return false
}

// Port is one sensitive port or port range.
type Port struct {
	// Name is the service ("ssh"); it identifies the entry for overrides.
	Name  string
	Class string
	Range model.PortRange
	// Protocols the service listens on ("tcp", "udp"); empty means any.
	Protocols []string
	Origin    string
}

// On reports whether the port applies to protocol, a lower-case protocol
// name; "" (not logged) matches every port.
func (p Port) On(protocol string) bool {
	if protocol == "" || len(p.Protocols) == 0 {
		return true
	}
	for _, q := range p.Protocols {
		if q == protocol {
			return true
		}
	}
	return false
}

// Sensitive returns the sensitive ports that overlap r on protocol, in
// file order.
func (c *Content) Sensitive(protocol string, r model.PortRange) []Port {
	var out []Port
	for _, p := range c.Ports {
		if p.On(protocol) && p.Range.From <= r.To && r.From <= p.Range.To {
			out = append(out, p)
		}
	}
	return out
}
