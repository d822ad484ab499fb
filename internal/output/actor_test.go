package output

import (
	"strings"
	"testing"

	"cloudwall/internal/model"
)

// TestActorDetailPermissionSet: only a session of a role Identity Center
// made is told as a permission set; a role merely named like one is a role.
func TestActorDetailPermissionSet(t *testing.T) {
	id := "arn:aws:sts::1:assumed-role/AWSReservedSSO_Admin_0a1b/alice@example.com"
	tests := []struct {
		name string
		a    model.Actor
		want string
	}{
		{"Identity Center", model.Actor{Type: "AssumedRole", ID: id, Name: "alice@example.com", Role: "Admin",
			SessionIssuer: "arn:aws:iam::1:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0a1b"}, "permission set Admin"},
		{"named like it, outside its path", model.Actor{Type: "AssumedRole", ID: id, Name: "AWSReservedSSO_Admin_0a1b", Role: "AWSReservedSSO_Admin_0a1b",
			SessionIssuer: "arn:aws:iam::1:role/AWSReservedSSO_Admin_0a1b"}, "role AWSReservedSSO_Admin_0a1b"},
	}
	for _, tt := range tests {
		if got := actorDetail(tt.a); !strings.Contains(got, tt.want) {
			t.Errorf("%s: %q does not say %q", tt.name, got, tt.want)
		}
	}
}

// TestTableMarksSuppressed: a finding listed with --show-suppressed says
// in its row that a suppression hides it, and which.
func TestTableMarksSuppressed(t *testing.T) {
	fs := testFindings()
	fs[0].Suppression = &model.SuppressionRef{ID: "legacy-bastion", Owner: "o", Reason: "r"}
	out := string(render(t, FormatTable, fs, Options{Width: 200}))
	if !strings.Contains(out, "suppressed (legacy-bastion): "+fs[0].Title) {
		t.Errorf("the suppressed row does not say so:\n%s", out)
	}
	if strings.Count(out, "suppressed (") != 1 {
		t.Errorf("other rows marked:\n%s", out)
	}
	if md := string(render(t, FormatMarkdown, fs, Options{})); strings.Count(md, "| suppressed (legacy-bastion): ") != 1 {
		t.Errorf("the Markdown table does not mark the suppressed row:\n%s", md)
	}
}

// TestTerraformAddressShown: the detailed views name a finding's
// Terraform address, the key a platform engineer fixes code by.
func TestTerraformAddressShown(t *testing.T) {
	fs := testFindings()
	fs[0].Resource.Address = `module.net.aws_vpc_security_group_ingress_rule.ssh["a"]`
	for _, tt := range []struct {
		format string
		opts   Options
		want   string
	}{
		{FormatTable, Options{Verbose: true}, `  Terraform:  module.net.aws_vpc_security_group_ingress_rule.ssh["a"]` + "\n"},
		{FormatMarkdown, Options{}, `- **Terraform address:** module.net.aws\_vpc\_security\_group\_ingress\_rule.ssh\["a"\]` + "\n"},
		{FormatSARIF, Options{}, `"fullyQualifiedName": "module.net.aws_vpc_security_group_ingress_rule.ssh[\"a\"]",`},
	} {
		out := string(render(t, tt.format, fs, tt.opts))
		if strings.Count(out, tt.want) != 1 || strings.Count(out, "  Terraform:  ")+strings.Count(out, "**Terraform address:**")+strings.Count(out, `"kind": "declaration"`) != 1 {
			t.Errorf("%s: want one %q:\n%s", tt.format, tt.want, out)
		}
	}
}
