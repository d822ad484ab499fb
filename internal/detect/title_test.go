package detect

import (
	"testing"

	"cloudwall/internal/model"
)

// Titles of calls that did not take effect say so first, in words: what
// was attempted, and how it ended.
func TestAttemptTitle(t *testing.T) {
	for _, c := range []struct {
		title    string
		kind     attemptKind
		code     string
		resource string
		want     string
	}{
		{"WAF web ACL prod-web-acl detached from (not logged)", attemptDenied, "AccessDenied", "prod-web-acl",
			"Attempt to detach WAF web ACL prod-web-acl denied (AccessDenied)"},
		{"Security group sg-1 opened to the IPv4 internet on 22/tcp (ssh)", attemptDenied, "Client.UnauthorizedOperation", "sg-1",
			"Attempt to open security group sg-1 to the IPv4 internet on 22/tcp (ssh) denied (Client.UnauthorizedOperation)"},
		{"Network Firewall (not logged) deleted", attemptDenied, "AccessDenied", notLogged,
			"Attempt to delete a Network Firewall denied (AccessDenied)"},
		{"Security groups of instance i-1 set to sg-2", attemptDryRun, "Client.DryRunOperation", "i-1",
			"Dry run: would set security groups of instance i-1 to sg-2"},
		{"Network Firewall fw-1: delete protection turned off", attemptFailed, "ThrottlingException", "fw-1",
			"Attempt to turn off delete protection of Network Firewall fw-1 failed (ThrottlingException)"},
		{"DNS Firewall configuration vpc-1: set to fail open", attemptDenied, "AccessDenied", "vpc-1",
			"Attempt to set DNS Firewall configuration vpc-1 to fail open denied (AccessDenied)"},
		{"Subnet moved to network ACL acl-1", attemptFailed, "InvalidParameter", "acl-1",
			"Attempt to move subnet to network ACL acl-1 failed (InvalidParameter)"},
		{"Lightsail instance web-1 opened to the internet on 22/tcp (ssh)", attemptDenied, "AccessDenied", "web-1",
			"Attempt to open Lightsail instance web-1 to the internet on 22/tcp (ssh) denied (AccessDenied)"},
		{"Key vault kv-1: public network access enabled", attemptDenied, "AuthorizationFailed", "kv-1",
			"Attempt to enable public network access of key vault kv-1 denied (AuthorizationFailed)"},
		// A resource named like a verb is not taken for the verb.
		{"NSG rule deleted opened to the internet on 22/tcp (ssh)", attemptDenied, "AuthorizationFailed", "deleted",
			"Attempt to open NSG rule deleted to the internet on 22/tcp (ssh) denied (AuthorizationFailed)"},
		// No verb: the title is kept whole.
		{"Something odd happened", attemptFailed, "X", "", "Failed attempt (X): Something odd happened"},
		{"Something odd happened", attemptDenied, "X", "", "Denied attempt (X): Something odd happened"},
		{"Something odd happened", attemptDryRun, "X", "", "Dry run: Something odd happened"},
		{"Security group sg-1 deleted", attemptNone, "", "sg-1", "Security group sg-1 deleted"},
	} {
		if got := attemptTitle(c.title, c.kind, c.code, c.resource); got != c.want {
			t.Errorf("attemptTitle(%q)\n got %q\nwant %q", c.title, got, c.want)
		}
	}
}

// TestTitleSaysCreated: a call whose rule content is not logged is named
// by what its verb did: an insert or create "created", a call that adds a
// rule "rule added" (or "added", "created" when the title names the
// rule), an Azure write "created or changed", an update "changed". An App
// Engine rule logged by its app only is not named after the app.
func TestTitleSaysCreated(t *testing.T) {
	gcpRes := func(typ, id, name string) model.Resource { return model.Resource{Type: typ, ID: id, Name: name} }
	for _, c := range []struct {
		cloud   model.Cloud
		key     string
		res     model.Resource
		outcome model.Outcome
		want    string
	}{
		{model.GCP, "compute.firewalls.insert", gcpRes("vpc_firewall_rule", "projects/p1/global/firewalls/fw-1", "fw-1"), model.Success,
			"VPC firewall rule fw-1 created (rule content not logged)"},
		{model.GCP, "compute.firewalls.insert", gcpRes("vpc_firewall_rule", "projects/p1/global/firewalls/fw-1", "fw-1"), model.Failure,
			"Attempt to create VPC firewall rule fw-1 (rule content not logged) denied (PERMISSION_DENIED)"},
		{model.GCP, "compute.firewalls.patch", gcpRes("vpc_firewall_rule", "projects/p1/global/firewalls/fw-1", "fw-1"), model.Success,
			"VPC firewall rule fw-1 changed (rule content not logged)"},
		{model.GCP, "google.appengine.v1.firewall.createingressrule", gcpRes("appengine_firewall_rule", "apps/test-project-123456", ""), model.Success,
			"App Engine firewall rule of app test-project-123456 created (rule content not logged)"},
		{model.GCP, "google.appengine.v1.firewall.createingressrule", gcpRes("appengine_firewall_rule", "apps/p1", "1000"), model.Success,
			"App Engine firewall rule 1000 created (rule content not logged)"},
		{model.GCP, "google.appengine.v1.firewall.updateingressrule", gcpRes("appengine_firewall_rule", "apps/p1/firewall/ingressRules/1000", "1000"), model.Success,
			"App Engine firewall rule 1000 changed (rule content not logged)"},
		{model.GCP, "compute.firewallpolicies.addrule", gcpRes("firewall_policy", "locations/global/firewallPolicies/123", "123"), model.Success,
			"Hierarchical firewall policy 123 rule added (rule content not logged)"},
		{model.AWS, "ec2:authorizesecuritygroupingress", model.Resource{Type: "security_group", ID: "sg-1"}, model.Success,
			"Security group sg-1 rule added (rule content not logged)"},
		{model.AWS, "ec2:replacenetworkaclentry", model.Resource{Type: "network_acl", ID: "acl-1"}, model.Success,
			"Network ACL acl-1 entry (not logged) changed (rule content not logged)"},
		{model.AWS, "ec2:createnetworkaclentry", model.Resource{Type: "network_acl", ID: "acl-1"}, model.Success,
			"Network ACL acl-1 entry (not logged) added (rule content not logged)"},
		{model.AWS, "ec2:createmanagedprefixlist", model.Resource{Type: "prefix_list", ID: "pl-1"}, model.Success,
			"Managed prefix list pl-1 created, rule content not logged"},
		{model.Azure, "microsoft.network/networksecuritygroups/securityrules/write", model.Resource{Type: "nsg_rule", Name: "r1",
			ID: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/nsg-1/securityRules/r1"}, model.Success,
			"NSG rule r1 created or changed (rule content not logged)"},
		{model.Azure, "microsoft.network/networksecuritygroups/securityrules/write", model.Resource{Type: "nsg_rule", Name: "r1",
			ID: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/nsg-1/securityRules/r1"}, model.Failure,
			"Attempt to create or change NSG rule r1 (rule content not logged) denied (PERMISSION_DENIED)"},
	} {
		ev := event(c.cloud, c.key)
		ev.Resource, ev.Outcome = c.res, c.outcome
		if c.outcome == model.Failure {
			ev.ErrorCode = "PERMISSION_DENIED"
		}
		f, ok := detector(t).Evaluate(ev)
		if !ok {
			t.Errorf("%s: not a firewall event", c.key)
			continue
		}
		if f.Title != c.want {
			t.Errorf("%s on %s:\n got %q\nwant %q", c.key, c.res.ID, f.Title, c.want)
		}
	}
}
