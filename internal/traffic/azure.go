package traffic

import (
	"errors"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"cloudwall/internal/model"
)

// azureRecord is one Azure NSG flow-log record (version 1 or 2) or VNet
// flow-log record (version 4), holding the fields the join reads.
type azureRecord struct {
	Time       string `json:"time"`
	ResourceID string `json:"resourceId"`
	Properties *struct {
		Version flexInt `json:"Version"`
		Flows   []struct {
			Rule  string `json:"rule"`
			Flows []struct {
				MAC    string   `json:"mac"`
				Tuples []string `json:"flowTuples"`
			} `json:"flows"`
		} `json:"flows"`
	} `json:"properties"`
	FlowLogVersion   flexInt `json:"flowLogVersion"`
	MACAddress       string  `json:"macAddress"`
	TargetResourceID string  `json:"targetResourceID"`
	FlowRecords      *struct {
		Flows []struct {
			ACLID      string `json:"aclID"`
			FlowGroups []struct {
				Rule   string   `json:"rule"`
				Tuples []string `json:"flowTuples"`
			} `json:"flowGroups"`
		} `json:"flows"`
	} `json:"flowRecords"`
}

// azureFlows calls emit for every tuple of the record; a tuple that cannot
// be read is reported through bad and the rest go on.
func azureFlows(rec *azureRecord, emit func(*Flow), bad func(error)) int {
	n := 0
	if rec.Properties != nil {
		nsg := strings.ToLower(rec.ResourceID)
		sub := subscriptionOf(rec.ResourceID)
		for _, fl := range rec.Properties.Flows {
			rule := strings.TrimPrefix(fl.Rule, "UserRule_")
			for _, g := range fl.Flows {
				mac := normalMAC(g.MAC)
				for _, t := range g.Tuples {
					var f Flow
					if err := parseNSGTuple(t, &f); err != nil {
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
	if rec.FlowRecords != nil {
		sub := subscriptionOf(rec.TargetResourceID)
		mac := normalMAC(rec.MACAddress)
		for _, fl := range rec.FlowRecords.Flows {
			for _, g := range fl.FlowGroups {
				rule := strings.TrimPrefix(g.Rule, "UserRule_")
				for _, t := range g.Tuples {
					var f Flow
					if err := parseVNetTuple(t, &f); err != nil {
						bad(err)
						continue
					}
					f.Account, f.Rule, f.Interface = sub, rule, mac
					f.Network = strings.ToLower(rec.TargetResourceID)
					emit(&f)
					n++
				}
			}
		}
	}
	return n
}

// parseNSGTuple reads a version 1 (8 fields) or version 2 (13 fields)
// NSG flow tuple: time,src,dst,sport,dport,proto(T/U),dir(I/O),decision(A/D)
// [,state,packets s2d,bytes s2d,packets d2s,bytes d2s].
func parseNSGTuple(t string, f *Flow) error {
	p := strings.Split(t, ",")
	if len(p) != 8 && len(p) != 13 {
		return errors.New("NSG flow tuple has " + strconv.Itoa(len(p)) + " fields, want 8 or 13: " + truncate(t, 120))
	}
	if err := tupleCommon(p, f, false); err != nil {
		return err
	}
	switch p[7] {
	case "A":
		f.Decision = Accept
	case "D":
		f.Decision = Reject
	}
	if len(p) == 13 {
		tupleCounts(p[9:13], f)
	}
	return nil
}

// parseVNetTuple reads a version 4 VNet flow tuple: time (ms),src,dst,
// sport,dport,proto(IANA),dir(I/O),state(B/C/E/D),encryption,packets s2d,
// bytes s2d,packets d2s,bytes d2s. State D is a deny.
func parseVNetTuple(t string, f *Flow) error {
	p := strings.Split(t, ",")
	if len(p) != 13 {
		return errors.New("VNet flow tuple has " + strconv.Itoa(len(p)) + " fields, want 13: " + truncate(t, 120))
	}
	if err := tupleCommon(p, f, true); err != nil {
		return err
	}
	if p[7] == "D" {
		f.Decision = Reject
	} else {
		f.Decision = Accept
	}
	tupleCounts(p[9:13], f)
	return nil
}

func tupleCommon(p []string, f *Flow, millis bool) error {
	*f = Flow{Cloud: model.Azure, SrcPort: -1, DstPort: -1, Protocol: -1}
	ts, err := strconv.ParseInt(p[0], 10, 64)
	if err != nil || ts < 0 {
		return errors.New("flow tuple time " + strconv.Quote(truncate(p[0], 32)) + " unreadable")
	}
	// Version 4 writes milliseconds, older versions seconds; a value past
	// the year 5000 in seconds can only be milliseconds.
	if millis || ts > 95617584000 {
		f.Start = time.UnixMilli(ts).UTC()
	} else {
		f.Start = time.Unix(ts, 0).UTC()
	}
	f.End = f.Start
	if f.Src, err = netip.ParseAddr(p[1]); err != nil {
		return errors.New("flow tuple source address " + strconv.Quote(truncate(p[1], 64)) + " unreadable")
	}
	if f.Dst, err = netip.ParseAddr(p[2]); err != nil {
		return errors.New("flow tuple destination address " + strconv.Quote(truncate(p[2], 64)) + " unreadable")
	}
	f.SrcPort = intOr([]byte(p[3]), -1)
	f.DstPort = intOr([]byte(p[4]), -1)
	f.Protocol = ProtocolNumber(p[5])
	switch p[6] {
	case "I":
		f.Direction = DirIn
	case "O":
		f.Direction = DirOut
	}
	return nil
}

func tupleCounts(p []string, f *Flow) {
	pk1, b1 := intOr([]byte(p[0]), 0), intOr([]byte(p[1]), 0)
	pk2, b2 := intOr([]byte(p[2]), 0), intOr([]byte(p[3]), 0)
	f.Packets, f.Bytes = int64(pk1+pk2), int64(b1+b2)
}

// subscriptionOf reads the subscription id from an ARM resource id.
func subscriptionOf(id string) string {
	parts := strings.Split(id, "/")
	for i := 0; i+1 < len(parts); i++ {
		if strings.EqualFold(parts[i], "subscriptions") {
			return strings.ToLower(parts[i+1])
		}
	}
	return ""
}

// normalMAC writes a MAC as 12 upper-case hex digits, the flow logs' form
// (NIC objects print 00-0D-3A-13-71-C8).
func normalMAC(s string) string {
	s = strings.NewReplacer("-", "", ":", "").Replace(s)
	return strings.ToUpper(s)
}

// flexInt reads a JSON number or a string holding one.
type flexInt int64

func (n *flexInt) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	if s == "" || s == "null" {
		return nil
	}
	if v, err := strconv.ParseInt(s, 10, 64); err == nil {
		*n = flexInt(v)
		return nil
	}
	if v, err := strconv.ParseFloat(s, 64); err == nil && v >= -1e18 && v <= 1e18 {
		*n = flexInt(v)
		return nil
	}
	return errors.New("not a number: " + truncate(string(b), 32))
}

// flexString reads a JSON string or number as text.
type flexString string

func (s *flexString) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var v string
		if err := jsonUnmarshal(b, &v); err != nil {
			return err
		}
		*s = flexString(v)
		return nil
	}
	*s = flexString(b)
	return nil
}
