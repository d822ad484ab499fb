package traffic

import (
	"bytes"
	"errors"
	"net/netip"
	"strings"
	"time"

	"cloudwall/internal/model"
)

// AWS VPC Flow Logs are space-separated text. S3 delivery starts each file
// with a header line naming the fields in file order; custom formats pick
// any fields in any order, so fields are always mapped by name. Without a
// header (CloudWatch Logs, some collectors) a record is read as the default
// version-2 format when it has its 14 fields, or as every version-5 field
// in the documented order when it has 29.

// defaultV2Fields is the default format, in order.
var defaultV2Fields = strings.Fields("version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status")

// allV5Fields is every field up to version 5, in the documented order.
var allV5Fields = strings.Fields("version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status vpc-id subnet-id instance-id tcp-flags type pkt-srcaddr pkt-dstaddr region az-id sublocation-type sublocation-id pkt-src-aws-service pkt-dst-aws-service flow-direction traffic-path")

// awsLayout says at which position each field the join reads sits; -1
// means the format does not have it.
type awsLayout struct {
	n                          int
	account, iface, src, dst   int
	srcPort, dstPort, proto    int
	packets, bytes, start, end int
	action, status, vpc, dir   int
	pktSrc, pktDst             int
}

func newAWSLayout(fields []string) (awsLayout, bool) {
	l := awsLayout{n: len(fields)}
	pos := map[string]int{}
	for i, f := range fields {
		pos[strings.ToLower(strings.TrimSpace(f))] = i
	}
	get := func(name string) int {
		if i, ok := pos[name]; ok {
			return i
		}
		return -1
	}
	l.account, l.iface = get("account-id"), get("interface-id")
	l.src, l.dst = get("srcaddr"), get("dstaddr")
	l.srcPort, l.dstPort, l.proto = get("srcport"), get("dstport"), get("protocol")
	l.packets, l.bytes = get("packets"), get("bytes")
	l.start, l.end = get("start"), get("end")
	l.action, l.status = get("action"), get("log-status")
	l.vpc, l.dir = get("vpc-id"), get("flow-direction")
	l.pktSrc, l.pktDst = get("pkt-srcaddr"), get("pkt-dstaddr")
	// Without addresses and a destination port nothing can be joined.
	ok := (l.src >= 0 || l.pktSrc >= 0) && (l.dst >= 0 || l.pktDst >= 0) && l.dstPort >= 0
	return l, ok
}

var (
	layoutV2 = must(newAWSLayout(defaultV2Fields))
	layoutV5 = must(newAWSLayout(allV5Fields))
)

func must(l awsLayout, ok bool) awsLayout {
	if !ok {
		panic("traffic: bad built-in layout")
	}
	return l
}

// isAWSHeader reports whether a line names fields rather than values.
func isAWSHeader(line []byte) bool {
	first, _, _ := bytes.Cut(bytes.TrimSpace(line), []byte{' '})
	return bytes.Equal(first, []byte("version")) ||
		bytes.Contains(line, []byte("srcaddr")) || bytes.Contains(line, []byte("dstport"))
}

// awsParser reads one text stream; its header may change mid-stream when
// files were concatenated.
type awsParser struct {
	layout    awsLayout
	hasLayout bool
	fields    [][]byte
	strs      map[string]string // interned account, interface and VPC ids
}

// maxAggregation is the longest start-to-end span a VPC flow record can
// have, in seconds (10-minute aggregation plus delivery slack).
const maxAggregation = 3600

var errAWSLayout = errors.New("VPC flow log record without a header line and not in the default v2 (14 fields) or all-v5 (29 fields) format: the fields cannot be named")

