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
	if len(line) > 0 && line[0] >= '0' && line[0] <= '9' {
		return false // a record: field names do not start with a digit
	}
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
	// junk is how many bytes of the last line came before the record
	// read from it (salvage), 0 when the line was one record.
	junk int
	in   *interner // account, interface and VPC ids
	// need, when set, says whether a flow with this destination port on
	// this interface can matter; when it says no, addresses are not
	// parsed (most flows touch no opening, and addresses are the costly
	// part of a record).
	need func(dstPort int, iface string) bool
}

// maxAggregation is the longest start-to-end span a VPC flow record can
// have, in seconds (10-minute aggregation plus delivery slack).
const maxAggregation = 3600

var errAWSLayout = errors.New("VPC flow log record without a header line and not in the default v2 (14 fields) or all-v5 (29 fields) format: the fields cannot be named")

// line parses one record into f. It returns ok=false, err=nil for lines
// that carry no flow (headers, NODATA and SKIPDATA records).
//
// A line that starts with junk before a whole record has the record read
// (salvage); junk then says how many bytes came before it.
func (p *awsParser) line(line []byte, f *Flow) (bool, error) {
	p.junk = 0
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
	ok, err := p.record(p.fields, f)
	if err != nil {
		if n, sok, ok := p.salvage(line, f); sok {
			p.junk = n
			return ok, nil
		}
	}
	return ok, err
}

// salvage reads the record at the end of a line that starts with junk
// (a record cut short by a writer that crashed, then the next record on
// the same line; stray bytes): the last fields of the line, as many as
// the header names (without one, all-v5's 29 or the default's 14), when
// they read as a record. It returns how many bytes of junk come first,
// whether a record was read, and the record's ok.
func (p *awsParser) salvage(line []byte, f *Flow) (junk int, salvaged, ok bool) {
	all := p.fields
	sizes := []int{len(allV5Fields), len(defaultV2Fields)}
	if p.hasLayout {
		sizes = []int{p.layout.n}
	}
	for _, n := range sizes {
		if n == 0 || len(all) <= n {
			continue
		}
		var g Flow
		ok, err := p.record(all[len(all)-n:], &g)
		if err != nil {
			continue
		}
		*f = g
		return fieldStart(line, len(all)-n), true, ok
	}
	return 0, false, false
}

// fieldStart is the offset in line of its space-separated field k.
func fieldStart(line []byte, k int) int {
	i := 0
	for {
		for i < len(line) && line[i] == ' ' {
			i++
		}
		if k == 0 || i == len(line) {
			return i
		}
		for i < len(line) && line[i] != ' ' {
			i++
		}
		k--
	}
}

// record reads the fields of one record into f.
func (p *awsParser) record(fd [][]byte, f *Flow) (bool, error) {
	l := p.layout
	if !p.hasLayout || l.n != len(fd) {
		switch {
		case p.hasLayout:
			return false, errors.New("VPC flow log record has " + itoa(len(fd)) + " fields, the header names " + itoa(l.n))
		case len(fd) == len(defaultV2Fields):
			l = layoutV2
		case len(fd) == len(allV5Fields):
			l = layoutV5
		default:
			return false, errAWSLayout
		}
	}
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
		// NODATA: the interface was logged and had no traffic in the
		// interval, which is coverage (Idle); SKIPDATA: records were
		// lost, which is not.
		*f = Flow{}
		if bytes.Equal(st, []byte("NODATA")) {
			start, end, ok := awsTimes(get(l.start), get(l.end))
			if ok {
				*f = Flow{Cloud: model.AWS, SrcPort: -1, DstPort: -1, Protocol: -1, Idle: true,
					Interface: p.in.string(get(l.iface)), Account: p.in.string(get(l.account)), Network: p.in.string(get(l.vpc)),
					Start: start, End: end}
			}
		}
		return false, nil
	}
	*f = Flow{Cloud: model.AWS, SrcPort: -1, DstPort: -1, Protocol: -1}
	f.SrcPort = intOr(get(l.srcPort), -1)
	f.DstPort = intOr(get(l.dstPort), -1)
	f.Interface = p.in.string(get(l.iface))
	if p.need == nil || p.need(f.DstPort, f.Interface) {
		src, dst := get(l.src), get(l.dst)
		if v := get(l.pktSrc); v != nil {
			src = v
		}
		if v := get(l.pktDst); v != nil {
			dst = v
		}
		var ok bool
		if f.Src, ok = parseAddr(src); !ok {
			return false, errors.New("VPC flow log record: source address " + quoteShort(src))
		}
		if f.Dst, ok = parseAddr(dst); !ok {
			return false, errors.New("VPC flow log record: destination address " + quoteShort(dst))
		}
	}
	f.Protocol = intOr(get(l.proto), -1)
	f.Packets = count(get(l.packets))
	f.Bytes = count(get(l.bytes))
	var ok bool
	if f.Start, f.End, ok = awsTimes(get(l.start), get(l.end)); !ok {
		return false, errors.New("VPC flow log record has no start or end time")
	}
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
	f.Account = p.in.string(get(l.account))
	f.Network = p.in.string(get(l.vpc))
	return true, nil
}

// awsTimes reads a record's start and end (Unix seconds); false when it
// has neither.
func awsTimes(s, e []byte) (time.Time, time.Time, bool) {
	start, end := intOr(s, -1), intOr(e, -1)
	if start < 0 && end < 0 {
		return time.Time{}, time.Time{}, false
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
	return time.Unix(int64(start), 0).UTC(), time.Unix(int64(end), 0).UTC(), true
}

// parseAddr reads an address without allocating for dotted IPv4, the
// common case; anything else goes through netip.
func parseAddr(b []byte) (netip.Addr, bool) {
	var v4 [4]byte
	part, n, digits := 0, 0, 0
	for _, c := range b {
		switch {
		case c >= '0' && c <= '9':
			n = n*10 + int(c-'0')
			digits++
			if n > 255 || digits > 3 {
				goto slow
			}
		case c == '.' && digits > 0 && part < 3:
			v4[part] = byte(n)
			part, n, digits = part+1, 0, 0
		default:
			goto slow
		}
	}
	if part == 3 && digits > 0 {
		v4[3] = byte(n)
		return netip.AddrFrom4(v4), true
	}
slow:
	a, err := netip.ParseAddr(string(b))
	return a, err == nil
}

// splitSpaces appends the space-separated fields of line to dst.
func splitSpaces(dst [][]byte, line []byte) [][]byte {
	// Fields are short (a few to twenty bytes): plain loops beat a
	// search call per field.
	i, n := 0, len(line)
	for {
		for i < n && line[i] == ' ' {
			i++
		}
		if i == n {
			return dst
		}
		j := i
		for j < n && line[j] != ' ' {
			j++
		}
		dst = append(dst, line[i:j:j])
		i = j
	}
}

func intOr(b []byte, def int) int {
	if b == nil {
		return def
	}
	if n, ok := atoi(b); ok {
		return n
	}
	// Some collectors write numbers as floats ("443.0").
	if i := bytes.IndexByte(b, '.'); i > 0 {
		if n, ok := atoi(b[:i]); ok {
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
