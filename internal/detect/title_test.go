package detect

import "testing"

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
