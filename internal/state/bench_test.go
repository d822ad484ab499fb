package state

import (
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"cloudwall/internal/model"
)

// BenchmarkReplay replays a large estate: a baseline of 100,000 rules
// over 20,000 firewalls of every family (security groups, NACLs, NSGs,
// GCP VPC rules in networks of about 50 rules) and 1,000,000 calls on them (adds,
// removes, NACL replaces, NSG writes and deletes, GCP patches, disables
// and deletes), with windows opening and closing. Sizes can be changed
// with CLOUDWALL_BENCH_RULES, CLOUDWALL_BENCH_EVENTS and
// CLOUDWALL_BENCH_NETWORK (rules per GCP network). It reports the
// peak resident memory of the process (VmHWM) as peak-RSS-MiB:
//
//	go test -run '^$' -bench Replay -benchtime 1x ./internal/state/
func BenchmarkReplay(b *testing.B) {
	nRules, nEvents := envInt("CLOUDWALL_BENCH_RULES", 100_000), envInt("CLOUDWALL_BENCH_EVENTS", 1_000_000)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		// Calls are generated as they are applied, as a scan feeds them:
		// the memory measured is the engine's.
		base, next := estate(nRules)
		e := newEngine(b)
		e.opts.History = false
		e.Load(base)
		for i := range nEvents {
			ev := next(i)
			e.Apply(&ev, "")
		}
		if len(e.Windows()) == 0 {
			b.Fatal("no exposure window in the whole replay")
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(nRules), "rules")
	b.ReportMetric(float64(nEvents), "events")
	if mib := peakRSSMiB(); mib > 0 {
		b.ReportMetric(mib, "peak-RSS-MiB")
	}
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// peakRSSMiB reads the process's peak resident set size (Linux).
func peakRSSMiB() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			return float64(kb) / 1024
		}
	}
	return 0
}

