package state

import (
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"cloudwall/internal/detect"
	"cloudwall/internal/model"
)

// family is how a kind of firewall evaluates its rules.
type family int

const (
	// allowOnly: rules only allow; the union decides (AWS security
	// groups, PaaS firewall rules, allow lists).
	allowOnly family = iota
	// numbered: first match by ascending rule number, then deny (AWS NACL).
	numbered
	// nsg: first match by ascending priority, then the default rules
	// (Azure NSG).
	nsg
	// gcpVPC: one VPC firewall rule; evaluated together with the other
	// rules of its network.
	gcpVPC
	// gcpPolicy: a GCP firewall policy, one stage before or after the VPC
	// rules.
	gcpPolicy
	// ordered: any other firewall with priorities and deny rules: first
	// match by priority, nothing matched is denied.
	ordered
)

// wholeList reports the resources whose every rule-setting call sends
// their whole allowlist (Cloud SQL authorized networks, the API server
// allowlists of EKS, GKE and AKS clusters): a call replaces every rule.
func wholeList(resType string) bool {
	return resType == "cloudsql_instance" || isCluster(resType)
}

func familyOf(cloud model.Cloud, resType string) family {
	switch resType {
	case "security_group", "sql_firewall_rule", "sql_server", "cloudsql_instance", "lightsail_instance",
		"storage_account", "key_vault", "cosmosdb_account", "prefix_list", "appengine_firewall_rule", "eks_cluster", "gke_cluster", "aks_cluster":
		return allowOnly
	case "network_acl":
		return numbered
	case "nsg", "nsg_rule":
		if cloud == model.Azure {
			return nsg
		}
	case "vpc_firewall_rule":
		return gcpVPC
	case "firewall_policy", "network_firewall_policy":
		if cloud == model.GCP {
			return gcpPolicy
		}
	}
	return ordered
}

// firewallKey names one firewall across snapshots and events. Azure ids
// are case-insensitive and a rule's events name the rule, so they are
// keyed by their NSG; GCP rules are keyed by project and name whatever URL
// form names them.
func firewallKey(cloud model.Cloud, res model.Resource) string {
	return string(appendFirewallKey(nil, cloud, res))
}

// appendFirewallKey appends firewallKey(cloud, res) to b: a lookup can
// build the key in a buffer of its own and allocate nothing.
func appendFirewallKey(b []byte, cloud model.Cloud, res model.Resource) []byte {
	typ := res.Type
	switch {
	case cloud == model.Azure && typ == "nsg_rule":
		typ = "nsg"
	case cloud == model.Azure && typ == "sql_firewall_rule":
		typ = "sql_server"
	}
	b = append(b, cloud...)
	b = append(b, '|')
	b = append(b, typ...)
	b = append(b, '|')
	return append(b, normID(cloud, firewallID(cloud, res))...)
}

// firewallID is the id of the firewall a resource belongs to: an NSG
// rule's NSG, a SQL firewall rule's server stays itself.
func firewallID(cloud model.Cloud, res model.Resource) string {
	id := res.ID
	if id == "" {
		id = res.Name
	}
	if cloud == model.Azure {
		sub := ""
		switch res.Type {
		case "nsg_rule":
			sub = "/securityrules/"
		case "sql_firewall_rule":
			sub = "/firewallrules/"
		}
		if i := model.IndexFold(id, "/ipv6firewallrules/"); res.Type == "sql_firewall_rule" && i >= 0 {
			// An Azure SQL server's IPv6 rules are a list of their own
			// (ipv6FirewallRules), apart from its IPv4 rules: a rule of
			// either may share a name with one of the other.
			return id[:i+len("/ipv6firewallrules")]
		}
		if i := model.IndexFold(id, sub); sub != "" && i >= 0 {
			id = id[:i]
		}
	}
	return id
}

// normID canonicalises an id for keying.
func normID(cloud model.Cloud, id string) string {
	id = strings.TrimSpace(id)
	switch cloud {
	case model.Azure:
		return strings.ToLower(id)
	case model.GCP:
		if i := strings.Index(id, "projects/"); i > 0 {
			id = id[i:]
		}
	}
	return id
}

// parentOf returns the firewall an Azure rule event belongs to: an NSG
// rule's NSG, a SQL firewall rule's server.
func parentOf(res model.Resource) model.Resource {
	var typ string
	switch res.Type {
	case "nsg_rule":
		typ = "nsg"
	case "sql_firewall_rule":
		typ = "sql_server"
	default:
		return res
	}
	id := firewallID(model.Azure, res)
	return model.Resource{Type: typ, ID: id, Name: lastSegment(id)}
}

