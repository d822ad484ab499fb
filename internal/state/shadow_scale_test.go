package state

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"cloudwall/internal/model"
)

// shadowsNaive is Shadows as first written: every rule probed at the
// edges of every rule's peers, and each probe matched against every rule
// in order. Shadows must agree with it.
func shadowsNaive(fw *model.Firewall, e *Engine) map[int]Shadow {
	f := &firewall{family: familyOf(fw.Cloud, fw.Resource.Type), meta: *fw}
	out := map[int]Shadow{}
	if f.family == allowOnly {
		return out
	}
	var rows []row
	index := map[*rule]int{}
	for i := range fw.Rules {
		r := e.newRule(fw.Rules[i], nil)
		r.Protocol = protoName(r.Protocol)
		index[r] = i
		rows = append(rows, row{r: r, f: f})
	}
	sortRows(f.family, rows)
	for k, x := range rows {
		act := x.r.Action
		if x.r.Disabled || x.r.Priority == nil || act != model.Allow && act != model.Deny {
			continue
		}
		decided, other := 0, 0
		var by []*rule
		qs := e.probes(rows, x.r)
		for _, q := range qs {
			first := slices.IndexFunc(rows, func(y row) bool { ok, _ := e.matches(y.r, q); return ok })
			switch {
			case first < 0:
				continue
			case first == k:
				decided++
				continue
			}
			if y := rows[first].r; first < k && y.Action != act && (y.Action == model.Allow || y.Action == model.Deny) {
				other++
				if !slices.Contains(by, y) {
					by = append(by, y)
				}
			}
		}
		if len(by) > 0 {
			s := Shadow{Full: decided == 0 && other > 0 && other == len(qs)}
			for _, y := range by {
				s.By = append(s.By, &fw.Rules[index[y]])
			}
			out[index[x.r]] = s
		}
	}
	return out
}

// randomOrdered draws a firewall of n rules evaluated in order: an Azure
// NSG, a GCP network or a NACL, with peers of every kind the engine
// matches by address or by name, ties of priority, disabled rules and
// targets.
func randomOrdered(r *rand.Rand, n int) model.Firewall {
	kinds := []model.Firewall{
		{Cloud: model.Azure, Resource: model.Resource{Type: "nsg", ID: "nsg-1"}},
		{Cloud: model.GCP, Resource: model.Resource{Type: "network", ID: "projects/p/global/networks/n"}},
		{Cloud: model.AWS, Resource: model.Resource{Type: "network_acl", ID: "acl-1"}},
	}
	fw := kinds[r.IntN(len(kinds))]
	peers := []model.Peer{cidr("0.0.0.0/0"), cidr("10.0.0.0/8"), cidr("10.1.0.0/16"), cidr("203.0.113.0/24"), cidr("203.0.113.7"),
		cidr("::/0"), cidr("2001:db8::/32"), cidr("::ffff:10.0.0.0/104"), cidr("not-a-cidr"), {Kind: model.PeerRange, Value: "198.51.100.10-198.51.100.20"},
		{Kind: model.PeerAny, Value: "*"}, {Kind: model.PeerServiceTag, Value: "Internet"}, {Kind: model.PeerServiceTag, Value: "VirtualNetwork"},
		{Kind: model.PeerTag, Value: "web"}, {Kind: model.PeerPrefixList, Value: "pl-1"}, {Kind: model.PeerGroup, Value: "sg-1"}}
	for i := range n {
		c := model.RuleChange{Direction: []model.Direction{model.Ingress, model.Ingress, model.Egress}[r.IntN(3)],
			Action: []model.Action{model.Allow, model.Deny}[r.IntN(2)], Protocol: []string{"tcp", "tcp", "udp", "all", "icmp", "47"}[r.IntN(6)]}
		if portBearing(c.Protocol) {
			from := []int{22, 80, 443, 1000, 0, 3389}[r.IntN(6)]
			to := from + []int{0, 0, 10, 1000}[r.IntN(4)]
			if from == 0 {
				to = 65535
			}
			c.Ports = model.PortList{{From: from, To: to}}
		}
		for range 1 + r.IntN(2) {
			c.Peers = append(c.Peers, peers[r.IntN(len(peers))])
		}
		if r.IntN(4) == 0 {
			c.Targets = []string{[]string{"web", "db", "10.0.0.0/24"}[r.IntN(3)]}
		}
		c.Priority, c.Name = model.IntPtr(100+10*r.IntN(n)), fmt.Sprintf("r%d", i)
		fw.Rules = append(fw.Rules, model.Rule{RuleChange: c, Disabled: r.IntN(10) == 0})
	}
	return fw
}

