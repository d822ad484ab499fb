package state

import (
	"strings"
	"testing"

	"cloudwall/internal/model"
)

// TestUnloggedCreateOrWholeWriteIsNotKnown: a create or a whole write
// makes the rule set known only when the log shows what was written (or
// the API cannot carry rules, as an AWS create): a GCP insert seen only
// by its last entry, or an Azure NSG PUT without a body, leaves the rules
// unknown, and says why, rather than "known and empty", which would tell
// the analyst that the firewall exposes nothing. A change whose content
// is not logged makes a known firewall unknown the same way.
func TestUnloggedCreateOrWholeWriteIsNotKnown(t *testing.T) {
	world22 := rc(model.Added, model.Ingress, model.Allow, "tcp", ports(22, 22), cidr("0.0.0.0/0"))
	denyAll := prio(rc(model.Added, model.Ingress, model.Deny, "all", nil, cidr("0.0.0.0/0")), 1000, "")
	unlogged := func(ev model.Event) model.Event { ev.ContentNotLogged = true; return ev }
	gke := gcpRule("gke-inkubelet")
	policy := model.Resource{Type: "firewall_policy", ID: "locations/global/firewallPolicies/123"}
	armor := model.Resource{Type: "cloud_armor_policy", ID: "projects/p1/global/securityPolicies/armor-1", Name: "armor-1"}
	rdsSG := model.Resource{Type: "security_group", ID: "db-sg-1", Name: "db-sg-1"}
	nsgBaseline := []model.Firewall{{Cloud: model.Azure, Resource: nsgR, Rules: []model.Rule{
		mrule(prio(rc("", model.Ingress, model.Allow, "tcp", ports(22, 22), model.Peer{Kind: model.PeerAny, Value: "*"}), 200, "allow-ssh")),
	}}}
	gkeBaseline := []model.Firewall{{Cloud: model.GCP, Resource: gke, Network: "default", Rules: []model.Rule{
		mrule(prio(rc("", model.Ingress, model.Allow, "tcp", ports(22, 22), cidr("0.0.0.0/0")), 1000, "gke-inkubelet")),
	}}}

	tests := []struct {
		name      string
		baseline  []model.Firewall
		ev        model.Event
		known     bool
		note      string // in the Status note when not known
		openAfter int    // windows still open after the call
	}{
		// AWS creates take no rules: what they create is known.
		{name: "AWS CreateSecurityGroup", ev: event(model.AWS, "ec2:createsecuritygroup", at(0, 0), sg), known: true},
		{name: "AWS CreateSecurityGroup flagged unlogged is still known",
			ev: unlogged(event(model.AWS, "ec2:createsecuritygroup", at(0, 0), sg)), known: true},
		{name: "AWS CreateNetworkAcl", ev: event(model.AWS, "ec2:createnetworkacl", at(0, 0), nacl), known: true},
		{name: "AWS CreateDBSecurityGroup", ev: event(model.AWS, "rds:createdbsecuritygroup", at(0, 0), rdsSG), known: true},

		// GCP VPC rule: insert and update write the whole rule.
		{name: "GCP insert with its rule logged", ev: event(model.GCP, "compute.firewalls.insert", at(0, 0), gke, denyAll), known: true},
		{name: "GCP insert seen by its last entry only (no rule fields)",
			ev: unlogged(event(model.GCP, "compute.firewalls.insert", at(0, 0), gke)), note: "created at 2026-03-14T10:00:00Z, but the rule content is not logged"},
		{name: "GCP insert with no rule fields, not flagged",
			ev: event(model.GCP, "compute.firewalls.insert", at(0, 0), gke), note: "content is not logged"},
		{name: "GCP update unlogged over a world-open rule keeps its window open", baseline: gkeBaseline,
			ev: unlogged(event(model.GCP, "compute.firewalls.update", at(0, 0), gke)), note: "written whole at", openAfter: 1},

		// Azure NSG PUT: the body is the whole rule set.
		{name: "Azure NSG PUT with a body and no rules is known empty", baseline: nsgBaseline,
			ev: event(model.Azure, "microsoft.network/networksecuritygroups/write", at(0, 0), nsgR), known: true},
		{name: "Azure NSG PUT without a body", baseline: nsgBaseline,
			ev: unlogged(event(model.Azure, "microsoft.network/networksecuritygroups/write", at(0, 0), nsgR)), note: "written whole at", openAfter: 1},
		{name: "Azure NSG PUT without a body, no baseline",
			ev: unlogged(event(model.Azure, "microsoft.network/networksecuritygroups/write", at(0, 0), nsgR)), note: "content is not logged"},

		// A change whose content is not logged on a known firewall.
		{name: "GCP patch seen by its last entry over a known rule", baseline: gkeBaseline,
			ev: unlogged(event(model.GCP, "compute.firewalls.patch", at(0, 0), gke)), note: "changed at", openAfter: 1},
		{name: "Azure NSG rule write without a body over a known NSG", baseline: nsgBaseline,
			ev: unlogged(event(model.Azure, "microsoft.network/networksecuritygroups/securityrules/write", at(0, 0),
				model.Resource{Type: "nsg_rule", ID: nsgID + "/securityRules/allow-ssh", Name: "allow-ssh"})), note: "changed at", openAfter: 1},

		// GCP creates can carry rules in their request.
		{name: "GCP firewall policy insert logged", ev: event(model.GCP, "compute.firewallpolicies.insert", at(0, 0), policy), known: true},
		{name: "GCP firewall policy insert unlogged",
			ev: unlogged(event(model.GCP, "compute.firewallpolicies.insert", at(0, 0), policy)), note: "created at"},
		{name: "Cloud Armor policy insert unlogged",
			ev: unlogged(event(model.GCP, "compute.securitypolicies.insert", at(0, 0), armor)), note: "created at"},
		{name: "Cloud Armor policy insert with a rule logged",
			ev: event(model.GCP, "compute.securitypolicies.insert", at(0, 0), armor, prio(world22, 1000, "")), known: true, openAfter: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEngine(t)
			e.Load(tt.baseline)
			ch := e.Apply(&tt.ev, "")
			if !ch.Applied {
				t.Fatalf("not applied: %+v", ch)
			}
			known, note := e.Status(tt.ev.Cloud, tt.ev.Resource)
			if known != tt.known || ch.After.Known != tt.known {
				t.Fatalf("known %v (after %v), want %v: %q %v", known, ch.After.Known, tt.known, note, ch.Notes)
			}
			if !tt.known {
				if !strings.Contains(note, tt.note) || !strings.Contains(ch.After.Note, tt.note) {
					t.Errorf("status note %q / after note %q, want %q", note, ch.After.Note, tt.note)
				}
				if !hasNote(ch, "rule content is not logged") {
					t.Errorf("the change does not say why: %v", ch.Notes)
				}
			}
			open := 0
			for _, w := range e.Windows() {
				if w.Closed == nil {
					open++
				}
			}
			if open != tt.openAfter {
				t.Errorf("%d windows open after the call, want %d: %+v", open, tt.openAfter, e.Windows())
			}
		})
	}
}

// TestLoggedWriteAfterUnloggedIsKnownAgain: once a whole write shows its
// content, the rules are known from then on.
func TestLoggedWriteAfterUnloggedIsKnownAgain(t *testing.T) {
	e := newEngine(t)
	r := gcpRule("fw-1")
	ins := event(model.GCP, "compute.firewalls.insert", at(0, 0), r)
	ins.ContentNotLogged = true
	e.Apply(&ins, "")
	if e.Known(model.GCP, r) {
		t.Fatal("unlogged insert: not known")
	}
	up := event(model.GCP, "compute.firewalls.update", at(1, 0), r,
		prio(rc(model.Altered, model.Ingress, model.Allow, "tcp", ports(22, 22), cidr("0.0.0.0/0")), 1000, "fw-1"))
	e.Apply(&up, "")
	known, note := e.Status(model.GCP, r)
	if !known || !strings.Contains(note, "rules known from 2026-03-14T10:01:00Z") {
		t.Errorf("after a logged update: known %v %q", known, note)
	}
}
