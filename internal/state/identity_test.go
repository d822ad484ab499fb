package state

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"

	"cloudwall/internal/model"
)

// TestSameIdentity: the comparison without strings agrees with comparing
// identity strings, for every family and pair of rules.
func TestSameIdentity(t *testing.T) {
	rules := []model.Rule{
		{},
		{RuleChange: model.RuleChange{Name: "r1"}},
		{RuleChange: model.RuleChange{Name: "R1"}},
		{RuleChange: model.RuleChange{Name: "ſ"}}, // EqualFold("ſ", "s"), but not their lower cases
		{RuleChange: model.RuleChange{Name: "S"}},
		{RuleChange: model.RuleChange{Name: "r2", Direction: model.Egress}},
		{RuleChange: model.RuleChange{Priority: model.IntPtr(100)}},
		{RuleChange: model.RuleChange{Priority: model.IntPtr(100), Direction: model.Ingress}},
		{RuleChange: model.RuleChange{Priority: model.IntPtr(100), Direction: model.Egress}},
		{RuleChange: model.RuleChange{Priority: model.IntPtr(200), Name: "r1"}},
		{RuleChange: model.RuleChange{Priority: model.IntPtr(100), Protocol: "tcp", Ports: ports(22, 22)}},
		{RuleChange: model.RuleChange{Priority: model.IntPtr(100), Protocol: "6", Ports: ports(22, 22)}},
		{RuleChange: model.RuleChange{Priority: model.IntPtr(100), Protocol: "tcp", Ports: ports(80, 80)}},
	}
	firewalls := []*firewall{
		{family: allowOnly, meta: model.Firewall{Resource: model.Resource{Type: "security_group"}}},
		{family: allowOnly, meta: model.Firewall{Resource: model.Resource{Type: "sql_server"}}},
		{family: numbered}, {family: nsg}, {family: ordered}, {family: gcpVPC}, {family: gcpPolicy},
	}
	for _, f := range firewalls {
		for i := range rules {
			for j := range rules {
				a, b := &rules[i], &rules[j]
				if has := hasIdentity(f, a); has != (identity(f, a) != "") {
					t.Errorf("family %d %s: hasIdentity(%d) = %v, identity %q", f.family, f.meta.Resource.Type, i, has, identity(f, a))
				}
				want := identity(f, a) != "" && identity(f, a) == identity(f, b)
				if got := sameIdentity(f, a, b); got != want {
					t.Errorf("family %d %s: sameIdentity(%d, %d) = %v, identities %q and %q", f.family, f.meta.Resource.Type, i, j, got, identity(f, a), identity(f, b))
				}
			}
		}
	}
}

// TestPlain: the quoting test agrees with the shell-safe set.
func TestPlain(t *testing.T) {
	for s, want := range map[string]bool{
		"sg-0abc": true, "0.0.0.0/0": true, "a=b,c@d%e+f:g": true, "": false, "a b": false,
		"it's": false, "x\n": false, "$HOME": false, "é": false, "*": false,
	} {
		if got := plain(s); got != want {
			t.Errorf("plain(%q) = %v, want %v", s, got, want)
		}
	}
}

// tupleKeyRef is tupleKey as first written, string by string: the
// buffered one must give the same keys.
func tupleKeyRef(r *model.Rule) string {
	var b strings.Builder
	b.WriteString(string(dirOf(r.Direction)) + "|" + string(r.Action) + "|" + protoName(r.Protocol) + "|" + portsKey(r.Protocol, r.Ports) + "|")
	peers := make([]string, 0, len(r.Peers))
	for _, p := range r.Peers {
		peers = append(peers, strings.ToLower(p.String()))
	}
	slices.Sort(peers)
	b.WriteString(strings.Join(peers, ","))
	if r.Priority != nil {
		b.WriteString("|p" + strconv.Itoa(*r.Priority))
	}
	if len(r.Targets) > 0 {
		t := slices.Clone(r.Targets)
		slices.Sort(t)
		b.WriteString("|t" + strings.ToLower(strings.Join(t, ",")))
	}
	return b.String()
}

