package state

import (
	"strings"
	"testing"

	"cloudwall/internal/model"
)

// Egress to the internet is how data leaves: a call that opens it gets a
// window like an ingress opening, judged by the detector's egress table.

func TestEgressWindowFromLogs(t *testing.T) {
	e := newEngine(t)
	all := rc(model.Added, model.Egress, model.Allow, "all", nil, cidr("0.0.0.0/0"))
	revoke := all
	revoke.Effect = model.Removed
	ch, _ := e.Replay([]model.Event{
		event(model.AWS, "ec2:authorizesecuritygroupegress", at(5, 0), sg, all),
		event(model.AWS, "ec2:revokesecuritygroupegress", at(25, 0), sg, revoke),
	})
	if len(ch[0].Opened) != 1 || len(ch[1].Closed) != 1 {
		t.Fatalf("opened %d closed %d, want 1 and 1", len(ch[0].Opened), len(ch[1].Closed))
	}
	ws := e.Windows()
	if len(ws) != 1 {
		t.Fatalf("windows %d, want 1: %+v", len(ws), ws)
	}
	w := ws[0]
	if w.Rule.Direction != model.Egress || !w.Start.Equal(at(5, 0)) || w.End == nil || !w.End.Equal(at(25, 0)) || !w.Short {
		t.Errorf("window %+v, want egress 10:05-10:25, short", w)
	}
	// The detector's judgement: all traffic to 0.0.0.0/0 is the egress
	// rule every new group has, low (severity.egress.world.all, medium,
	// is for the other clouds and for partial world-scale peers).
	if w.Severity != model.Low {
		t.Errorf("the default egress rule: severity %s, want low", w.Severity)
	}
	if len(w.Exposure) == 0 || !strings.HasPrefix(w.Exposure[0], "egress to ") {
		t.Errorf("exposure %q does not say egress", w.Exposure)
	}
	if len(w.Rollback) != 0 {
		t.Errorf("closed window: rollback %q, want none", w.Rollback)
	}
	still := newEngine(t)
	still.Replay([]model.Event{event(model.AWS, "ec2:authorizesecuritygroupegress", at(5, 0), sg, all)})
	if ws := still.Windows(); len(ws) != 1 || len(ws[0].Rollback) != 1 ||
		!strings.HasPrefix(ws[0].Rollback[0], "aws ec2 revoke-security-group-egress --group-id sg-0abc --ip-permissions ") {
		t.Errorf("open egress window: %+v", ws)
	}
}

func TestEgressDefaultRuleIsNoWindow(t *testing.T) {
	all := rc("", model.Egress, model.Allow, "all", nil, cidr("0.0.0.0/0"))
	t.Run("baseline group", func(t *testing.T) {
		e := newEngine(t)
		e.Load([]model.Firewall{{Cloud: model.AWS, Resource: sg, AsOf: t0, Rules: []model.Rule{mrule(all)}}})
		revoke, add := all, all
		revoke.Effect, add.Effect = model.Removed, model.Added
		ch, _ := e.Replay([]model.Event{
			event(model.AWS, "ec2:revokesecuritygroupegress", at(1, 0), sg, revoke),
			event(model.AWS, "ec2:authorizesecuritygroupegress", at(30, 0), sg, add),
		})
		if len(ch[0].Closed) != 0 {
			t.Errorf("revoking the default egress closed %d windows: it never opened one", len(ch[0].Closed))
		}
		// Put back after it was removed: now a call opened it.
		if len(ch[1].Opened) != 1 || !ch[1].Opened[0].Start.Equal(at(30, 0)) {
			t.Errorf("re-adding egress-all after a revoke opened %+v, want one window at 10:30", ch[1].Opened)
		}
	})
	t.Run("created group", func(t *testing.T) {
		e := newEngine(t)
		ch, _ := e.Replay([]model.Event{event(model.AWS, "ec2:createsecuritygroup", at(0, 0), sg)})
		if len(ch[0].Opened) != 0 || len(e.Windows()) != 0 {
			t.Errorf("a new group's own egress-all opened windows: %+v", e.Windows())
		}
	})
	t.Run("revoke of unseen default", func(t *testing.T) {
		e := newEngine(t)
		revoke := all
		revoke.Effect = model.Removed
		e.Replay([]model.Event{event(model.AWS, "ec2:revokesecuritygroupegress", at(1, 0), sg, revoke)})
		if ws := e.Windows(); len(ws) != 0 {
			t.Errorf("hardening a group without a baseline made windows: %+v", ws)
		}
	})
	t.Run("revoke of unseen wider egress", func(t *testing.T) {
		e := newEngine(t)
		revoke := rc(model.Removed, model.Egress, model.Allow, "tcp", ports(0, 65535), cidr("0.0.0.0/0"))
		e.Replay([]model.Event{event(model.AWS, "ec2:revokesecuritygroupegress", at(1, 0), sg, revoke)})
		if ws := e.Windows(); len(ws) != 1 || ws[0].StartKnown || ws[0].Rule.Direction != model.Egress {
			t.Errorf("revoking an egress rule never seen: want one window from before the data, got %+v", ws)
		}
	})
}

// TestEgressWindowFollowsEvaluationOrder has the cases a naive "any allow
// to 0.0.0.0/0" reading gets wrong for egress.
func TestEgressWindowFollowsEvaluationOrder(t *testing.T) {
	world := cidr("0.0.0.0/0")
	t.Run("NACL deny before allow; deleting the deny opens", func(t *testing.T) {
		e := newEngine(t)
		deny := prio(rc("", model.Egress, model.Deny, "all", nil, world), 90, "90")
		e.Load([]model.Firewall{{Cloud: model.AWS, Resource: nacl, AsOf: t0, Rules: []model.Rule{
			mrule(deny),
			mrule(prio(rc("", model.Egress, model.Allow, "all", nil, world), 100, "100")),
		}}})
		if ws := e.Windows(); len(ws) != 0 {
			t.Fatalf("egress allow behind a deny of everything made windows: %+v", ws)
		}
		del := deny
		del.Effect = model.Removed
		ch, _ := e.Replay([]model.Event{event(model.AWS, "ec2:deletenetworkaclentry", at(3, 0), nacl, del)})
		if len(ch[0].Opened) != 1 || ch[0].Opened[0].Rule.Direction != model.Egress || ch[0].Opened[0].Opened.Why == "rule added" {
			t.Fatalf("deleting the egress deny opened %+v, want one egress window whose rule became effective", ch[0].Opened)
		}
		if r := ch[0].Rollback; len(r) != 1 || !strings.Contains(r[0], "create-network-acl-entry --network-acl-id acl-0abc --egress --rule-number 90") {
			t.Errorf("rollback %q, want the deny put back", r)
		}
	})
	t.Run("GCP deny egress at a lower priority number", func(t *testing.T) {
		e := newEngine(t)
		allow := prio(rc(model.Added, model.Egress, model.Allow, "all", nil, world), 1000, "allow-out")
		deny := prio(rc(model.Added, model.Egress, model.Deny, "all", nil, world), 900, "deny-out")
		e.Replay([]model.Event{
			event(model.GCP, "compute.firewalls.insert", at(1, 0), gcpRule("deny-out"), deny),
			event(model.GCP, "compute.firewalls.insert", at(2, 0), gcpRule("allow-out"), allow),
		})
		if ws := e.Windows(); len(ws) != 0 {
			t.Errorf("GCP egress allow behind a deny with a lower number made windows: %+v", ws)
		}
	})
}
