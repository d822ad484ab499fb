package main

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	"cloudwall/internal/model"
)

// t0 is when the generated estate's snapshot was taken.
var t0 = time.Date(2026, 3, 14, 10, 0, 0, 0, time.UTC)

// perFirewall is the rules of each generated firewall (and of each group
// of GCP rules generated together).
const perFirewall = 5

// estate generates a baseline of about nRules rules over firewalls of
// every family (security groups, NACLs, NSGs, GCP VPC rules in networks
// of about network rules), and a function giving call i, in event-time
// order: adds and removes, NACL replaces and deletes, NSG rule writes and
// deletes, GCP inserts, patches, disables and deletes. The same seed
// gives the same estate and calls.
func estate(nRules, network int, seed uint64) ([]model.Firewall, func(i int) model.Event) {
	rng := rand.New(rand.NewPCG(seed, 2))
	peers := []string{"0.0.0.0/0", "10.0.0.0/8", "203.0.113.0/24", "198.51.100.7/32", "::/0", "172.16.0.0/12"}
	ports := []int{22, 80, 443, 3389, 5432, 8080}
	rc := func(dir model.Direction, act model.Action) model.RuleChange {
		p := ports[rng.IntN(len(ports))]
		return model.RuleChange{Direction: dir, Action: act, Protocol: "tcp", Ports: model.PortList{{From: p, To: p}},
			Peers: []model.Peer{{Kind: model.PeerCIDR, Value: peers[rng.IntN(len(peers))]}}}
	}
	prio := func(c model.RuleChange, n int, name string) model.RuleChange {
		c.Priority, c.Name = model.IntPtr(n), name
		return c
	}
	nFw := max(nRules/perFirewall, 4)
	// A GCP network's rules are evaluated together, but a change re-judges
	// only the rules it can reach: the cost of a call barely grows with
	// the size of its network.
	projects := max(nFw/4*perFirewall/max(network, 1), 1)
	var base []model.Firewall
	var targets []model.Resource
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
				targets = append(targets, base[len(base)-1].Resource)
			}
			continue
		}
		base = append(base, fw)
		targets = append(targets, fw.Resource)
	}
	cloudOf := map[string]model.Cloud{"security_group": model.AWS, "network_acl": model.AWS, "nsg": model.Azure, "vpc_firewall_rule": model.GCP}
	return base, func(i int) model.Event {
		res := targets[rng.IntN(len(targets))]
		ev := model.Event{Cloud: cloudOf[res.Type], Time: t0.Add(time.Duration(i) * time.Second), Outcome: model.Success, Resource: res,
			EventID: strconv.Itoa(i), Actor: model.Actor{Name: "bench"}, SourceIP: "203.0.113.9"}
		add := rng.IntN(2) == 0
		switch res.Type {
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
			ev.Resource = model.Resource{Type: "nsg_rule", ID: res.ID + "/securityRules/" + name, Name: name}
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
				c := prio(rc(model.Ingress, model.Allow), 900+rng.IntN(200), res.Name)
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
