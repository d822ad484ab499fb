package audit

import (
	"strings"
	"testing"
)

// A platform engineer fixes Terraform code by address: every finding from
// a plan or a state names the resource declaring the rule, in
// resource.address and at the start of the title, through modules,
// count and for_each keys.
func TestTerraformAddress(t *testing.T) {
	tests := []struct {
		file string
		want map[string]string // a part of the title -> address
	}{
		{handPlans + "state-modules.json", map[string]string{
			"on 3389/tcp": "module.net.aws_security_group.web",
			"on 22/tcp":   `module.net.module.rules.aws_vpc_security_group_ingress_rule.ssh["office"]`,
		}},
		{handPlans + "unknown-values.json", map[string]string{
			"rule added, open to the IPv4 internet on 22/tcp (ssh)": "module.net.aws_security_group.web[0]",
			"(cidr_blocks)": "aws_security_group_rule.db",
		}},
		{"snapshots/terraform/tfplan.json", map[string]string{
			"rule https: rule widened":     "module.web.azurerm_network_security_rule.https",
			"deny rule removed":            "aws_network_acl_rule.deny_telnet",
			"rules known only after apply": "aws_security_group.app",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			fs := auditor(t).Audit(readBundled(t, tt.file))
			if len(fs) == 0 {
				t.Fatal("no findings")
			}
			for _, f := range fs {
				if f.Resource.Address == "" || !strings.HasPrefix(f.Title, f.Resource.Address+" ") && !strings.HasPrefix(f.Title, f.Resource.Address+": ") {
					t.Errorf("%q: address %q not at the start of the title", f.Title, f.Resource.Address)
				}
			}
			for part, addr := range tt.want {
				found := false
				for _, f := range fs {
					if strings.Contains(f.Title, part) && f.Resource.Address == addr {
						found = true
					}
				}
				if !found {
					t.Errorf("no finding %q with address %s", part, addr)
				}
			}
		})
	}
}
