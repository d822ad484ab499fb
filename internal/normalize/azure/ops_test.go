package azure

import (
	"strings"
	"testing"
)

func TestSplitOp(t *testing.T) {
	tests := []struct{ key, typePath, verb string }{
		{"microsoft.network/networksecuritygroups/write", "microsoft.network/networksecuritygroups", "write"},
		{"microsoft.network/networksecuritygroups/join/action", "microsoft.network/networksecuritygroups", "action"},
		{"microsoft.resources/action", "microsoft.resources", "action"},
		{"microsoft.web/sites/action", "microsoft.web/sites", "action"},
		{"a//b/", "a//b", ""},
		{"write", "", ""},
		{"", "", ""},
	}
	for _, tt := range tests {
		if typePath, verb := splitOp(tt.key); typePath != tt.typePath || verb != tt.verb {
			t.Errorf("splitOp(%q) = %q, %q, want %q, %q", tt.key, typePath, verb, tt.typePath, tt.verb)
		}
	}
}

func TestIDPart(t *testing.T) {
	tests := []struct{ id, name, want string }{
		{"/SUBSCRIPTIONS/S1/RESOURCEGROUPS/RG", "subscriptions", "S1"},
		{"/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Sql/servers/a/providers/Microsoft.Insights/x", "providers", "Microsoft.Sql"},
		{"subscriptions/s1/", "subscriptions", "s1"},
		{"/subscriptions", "subscriptions", ""},
		{"/subscriptions//x", "subscriptions", ""},
		{"", "subscriptions", ""},
		{"/", "subscriptions", ""},
	}
	for _, tt := range tests {
		if got := idPart(tt.id, tt.name); got != tt.want {
			t.Errorf("idPart(%q, %q) = %q, want %q", tt.id, tt.name, got, tt.want)
		}
	}
}

// TestLowerJoin: lowerJoin lowers as strings.ToLower does, ASCII or not.
func TestLowerJoin(t *testing.T) {
	for _, parts := range [][]string{
		{"C1", "|", "MICROSOFT.COMPUTE/VIRTUALMACHINES/WRITE", "|", "/SUBSCRIPTIONS/S1"},
		{"", "|", "", "|", ""},
		{"İ\u212a", "|", "ſ", "|", "\xff"},
		{"a", "|", "B\xc3", "|", "\xa9"},
	} {
		if got, want := lowerJoin(parts...), strings.ToLower(strings.Join(parts, "")); got != want {
			t.Errorf("lowerJoin(%q) = %q, want %q", parts, got, want)
		}
	}
}
