package traffic

import (
	"bytes"
	"errors"
	"math"
	"time"

	"github.com/valyala/fastjson"

	"cloudwall/internal/model"
)

var errGCPNoConnection = errors.New("flow log entry without jsonPayload.connection")

// gcpFlow reads one Cloud Logging LogEntry of VPC Flow Logs or Firewall
// Rules Logging. It returns ok=false with no error for entries of other
// logs.
func (r *fileReader) gcpFlow(e *fastjson.Value, f *Flow) (bool, error) {
	p := e.Get("jsonPayload")
	if p == nil || p.Type() != fastjson.TypeObject {
		return false, nil
	}
	firewallLog := p.Exists("disposition") || p.Exists("rule_details")
	c := p.Get("connection")
	if !firewallLog && !p.Exists("reporter") && c == nil {
		return false, nil
	}
	if c == nil || c.Type() != fastjson.TypeObject {
		return false, errGCPNoConnection
	}
	*f = Flow{Cloud: model.GCP, SrcPort: -1, DstPort: -1, Protocol: -1}
	var ok bool
	if f.Src, ok = parseAddr(c.GetStringBytes("src_ip")); !ok {
		return false, errors.New("flow log entry: src_ip " + quoteShort(c.GetStringBytes("src_ip")))
	}
	if f.Dst, ok = parseAddr(c.GetStringBytes("dest_ip")); !ok {
		return false, errors.New("flow log entry: dest_ip " + quoteShort(c.GetStringBytes("dest_ip")))
	}
	if v := number(c.Get("src_port")); v > 0 && v <= 65535 {
		f.SrcPort = int(v)
	}
	if v := number(c.Get("dest_port")); v > 0 && v <= 65535 {
		f.DstPort = int(v)
	}
	f.Protocol = protocolOf(c.Get("protocol"))
	f.Account = r.in.string(e.GetStringBytes("resource", "labels", "project_id"))
	if firewallLog {
		return true, r.gcpFirewallLog(e, p, f)
	}
	f.Start = parseTime(p.GetStringBytes("start_time"), e.GetStringBytes("timestamp"))
	f.End = parseTime(p.GetStringBytes("end_time"), p.GetStringBytes("start_time"))
	if f.Start.IsZero() && f.End.IsZero() {
		return false, errors.New("flow log entry without a readable time")
	}
	if f.Start.IsZero() {
		f.Start = f.End
	}
	if f.End.IsZero() {
		f.End = f.Start
	}
	// VPC Flow Logs record traffic that flowed: there is no decision.
	f.Decision = Accept
	f.Bytes, f.Packets = number(p.Get("bytes_sent")), number(p.Get("packets_sent"))
	switch string(p.GetStringBytes("reporter")) {
	case "DEST":
		f.Direction = DirIn
		f.Interface = r.in.string(p.GetStringBytes("dest_instance", "vm_name"))
		f.Network = r.in.string(p.GetStringBytes("dest_vpc", "vpc_name"))
		f.External = !p.Exists("src_instance") && !p.Exists("src_vpc") && p.Exists("src_location")
	case "SRC":
		f.Direction = DirOut
		f.Interface = r.in.string(p.GetStringBytes("src_instance", "vm_name"))
		f.Network = r.in.string(p.GetStringBytes("src_vpc", "vpc_name"))
		f.External = !p.Exists("dest_instance") && !p.Exists("dest_vpc") && p.Exists("dest_location")
	}
	return true, nil
}

func (r *fileReader) gcpFirewallLog(e, p *fastjson.Value, f *Flow) error {
	f.Start = parseTime(e.GetStringBytes("timestamp"), nil)
	if f.Start.IsZero() {
		return errors.New("firewall log entry without a readable timestamp")
	}
	f.End = f.Start
	switch string(bytes.ToUpper(p.GetStringBytes("disposition"))) {
	case "ALLOWED":
		f.Decision = Accept
	case "DENIED":
		f.Decision = Reject
	default:
		// No disposition (a trimmed export): the rule's action says it.
		switch string(bytes.ToUpper(p.GetStringBytes("rule_details", "action"))) {
		case "ALLOW":
			f.Decision = Accept
		case "DENY":
			f.Decision = Reject
		}
	}
	f.Interface = r.in.string(p.GetStringBytes("instance", "vm_name"))
	f.Network = r.in.string(p.GetStringBytes("vpc", "vpc_name"))
	f.External = p.Exists("remote_location")
	switch string(bytes.ToUpper(p.GetStringBytes("rule_details", "direction"))) {
	case "INGRESS":
		f.Direction = DirIn
	case "EGRESS":
		f.Direction = DirOut
	}
	// network:<net>/firewall:<name>
	ref := p.GetStringBytes("rule_details", "reference")
	if net, name, ok := bytes.Cut(ref, []byte("/firewall:")); ok {
		f.Firewall = r.in.string(name)
		f.Rule = f.Firewall
		if n, ok := bytes.CutPrefix(net, []byte("network:")); ok && f.Network == "" {
			f.Network = r.in.string(n)
		}
	} else if len(ref) > 0 {
		f.Firewall = r.in.string(ref)
		f.Rule = f.Firewall
	}
	return nil
}

// number reads a JSON number or a string holding one (GCP writes counts
// as strings); 0 when absent or unreadable.
func number(v *fastjson.Value) int64 {
	if v == nil {
		return 0
	}
	switch v.Type() {
	case fastjson.TypeNumber:
		f, _ := v.Float64()
		switch {
		case f < 0:
			return 0
		case f >= math.MaxInt64:
			return math.MaxInt64 // saturate, never read as 0
		}
		return int64(f)
	case fastjson.TypeString:
		b, _ := v.StringBytes()
		return count(b)
	}
	return 0
}

// protocolOf reads a protocol written as a number or a name ("udp").
func protocolOf(v *fastjson.Value) int {
	if v == nil {
		return -1
	}
	if v.Type() == fastjson.TypeString {
		b, _ := v.StringBytes()
		return ProtocolNumber(string(b))
	}
	if n := number(v); n <= 255 {
		return int(n)
	}
	return -1
}

func parseTime(s, fallback []byte) time.Time {
	for _, v := range [][]byte{s, fallback} {
		if len(v) == 0 {
			continue
		}
		if t, err := time.Parse(time.RFC3339Nano, string(v)); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}
