package detect

import (
	"slices"
	"strings"
	"testing"

	"cloudwall/internal/model"
)

// TestBareUnspecified: a bare 0.0.0.0 or :: is the one address, as every
// cloud reads a bare address (AWS rejects it), never the /0 it resembles:
// no packet comes from it, so the rule admits no one (low), and the
// reasons say how it was read. Its /0 stays the internet.
func TestBareUnspecified(t *testing.T) {
	nsg := "microsoft.network/networksecuritygroups/securityrules/write"
	for _, tc := range []struct {
		name string
		ev   *model.Event
		want model.Severity
		note bool
	}{
		{"gcp 0.0.0.0", event(model.GCP, "compute.firewalls.insert", rule("tcp", port(22), cidr("0.0.0.0"))), model.Low, true},
		{"azure 0.0.0.0", event(model.Azure, nsg, rule("tcp", port(22), cidr("0.0.0.0"))), model.Low, true},
		{"azure ::", event(model.Azure, nsg, rule("tcp", port(22), cidr("::"))), model.Low, true},
		{"aws 0.0.0.0", sgIngress(rule("tcp", port(22), cidr("0.0.0.0"))), model.Low, true},
		{"app engine 0.0.0.0", event(model.GCP, "google.appengine.v1.firewall.createingressrule", armorRule(model.Added, model.Allow, 100, cidr("0.0.0.0"))), model.Low, true},
		{"0.0.0.0/32 says nothing more", event(model.GCP, "compute.firewalls.insert", rule("tcp", port(22), cidr("0.0.0.0/32"))), model.Low, false},
		{"0.0.0.0/0 is the internet", event(model.Azure, nsg, rule("tcp", port(22), cidr("0.0.0.0/0"))), model.Critical, false},
		{"another bare address", event(model.GCP, "compute.firewalls.insert", rule("tcp", port(22), cidr("203.0.113.7"))), model.Low, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := evaluate(t, tc.ev)
			if f.Severity != tc.want {
				t.Errorf("severity %s, want %s\nreasons: %q", f.Severity, tc.want, f.Reasons)
			}
			noted := slices.ContainsFunc(f.Reasons, func(r string) bool { return strings.Contains(r, "has no prefix length: read as the one address") })
			if noted != tc.note {
				t.Errorf("note %v, want %v: %q", noted, tc.note, f.Reasons)
			}
		})
	}
}