// Shadows, which cuts each rule's probes along the edges of the rules
// that can decide them, finds what probing along every rule's edges finds:
// the same shadowed rules, fully or not, by the same rules in the same
// order.
func TestShadowsAgreeWithNaive(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	e := newEngine(t)
	for i := range 2000 {
		fw := randomOrdered(r, 1+r.IntN(24))
		got, want := Shadows(&fw, e.opts.Detector), shadowsNaive(&fw, e)
		if len(got) != len(want) {
			t.Fatalf("case %d: %d shadowed, naive %d\n%s", i, len(got), len(want), dump(fw))
		}
		for k, w := range want {
			g := got[k]
			if g.Full != w.Full || !slices.Equal(g.By, w.By) {
				t.Fatalf("case %d rule %d: got %+v, naive %+v\n%s", i, k, g, w, dump(fw))
			}
		}
	}
}

// A network of thousands of rules is judged in about the time of its
// rules times the rules that overlap each: probing every rule at every
// other rule's edges, and matching each probe against every rule, took
// 37 s of CPU for 2,000 GCP rules and grew with the cube of their number.
func TestShadowsLargeNetwork(t *testing.T) {
	if testing.Short() {
		t.Skip("judges a network of 3,000 rules")
	}
	r := rand.New(rand.NewPCG(1, 2))
	fw := model.Firewall{Cloud: model.GCP, Resource: model.Resource{Type: "network", ID: "projects/p/global/networks/n"}}
	for i := range 3000 {
		port := []int{22, 80, 443, 3389, 5432, 3306, 8080, 6379, 9200, 27017}[r.IntN(10)]
		peer := fmt.Sprintf("10.%d.%d.%d/32", r.IntN(256), r.IntN(256), r.IntN(256))
		if r.IntN(10) == 0 {
			peer = "0.0.0.0/0"
		}
		fw.Rules = append(fw.Rules, model.Rule{RuleChange: model.RuleChange{Direction: model.Ingress, Action: []model.Action{model.Allow, model.Allow, model.Allow, model.Deny}[r.IntN(4)],
			Protocol: "tcp", Ports: model.PortList{{From: port, To: port}}, Peers: []model.Peer{cidr(peer)}, Priority: model.IntPtr(100 + r.IntN(2000)), Name: fmt.Sprintf("fw-%d", i)}})
	}
	start := time.Now()
	sh := Shadows(&fw, newEngine(t).opts.Detector)
	if took := time.Since(start); took > 20*time.Second {
		t.Errorf("Shadows of 3,000 rules took %v", took)
	}
	if len(sh) == 0 {
		t.Error("no rule shadowed in a network of 3,000 rules with denies of the world")
	}
}

// Networks of about a hundred rules whose peers are prefixes and tags, as
// GCP networks are, so that their address probes are matched in sweeps
// (firstMatches): the same shadows as the naive probing, rule for rule.
func TestShadowsSweepAgreeWithNaive(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 5))
	e := newEngine(t)
	peers := []string{"0.0.0.0/0", "10.0.0.0/8", "10.1.0.0/16", "10.1.2.0/24", "10.1.2.3/32", "203.0.113.0/24", "203.0.113.7/32", "::/0", "2001:db8::/32", "::ffff:10.0.0.0/104"}
	for i := range 12 {
		fw := model.Firewall{Cloud: model.GCP, Resource: model.Resource{Type: "network", ID: "projects/p/global/networks/n"}}
		for j := range 60 + r.IntN(80) {
			c := model.RuleChange{Direction: model.Ingress, Action: []model.Action{model.Allow, model.Allow, model.Deny}[r.IntN(3)],
				Protocol: []string{"tcp", "tcp", "udp", "all"}[r.IntN(4)], Priority: model.IntPtr(100 + r.IntN(300)), Name: fmt.Sprintf("fw-%d", j)}
			if c.Protocol != "all" {
				from := []int{22, 80, 443, 0, 8000}[r.IntN(5)]
				c.Ports = model.PortList{{From: from, To: from + []int{0, 0, 100, 65535}[r.IntN(4)]%65536}}
				if c.Ports[0].To < from {
					c.Ports[0].To = 65535
				}
			}
			for range 1 + r.IntN(2) {
				if r.IntN(5) == 0 {
					c.Peers = append(c.Peers, model.Peer{Kind: model.PeerTag, Value: []string{"web", "db"}[r.IntN(2)]})
					continue
				}
				c.Peers = append(c.Peers, cidr(peers[r.IntN(len(peers))]))
			}
			if r.IntN(3) == 0 {
				c.Targets = []string{[]string{"web", "db"}[r.IntN(2)]}
			}
			fw.Rules = append(fw.Rules, model.Rule{RuleChange: c, Disabled: r.IntN(20) == 0})
		}
		got, want := Shadows(&fw, e.opts.Detector), shadowsNaive(&fw, e)
		if len(got) != len(want) {
			t.Fatalf("network %d: %d shadowed, naive %d", i, len(got), len(want))
		}
		for k, w := range want {
			if g := got[k]; g.Full != w.Full || !slices.Equal(g.By, w.By) {
				t.Fatalf("network %d rule %d: got %+v, naive %+v", i, k, g, w)
			}
		}
	}
}
