package azure

import (
	"strings"
	"testing"
)

// TestAPIVersion: the api-version of a request URI is kept only when it
// is one date version; a forged or odd one is dropped, not printed.
func TestAPIVersion(t *testing.T) {
	const base = "https://management.azure.com/subscriptions/s/resourceGroups/rg/providers/Microsoft.Sql/servers/sql-1/ipv6FirewallRules/office"
	for _, tt := range []struct{ uri, want string }{
		{base + "?api-version=2023-08-01", "2023-08-01"},
		{base + "?API-Version=2021-11-01-preview&x=1", "2021-11-01-preview"},
		{base, ""},
		{"", ""},
		{base + "?api-version=2023-08-01;rm%20-rf", ""},
		{base + "?api-version=2023-8-1", ""},
		{base + "?api-version=2023-08-01&api-version=2021-11-01", ""},
		{base + "?api-version=2023-08-01&API-VERSION=2021-11-01", ""},
		{base + "?api-version='2023-08-01'", ""},
		{base + "?api-version=2023-08-01-latest", ""},
	} {
		if got := APIVersion(tt.uri); got != tt.want {
			t.Errorf("APIVersion(%q) = %q, want %q", tt.uri, got, tt.want)
		}
	}
}

// FuzzAPIVersion: any URI gives "" or a date version of plain characters.
func FuzzAPIVersion(f *testing.F) {
	f.Add("https://management.azure.com/x?api-version=2023-08-01")
	f.Add("?api-version=2021-11-01-preview&api-version=")
	f.Add("?%zz&api-version=2021-11-01")
	f.Fuzz(func(t *testing.T, uri string) {
		v := APIVersion(uri)
		if v != "" && (!dateVersion(v) || strings.ContainsAny(v, " '\\\"$`;&|")) {
			t.Fatalf("APIVersion(%q) = %q", uri, v)
		}
	})
}