func lastSegment(s string) string {
	s = strings.TrimRight(s, "/")
	if i := strings.LastIndexByte(s, '/'); i >= 0 {
		return s[i+1:]
	}
	return s
}

// rule is one rule in force, with what evaluation needs precomputed.
type rule struct {
	model.Rule
	// world says the detector judges its peers to cover the internet;
	// world4 and world6 say it of its peers of one address family (an
	// IPv6 deny does not stop IPv4 traffic).
	world, world4, world6 bool
	// nets are its CIDR and range peers, parsed; refs the others.
	nets []netip.Prefix
	// disabled, action and order are read once.
	order int
	// opened is the call that added it, when the logs show it.
	opened *model.WindowEdge
	// key is tupleKey of Rule, computed once: a rule's content does not
	// change after newRule (changes make a new rule).
	key string
}

// split turns a snapshot or event rule into the rules the firewall's
// family keys: one per peer for security groups (AWS keeps one rule per
// peer, and revokes name one peer), the rule as is otherwise.
func (e *Engine) split(f *firewall, r model.Rule, edge *model.WindowEdge) []*rule {
	r.Effect = ""
	if r.Action == "" && f.family == allowOnly {
		r.Action = model.Allow
	}
	r.Protocol = protoName(r.Protocol)
	if f.family == allowOnly && f.meta.Resource.Type == "security_group" && len(r.Peers) > 1 {
		var out []*rule
		for _, p := range r.Peers {
			c := r
			c.Peers = []model.Peer{p}
			out = append(out, e.newRule(c, edge))
		}
		return out
	}
	return []*rule{e.newRule(r, edge)}
}

func (e *Engine) newRule(r model.Rule, edge *model.WindowEdge) *rule {
	r.Peers = slices.Clone(r.Peers)
	r.Ports = slices.Clone(r.Ports)
	r.Targets = slices.Clone(r.Targets)
	x := &rule{Rule: r, opened: edge}
	x.world, x.world4, x.world6 = e.worldOf(r.Peers)
	for _, p := range r.Peers {
		if pfx, ok := parseNet(p); ok {
			if x.nets == nil {
				x.nets = pfx // most rules have one peer: its prefixes as parsed
				continue
			}
			x.nets = append(x.nets, pfx...)
		}
	}
	x.order = -1
	if r.Priority != nil {
		x.order = *r.Priority
	}
	x.key = tupleKey(&x.Rule)
	return x
}

// worldness is the detector's judgement of a rule's peers: open to the
// internet, and open to it over IPv4 and over IPv6.
type worldness struct{ world, world4, world6 bool }

// maxWorldCache bounds the single peers whose judgement is remembered.
const maxWorldCache = 1 << 14

// worldOf judges peers with the detector. Most rules have one peer and
// the same few peers recur, so single peers' answers are remembered.
func (e *Engine) worldOf(peers []model.Peer) (world, world4, world6 bool) {
	d := e.opts.Detector
	if d == nil {
		return false, false, false
	}
	judge := func() worldness {
		w := worldness{world: d.World(peers)}
		if w.world {
			w.world4 = d.World(familyPeers(peers, 4))
			w.world6 = d.World(familyPeers(peers, 6))
		}
		return w
	}
	if len(peers) != 1 {
		w := judge()
		return w.world, w.world4, w.world6
	}
	w, ok := e.worlds[peers[0]]
	if !ok {
		if e.worlds == nil || len(e.worlds) >= maxWorldCache {
			e.worlds = map[model.Peer]worldness{}
		}
		w = judge()
		e.worlds[peers[0]] = w
	}
	return w.world, w.world4, w.world6
}

// familyPeers drops the address peers of the other family: the peers
// through which traffic of IP version v (4 or 6) can match.
func familyPeers(peers []model.Peer, v int) []model.Peer {
	var out []model.Peer
	for _, p := range peers {
		if nets, ok := parseNet(p); ok && len(nets) > 0 && nets[0].Addr().Is4() != (v == 4) {
			continue
		}
		out = append(out, p)
	}
	return out
}