func TestTupleKey(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	peers := []model.Peer{cidr("0.0.0.0/0"), cidr("10.0.0.0/8"), {Kind: model.PeerServiceTag, Value: "Internet"}, {Kind: model.PeerGroup, Value: "SG-1"}, {Kind: model.PeerRange, Value: "1.2.3.4-1.2.3.9"}}
	portLists := []model.PortList{nil, ports(22, 22), ports(0, 65535), ports(80, 80, 443, 443), ports(1000, 2000, 5, 5), ports(-1, -1)}
	for range 2000 {
		r := model.Rule{RuleChange: model.RuleChange{
			Direction: []model.Direction{"", model.Ingress, model.Egress}[rng.IntN(3)],
			Action:    []model.Action{"", model.Allow, model.Deny}[rng.IntN(3)],
			Protocol:  []string{"", "tcp", "6", "-1", "icmp"}[rng.IntN(5)],
			Ports:     portLists[rng.IntN(len(portLists))],
		}}
		for range rng.IntN(4) {
			r.Peers = append(r.Peers, peers[rng.IntN(len(peers))])
		}
		if rng.IntN(2) == 0 {
			r.Priority = model.IntPtr(rng.IntN(70000))
		}
		if rng.IntN(3) == 0 {
			r.Targets = []string{"Web", "db"}[:1+rng.IntN(2)]
		}
		if got, want := tupleKey(&r), tupleKeyRef(&r); got != want {
			t.Fatalf("tupleKey = %q, want %q", got, want)
		}
	}
}

// TestJudgeRuleCache: remembered judgements equal the detector's, for
// rules that differ in name and priority too (which the key leaves out).
func TestJudgeRuleCache(t *testing.T) {
	e := newEngine(t)
	rng := rand.New(rand.NewPCG(5, 6))
	peers := []model.Peer{cidr("0.0.0.0/0"), cidr("::/0"), cidr("10.0.0.0/8"), {Kind: model.PeerServiceTag, Value: "Internet"}, cidr("0.0.0.0/1")}
	portLists := []model.PortList{nil, ports(22, 22), ports(0, 65535), ports(80, 80, 443, 443), ports(3389, 3389)}
	types := [][2]string{{"aws", "security_group"}, {"aws", "network_acl"}, {"azure", "nsg_rule"}, {"gcp", "vpc_firewall_rule"}}
	for i := range 3000 {
		r := model.RuleChange{
			Direction: []model.Direction{"", model.Ingress, model.Egress}[rng.IntN(3)],
			Action:    []model.Action{"", model.Allow, model.Deny}[rng.IntN(3)],
			Protocol:  []string{"", "tcp", "6", "all", "icmp"}[rng.IntN(5)],
			Ports:     portLists[rng.IntN(len(portLists))],
			Name:      "rule-" + strconv.Itoa(i),
			Priority:  model.IntPtr(rng.IntN(2000)),
		}
		for range 1 + rng.IntN(2) {
			r.Peers = append(r.Peers, peers[rng.IntN(len(peers))])
		}
		ty := types[rng.IntN(len(types))]
		sev, exp := e.judgeRule(model.Cloud(ty[0]), ty[1], &r)
		d := e.opts.Detector.Judge(model.Cloud(ty[0]), ty[1], r)
		if sev != d.Severity || !slices.Equal(exp, d.Exposure) {
			t.Fatalf("%v %+v: remembered %v %q, detector %v %q", ty, r, sev, exp, d.Severity, d.Exposure)
		}
	}
	if len(e.judged) == 0 || len(e.judged) >= 3000 {
		t.Errorf("%d judgements remembered for 3000 rules of few shapes", len(e.judged))
	}
}
