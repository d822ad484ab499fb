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
