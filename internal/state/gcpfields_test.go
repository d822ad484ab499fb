package state

import (
	"slices"
	"testing"

	"cloudwall/internal/model"
)

// TestGCPPatchUndoRestoresEveryField: the undo of a firewalls.patch sets
// back each list field the patch changed (target tags and service
// accounts, source tags included), clears one the rule did not have, and
// where the earlier value is not known says so with a placeholder. A
// patch of one field keeps the others: sending sourceTags does not drop
// the source ranges that keep the rule open to the internet.
func TestGCPPatchUndoRestoresEveryField(t *testing.T) {
	const name = "allow-ssh"
	res := gcpRule(name)
	world := cidr("0.0.0.0/0")
	ssh := func(targets ...string) model.Rule {
		r := mrule(prio(rc("", model.Ingress, model.Allow, "tcp", ports(22, 22), world), 1000, name))
		r.Targets = targets
		return r
	}
	patch := func(when int, fields []string, peers []model.Peer, targets ...string) model.Event {
		ev := event(model.GCP, "compute.firewalls.patch", at(when, 0), res,
			model.RuleChange{Effect: model.Altered, Direction: model.Ingress, Peers: peers, Targets: targets, Name: name})
		ev.Sent = fields
		return ev
	}
	const upd = "gcloud compute firewall-rules update allow-ssh --project=p1 "
	tests := []struct {
		name     string
		baseline []model.Rule // nil: no baseline
		calls    []model.Event
		want     []string // the last call's rollback
		open     bool     // a window is still open at the end
	}{
		{"target tags widened: the old tag comes back", []model.Rule{ssh("web")},
			[]model.Event{patch(1, []string{"targettags"}, nil, "web", "db")},
			[]string{upd + "--target-tags=web"}, true},
		{"target tags added to a rule for every instance: cleared again", []model.Rule{ssh()},
			[]model.Event{patch(1, []string{"targettags"}, nil, "db")},
			[]string{upd + "--target-tags=''"}, true},
		{"target tags swapped for a service account: both set back", []model.Rule{ssh("web")},
			[]model.Event{patch(1, []string{"targettags", "targetserviceaccounts"}, nil, "app@p1.iam.gserviceaccount.com")},
			[]string{upd + "--target-tags=web --target-service-accounts=''"}, true},
		{"source tags sent alone keep the world-open ranges", []model.Rule{ssh("web")},
			[]model.Event{patch(1, []string{"sourcetags"}, []model.Peer{{Kind: model.PeerTag, Value: "bastion"}})},
			[]string{upd + "--source-tags=''"}, true},
		{"no baseline: the earlier tags are a placeholder", nil,
			[]model.Event{patch(1, []string{"targettags"}, nil, "db")},
			[]string{"# the rule's target-tags before this call are not in the baseline or the logs: `gcloud compute firewall-rules describe allow-ssh --project=p1 --format=json` taken before the change, given as --baseline, gives them; fill them in (a field that was empty: '')",
				upd + "--target-tags='<TARGET_TAGS>'"}, false},
		{"no baseline: tags an earlier patch set are known", nil,
			[]model.Event{patch(1, []string{"targettags"}, nil, "web"), patch(2, []string{"targettags"}, nil, "db")},
			[]string{upd + "--target-tags=web"}, false},
		{"update narrows to a tag: the undo clears it", []model.Rule{ssh()},
			[]model.Event{event(model.GCP, "compute.firewalls.update", at(1, 0), res, func() model.RuleChange {
				c := ssh("db").RuleChange
				c.Effect = model.Altered
				return c
			}())},
			[]string{upd + "--target-tags=''"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEngine(t)
			if tt.baseline != nil {
				e.Load([]model.Firewall{{Cloud: model.GCP, Account: "p1", Network: "default", Resource: res, Rules: tt.baseline}})
			}
			var ch Change
			for i := range tt.calls {
				ch = e.Apply(&tt.calls[i], "")
			}
			if !slices.Equal(ch.Rollback, tt.want) {
				t.Errorf("rollback\n%q\nwant\n%q", ch.Rollback, tt.want)
			}
			open := false
			for _, w := range e.Windows() {
				open = open || w.End == nil
			}
			if open != tt.open {
				t.Errorf("a window still open: %v, want %v (%+v)", open, tt.open, e.Windows())
			}
		})
	}
}

// TestGCPDeleteUndoNamesEachField: recreating a deleted rule puts its
// target service accounts and destination ranges under their own flags,
// not among the target tags.
func TestGCPDeleteUndoNamesEachField(t *testing.T) {
	res := gcpRule("allow-db")
	r := mrule(prio(rc("", model.Ingress, model.Allow, "tcp", ports(5432, 5432), cidr("0.0.0.0/0"), model.Peer{Kind: model.PeerTag, Value: "bastion"}), 900, "allow-db"))
	r.Targets = []string{"web", "db@p1.iam.gserviceaccount.com", "10.1.0.0/24"}
	e := newEngine(t)
	e.Load([]model.Firewall{{Cloud: model.GCP, Account: "p1", Network: "default", Resource: res, Rules: []model.Rule{r}}})
	ch := e.Apply(new(event(model.GCP, "compute.firewalls.delete", at(1, 0), res, model.RuleChange{Effect: model.Removed, Name: "allow-db"})), "")
	want := "gcloud compute firewall-rules create allow-db --project=p1 --network=default --direction=INGRESS --action=ALLOW --rules=tcp:5432 " +
		"--source-ranges=0.0.0.0/0 --source-tags=bastion --destination-ranges=10.1.0.0/24 --target-tags=web --target-service-accounts=db@p1.iam.gserviceaccount.com --priority=900"
	if len(ch.Rollback) != 1 || ch.Rollback[0] != want {
		t.Errorf("rollback %q\nwant %q", ch.Rollback, want)
	}
}
