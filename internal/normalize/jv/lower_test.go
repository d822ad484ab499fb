package jv

import (
	"strings"
	"testing"
)

// TestLowerCompare: LowerHasSuffix and LowerIs read s as its
// strings.ToLower, whether s is ASCII or not.
func TestLowerCompare(t *testing.T) {
	words := []string{"flowevent", "flowevents", "flowlogflowevent", "%2fdata_access", "/data_access", ".gserviceaccount.com"}
	for _, s := range []string{
		"NetworkSecurityGroupFlowEvent", "FLOWLOGFLOWEVENT", "flowevents", "FlowEven\u212a", "flowevent\u017f", "İFLOWEVENT", "x", "",
		"projects/p/logs/cloudaudit.googleapis.com%2Fdata_access", "projects/p/logs/cloudaudit.googleapis.com%2FDATA_ACCESS",
		"x/data_access", "data_access", "access", "\u00c9t\xff/Data_Access",
		"a@P.IAM.GSERVICEACCOUNT.COM", "a@p.iam.gserv\u0130ceaccount.com", "a@p.iam.gserviceaccount.com\u00e9",
	} {
		for _, w := range words {
			if got, want := LowerHasSuffix(s, w), strings.HasSuffix(strings.ToLower(s), w); got != want {
				t.Errorf("LowerHasSuffix(%q, %q) = %v, want %v", s, w, got, want)
			}
			if got, want := LowerIs(s, w), strings.ToLower(s) == w; got != want {
				t.Errorf("LowerIs(%q, %q) = %v, want %v", s, w, got, want)
			}
		}
	}
	// The cases the two parsers' tests named, with what they expect.
	for _, tt := range []struct {
		s, suffix string
		want      bool
	}{
		{"projects/p/logs/cloudaudit.googleapis.com%2FDATA_ACCESS", "%2fdata_access", true},
		{"data_access", "/data_access", false},
		// U+0130 lowers to "i" in Go: the non-ASCII path lowers as ToLower.
		{"a@p.iam.gserv\u0130ceaccount.com", ".gserviceaccount.com", true},
		{"a@p.iam.gserviceaccount.com\u00e9", ".gserviceaccount.com", false},
		{"\u00c9t\xff/Data_Access", "/data_access", true},
	} {
		if got := LowerHasSuffix(tt.s, tt.suffix); got != tt.want {
			t.Errorf("LowerHasSuffix(%q, %q) = %v, want %v", tt.s, tt.suffix, got, tt.want)
		}
	}
}
