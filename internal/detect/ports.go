package detect

import (
	"fmt"
	"strconv"
	"strings"

	"cloudwall/internal/content"
	"cloudwall/internal/model"
)

// portSet is what one rule's protocol and ports reach.
type portSet struct {
	// classes are the severity-table classes the ports fall in.
	classes []portClass
	// text names each port range for exposures ("22/tcp (ssh)").
	text []string
}

type portClass struct {
	name string
	// sensitive says name is a port class from ports.yaml, so the table
	// may fall back to its "sensitive" cell.
	sensitive bool
}

// Protocol normalises the spellings clouds log ("6", "-1", "*", "Tcp")
// to the names rules use: tcp, udp, sctp, icmp, icmpv6, all.
func Protocol(p string) string { return protocol(p) }

// protocol normalises the spellings clouds log ("6", "-1", "*", "Tcp").
func protocol(p string) string {
	switch p = strings.ToLower(strings.TrimSpace(p)); p {
	case "6":
		return "tcp"
	case "17":
		return "udp"
	case "132":
		return "sctp"
	case "1":
		return "icmp"
	case "58", "ipv6-icmp":
		return "icmpv6"
	case "-1", "*", "any", "all":
		return "all"
	}
	return p
}

// portless reports whether p (normalised by protocol) is a protocol
// without ports that clouds name: ICMP, IPsec, GRE and the like, or an
// IANA protocol number.
func portless(p string) bool {
	switch p {
	case "icmp", "icmpv6", "esp", "ah", "gre", "ipip", "igmp", "ospf", "pim", "vrrp", "l2tp":
		return true
	}
	n, err := strconv.Atoi(p)
	return err == nil && n >= 0 && n <= 255 && strconv.Itoa(n) == p
}

// portBearing reports whether protocol p has ports ("" = not logged).
func portBearing(p string) bool {
	return p == "" || p == "tcp" || p == "udp" || p == "sctp"
}

// ports classifies a rule's ports. A rule on all protocols or all ports,
// or a range that covers a sensitive port, counts as reaching it.
func (d *Detector) ports(op *content.Operation, ch model.RuleChange) portSet {
	proto := protocol(ch.Protocol)
	switch {
	case proto == "all" && (len(ch.Ports) == 0 || ch.Ports.All()):
		return portSet{classes: []portClass{{name: content.ClassAll}}, text: []string{allPortsText}}
	case ch.Ports.All():
		return portSet{classes: []portClass{{name: content.ClassAll}}, text: []string{"all " + proto + " ports"}}
	case !portBearing(proto) && proto != "all" && !portless(proto):
		// Not a protocol any cloud names ("-1.0", "ｔｃｐ", "tcp" and a
		// zero-width space): judged as reaching every port, never as
		// the low ICMP class.
		return portSet{classes: []portClass{{name: content.ClassUnknown}}, text: []string{protocolName(proto) + " (not understood: judged as any port)"}}
	case !portBearing(proto) && proto != "all":
		return portSet{classes: []portClass{{name: content.ClassICMP}}, text: []string{protocolName(proto)}}
	case len(ch.Ports) == 0 && op.Service != nil:
		_, declared := d.c.Class(op.Service.Class)
		return portSet{classes: []portClass{{name: op.Service.Class, sensitive: declared}}, text: []string{op.Service.Label}}
	case len(ch.Ports) == 0:
		t := "ports not logged"
		if proto != "" {
			t = proto + " (ports not logged)"
		}
		return portSet{classes: []portClass{{name: content.ClassUnknown}}, text: []string{t}}
	}
	match := proto
	if match == "all" {
		match = "" // a port on every protocol: any service on it
	}
	var ps portSet
	for _, r := range ch.Ports {
		// A range logged backwards or outside 0-65535 (hand-written
		// bodies) still reaches the ports between its ends.
		r.From, r.To = min(r.From, r.To), max(r.From, r.To)
		r.From, r.To = max(r.From, 0), min(r.To, 65535)
		if r.From > r.To {
			r = model.AllPortRange
		}
		hits := d.c.Sensitive(match, r)
		ps.text = append(ps.text, portText(r, match, hits))
		covered := 0
		for _, h := range hits {
			ps.classes = append(ps.classes, portClass{name: h.Class, sensitive: true})
			covered += min(h.Range.To, r.To) - max(h.Range.From, r.From) + 1
		}
		if covered < r.To-r.From+1 {
			ps.classes = append(ps.classes, portClass{name: content.ClassOther})
		}
	}
	return ps
}

// portText renders one range: "22/tcp (ssh)", "0-1024/tcp (covers ftp,
// ssh, telnet +9 more)".
func portText(r model.PortRange, proto string, hits []content.Port) string {
	s := r.String()
	if proto != "" {
		s += "/" + proto
	}
	if len(hits) == 0 {
		return s
	}
	var names []string
	for _, h := range hits {
		names = append(names, h.Name)
	}
	if r.From == r.To {
		return s + " (" + strings.Join(names, ", ") + ")"
	}
	const shown = 3
	if len(names) > shown {
		names = append(names[:shown], "+"+strconv.Itoa(len(names)-shown)+" more")
	}
	return s + " (covers " + strings.Join(names, ", ") + ")"
}

// protocolName names a portless protocol for exposures.
func protocolName(p string) string {
	switch p {
	case "icmp", "icmpv6", "esp", "ah", "gre":
		return p
	}
	if _, err := strconv.Atoi(p); err == nil {
		return "protocol " + p
	}
	return fmt.Sprintf("protocol %q", p)
}
