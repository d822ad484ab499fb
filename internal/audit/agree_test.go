package audit

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"cloudwall/internal/detect"
	"cloudwall/internal/model"
	"cloudwall/internal/snapshot"
	"cloudwall/internal/state"
)

// audit and timeline judge a firewall with one engine: replay a snapshot
// and calls (what timeline does), then audit the state the replay ends
// with (what audit does with a snapshot taken then). Every world-open
// allow in that state must get the same verdict from both: audit calls it
// shadowed exactly when timeline has no window open through it, and a
// window narrower than its rule (ports, peers, targets) comes with the
// rules audit names as deciding part of its traffic first.
func TestAuditAgreesWithTimeline(t *testing.T) {
	c, err := defaults()
	if err != nil {
		t.Fatal(err)
	}
	det := detect.New(c)
	t0 := time.Date(2026, 3, 14, 10, 0, 0, 0, time.UTC)
	nacl := model.Resource{Type: "network_acl", ID: "acl-1"}
	entry := func(n int, act model.Action, from, to int, peer string) model.Rule {
		r := tcp(0, cidr(peer))
		r.Ports = model.PortList{{From: from, To: to}}
		return prio(r, n, act, fmt.Sprint(n))
	}
	naclFw := func(rules ...model.Rule) []model.Firewall {
		return []model.Firewall{{Cloud: model.AWS, Resource: nacl, AsOf: t0, Rules: rules}}
	}
	replace := func(min int, r model.Rule) model.Event {
		c := r.RuleChange
		c.Effect = model.Altered
		return model.Event{Cloud: model.AWS, OperationKey: "ec2:replacenetworkaclentry", Operation: "ReplaceNetworkAclEntry",
			Time: t0.Add(time.Duration(min) * time.Minute), Outcome: model.Success, Resource: nacl, Changes: []model.RuleChange{c}}
	}
	network := "projects/p1/global/networks/default"
	gcpFw := func(rules ...model.Rule) []model.Firewall {
		return []model.Firewall{{Cloud: model.GCP, Account: "p1", AsOf: t0, Network: network,
			Resource: model.Resource{Type: "network", ID: network, Name: "default"}, Rules: rules}}
	}
	targeted := func(r model.Rule, targets ...string) model.Rule { r.Targets = targets; return r }
	insert := func(min int, r model.Rule) model.Event {
		c := r.RuleChange
		c.Effect = model.Added
		return model.Event{Cloud: model.GCP, OperationKey: "compute.firewalls.insert", Operation: "v1.compute.firewalls.insert",
			Time: t0.Add(time.Duration(min) * time.Minute), Outcome: model.Success, Account: "p1",
			Resource: model.Resource{Type: "vpc_firewall_rule", ID: "projects/p1/global/firewalls/" + r.Name, Name: r.Name},
			Changes:  []model.RuleChange{c}}
	}
	tests := []struct {
		name   string
		base   []model.Firewall
		events []model.Event
		// open names the rules that must end with an open window (the
		// check below needs no list; this one keeps the cases honest).
		open []string
	}{
		{"NACL allow behind a lower-numbered deny of all TCP", naclFw(
			entry(90, model.Deny, 0, 65535, "0.0.0.0/0"),
			entry(100, model.Allow, 22, 22, "0.0.0.0/0")), nil, nil},
		{"NACL deny narrowed by a replace: the allow behind it opens", naclFw(
			entry(90, model.Deny, 0, 65535, "0.0.0.0/0"),
			entry(100, model.Allow, 22, 22, "0.0.0.0/0")),
			[]model.Event{replace(5, entry(90, model.Deny, 3389, 3389, "0.0.0.0/0"))}, []string{"100"}},
		{"NACL IPv6 allow behind an IPv4 deny: the deny does not stop IPv6", naclFw(
			entry(90, model.Deny, 0, 65535, "0.0.0.0/0"),
			entry(100, model.Allow, 22, 22, "::/0")), nil, []string{"100"}},
		{"NACL dual-stack: IPv6 deny first, IPv4 allow stays open", naclFw(
			entry(80, model.Deny, 0, 65535, "::/0"),
			entry(100, model.Allow, 0, 65535, "0.0.0.0/0"),
			entry(101, model.Allow, 0, 65535, "::/0")), nil, []string{"100"}},
		{"NACL deny of part of the range: the window keeps the rest", naclFw(
			entry(90, model.Deny, 22, 22, "0.0.0.0/0"),
			entry(100, model.Allow, 0, 1023, "0.0.0.0/0")), nil, []string{"100"}},
		{"GCP deny on other targets does not cover the allow", gcpFw(
			targeted(prio(tcp(22, cidr("0.0.0.0/0")), 900, model.Deny, "deny-db"), "db"),
			targeted(prio(tcp(22, cidr("0.0.0.0/0")), 1000, model.Allow, "allow-web"), "web")), nil, []string{"allow-web"}},
		{"GCP untargeted deny inserted in front of a targeted allow", gcpFw(
			targeted(prio(tcp(22, cidr("0.0.0.0/0")), 1000, model.Allow, "allow-web"), "web", "db")),
			[]model.Event{insert(3, prio(tcp(22, cidr("0.0.0.0/0")), 900, model.Deny, "deny-ssh"))}, nil},
		{"GCP deny on one of two targets: the other stays open", gcpFw(
			targeted(prio(tcp(22, cidr("0.0.0.0/0")), 1000, model.Allow, "allow-ssh"), "web", "db")),
			[]model.Event{insert(3, targeted(prio(tcp(22, cidr("0.0.0.0/0")), 900, model.Deny, "deny-db"), "db"))}, []string{"allow-ssh"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			eng := state.New(state.Options{Content: c, Detector: det})
			eng.Load(tt.base)
			for i := range tt.events {
				if ch := eng.Apply(&tt.events[i], ""); !ch.Applied {
					t.Fatalf("event %d not applied: %v", i, ch.Notes)
				}
			}
			open := map[string][]model.Window{}
			for _, w := range eng.Windows() {
				if w.End == nil {
					open[w.Rule.Name] = append(open[w.Rule.Name], w)
				}
			}
			fw := endState(eng.Firewalls())
			fs := New(det, Options{Now: now}).Audit(&snapshot.Set{Firewalls: []model.Firewall{fw}})
			shadows := state.Shadows(&fw, det)
			var gotOpen []string
			for i, r := range fw.Rules {
				if r.Action != model.Allow || r.Disabled || !det.World(r.Peers) {
					continue
				}
				shadowed := slices.ContainsFunc(byRule(fs, RuleShadowedAllow), func(f model.Finding) bool { return f.Changes[0].Name == r.Name })
				ws := open[r.Name]
				if shadowed == (len(ws) > 0) {
					t.Errorf("rule %s: audit says shadowed=%v, timeline has %d open windows", r.Name, shadowed, len(ws))
				}
				if len(ws) > 0 {
					gotOpen = append(gotOpen, r.Name)
				}
				for _, w := range ws {
					whole := r.RuleChange
					if narrower(w.Rule, whole) && len(shadows[i].By) == 0 {
						t.Errorf("rule %s: the window is narrower than the rule (%v) but audit names no rule deciding part of it first", r.Name, w.Rule)
					}
				}
			}
			if !slices.Equal(gotOpen, tt.open) {
				t.Errorf("open windows on %v, want %v", gotOpen, tt.open)
			}
		})
	}
}

// endState is the replayed state as one snapshot firewall: a GCP
// network's rules gathered back into their network, as gcloud lists them.
func endState(fws []model.Firewall) model.Firewall {
	var out model.Firewall
	for _, fw := range fws {
		switch {
		case fw.Resource.Type == "vpc_firewall_rule":
			out.Rules = append(out.Rules, fw.Rules...)
		case fw.Cloud == model.GCP && fw.Resource.Type == "network":
			rules := out.Rules
			out = fw
			out.Rules = rules
		default:
			return fw
		}
	}
	return out
}

// narrower says whether a window's rule admits less than the rule.
func narrower(w, r model.RuleChange) bool {
	return w.Protocol != r.Protocol || !slices.Equal(w.Ports, r.Ports) || len(w.Peers) != len(r.Peers) || len(w.Targets) != len(r.Targets)
}
