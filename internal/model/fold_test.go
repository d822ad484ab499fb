package model

import (
	"strings"
	"testing"
)

func TestIndexFold(t *testing.T) {
	long := strings.Repeat("Ⱥ", 100) // lower-cases to 3 bytes a rune
	tests := []struct {
		s, sub string
		want   int
	}{
		{"/NSG/SECURITYRULES/r", "/securityrules/", 4},
		{"/nsg/securityRules/r", "/securityrules/", 4},
		{long + "/securityRules/x", "/securityrules/", len(long)},
		{"İ/securityrules/x", "/securityrules/", len("İ")}, // İ lower-cases to 1 byte
		{"/security", "/securityrules/", -1},
		{"", "x", -1},
		{"abc", "", 0},
	}
	for _, tt := range tests {
		if got := IndexFold(tt.s, tt.sub); got != tt.want {
			t.Errorf("IndexFold(%.30q, %q) = %d, want %d", tt.s, tt.sub, got, tt.want)
		}
	}
}
