package traffic

import (
	"bytes"
	"errors"
	"strconv"
	"time"

	"github.com/valyala/fastjson"

	"cloudwall/internal/model"
)

// azureFlows emits every tuple of an Azure NSG flow-log record (version 1
// or 2: properties.flows[].flows[].flowTuples) or VNet flow-log record
// (version 4: flowRecords.flows[].flowGroups[].flowTuples). A tuple that
// cannot be read is reported through bad and the rest go on.
func (r *fileReader) azureFlows(v *fastjson.Value, emit func(*Flow), bad func(error)) int {
	n := 0
	var f Flow
	if flows := v.GetArray("properties", "flows"); flows != nil {
		id := v.GetStringBytes("resourceId")
		nsg := r.in.lowerString(id)
		sub := r.in.lowerString(subscriptionOf(id))
		for _, fl := range flows {
			rule := r.in.string(bytes.TrimPrefix(fl.GetStringBytes("rule"), []byte("UserRule_")))
			for _, g := range fl.GetArray("flows") {
				mac := r.in.string(normalMAC(g.GetStringBytes("mac")))
				for _, t := range g.GetArray("flowTuples") {
					if err := parseNSGTuple(t.GetStringBytes(), &f); err != nil {
						bad(err)
						continue
					}
					f.Account, f.Firewall, f.Rule, f.Interface = sub, nsg, rule, mac
					emit(&f)
					n++
				}
			}
		}
	}
	if flows := v.GetArray("flowRecords", "flows"); flows != nil {
		target := v.GetStringBytes("targetResourceID")
		sub := r.in.lowerString(subscriptionOf(target))
		network := r.in.lowerString(target)
		mac := r.in.string(normalMAC(v.GetStringBytes("macAddress")))
		for _, fl := range flows {
			acl := r.in.lowerString(fl.GetStringBytes("aclID"))
			for _, g := range fl.GetArray("flowGroups") {
				rule := r.in.string(bytes.TrimPrefix(g.GetStringBytes("rule"), []byte("UserRule_")))
				for _, t := range g.GetArray("flowTuples") {
					if err := parseVNetTuple(t.GetStringBytes(), &f); err != nil {
						bad(err)
						continue
					}
					f.Account, f.Rule, f.Interface, f.Network, f.ACL = sub, rule, mac, network, acl
					emit(&f)
					n++
				}
			}
		}
	}
	return n
}

// splitCommas cuts a tuple into dst without allocating.
func splitCommas(dst [][]byte, t []byte) [][]byte {
	for {
		i := bytes.IndexByte(t, ',')
		if i < 0 {
			return append(dst, t)
		}
		dst = append(dst, t[:i])
		t = t[i+1:]
	}
}

// parseNSGTuple reads a version 1 (8 fields) or version 2 (13 fields)
// NSG flow tuple: time,src,dst,sport,dport,proto(T/U),dir(I/O),decision(A/D)
// [,state,packets s2d,bytes s2d,packets d2s,bytes d2s].
func parseNSGTuple(t []byte, f *Flow) error {
	var buf [16][]byte
	p := splitCommas(buf[:0], t)
	if len(p) != 8 && len(p) != 13 {
		return errors.New("NSG flow tuple has " + strconv.Itoa(len(p)) + " fields, want 8 or 13: " + truncate(string(t), 120))
	}
	if err := tupleCommon(p, f, false); err != nil {
		return err
	}
	switch string(p[7]) {
	case "A":
		f.Decision = Accept
	case "D":
		f.Decision = Reject
	}
	if len(p) == 13 {
		f.State = tupleState(p[8])
		tupleCounts(p[9:13], f)
	}
	return nil
}

// parseVNetTuple reads a version 4 VNet flow tuple: time (ms),src,dst,
// sport,dport,proto(IANA),dir(I/O),state(B/C/E/D),encryption,packets s2d,
// bytes s2d,packets d2s,bytes d2s. State D is a deny.
func parseVNetTuple(t []byte, f *Flow) error {
	var buf [16][]byte
	p := splitCommas(buf[:0], t)
	if len(p) != 13 {
		return errors.New("VNet flow tuple has " + strconv.Itoa(len(p)) + " fields, want 13: " + truncate(string(t), 120))
	}
	if err := tupleCommon(p, f, true); err != nil {
		return err
	}
	if string(p[7]) == "D" {
		f.Decision = Reject
	} else {
		f.Decision = Accept
	}
	f.State = tupleState(p[7])
	tupleCounts(p[9:13], f)
	return nil
}

func tupleCommon(p [][]byte, f *Flow, millis bool) error {
	*f = Flow{Cloud: model.Azure, SrcPort: -1, DstPort: -1, Protocol: -1}
	ts, ok := atoi(string(p[0]))
	if !ok {
		return errors.New("flow tuple time " + strconv.Quote(truncate(string(p[0]), 32)) + " unreadable")
	}
	// Version 4 writes milliseconds, older versions seconds; a value past
	// the year 5000 in seconds can only be milliseconds.
	if millis || ts > 95617584000 {
		f.Start = time.UnixMilli(int64(ts)).UTC()
	} else {
		f.Start = time.Unix(int64(ts), 0).UTC()
	}
	f.End = f.Start
	if f.Src, ok = parseAddr(p[1]); !ok {
		return errors.New("flow tuple source address " + strconv.Quote(truncate(string(p[1]), 64)) + " unreadable")
	}
	if f.Dst, ok = parseAddr(p[2]); !ok {
		return errors.New("flow tuple destination address " + strconv.Quote(truncate(string(p[2]), 64)) + " unreadable")
	}
	f.SrcPort = intOr(p[3], -1)
	f.DstPort = intOr(p[4], -1)
	f.Protocol = ProtocolNumber(string(p[5]))
	switch string(p[6]) {
	case "I":
		f.Direction = DirIn
	case "O":
		f.Direction = DirOut
	}
	return nil
}

// tupleState reads a flow state field (B, C, E, D).
func tupleState(b []byte) byte {
	if len(b) == 1 {
		switch b[0] {
		case 'B', 'C', 'E', 'D':
			return b[0]
		}
	}
	return 0
}

func tupleCounts(p [][]byte, f *Flow) {
	f.Packets = sat(count(p[0]), count(p[2]))
	f.Bytes = sat(count(p[1]), count(p[3]))
}

// subscriptionOf returns the subscription id within an ARM resource id.
func subscriptionOf(id []byte) []byte {
	const key = "/subscriptions/"
	if len(id) < len(key) {
		return nil
	}
	for i := 0; i+len(key) <= len(id); i++ {
		if bytes.EqualFold(id[i:i+len(key)], []byte(key)) {
			rest := id[i+len(key):]
			if j := bytes.IndexByte(rest, '/'); j >= 0 {
				return rest[:j]
			}
			return rest
		}
	}
	return nil
}

// normalMAC writes a MAC as 12 upper-case hex digits, the flow logs' form
// (NIC objects print 00-0D-3A-13-71-C8).
func normalMAC(s []byte) []byte {
	if !bytes.ContainsAny(s, "-:abcdef") {
		return s
	}
	out := make([]byte, 0, 12)
	for _, c := range s {
		switch {
		case c == '-' || c == ':':
		case c >= 'a' && c <= 'f':
			out = append(out, c-'a'+'A')
		default:
			out = append(out, c)
		}
	}
	return out
}
