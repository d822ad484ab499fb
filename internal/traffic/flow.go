// Package traffic reads network flow logs (AWS VPC Flow Logs, Azure NSG and
// VNet flow logs, GCP VPC Flow Logs and Firewall Rules Logging) and joins
// them to exposure windows: was an opening used from outside, by whom, how
// much, and when did it start?
//
// Flow logs are the largest logs a cloud writes, so readers stream, parse
// only the fields the join needs, and keep no flow: each one is matched
// against the openings as it is read and only per-opening counters stay.
package traffic

import (
	"bytes"
	"math"
	"net/netip"
	"time"

	"cloudwall/internal/model"
)

// Direction of a flow relative to the interface or VM that logged it.
type Direction uint8

const (
	DirUnknown Direction = iota
	DirIn
	DirOut
)

// Decision is what the network did with a flow.
type Decision uint8

const (
	DecisionUnknown Decision = iota
	Accept
	Reject
)

// Flow is one flow record, reduced to what the join needs.
type Flow struct {
	Cloud      model.Cloud
	Start, End time.Time
	Src, Dst   netip.Addr
	// SrcPort and DstPort are -1 when the record has none (ICMP).
	SrcPort, DstPort int
	// Protocol is the IANA number, -1 when unknown.
	Protocol  int
	Direction Direction
	Decision  Decision
	Packets   int64
	Bytes     int64
	// Account is the AWS account, Azure subscription or GCP project.
	Account string
	// Network is the VPC id, VNet or GCP network name.
	Network string
	// Interface is what logged the flow: an AWS ENI id, an Azure NIC MAC
	// (12 upper-case hex digits) or a GCP VM name.
	Interface string
	// Firewall is the firewall the record names as deciding: an Azure NSG
	// resource id (lower case) or a GCP firewall rule name.
	Firewall string
	// Rule is the rule the record names as deciding (Azure rule name
	// without the UserRule_ prefix, GCP firewall rule name).
	Rule string
	// ACL is the id an Azure VNet flow log names as having evaluated the
	// flow (aclID, lower case: an NSG's resourceGuid or a network manager
	// admin configuration); it does not name the NSG itself.
	ACL string
	// Idle marks no flow but a record that the interface was logged and
	// idle from Start to End (an AWS NODATA record): it counts for
	// coverage only and is not counted as a flow.
	Idle bool
	// State is an Azure flow tuple's flow state: 'B' (begin), 'C'
	// (continuing), 'E' (end), 'D' (denied); 0 elsewhere. The tuples of one
	// connection (B, then C every few minutes, then E) are one flow.
	State byte
	// External is set when the record itself says the remote end is
	// outside the cloud network (GCP src_location without src_vpc).
	External bool
	// Line is the record's 1-based line (text) or 0-based index (JSON)
	// within its file, for messages.
	Line int64
}

// protoNumbers maps the protocol names flow logs and rules use to IANA.
var protoNumbers = map[string]int{
	"icmp": 1, "tcp": 6, "udp": 17, "icmpv6": 58, "ipv6-icmp": 58,
	"esp": 50, "ah": 51, "gre": 47, "sctp": 132,
	"t": 6, "u": 17, // Azure NSG flow tuples
}

// ProtocolNumber reads a protocol as rules and flow logs write it: a name
// or an IANA number. It returns -1 for "all" and for what it cannot read.
func ProtocolNumber(s string) int {
	if n, ok := atoi(s); ok && n >= 0 && n <= 255 {
		return n
	}
	if n, ok := protoNumbers[lower(s)]; ok {
		return n
	}
	return -1
}

func atoi[T string | []byte](s T) (int, bool) {
	if len(s) == 0 || len(s) > 18 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// count reads a packet or byte count. A count too large for int64 (a
// damaged field, or 2^64-1 from a broken exporter) saturates at the
// largest int64 rather than reading as 0; what is not a number reads as 0.
func count(b []byte) int64 {
	if i := bytes.IndexByte(b, '.'); i > 0 {
		b = b[:i] // some collectors write numbers as floats ("443.0")
	}
	if len(b) == 0 {
		return 0
	}
	var n int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0
		}
		d := int64(c - '0')
		if n > (math.MaxInt64-d)/10 {
			return math.MaxInt64
		}
		n = n*10 + d
	}
	return n
}

// sat adds two counts, saturating at the largest int64.
func sat(a, b int64) int64 {
	if b > 0 && a > math.MaxInt64-b {
		return math.MaxInt64
	}
	return a + b
}

func lower(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if b[j] >= 'A' && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}