// parseNet reads a CIDR, bare address or first-last range peer as
// prefixes.
func parseNet(p model.Peer) ([]netip.Prefix, bool) {
	v := strings.TrimSpace(p.Value)
	switch p.Kind {
	case model.PeerCIDR:
		if pfx, err := netip.ParsePrefix(v); err == nil {
			return []netip.Prefix{pfx.Masked()}, true
		}
		if a, err := netip.ParseAddr(v); err == nil {
			return []netip.Prefix{netip.PrefixFrom(a, a.BitLen())}, true
		}
	case model.PeerRange:
		lo, hi, ok := strings.Cut(v, "-")
		if !ok {
			return parseNet(model.Peer{Kind: model.PeerCIDR, Value: v})
		}
		a, err1 := netip.ParseAddr(strings.TrimSpace(lo))
		b, err2 := netip.ParseAddr(strings.TrimSpace(hi))
		if err1 == nil && err2 == nil && a.Is4() == b.Is4() && !b.Less(a) {
			return rangePrefixes(a, b), true
		}
	}
	return nil, false
}

// rangePrefixes covers lo-hi with prefixes (at most 2×bits of them).
func rangePrefixes(lo, hi netip.Addr) []netip.Prefix {
	var out []netip.Prefix
	for !hi.Less(lo) {
		bits := lo.BitLen()
		// Widen while the prefix starts at lo and stays within hi.
		best := netip.PrefixFrom(lo, bits)
		for b := bits - 1; b >= 0; b-- {
			p := netip.PrefixFrom(lo, b).Masked()
			if p.Addr() != lo || lastAddr(p).Compare(hi) > 0 {
				break
			}
			best = p
		}
		out = append(out, best)
		next := lastAddr(best).Next()
		if !next.IsValid() || len(out) > 2*bits {
			break
		}
		lo = next
	}
	return out
}

func lastAddr(p netip.Prefix) netip.Addr {
	b := p.Addr().AsSlice()
	for i := p.Bits(); i < len(b)*8; i++ {
		b[i/8] |= 1 << (7 - uint(i%8))
	}
	a, _ := netip.AddrFromSlice(b)
	return a
}

// protoName canonicalises protocol spellings ("6", "-1", "*", "Tcp") as
// the detector does.
func protoName(p string) string { return detect.Protocol(p) }

// portBearing reports whether a protocol has ports.
func portBearing(p string) bool { return p == "tcp" || p == "udp" || p == "sctp" }

// tupleKey identifies a rule by its content: direction, action, protocol,
// ports and peers. Two rules with the same tuple are the same rule.
// It is built for every rule made and every partial exposure, so it is
// written into one buffer.
func tupleKey(r *model.Rule) string {
	var b strings.Builder
	b.Grow(64)
	b.WriteString(string(dirOf(r.Direction)))
	b.WriteByte('|')
	b.WriteString(string(r.Action))
	b.WriteByte('|')
	b.WriteString(protoName(r.Protocol))
	b.WriteByte('|')
	writePorts(&b, r.Ports)
	b.WriteByte('|')
	if len(r.Peers) == 1 {
		b.WriteString(strings.ToLower(r.Peers[0].String()))
	} else {
		peers := make([]string, 0, len(r.Peers))
		for _, p := range r.Peers {
			peers = append(peers, strings.ToLower(p.String()))
		}
		slices.Sort(peers)
		b.WriteString(strings.Join(peers, ","))
	}
	if r.Priority != nil {
		b.WriteString("|p")
		b.WriteString(strconv.Itoa(*r.Priority))
	}
	if len(r.Targets) > 0 {
		t := slices.Clone(r.Targets)
		slices.Sort(t)
		b.WriteString("|t" + strings.ToLower(strings.Join(t, ",")))
	}
	return b.String()
}

// portsKey renders ports so that "no ports" and "all ports" on a
// protocol without ports, or on all protocols, compare equal.
func portsKey(proto string, ports model.PortList) string {
	if len(ports) == 0 || ports.All() {
		return "all"
	}
	_ = proto
	return strings.Join(ports.Strings(), ",")
}

// writePorts writes portsKey(_, ports) to b.
func writePorts(b *strings.Builder, ports model.PortList) {
	if len(ports) == 0 || ports.All() {
		b.WriteString("all")
		return
	}
	var buf [20]byte
	for i, pr := range ports {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(strconv.AppendInt(buf[:0], int64(pr.From), 10))
		if pr.To != pr.From {
			b.WriteByte('-')
			b.Write(strconv.AppendInt(buf[:0], int64(pr.To), 10))
		}
	}
}

// dirOf reads an empty direction as ingress, the convention of rules
// whose direction is implied (allow lists, SQL firewall rules).
func dirOf(d model.Direction) model.Direction {
	if d == "" {
		return model.Ingress
	}
	return d
}
