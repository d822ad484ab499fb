package state

import (
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
