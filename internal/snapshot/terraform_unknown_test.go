package snapshot

import (
	"encoding/json"
	"slices"
	"testing"
)

func TestSplitAddress(t *testing.T) {
	for addr, want := range map[string][]string{
		"aws_security_group.web":                              {"aws_security_group", "web"},
		`module.net["a.b"].aws_security_group.web[0]`:         {"module", "net", "aws_security_group", "web"},
		`aws_vpc_security_group_ingress_rule.ssh["x\"].y"]`:   {"aws_vpc_security_group_ingress_rule", "ssh"},
		"module.a.module.b[2].google_compute_firewall.fw[10]": {"module", "a", "module", "b", "google_compute_firewall", "fw"},
	} {
		if got := splitAddress(addr); !slices.Equal(got, want) {
			t.Errorf("splitAddress(%s) = %q, want %q", addr, got, want)
		}
	}
}

// Whether a plan's configuration sets an attribute, found through nested
// module calls by an address with instance keys.
func TestTFConfigSets(t *testing.T) {
	var root map[string]any
	if err := json.Unmarshal([]byte(`{"resources":[{"mode":"managed","type":"google_compute_firewall","name":"a","expressions":{"source_ranges":{"references":["x"]},"source_tags":{"constant_value":null}}}],
		"module_calls":{"m":{"module":{"module_calls":{"n":{"module":{"resources":[{"mode":"managed","type":"google_compute_firewall","name":"b","expressions":{"name":{"constant_value":"b"}}}]}}}}}}}`), &root); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		addr, attr string
		set, found bool
	}{
		{`google_compute_firewall.a["k"]`, "source_ranges", true, true},
		{"google_compute_firewall.a", "source_tags", false, true}, // a constant null sets nothing
		{"google_compute_firewall.a", "destination_ranges", false, true},
		{`module.m.module.n[0].google_compute_firewall.b`, "source_ranges", false, true},
		{"module.m.google_compute_firewall.b", "source_ranges", false, false},
		{"google_compute_firewall.c", "source_ranges", false, false},
	}
	for _, tt := range tests {
		if set, found := tfConfigSets(root, tt.addr, tt.attr); set != tt.set || found != tt.found {
			t.Errorf("%s %s: set %v found %v, want %v %v", tt.addr, tt.attr, set, found, tt.set, tt.found)
		}
	}
	if _, found := tfConfigSets(nil, "google_compute_firewall.a", "source_ranges"); found {
		t.Error("found in a plan without configuration")
	}
}
