package traffic

import (
	"errors"
	"net/netip"
	"strings"
	"time"

	"cloudwall/internal/model"
)

// gcpEntry is a Cloud Logging LogEntry from VPC Flow Logs or Firewall
// Rules Logging, holding the fields the join reads.
type gcpEntry struct {
	LogName   string `json:"logName"`
	Timestamp string `json:"timestamp"`
	Resource  struct {
		Labels struct {
			ProjectID string `json:"project_id"`
		} `json:"labels"`
	} `json:"resource"`
	Payload *struct {
		Connection *struct {
			SrcIP    string     `json:"src_ip"`
			DestIP   string     `json:"dest_ip"`
			SrcPort  flexInt    `json:"src_port"`
			DestPort flexInt    `json:"dest_port"`
			Protocol flexString `json:"protocol"`
		} `json:"connection"`
		// VPC Flow Logs
		Reporter     string     `json:"reporter"`
		StartTime    string     `json:"start_time"`
		EndTime      string     `json:"end_time"`
		BytesSent    flexInt    `json:"bytes_sent"`
		PacketsSent  flexInt    `json:"packets_sent"`
		SrcInstance  *gcpVM     `json:"src_instance"`
		DestInstance *gcpVM     `json:"dest_instance"`
		SrcVPC       *gcpVPC    `json:"src_vpc"`
		DestVPC      *gcpVPC    `json:"dest_vpc"`
		SrcLocation  *struct{}  `json:"src_location"`
		DestLocation *struct{}  `json:"dest_location"`
		Disposition  string     `json:"disposition"`
		Instance     *gcpVM     `json:"instance"`
		VPC          *gcpVPC    `json:"vpc"`
		Remote       *struct{}  `json:"remote_location"`
		RuleDetails  *gcpRuleRf `json:"rule_details"`
	} `json:"jsonPayload"`
}

type gcpVM struct {
	ProjectID string `json:"project_id"`
	VMName    string `json:"vm_name"`
}

type gcpVPC struct {
	ProjectID string `json:"project_id"`
	VPCName   string `json:"vpc_name"`
}

type gcpRuleRf struct {
	Direction string `json:"direction"`
	Reference string `json:"reference"`
}

var errGCPNoConnection = errors.New("flow log entry without jsonPayload.connection")

// gcpFlow reads one LogEntry. It returns ok=false with no error for
// entries that are not flow or firewall logs.
func gcpFlow(e *gcpEntry, f *Flow) (bool, error) {
	p := e.Payload
	if p == nil {
		return false, nil
	}
	firewallLog := p.Disposition != "" || p.RuleDetails != nil
	if !firewallLog && p.Reporter == "" && p.Connection == nil {
		return false, nil
	}
	c := p.Connection
	if c == nil {
		return false, errGCPNoConnection
	}
	*f = Flow{Cloud: model.GCP, SrcPort: -1, DstPort: -1, Protocol: -1}
	var err error
	if f.Src, err = netip.ParseAddr(c.SrcIP); err != nil {
		return false, errors.New("flow log entry: src_ip " + quoteShort([]byte(c.SrcIP)))
	}
	if f.Dst, err = netip.ParseAddr(c.DestIP); err != nil {
		return false, errors.New("flow log entry: dest_ip " + quoteShort([]byte(c.DestIP)))
	}
	if c.SrcPort > 0 && c.SrcPort <= 65535 {
		f.SrcPort = int(c.SrcPort)
	}
	if c.DestPort > 0 && c.DestPort <= 65535 {
		f.DstPort = int(c.DestPort)
	}
	f.Protocol = ProtocolNumber(string(c.Protocol))
	f.Account = e.Resource.Labels.ProjectID
	if firewallLog {
		return true, gcpFirewallLog(e, f)
	}
	f.Start = parseTime(p.StartTime, e.Timestamp)
	f.End = parseTime(p.EndTime, p.StartTime)
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
	f.Bytes, f.Packets = int64(p.BytesSent), int64(p.PacketsSent)
	switch p.Reporter {
	case "DEST":
		f.Direction = DirIn
		if p.DestInstance != nil {
			f.Interface = p.DestInstance.VMName
		}
		if p.DestVPC != nil {
			f.Network = p.DestVPC.VPCName
		}
		f.External = p.SrcInstance == nil && p.SrcVPC == nil && p.SrcLocation != nil
	case "SRC":
		f.Direction = DirOut
		if p.SrcInstance != nil {
			f.Interface = p.SrcInstance.VMName
		}
		if p.SrcVPC != nil {
			f.Network = p.SrcVPC.VPCName
		}
		f.External = p.DestInstance == nil && p.DestVPC == nil && p.DestLocation != nil
	}
	return true, nil
}

func gcpFirewallLog(e *gcpEntry, f *Flow) error {
	p := e.Payload
	f.Start = parseTime(e.Timestamp, "")
	if f.Start.IsZero() {
		return errors.New("firewall log entry without a readable timestamp")
	}
	f.End = f.Start
	switch strings.ToUpper(p.Disposition) {
	case "ALLOWED":
		f.Decision = Accept
	case "DENIED":
		f.Decision = Reject
	}
	if p.Instance != nil {
		f.Interface = p.Instance.VMName
	}
	if p.VPC != nil {
		f.Network = p.VPC.VPCName
	}
	f.External = p.Remote != nil
	if r := p.RuleDetails; r != nil {
		switch strings.ToUpper(r.Direction) {
		case "INGRESS":
			f.Direction = DirIn
		case "EGRESS":
			f.Direction = DirOut
		}
		// network:<net>/firewall:<name>
		ref := r.Reference
		if _, name, ok := strings.Cut(ref, "/firewall:"); ok {
			f.Firewall, f.Rule = name, name
			if net, ok := strings.CutPrefix(ref[:len(ref)-len(name)-len("/firewall:")], "network:"); ok && f.Network == "" {
				f.Network = net
			}
		} else if ref != "" {
			f.Firewall, f.Rule = ref, ref
		}
	}
	return nil
}

func parseTime(s, fallback string) time.Time {
	for _, v := range []string{s, fallback} {
		if v == "" {
			continue
		}
		if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}
