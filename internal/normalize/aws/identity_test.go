package aws

import (
	"slices"
	"testing"

	"cloudwall/internal/model"
	"cloudwall/internal/normalize/jv"
	"cloudwall/internal/testutil"
)

func TestPermissionSet(t *testing.T) {
	for role, want := range map[string]string{
		"AWSReservedSSO_AdministratorAccess_0123456789abcdef": "AdministratorAccess",
		"AWSReservedSSO_NetworkAdmin_Prod_1a2b3c4d5e6f7a8b":   "NetworkAdmin_Prod",
		"AWSReservedSSO_ReadOnly":                             "ReadOnly",
		"AWSReservedSSO_":                                     "",
		"github-terraform-deploy":                             "",
		"awsreservedsso_Admin_abc":                            "",
	} {
		got, ok := permissionSet(role)
		if got != want || ok != (want != "") {
			t.Errorf("permissionSet(%q) = %q, %v; want %q", role, got, ok, want)
		}
	}
}

func TestArnName(t *testing.T) {
	for arn, want := range map[string]string{
		"arn:aws:wafv2:us-east-1:123456789012:regional/webacl/prod-web-acl/2f8c1e4a": "prod-web-acl",
		"arn:aws:ec2:us-east-1:111122223333:security-group/sg-0a1b2c3d":              "sg-0a1b2c3d",
		"arn:aws:network-firewall:us-east-1:111122223333:firewall/egress-inspection": "egress-inspection",
		"arn:aws:s3:::bucket": "bucket",
		"not-an-arn":          "",
	} {
		if got := arnName(arn); got != want {
			t.Errorf("arnName(%q) = %q, want %q", arn, got, want)
		}
	}
}

// A failed call whose request names nothing gets its resource from the
// authorization error; a wildcard, or a request that names one, does not.
func TestResourceFromError(t *testing.T) {
	for _, c := range []struct {
		res     model.Resource
		message string
		want    model.Resource
	}{
		{model.Resource{Type: "web_acl"}, "User: u is not authorized to perform: wafv2:DisassociateWebACL on resource: arn:aws:wafv2:us-east-1:123456789012:regional/webacl/prod-web-acl/2f8c because no identity-based policy allows it",
			model.Resource{Type: "web_acl", ID: "arn:aws:wafv2:us-east-1:123456789012:regional/webacl/prod-web-acl/2f8c", Name: "prod-web-acl"}},
		{model.Resource{Type: "dns_firewall_config"}, "... on resource: arn:aws:route53resolver:us-east-1:1:firewall-config/* because ...", model.Resource{Type: "dns_firewall_config"}},
		{model.Resource{Type: "security_group", ID: "sg-1"}, "... on resource: arn:aws:ec2:us-east-1:1:security-group/sg-2 because ...", model.Resource{Type: "security_group", ID: "sg-1"}},
		{model.Resource{Type: "web_acl"}, "Access denied", model.Resource{Type: "web_acl"}},
		{model.Resource{}, "... on resource: arn:aws:ec2:us-east-1:1:security-group/sg-3.", model.Resource{ID: "arn:aws:ec2:us-east-1:1:security-group/sg-3", Name: "sg-3"}},
	} {
		ev := model.Event{Resource: c.res, ErrorMessage: c.message}
		p := &parser{ev: &ev}
		p.resourceFromError()
		if ev.Resource != c.want {
			t.Errorf("%q: resource = %+v, want %+v", c.message, ev.Resource, c.want)
		}
	}
}

// TestActorReadsOnlyItsMembers: actor reads nothing of a record but
// actorMembers, which actorOf's memory relies on. Every fixture record
// and a variant of it with every other member changed give one actor.
func TestActorReadsOnlyItsMembers(t *testing.T) {
	n := 0
	// Records whose actor depends on each member, besides the fixtures.
	crafted := []map[string]any{
		{"userIdentity": map[string]any{"type": "IAMUser", "arn": "arn:aws:iam::1:user/u"}, "sourceIPAddress": "1.2.3.4", "userAgent": "cloudformation.amazonaws.com"},
		{"userIdentity": map[string]any{"type": "IAMUser", "arn": "arn:aws:iam::1:user/u"}, "sourceIPAddress": "lambda.amazonaws.com", "userAgent": "aws-cli/2"},
	}
	for _, in := range append(testutil.Fixtures(t, "testdata"), "crafted") {
		recs := crafted
		if in != "crafted" {
			recs = testutil.Records(t, in)
		}
		for _, rec := range recs {
			inner, _, err := unwrap(rec)
			if err != nil || inner == nil {
				continue
			}
			changed := map[string]any{"eventName": "x", "recipientAccountId": "999", "sessionContext": map[string]any{}}
			for k, v := range inner {
				if slices.Contains(actorMembers[:], k) {
					changed[k] = v
				}
			}
			if got, want := actor(changed), actor(inner); got != want {
				t.Errorf("%s: actor with only its members %+v, of the record %+v", in, got, want)
			}
			n++
		}
	}
	if n < 20 {
		t.Fatalf("only %d records: the test checks too little", n)
	}
}

