package azure

import (
	"encoding/json"
	"slices"
	"testing"
)

// TestCosmosIPRules: the account's IP rules from ipRules or the older
// comma-separated ipRangeFilter; an empty list is a list (the account is
// then open), a null or missing one says nothing.
func TestCosmosIPRules(t *testing.T) {
	for _, tt := range []struct {
		props  string
		want   []string
		listed bool
	}{
		{`{"ipRules":[{"ipAddressOrRange":"0.0.0.0"},{"ipAddressOrRange":" 10.0.0.0/8 "}]}`, []string{"0.0.0.0", "10.0.0.0/8"}, true},
		{`{"IPRules":[{"IpAddressOrRange":"203.0.113.7"}]}`, []string{"203.0.113.7"}, true},
		{`{"ipRules":[]}`, nil, true},
		{`{"ipRangeFilter":""}`, nil, true},
		{`{"ipRangeFilter":"104.42.195.92,0.0.0.0"}`, []string{"104.42.195.92", "0.0.0.0"}, true},
		{`{"ipRules":null}`, nil, false},
		{`{"publicNetworkAccess":"Enabled"}`, nil, false},
	} {
		var props map[string]any
		if err := json.Unmarshal([]byte(tt.props), &props); err != nil {
			t.Fatal(err)
		}
		got, listed := cosmosIPRules(props)
		if !slices.Equal(got, tt.want) || listed != tt.listed {
			t.Errorf("%s: %q listed %v, want %q listed %v", tt.props, got, listed, tt.want, tt.listed)
		}
	}
}
