package traffic

import (
	"strings"
	"testing"
)

func TestSplitNSGRule(t *testing.T) {
	long := strings.Repeat("Ⱥ", 100) // lower-cases to a longer text
	tests := []struct{ id, nsg, rule string }{
		{"/subs/s/NSG/n/securityRules/Allow-SSH", "/subs/s/nsg/n", "Allow-SSH"},
		{"/SUBS/S/NSG/N/SECURITYRULES/R", "/subs/s/nsg/n", "R"},
		{"/nsg/" + long + "/securityRules/x", "/nsg/" + strings.ToLower(long), "x"},
		{"/nsg/n", "/nsg/n", ""},
	}
	for _, tt := range tests {
		if nsg, rule := splitNSGRule(tt.id); nsg != tt.nsg || rule != tt.rule {
			t.Errorf("splitNSGRule(%.40q) = %.40q, %q; want %.40q, %q", tt.id, nsg, rule, tt.nsg, tt.rule)
		}
	}
}
