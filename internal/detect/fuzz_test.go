package detect

import (
	"strings"
	"testing"

	"cloudwall/internal/content"
	"cloudwall/internal/model"
)

// FuzzPeerSizing sizes peers written by an attacker (the CIDR text of a
// request body) and checks the invariants a user relies on: no panic; a
// peer that parses as a prefix of length 0 is world-open; a set of peers is
// never judged narrower than one of its members.
func FuzzPeerSizing(f *testing.F) {
	for _, s := range []string{
		"0.0.0.0/0", "208.236.235.254/0", "::/0", "::ffff:0.0.0.0/96", "0.0.0.0/00", "00.0.0.0/0",
		"10.0.0.0/8", "203.0.113.7", "0.0.0.0-255.255.255.255", "0.0.0.0-0.0.0.0", "10.0.0.300-10.0.0.300",
		"1.2.3.x/99", "*", "Any", "0.0.0.0/1,128.0.0.0/1", "0.0.0.0/2,64.0.0.0/2,128.0.0.0/2,192.0.0.0/2",
		"fe80::/10,::/1,8000::/1", "1.2.3.4/-1", "1.2.3.4/ 8", "255.255.255.255-0.0.0.0",
	} {
		f.Add(s, uint8(0))
	}
	d := detector(f)
	kinds := []model.PeerKind{model.PeerCIDR, model.PeerRange, model.PeerAny, model.PeerServiceTag, model.PeerPrefixList, model.PeerOther}
	f.Fuzz(func(t *testing.T, list string, kind uint8) {
		var peers []model.Peer
		for _, v := range strings.Split(list, ",") {
			peers = append(peers, model.Peer{Kind: kinds[int(kind)%len(kinds)], Value: v})
		}
		all := d.worstScope(peers)
		for _, p := range peers {
			s := d.size(p)
			if p.Kind == model.PeerCIDR && isZeroLength(p.Value) && s.scope != content.World {
				t.Errorf("%q has prefix length 0 but is %s", p.Value, s.scope)
			}
			if rank(s.scope) > rank(all) {
				t.Errorf("the set %q is judged %s, narrower than its member %q (%s)", list, all, p.Value, s.scope)
			}
		}
		ch := rule("tcp", port(22), peers...)
		if f, ok := d.Evaluate(sgIngress(ch)); !ok || f.Severity < model.Info || f.Severity > model.Critical {
			t.Errorf("Evaluate: ok=%v severity %v", ok, f.Severity)
		}
	})
}

// FuzzPortSizing classifies ports and protocols as logged and checks that
// a range covering a sensitive port is never judged below that port alone.
func FuzzPortSizing(f *testing.F) {
	f.Add("tcp", 0, 65535)
	f.Add("6", 20, 25)
	f.Add("-1", -1, -1)
	f.Add("udp", 1024, 65535)
	f.Add("icmp", 8, 0)
	f.Add("Tcp", 3389, 3389)
	f.Add("all", 22, 22)
	d := detector(f)
	op, _ := d.c.Operation("ec2:authorizesecuritygroupingress")
	f.Fuzz(func(t *testing.T, proto string, from, to int) {
		r := model.PortRange{From: from, To: to}
		ch := rule(proto, model.PortList{r}, cidr("0.0.0.0/0"))
		ps := d.ports(op, ch)
		if len(ps.classes) == 0 || len(ps.text) == 0 {
			t.Fatalf("ports(%q, %v) gave no class", proto, r)
		}
		wide, ok := d.Evaluate(sgIngress(ch))
		if !ok {
			t.Fatal("not a firewall event")
		}
		if from > to || from < 0 || to > 65535 || !portBearing(protocol(proto)) {
			return
		}
		for _, p := range []int{from, to, (from + to) / 2} {
			one, _ := d.Evaluate(sgIngress(rule(proto, port(p), cidr("0.0.0.0/0"))))
			if one.Severity > wide.Severity {
				t.Errorf("%s %d-%d is %s, but port %d inside it is %s", proto, from, to, wide.Severity, p, one.Severity)
			}
		}
	})
}

func isZeroLength(v string) bool {
	_, bits, ok := strings.Cut(strings.TrimSpace(v), "/")
	return ok && strings.Trim(strings.TrimSpace(bits), "0") == "" && strings.TrimSpace(bits) != ""
}

// worstScope is the widest scope of the groups peers form.
func (d *Detector) worstScope(peers []model.Peer) content.Scope {
	gs, _ := d.groups(peers)
	best := gs[0].scope
	for _, g := range gs {
		if rank(g.scope) > rank(best) {
			best = g.scope
		}
	}
	return best
}

// rank orders scopes from narrow to world for the invariant above;
// references and unreadable peers are not ordered against addresses.
func rank(s content.Scope) int {
	switch s {
	case content.World:
		return 5
	case content.AzureServices, content.PublicWide:
		return 4
	case content.PublicNarrow:
		return 3
	case content.Single, content.Private:
		return 2
	}
	return 0
}

// FuzzPeerList: a value that lists addresses is judged no narrower than
// any address in it judged alone, and splitting never panics or yields an
// empty address.
func FuzzPeerList(f *testing.F) {
	for _, s := range []string{"0.0.0.0/0,10.0.0.0/8", "10.0.0.0/8; 0.0.0.0/1 ;128.0.0.0/1", "192.168.0.0/16 ::/0",
		"10.0.0.1 - 10.0.0.9, 0.0.0.0-255.255.255.255", ",,;", " ", "0.0.0.0/0"} {
		f.Add(s, false)
	}
	d := detector(f)
	f.Fuzz(func(t *testing.T, v string, isRange bool) {
		kind := model.PeerCIDR
		if isRange {
			kind = model.PeerRange
		}
		p := model.Peer{Kind: kind, Value: v}
		whole := d.worstScope([]model.Peer{p})
		for _, part := range listParts(p) {
			if strings.TrimSpace(part) == "" {
				t.Fatalf("empty address split from %q", v)
			}
			alone := d.size(model.Peer{Kind: kind, Value: part}).scope
			if rank(alone) > rank(whole) {
				t.Errorf("%q is judged %s, narrower than its address %q (%s)", v, whole, part, alone)
			}
		}
	})
}
