package state

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
	"time"

	"cloudwall/internal/model"
)

// TestGCPRefreshMatchesFullRejudge: a change to a GCP rule re-judges only
// the rules of its network it can reach (same traffic, evaluated at or
// after it). After every call of a random replay, each rule's windows in
// force must be exactly the exposures a judgement of the whole network
// from scratch finds: nothing the shortcut skipped could have changed.
func TestGCPRefreshMatchesFullRejudge(t *testing.T) {
	for seed := range uint64(20) {
		t.Run(strconv.FormatUint(seed, 10), func(t *testing.T) { gcpReplayCheck(t, seed) })
	}
}

func gcpReplayCheck(t *testing.T, seed uint64) {
	rng := rand.New(rand.NewPCG(seed, 9))
	peers := []model.Peer{cidr("0.0.0.0/0"), cidr("::/0"), cidr("10.0.0.0/8"), cidr("203.0.113.0/24")}
	portSets := []model.PortList{ports(22, 22), ports(80, 80), ports(20, 25), ports(0, 65535), ports(80, 80, 443, 443)}
	prios := []int{100, 500, 500, 1000}
	change := func(name string) model.RuleChange {
		c := model.RuleChange{Direction: model.Ingress, Action: model.Allow, Protocol: "tcp", Ports: portSets[rng.IntN(len(portSets))],
			Peers: []model.Peer{peers[rng.IntN(len(peers))]}, Priority: model.IntPtr(prios[rng.IntN(len(prios))]), Name: name}
		if rng.IntN(3) == 0 {
			c.Action = model.Deny
		}
		if rng.IntN(4) == 0 {
			c.Protocol, c.Ports = "all", nil
		}
		if rng.IntN(4) == 0 {
			c.Targets = []string{[]string{"web", "db"}[rng.IntN(2)]}
		}
		return c
	}
	e := newEngine(t)
	e.opts.History = false
	const n = 12
	var base []model.Firewall
	for i := range n {
		name := fmt.Sprintf("fw-%d", i)
		base = append(base, model.Firewall{AsOf: t0, Cloud: model.GCP, Account: "p1", Network: "default", Resource: gcpRule(name),
			Rules: []model.Rule{mrule(change(name))}})
	}
	e.Load(base)
	check(t, e, -1)
	for i := range 150 {
		name := fmt.Sprintf("fw-%d", rng.IntN(n))
		ev := event(model.GCP, "", at(1, i), gcpRule(name))
		switch rng.IntN(5) {
		case 0:
			ev.OperationKey = "compute.firewalls.insert"
			c := change(name)
			c.Effect = model.Added
			ev.Changes = []model.RuleChange{c}
		case 1:
			ev.OperationKey = "compute.firewalls.patch"
			ev.Settings = map[string]string{model.SettingDisabled: strconv.FormatBool(rng.IntN(2) == 0)}
		case 2:
			ev.OperationKey = "compute.firewalls.patch"
			ev.Changes = []model.RuleChange{{Effect: model.Altered, Peers: []model.Peer{peers[rng.IntN(len(peers))]}}}
		case 3:
			ev.OperationKey = "compute.firewalls.patch"
			ev.Changes = []model.RuleChange{{Effect: model.Altered, Priority: model.IntPtr(prios[rng.IntN(len(prios))])}}
		default:
			ev.OperationKey = "compute.firewalls.delete"
		}
		ev.Operation = ev.OperationKey
		e.Apply(&ev, "")
		check(t, e, i)
	}
}

// check compares every GCP rule's exposures in force with a judgement
// of its whole network from scratch.
func check(t *testing.T, e *Engine, call int) {
	t.Helper()
	for _, f := range e.order {
		if f.family != gcpVPC {
			continue
		}
		var want []string
		if !f.deleted {
			for _, x := range e.exposures(f, &rowSet{rows: e.rowsAt(f, time.Time{})}) {
				want = append(want, x.key)
			}
		}
		var got []string
		for k := range f.open {
			got = append(got, k)
		}
		for k := range f.quiet {
			got = append(got, k)
		}
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Fatalf("after call %d, %s: windows in force %q, a full judgement finds %q", call, f.key, got, want)
		}
	}
}
