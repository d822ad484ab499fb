package state

import (
	"strings"
	"testing"

	"cloudwall/internal/model"
)

// TestFirewallIDNonASCII: an NSG rule id is cut back to its NSG at the
// rule segment, in any letter case and after text whose lower case is
// longer or shorter (hostile names once cut past the end and crashed
// the scan).
func TestFirewallIDNonASCII(t *testing.T) {
	nsg := "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/"
	for _, name := range []string{"nsg-app", strings.Repeat("Ⱥ", 100), "İİİ", "NSG"} {
		for _, seg := range []string{"/securityRules/", "/SECURITYRULES/"} {
			res := model.Resource{Type: "nsg_rule", ID: nsg + name + seg + "x"}
			if got, want := firewallID(model.Azure, res), nsg+name; got != want {
				t.Errorf("firewallID(%.60q) = %.60q, want %.60q", res.ID, got, want)
			}
		}
	}
}