// TestActorOfRemembersExactly: a record read in place gets the actor of
// its own identity, whether or not one seen before is remembered.
func TestActorOfRemembersExactly(t *testing.T) {
	recs := []string{
		`{"userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::1:assumed-role/deploy/s1","accessKeyId":"ASIA1"},"sourceIPAddress":"1.2.3.4","userAgent":"aws-cli/2"}`,
		`{"userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::1:assumed-role/deploy/s1","accessKeyId":"ASIA2"},"sourceIPAddress":"1.2.3.4","userAgent":"aws-cli/2"}`,
		`{"userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::1:assumed-role/deploy/s1","accessKeyId":"ASIA1"},"sourceIPAddress":"cloudformation.amazonaws.com","userAgent":"aws-cli/2"}`,
		`{"userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::1:assumed-role/deploy/s1","accessKeyId":"ASIA1"},"userAgent":"aws-cli/2"}`,
		`{"USERIDENTITY":{"type":"IAMUser","arn":"arn:aws:iam::1:user/u"},"sourceIPAddress":"1.2.3.4"}`,
	}
	// An identity is remembered once seen twice running: the third round
	// reads them all from memory.
	for round := 0; round < 3; round++ {
		for _, s := range recs {
			var r jv.Raw
			o, ok := r.Index([]byte(s), nil)
			if !ok {
				t.Fatalf("Index refused %s", s)
			}
			m, err := jv.DecodeObject([]byte(s))
			if err != nil {
				t.Fatal(err)
			}
			if got, want := actorOf(o), actor(m); got != want {
				t.Errorf("round %d: actorOf(%s) = %+v, want %+v", round, s, got, want)
			}
		}
	}
}

// TestActorSessionNameIsNotAPerson: a role session's name is the caller's
// to choose. It names the actor only for a role Identity Center made (under
// its reserved path), never for a role merely named like one or for a
// session whose issuer the record omits; approvals and identities match the
// name, so a chosen one would let anyone pass for a colleague.
func TestActorSessionNameIsNotAPerson(t *testing.T) {
	issuer := func(arn, name string) string {
		return `,"sessionContext":{"sessionIssuer":{"type":"Role","arn":"` + arn + `","userName":"` + name + `"}}`
	}
	tests := []struct {
		name, rec          string
		wantName, wantRole string
	}{
		{"Identity Center role: the person, the permission set",
			`{"userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::1:assumed-role/AWSReservedSSO_Admin_1a2b/jane@example.com"` +
				issuer("arn:aws:iam::1:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Admin_1a2b", "AWSReservedSSO_Admin_1a2b") + `}}`,
			"jane@example.com", "Admin"},
		{"role named like Identity Center's outside its path: the role",
			`{"userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::1:assumed-role/AWSReservedSSO_Admin_1a2b/jane@example.com"` +
				issuer("arn:aws:iam::1:role/AWSReservedSSO_Admin_1a2b", "AWSReservedSSO_Admin_1a2b") + `}}`,
			"AWSReservedSSO_Admin_1a2b", "AWSReservedSSO_Admin_1a2b"},
		{"role session without its issuer: the role from the ARN",
			`{"userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::1:assumed-role/deploy/jane@example.com"}}`,
			"deploy", "deploy"},
		{"ordinary role session: the role",
			`{"userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::1:assumed-role/deploy/jane@example.com"` +
				issuer("arn:aws:iam::1:role/deploy", "deploy") + `}}`,
			"deploy", "deploy"},
	}
	for _, tt := range tests {
		m, err := jv.DecodeObject([]byte(tt.rec))
		if err != nil {
			t.Fatal(err)
		}
		if a := actor(m); a.Name != tt.wantName || a.Role != tt.wantRole {
			t.Errorf("%s: name %q role %q, want %q %q", tt.name, a.Name, a.Role, tt.wantName, tt.wantRole)
		}
	}
}

// A userIdentity that names only the access key (a trimmed record) gives
// an actor named by the key, the user unknown; a named principal keeps its
// name.
func TestActorOnlyAccessKey(t *testing.T) {
	tests := []struct{ name, rec, wantName string }{
		{"access key only",
			`{"userIdentity":{"type":"IAMUser","accountId":"111122223333","accessKeyId":"AKIAIOSFODNN7EXAMPLE"}}`,
			"unknown user (access key AKIAIOSFODNN7EXAMPLE)"},
		{"access key alone, no type",
			`{"userIdentity":{"accessKeyId":"ASIAXAMPLE0000000001"}}`,
			"unknown user (access key ASIAXAMPLE0000000001)"},
		{"user with its key: the user",
			`{"userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::1:user/bob","userName":"bob","accessKeyId":"AKIAIOSFODNN7EXAMPLE"}}`,
			"bob"},
		{"nothing at all",
			`{"userIdentity":{"type":"IAMUser","accountId":"111122223333"}}`,
			""},
	}
	for _, tt := range tests {
		m, err := jv.DecodeObject([]byte(tt.rec))
		if err != nil {
			t.Fatal(err)
		}
		if a := actor(m); a.Name != tt.wantName {
			t.Errorf("%s: name %q, want %q", tt.name, a.Name, tt.wantName)
		}
	}
}