// estate generates the baseline, and the calls one at a time in
// event-time order.
func estate(nRules int) ([]model.Firewall, func(i int) model.Event) {
	rng := rand.New(rand.NewPCG(1, 2))
	peers := []string{"0.0.0.0/0", "10.0.0.0/8", "203.0.113.0/24", "198.51.100.7/32", "::/0", "172.16.0.0/12"}
	ports := []int{22, 80, 443, 3389, 5432, 8080}
	rc := func(dir model.Direction, act model.Action) model.RuleChange {
		p := ports[rng.IntN(len(ports))]
		return model.RuleChange{Direction: dir, Action: act, Protocol: "tcp", Ports: model.PortList{{From: p, To: p}},
			Peers: []model.Peer{{Kind: model.PeerCIDR, Value: peers[rng.IntN(len(peers))]}}}
	}
	const perFirewall = 5
	nFw := max(nRules/perFirewall, 4)
	// GCP networks of about 50 rules each (CLOUDWALL_BENCH_NETWORK): a
	// network's rules are evaluated together, but a change re-judges only
	// the rules it can reach, so the cost of a call barely grows with the
	// size of its network.
	projects := max(nFw/4*perFirewall/envInt("CLOUDWALL_BENCH_NETWORK", 50), 1)
	var base []model.Firewall
	type target struct {
		cloud model.Cloud
		res   model.Resource
	}
	var targets []target
	for i := range nFw {
		fw := model.Firewall{AsOf: t0}
		switch i % 4 {
		case 0:
			fw.Cloud, fw.Resource = model.AWS, model.Resource{Type: "security_group", ID: fmt.Sprintf("sg-%012x", i)}
			for range perFirewall {
				fw.Rules = append(fw.Rules, model.Rule{RuleChange: rc(model.Ingress, model.Allow)})
			}
		case 1:
			fw.Cloud, fw.Resource = model.AWS, model.Resource{Type: "network_acl", ID: fmt.Sprintf("acl-%012x", i)}
			for j := range perFirewall {
				act := model.Allow
				if j%2 == 0 {
					act = model.Deny
				}
				fw.Rules = append(fw.Rules, model.Rule{RuleChange: prio(rc(model.Ingress, act), 100+10*j, strconv.Itoa(100+10*j))})
			}
		case 2:
			id := fmt.Sprintf("/subscriptions/s/resourceGroups/rg-%d/providers/Microsoft.Network/networkSecurityGroups/nsg-%d", i%100, i)
			fw.Cloud, fw.Resource = model.Azure, model.Resource{Type: "nsg", ID: id, Name: fmt.Sprintf("nsg-%d", i)}
			for j := range perFirewall {
				fw.Rules = append(fw.Rules, model.Rule{RuleChange: prio(rc(model.Ingress, model.Allow), 100+10*j, fmt.Sprintf("r%d", j))})
			}
		case 3:
			// GCP: one firewall per rule, networks of many rules.
			for j := range perFirewall {
				name := fmt.Sprintf("fw-%d-%d", i, j)
				c := prio(rc(model.Ingress, model.Allow), 1000-j, name)
				base = append(base, model.Firewall{AsOf: t0, Cloud: model.GCP, Account: fmt.Sprintf("p%d", i%projects), Network: "default",
					Resource: model.Resource{Type: "vpc_firewall_rule", ID: fmt.Sprintf("projects/p%d/global/firewalls/%s", i%projects, name), Name: name},
					Rules:    []model.Rule{{RuleChange: c}}})
				targets = append(targets, target{model.GCP, base[len(base)-1].Resource})
			}
			continue
		}
		base = append(base, fw)
		targets = append(targets, target{fw.Cloud, fw.Resource})
	}
	return base, func(i int) model.Event {
		tg := targets[rng.IntN(len(targets))]
		when := t0.Add(time.Duration(i) * time.Second)
		ev := model.Event{Cloud: tg.cloud, Time: when, Outcome: model.Success, Resource: tg.res, EventID: strconv.Itoa(i),
			Actor: model.Actor{Name: "bench"}, SourceIP: "203.0.113.9"}
		add := rng.IntN(2) == 0
		switch tg.res.Type {
		case "security_group":
			c := rc(model.Ingress, model.Allow)
			ev.OperationKey, c.Effect = "ec2:authorizesecuritygroupingress", model.Added
			if !add {
				ev.OperationKey, c.Effect = "ec2:revokesecuritygroupingress", model.Removed
			}
			ev.Changes = []model.RuleChange{c}
		case "network_acl":
			n := 100 + 10*rng.IntN(perFirewall+2)
			act := model.Allow
			if rng.IntN(2) == 0 {
				act = model.Deny
			}
			c := prio(rc(model.Ingress, act), n, strconv.Itoa(n))
			ev.OperationKey, c.Effect = "ec2:replacenetworkaclentry", model.Altered
			if !add {
				ev.OperationKey, c = "ec2:deletenetworkaclentry", model.RuleChange{Effect: model.Removed, Direction: model.Ingress, Priority: model.IntPtr(n), Name: strconv.Itoa(n)}
			}
			ev.Changes = []model.RuleChange{c}
		case "nsg":
			name := fmt.Sprintf("r%d", rng.IntN(perFirewall+2))
			ev.Resource = model.Resource{Type: "nsg_rule", ID: tg.res.ID + "/securityRules/" + name, Name: name}
			c := prio(rc(model.Ingress, model.Allow), 100+10*rng.IntN(10), name)
			ev.OperationKey, c.Effect = "microsoft.network/networksecuritygroups/securityrules/write", model.Added
			if !add {
				ev.OperationKey, c = "microsoft.network/networksecuritygroups/securityrules/delete", model.RuleChange{Effect: model.Removed, Name: name}
			}
			ev.Changes = []model.RuleChange{c}
		case "vpc_firewall_rule":
			switch rng.IntN(4) {
			case 0:
				ev.OperationKey = "compute.firewalls.patch"
				ev.Settings = map[string]string{model.SettingDisabled: strconv.FormatBool(rng.IntN(2) == 0)}
			case 1:
				ev.OperationKey = "compute.firewalls.patch"
				ev.Changes = []model.RuleChange{{Effect: model.Altered, Peers: []model.Peer{{Kind: model.PeerCIDR, Value: peers[rng.IntN(len(peers))]}}}}
			case 2:
				ev.OperationKey = "compute.firewalls.insert"
				c := prio(rc(model.Ingress, model.Allow), 900+rng.IntN(200), tg.res.Name)
				c.Effect = model.Added
				ev.Changes = []model.RuleChange{c}
			default:
				ev.OperationKey = "compute.firewalls.delete"
			}
		}
		ev.Operation = ev.OperationKey
		return ev
	}
}
