package detect

import (
	"testing"

	"cloudwall/internal/model"
)

// A rule judged outside an event gets the same severity as the event that
// adds it: one judge for logs, snapshots and plans.
func TestJudgeRuleMatchesEvent(t *testing.T) {
	d := detector(t)
	world22 := model.RuleChange{Effect: model.Added, Direction: model.Ingress, Action: model.Allow, Protocol: "tcp",
		Ports: model.PortList{{From: 22, To: 22}}, Peers: []model.Peer{{Kind: model.PeerCIDR, Value: "0.0.0.0/0"}}}
	tests := []struct {
		name string
		typ  string
		ch   model.RuleChange
		want model.Severity
	}{
		{"world ssh", "security_group", world22, model.Critical},
		{"private ssh", "security_group", with(world22, func(c *model.RuleChange) { c.Peers = []model.Peer{{Kind: model.PeerCIDR, Value: "10.0.0.0/8"}} }), model.Low},
		{"deny world ssh closes", "network_acl", with(world22, func(c *model.RuleChange) { c.Action = model.Deny }), model.Info},
		{"removed allow closes", "security_group", with(world22, func(c *model.RuleChange) { c.Effect = model.Removed }), model.Info},
		{"no action on a security group is an allow", "security_group", with(world22, func(c *model.RuleChange) { c.Action = "" }), model.Critical},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			j := d.JudgeRule(tt.typ, tt.ch)
			if j.Severity != tt.want {
				t.Errorf("severity %s, want %s (%v)", j.Severity, tt.want, j.Reasons)
			}
			if len(j.Reasons) == 0 {
				t.Error("no reasons")
			}
		})
	}
	// The same rule as a CloudTrail event.
	ev := &model.Event{Cloud: model.AWS, OperationKey: "ec2:authorizesecuritygroupingress", Outcome: model.Success,
		Resource: model.Resource{Type: "security_group", ID: "sg-1"}, Changes: []model.RuleChange{world22}}
	f, ok := d.Evaluate(ev)
	if !ok || f.Severity != d.JudgeRule("security_group", world22).Severity {
		t.Errorf("event severity %s differs from the rule's", f.Severity)
	}
}

func with(c model.RuleChange, fn func(*model.RuleChange)) model.RuleChange {
	c.Peers = append([]model.Peer(nil), c.Peers...)
	fn(&c)
	return c
}