// line parses one record into f. It returns ok=false, err=nil for lines
// that carry no flow (headers, NODATA and SKIPDATA records).
func (p *awsParser) line(line []byte, f *Flow) (bool, error) {
	line = bytes.TrimRight(line, "\r")
	if len(bytes.TrimSpace(line)) == 0 {
		return false, nil
	}
	if isAWSHeader(line) {
		l, ok := newAWSLayout(strings.Fields(string(line)))
		if !ok {
			p.hasLayout = false
			return false, errors.New("VPC flow log header names no addresses or destination port: " + truncate(string(line), 200))
		}
		p.layout, p.hasLayout = l, true
		return false, nil
	}
	p.fields = splitSpaces(p.fields[:0], line)
	l := p.layout
	if !p.hasLayout || l.n != len(p.fields) {
		switch {
		case p.hasLayout:
			return false, errors.New("VPC flow log record has " + itoa(len(p.fields)) + " fields, the header names " + itoa(l.n))
		case len(p.fields) == len(defaultV2Fields):
			l = layoutV2
		case len(p.fields) == len(allV5Fields):
			l = layoutV5
		default:
			return false, errAWSLayout
		}
	}
	fd := p.fields
	get := func(i int) []byte {
		if i < 0 {
			return nil
		}
		if v := fd[i]; len(v) != 1 || v[0] != '-' {
			return v
		}
		return nil
	}
	if st := get(l.status); st != nil && !bytes.Equal(st, []byte("OK")) {
		return false, nil // NODATA, SKIPDATA: no flow
	}
	*f = Flow{Cloud: model.AWS, SrcPort: -1, DstPort: -1, Protocol: -1}
	src, dst := get(l.src), get(l.dst)
	if v := get(l.pktSrc); v != nil {
		src = v
	}
	if v := get(l.pktDst); v != nil {
		dst = v
	}
	var err error
	if f.Src, err = netip.ParseAddr(string(src)); err != nil {
		return false, errors.New("VPC flow log record: source address " + quoteShort(src))
	}
	if f.Dst, err = netip.ParseAddr(string(dst)); err != nil {
		return false, errors.New("VPC flow log record: destination address " + quoteShort(dst))
	}
	f.SrcPort = intOr(get(l.srcPort), -1)
	f.DstPort = intOr(get(l.dstPort), -1)
	f.Protocol = intOr(get(l.proto), -1)
	f.Packets = int64(intOr(get(l.packets), 0))
	f.Bytes = int64(intOr(get(l.bytes), 0))
	start, end := intOr(get(l.start), -1), intOr(get(l.end), -1)
	if start < 0 && end < 0 {
		return false, errors.New("VPC flow log record has no start or end time")
	}
	if start < 0 || (end >= 0 && start > end) {
		start = end // a damaged start (a digit lost) is replaced by the end
	}
	if end < 0 {
		end = start
	}
	// An aggregation interval is at most ten minutes; a longer span is a
	// damaged start (real records lose digits) and would match every
	// window, so the flow is pinned to its end.
	if end-start > maxAggregation {
		start = end
	}
	f.Start, f.End = time.Unix(int64(start), 0).UTC(), time.Unix(int64(end), 0).UTC()
	switch string(get(l.action)) {
	case "ACCEPT":
		f.Decision = Accept
	case "REJECT":
		f.Decision = Reject
	}
	switch string(get(l.dir)) {
	case "ingress":
		f.Direction = DirIn
	case "egress":
		f.Direction = DirOut
	}
	f.Account = p.intern(get(l.account))
	f.Interface = p.intern(get(l.iface))
	f.Network = p.intern(get(l.vpc))
	return true, nil
}

func (p *awsParser) intern(b []byte) string {
	if b == nil {
		return ""
	}
	if s, ok := p.strs[string(b)]; ok {
		return s
	}
	if p.strs == nil || len(p.strs) > 1<<16 {
		p.strs = map[string]string{}
	}
	s := string(b)
	p.strs[s] = s
	return s
}

// splitSpaces appends the space-separated fields of line to dst.
func splitSpaces(dst [][]byte, line []byte) [][]byte {
	for len(line) > 0 {
		i := bytes.IndexByte(line, ' ')
		if i < 0 {
			return append(dst, line)
		}
		if i > 0 {
			dst = append(dst, line[:i])
		}
		line = line[i+1:]
	}
	return dst
}

func intOr(b []byte, def int) int {
	if b == nil {
		return def
	}
	if n, ok := atoi(string(b)); ok {
		return n
	}
	// Some collectors write numbers as floats ("443.0").
	if i := bytes.IndexByte(b, '.'); i > 0 {
		if n, ok := atoi(string(b[:i])); ok {
			return n
		}
	}
	return def
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	neg := n < 0
	if neg {
		n = -n
	}
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	if neg {
		i--
		b[i] = '-'
	}
	return string(b[i:])
}

func quoteShort(b []byte) string {
	if b == nil {
		return "missing"
	}
	return "\"" + truncate(string(b), 64) + "\" unreadable"
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
