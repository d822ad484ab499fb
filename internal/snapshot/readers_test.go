package snapshot

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"

	"cloudwall/internal/ingest"
	"cloudwall/internal/model"
)

// rule renders a rule compactly for assertions:
// "ingress allow tcp 22 from 0.0.0.0/0".
func rule(r model.Rule) string {
	var peers []string
	for _, p := range r.Peers {
		peers = append(peers, p.String())
	}
	s := string(r.Direction) + " " + string(r.Action) + " " + r.Protocol
	if len(r.Ports) > 0 {
		s += " " + strings.Join(r.Ports.Strings(), ",")
	}
	return s + " from " + strings.Join(peers, ",")
}

func rules(fw *model.Firewall) []string {
	var out []string
	for _, r := range fw.Rules {
		out = append(out, rule(r))
	}
	return out
}

func mustFirewall(t *testing.T, set *Set, key string) *model.Firewall {
	t.Helper()
	fw := set.Firewall(key)
	if fw == nil {
		var keys []string
		for i := range set.Firewalls {
			keys = append(keys, Key(&set.Firewalls[i]))
		}
		t.Fatalf("no firewall %s; have %v", key, keys)
	}
	return fw
}

func TestReadersRealSamples(t *testing.T) {
	tests := []struct {
		file string
		key  string
		// want lists rules that must be present (rule() form).
		want []string
		// count is the number of rules, -1 to skip.
		count int
		// skipped is said by the one problem expected: records holding no
		// firewall are named, never skipped silently.
		skipped string
		check   func(t *testing.T, set *Set, fw *model.Firewall)
	}{
		{file: "aws/custodian_describe-security-groups_tcp-udp-icmp-one-group.json", key: "aws|security_group|sg-6c7fa917",
			want:  []string{"ingress allow tcp 22 from 0.0.0.0/0", "ingress allow all all from group:sg-6c7fa917", "ingress allow icmp from group:sg-6c7fa917", "egress allow all all from 0.0.0.0/0"},
			count: -1,
			check: func(t *testing.T, _ *Set, fw *model.Firewall) {
				if !fw.Default || fw.Network != "vpc-d2d616b5" || fw.Account != "644160558196" {
					t.Errorf("identity: default=%v network=%q account=%q", fw.Default, fw.Network, fw.Account)
				}
			}},
		{file: "aws/custodian_describe-security-groups_prefixlist-udp.json", key: "aws|security_group|sg-01a19f602ecaf25f4",
			want: []string{"ingress allow tcp 80 from 192.168.0.1/31", "ingress allow tcp 80 from prefix-list:pl-63a5400b"}, count: -1,
			check: func(t *testing.T, _ *Set, fw *model.Firewall) {
				for _, r := range fw.Rules {
					if r.Peers[0].Value == "192.168.0.1/31" && r.Description != "testcidr" {
						t.Errorf("per-peer description lost: %q", r.Description)
					}
				}
			}},
		{file: "aws/awscli-doc_describe-security-group-rules.json", key: "aws|security_group|sg-1234567890abcdef0",
			want:  []string{"ingress allow all all from group:sg-1234567890abcdef0", "egress allow all all from ::/0", "egress allow all all from 0.0.0.0/0"},
			count: 3,
			check: func(t *testing.T, _ *Set, fw *model.Firewall) {
				if !fw.Partial {
					t.Error("rules read one by one must mark the group partial")
				}
				for _, r := range fw.Rules {
					if !strings.HasPrefix(r.ID, "sgr-") {
						t.Errorf("rule id %q", r.ID)
					}
				}
			}},
		{file: "aws/custodian_describe-network-acls_default-before.json", key: "aws|network_acl|acl-6c9db915", count: 4,
			want: []string{"ingress allow all all from 0.0.0.0/0", "ingress deny all all from 0.0.0.0/0", "egress allow all all from 0.0.0.0/0"},
			check: func(t *testing.T, _ *Set, fw *model.Firewall) {
				for _, r := range fw.Rules {
					if r.Priority == nil || (*r.Priority == 32767) != r.Builtin {
						t.Errorf("rule %s: priority %v builtin %v", r.Name, r.Priority, r.Builtin)
					}
				}
				if !fw.Default {
					t.Error("IsDefault not read")
				}
			}},
		{file: "aws/custodian_describe-network-acls_default-after-entry-delete.json", key: "aws|network_acl|acl-6c9db915", count: 3},
		{file: "aws/awscli-doc_describe-network-acls_ipv6.json", key: "aws|network_acl|acl-0ea1f54ca7EXAMPLE", count: 4,
			check: func(t *testing.T, set *Set, fw *model.Firewall) {
				if !slices.Equal(fw.AttachedTo, []string{"subnet-0931fc2fa5EXAMPLE"}) {
					t.Errorf("associations: %v", fw.AttachedTo)
				}
				if len(set.Firewalls) != 2 {
					t.Errorf("want 2 ACLs, got %d", len(set.Firewalls))
				}
			}},
		{file: "aws/custodian_config_get-resource-config-history_security-group.json", key: "aws|security_group|sg-a38ed1de",
			want:  []string{"ingress allow tcp 8080 from 0.0.0.0/0", "ingress allow tcp 443 from 10.42.1.0/24"},
			count: -1,
			check: func(t *testing.T, _ *Set, fw *model.Firewall) {
				if fw.AsOf.IsZero() || fw.Region != "us-east-1" {
					t.Errorf("capture time %v region %q", fw.AsOf, fw.Region)
				}
			}},
		// AWS Config writes each CIDR twice (ipv4Ranges [{cidrIp}] and the
		// legacy ipRanges strings): one peer each, and a bare item (here in
		// a one-element array, as found) is a snapshot.
		{file: "aws/notes_config-item_default-sg-rdp-open.json", key: "aws|security_group|sg-0bf9c8e5ea6375194", count: 5,
			want: []string{"ingress allow tcp 3389 from 0.0.0.0/0", "ingress allow tcp 80 from 0.0.0.0/0", "ingress allow tcp 443 from 0.0.0.0/0",
				"ingress allow all all from group:sg-0bf9c8e5ea6375194", "egress allow all all from 0.0.0.0/0"},
			check: func(t *testing.T, _ *Set, fw *model.Firewall) {
				if fw.AsOf.IsZero() || fw.Account != "777719877733" || !fw.Default {
					t.Errorf("capture time %v account %q default %v", fw.AsOf, fw.Account, fw.Default)
				}
			}},
		{file: "aws/awsdocs-config_sns-configuration-item-change_security-group.json", key: "aws|security_group|sg-3f1fef43",
			want: []string{"egress allow all all from 0.0.0.0/0"}, count: 1},
		{file: "aws/custodian_network-firewall_describe-firewall.json", count: 0,
			key: "aws|network_firewall|arn:aws:network-firewall:us-east-2:644160558196:firewall/unicron",
			check: func(t *testing.T, _ *Set, fw *model.Firewall) {
				if fw.Settings[model.SettingPolicy] == "" || len(fw.AttachedTo) == 0 {
					t.Errorf("policy %q subnets %v", fw.Settings[model.SettingPolicy], fw.AttachedTo)
				}
			}},
		{file: "azure/azuredocs_az-network-nsg-show_flattened.json",
			key:   "azure|nsg|/subscriptions/guid/resourcegroups/myresourcegroup/providers/microsoft.network/networksecuritygroups/mynetworksecuritygroup",
			want:  []string{"ingress allow tcp 22 from any:*", "ingress allow tcp 80 from any:*", "ingress deny all all from any:*"},
			count: 8,
			check: func(t *testing.T, _ *Set, fw *model.Firewall) {
				builtin := 0
				for _, r := range fw.Rules {
					if r.Builtin {
						builtin++
					}
				}
				if builtin != 6 {
					t.Errorf("want 6 default rules marked builtin, got %d", builtin)
				}
				// VNet flow logs name this id (aclID), not the NSG.
				if fw.GUID != "47a9964e-23a3-438a-a726-8d60ebbb1c3c" {
					t.Errorf("resourceGuid read as %q", fw.GUID)
				}
			}},
		{file: "azure/azure-rest-api-specs_NetworkSecurityGroupGet.example.json", count: -1,
			key: "azure|nsg|/subscriptions/subid/resourcegroups/rg1/providers/microsoft.network/networksecuritygroups/testnsg"},
		{file: "azure/custodian_arm-nsg-list_icmp.cassette.json", count: -1, key: "",
			check: func(t *testing.T, set *Set, _ *model.Firewall) {
				found := false
				for _, fw := range set.Firewalls {
					for _, r := range fw.Rules {
						found = found || r.Protocol == "icmp"
					}
				}
				if !found {
					t.Error("no ICMP rule read")
				}
			}},
		{file: "azure/custodian_arm-sql-server-firewall-rules.cassette.json", count: -1,
			skipped: "skipped, holds no firewall rules cloudwall reads: VCR cassette interaction 1 (GET …scriptions/ea42f556-5106-4743-99b0-c129bfa71a47/providers/Microsoft.Sql/servers): Azure resource of type microsoft.sql/servers",
			key:     "azure|sql_server|/subscriptions/ea42f556-5106-4743-99b0-c129bfa71a47/resourcegroups/test_sqlserver/providers/microsoft.sql/servers/cctestsqlserverj6y6cbbtaphs4",
			want:    []string{"ingress allow tcp 1433 from 1.2.2.128-1.2.2.255", "ingress allow tcp 1433 from 0.0.0.0-0.0.0.0"}},
		// A classic Azure Firewall: DNAT rules from * open their translated
		// ports, network rules are ingress, an application rule is egress
		// to the FQDNs it names.
		{file: "azure/azure-rest-api-specs_AzureFirewallGet.example.json", count: 5,
			key: "azure|azure_firewall|/subscriptions/subid/resourcegroups/rg1/providers/microsoft.network/azurefirewalls/azurefirewall",
			want: []string{"ingress allow tcp 8443 from any:*", "ingress allow tcp 880 from any:*",
				"ingress deny tcp 443-444,8443 from 192.168.1.1-192.168.1.12,10.1.4.12-10.1.4.255", "egress deny tcp 443 from other:www.test.com"},
			check: func(t *testing.T, _ *Set, fw *model.Firewall) {
				if fw.Settings[model.SettingThreatIntelMode] != "alert" || fw.Account != "subid" {
					t.Errorf("settings %v account %q", fw.Settings, fw.Account)
				}
				for _, r := range fw.Rules {
					for _, n := range r.Notes {
						if strings.Contains(n, "replaces") || strings.Contains(n, "reported as added") {
							t.Errorf("rule %s: a write's note in a snapshot: %q", r.Name, n)
						}
						if strings.HasPrefix(n, `rule "`) && !strings.HasPrefix(n, `rule "`+r.Name+`"`) {
							t.Errorf("rule %s: another rule's note %q", r.Name, n)
						}
					}
				}
			}},
		{file: "azure/azure-rest-api-specs_FirewallPolicyRuleCollectionGroupList.example.json", count: 1,
			key:  "azure|rule_collection_group|/subscriptions/subid/resourcegroups/rg1/providers/microsoft.network/firewallpolicies/firewallpolicy/rulecollectiongroups/rulecollectiongroup1",
			want: []string{"ingress deny tcp all from 10.1.25.0/24"}},
		{file: "gcp/custodian_rest_firewalls-list.flight.json", key: "gcp|network|projects/cloud-custodian/global/networks/default",
			want: []string{"ingress allow tcp 22 from 1.1.1.1"}, count: 1,
			check: func(t *testing.T, _ *Set, fw *model.Firewall) {
				r := fw.Rules[0]
				if r.Name != "test" || r.Created.IsZero() || *r.Priority != 1000 || !slices.Equal(r.Targets, []string{"test"}) {
					t.Errorf("rule %+v", r)
				}
			}},
		{file: "gcp/custodian_rest_instances-getEffectiveFirewalls.flight.json", count: -1, key: "",
			check: func(t *testing.T, set *Set, _ *model.Firewall) {
				disabled := 0
				for _, fw := range set.Firewalls {
					for _, r := range fw.Rules {
						if r.Disabled {
							disabled++
						}
					}
				}
				if disabled == 0 {
					t.Error("disabled rules not marked")
				}
			}},
		{file: "gcp/forseti_cai-export_mock-resources.dump", count: -1, key: "",
			skipped: "124 skipped, holding no firewall rules cloudwall reads (the first here): asset of type cloudresourcemanager.googleapis.com/Organization ×1; asset of type cloudbilling.googleapis.com/BillingAccount ×2;",
			check: func(t *testing.T, set *Set, _ *model.Firewall) {
				n := 0
				for _, fw := range set.Firewalls {
					seen := map[string]bool{}
					for _, r := range fw.Rules {
						if !seen[r.Name] {
							n++
						}
						seen[r.Name] = true
					}
				}
				sql := 0
				for _, fw := range set.Firewalls {
					if fw.Resource.Type == "cloudsql_instance" {
						sql++
					}
				}
				if n != 7 || sql != 2 || set.Summary.Skipped != 124 || len(set.Summary.Problems) != 1 {
					t.Errorf("firewall rules %d (want 7), Cloud SQL instances %d (want 2), skipped %d (want 124), problems %v", n, sql, set.Summary.Skipped, set.Summary.Problems)
				}
			}},
		{file: "gcp/custodian_rest_sql-instances-list.flight.json", count: 0,
			key: "gcp|cloudsql_instance|projects/cloud-custodian/instances/custodian-postgres",
			check: func(t *testing.T, _ *Set, fw *model.Firewall) {
				// ipv4Enabled with an empty authorizedNetworks: a public
				// address that no outside network may reach.
				if fw.Settings[model.SettingPublicIP] != "true" || fw.Region != "us-central1" || fw.Resource.Name != "custodian-postgres" {
					t.Errorf("instance %+v", fw)
				}
			}},
		{file: "gcp/policy-library_cai_sql-instances_authorized-networks.json", count: 1,
			key:  "gcp|cloudsql_instance|projects/noble-history-87417/instances/authorized-networks-35",
			want: []string{"ingress allow tcp 3306 from 35.187.118.0/24"},
			check: func(t *testing.T, set *Set, fw *model.Firewall) {
				if len(set.Firewalls) != 2 || !slices.Contains(fw.Rules[0].Notes, "database version not given: MySQL's port 3306 assumed") {
					t.Errorf("%d instances, notes %q", len(set.Firewalls), fw.Rules[0].Notes)
				}
			}},
		{file: "gcp/policy-library_cai_firewalls_logging-ancestors.json", count: -1,
			key:  "gcp|network|projects/test-shared-network/global/networks/shared-network-6",
			want: []string{"ingress deny tcp all from 0.0.0.0/0", "ingress deny icmp from 0.0.0.0/0"}},
		{file: "terraform/terraform-compliance_state_child-modules_tf0.12.12.json", count: -1, key: "",
			skipped: "skipped, holds no firewall rules cloudwall reads: Terraform state without firewall resources",
			check: func(t *testing.T, set *Set, _ *model.Firewall) {
				if len(set.Firewalls) != 0 || set.Summary.Skipped != 1 || set.Summary.Unreadable != 0 {
					t.Errorf("a state with no firewall is skipped: %d firewalls, %+v", len(set.Firewalls), set.Summary)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			set := readSamples(t, tt.file)
			var msgs []string
			for _, p := range set.Summary.Problems {
				msgs = append(msgs, p.Message)
			}
			if tt.skipped == "" && len(msgs) > 0 || tt.skipped != "" && (len(msgs) != 1 || !strings.HasPrefix(msgs[0], tt.skipped)) {
				t.Errorf("problems %q, want %q", msgs, tt.skipped)
			}
			var fw *model.Firewall
			if tt.key != "" {
				fw = mustFirewall(t, set, tt.key)
				got := rules(fw)
				for _, w := range tt.want {
					if !slices.Contains(got, w) {
						t.Errorf("missing rule %q; have:\n  %s", w, strings.Join(got, "\n  "))
					}
				}
				if tt.count >= 0 && len(fw.Rules) != tt.count {
					t.Errorf("want %d rules, got %d:\n  %s", tt.count, len(fw.Rules), strings.Join(got, "\n  "))
				}
			}
			if tt.check != nil {
				tt.check(t, set, fw)
			}
		})
	}
}

func TestInterfacesAttachGroups(t *testing.T) {
	set := readSamples(t, "aws/custodian_describe-network-interfaces_public-ips.json", "aws/custodian_describe-security-groups_default-vpc-groups.json")
	if len(set.Interfaces) != 3 {
		t.Fatalf("want 3 interfaces, got %d", len(set.Interfaces))
	}
	kinds := map[string]string{}
	for _, n := range set.Interfaces {
		kinds[n.ID] = n.Kind
	}
	if kinds["eni-042ea05b"] != InterfaceLoadBalancer || kinds["eni-794e5a04"] != InterfaceManaged {
		t.Errorf("kinds: %v", kinds)
	}
	if n := set.Interfaces[0]; !slices.Equal(n.PublicIPs, []string{"52.41.66.102"}) || !slices.Equal(n.Groups, []string{"sg-f9cc4d9f"}) {
		t.Errorf("interface %+v", n)
	}
}

func TestPrefixLists(t *testing.T) {
	set := readSamples(t, "aws/custodian_describe-managed-prefix-lists.json", "aws/custodian_describe-prefix-lists_aws-managed-s3.json")
	s3 := set.PrefixList("pl-63a5400a")
	if s3 == nil || !slices.Equal(s3.CIDRs, []string{"54.231.0.0/17", "52.216.0.0/15"}) || s3.Name == "" {
		t.Fatalf("pl-63a5400a: %+v", s3)
	}
	// get-managed-prefix-list-entries does not name its list: the file
	// name must, else the entries are reported rather than guessed.
	raw := sample(t, "testdata/real/aws/custodian_get-managed-prefix-list-entries.json")
	for _, tc := range []struct {
		name string
		ok   bool
	}{{"entries-pl-02d12d37020480a5f.json", true}, {"entries.json", false}} {
		set, err := Read(context.Background(), []ingest.Input{ingest.ReaderInput(tc.name, bytes.NewReader(raw))}, Options{})
		if err != nil {
			t.Fatal(err)
		}
		pl := set.PrefixList("pl-02d12d37020480a5f")
		if tc.ok != (pl != nil && slices.Equal(pl.CIDRs, []string{"172.31.0.0/16"})) || tc.ok == (len(set.Summary.Problems) > 0) {
			t.Errorf("%s: list %+v problems %v", tc.name, pl, set.Summary.Problems)
		}
	}
}

func TestTerraformPlans(t *testing.T) {
	t.Run("rule update", func(t *testing.T) {
		set := readSamples(t, "terraform/checkov_plan_aws-sg-rule-update_tf1.4.6.json")
		if len(set.Plans) != 1 || len(set.Plans[0].Changes) != 2 {
			t.Fatalf("plans: %+v", set.Plans)
		}
		c := set.Plans[0].Changes[0]
		if c.Address != "aws_security_group_rule.foo" || rules(c.Before)[0] != "ingress allow tcp 5432 from group:sg-8d21ab5963b0e7917" ||
			rules(c.After)[0] != "ingress allow tcp 5432-5433 from group:sg-8d21ab5963b0e7917" {
			t.Errorf("change %s: %v -> %v", c.Address, rules(c.Before), rules(c.After))
		}
	})
	t.Run("inline world-open", func(t *testing.T) {
		set := readSamples(t, "terraform/regula_plan_aws-sg-ingress-anywhere_tf0.13.5.json")
		var all []string
		for _, c := range set.Plans[0].Changes {
			all = append(all, rules(c.After)...)
		}
		for _, w := range []string{"ingress allow tcp all from 0.0.0.0/0", "ingress allow tcp 442-444 from 0.0.0.0/0", "ingress allow tcp 443 from 0.0.0.0/0"} {
			if !slices.Contains(all, w) {
				t.Errorf("missing %q in %v", w, all)
			}
		}
	})
	// A new group's inline rule lists wholly unknown at plan time (the
	// providers compute them when the configuration declares none) are
	// Computed, alike for AWS and Azure; values unknown inside a block are
	// Unknown.
	t.Run("computed until apply", func(t *testing.T) {
		for _, tc := range []struct {
			file, addr string
			computed   []string
		}{
			{"terraform/checkov_plan_azurerm-nsg-references_tf1.3.6.json", "azurerm_network_security_group.fail", []string{"security_rule"}},
			{"terraform/checkov_plan_aws-sg-new-groups_tf0.12.23.excerpt.json", "aws_security_group.default", []string{"ingress", "egress"}},
		} {
			set := readSamples(t, tc.file)
			i := slices.IndexFunc(set.Plans[0].Changes, func(c ResourceChange) bool { return c.Address == tc.addr })
			if i < 0 {
				t.Fatalf("%s: no change %s", tc.file, tc.addr)
			}
			if c := set.Plans[0].Changes[i]; !slices.Equal(c.Computed, tc.computed) || len(c.Unknown) > 0 {
				t.Errorf("%s: computed %v unknown %v, want computed %v", tc.addr, c.Computed, c.Unknown, tc.computed)
			}
		}
	})
	// Changes to a group this plan creates: the group, and rules whose
	// security_group_id is known only after apply.
	t.Run("new groups", func(t *testing.T) {
		set := readSamples(t, "terraform/checkov_plan_aws-sg-new-groups_tf0.12.23.excerpt.json")
		for _, c := range set.Plans[0].Changes {
			if !c.NewGroup {
				t.Errorf("%s: not marked as a change to a new group", c.Address)
			}
		}
		set = readSamples(t, "terraform/checkov_plan_aws-sg-rule-update_tf1.4.6.json")
		for _, c := range set.Plans[0].Changes {
			if c.NewGroup {
				t.Errorf("%s: an update of an existing group's rule marked new", c.Address)
			}
		}
	})
	t.Run("azurerm standalone rules", func(t *testing.T) {
		set := readSamples(t, "terraform/terraform-compliance_plan_azurerm-nsg-and-rules_tf0.12.25.json")
		var all []string
		for _, c := range set.Plans[0].Changes {
			if c.After != nil {
				all = append(all, rules(c.After)...)
			}
		}
		for _, w := range []string{"ingress allow tcp 22 from any:*", "ingress allow tcp 3389 from any:*"} {
			if !slices.Contains(all, w) {
				t.Errorf("missing %q in %v", w, all)
			}
		}
	})
	t.Run("google firewall", func(t *testing.T) {
		set := readSamples(t, "terraform/terraform-validator_plan_google-compute-firewall-full_tf0.12.10.json")
		var all []string
		disabled := false
		for _, c := range set.Plans[0].Changes {
			all = append(all, rules(c.After)...)
			for _, r := range c.After.Rules {
				disabled = disabled || r.Disabled
			}
		}
		if !slices.Contains(all, "ingress deny icmp from tag:web") || !disabled {
			t.Errorf("rules %v disabled %v", all, disabled)
		}
	})
}

// Every real sample reads without a crash; only the one published as
// invalid JSON, the entries file that does not name its list, and the
// cassettes that recorded writes report a problem.
func TestAllSamples(t *testing.T) {
	bad := map[string]string{
		"aws/awscli-doc_describe-security-groups_INVALID-trailing-comma.json":    "invalid JSON",
		"aws/awscli-doc_get-managed-prefix-list-entries.json":                    "does not name its list",
		"aws/custodian_get-managed-prefix-list-entries.json":                     "does not name its list",
		"azure/custodian_arm-nsg-list_open-ports-before-after-put.cassette.json": "1 of 3 interactions skipped (only successful GETs are snapshots): PUT ×1",
		"azure/custodian_arm-storage-networkacls-patch.cassette.json":            "2 of 5 interactions skipped (only successful GETs are snapshots): PATCH ×2",
		// Records holding no firewall are named, not skipped silently.
		"azure/custodian_arm-sql-server-firewall-rules.cassette.json":       "holds no firewall rules cloudwall reads: VCR cassette interaction 1",
		"gcp/custodian_rest_firewalls-patch_operation.flight.json":          "holds no firewall rules cloudwall reads: HTTP flight recording: GCP resource of kind compute#operation",
		"gcp/forseti_cai-export_mock-resources.dump":                        "124 skipped, holding no firewall rules cloudwall reads",
		"terraform/terraform-compliance_state_child-modules_tf0.12.12.json": "holds no firewall rules cloudwall reads: Terraform state without firewall resources",
	}
	for _, n := range realSamples(t) {
		set := readSamples(t, n)
		var msgs []string
		for _, p := range set.Summary.Problems {
			msgs = append(msgs, p.Message)
		}
		if want := bad[n]; (want == "") != (len(msgs) == 0) || len(msgs) > 1 || want != "" && !strings.Contains(msgs[0], want) {
			t.Errorf("%s: problems %q, want one saying %q", n, msgs, want)
		}
	}
}

func TestUnknownShapeIsReported(t *testing.T) {
	in := []ingest.Input{
		ingest.ReaderInput("weird.json", strings.NewReader(`{"Hello":"world"}`)),
		ingest.ReaderInput("empty.json", strings.NewReader("")),
		ingest.ReaderInput("good.json", strings.NewReader(`{"NetworkAcls":[{"NetworkAclId":"acl-1","Entries":[{"RuleNumber":100,"Egress":false,"Protocol":"6","PortRange":{"From":22,"To":22},"CidrBlock":"0.0.0.0/0","RuleAction":"allow"}]}]}`)),
	}
	set, err := Read(context.Background(), in, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, p := range set.Summary.Problems {
		files = append(files, p.File)
	}
	if !slices.Equal(files, []string{"weird.json", "empty.json"}) || set.Summary.Skipped != 1 {
		t.Errorf("problems %+v skipped %d", set.Summary.Problems, set.Summary.Skipped)
	}
	if got := rules(mustFirewall(t, set, "aws|network_acl|acl-1")); !slices.Equal(got, []string{"ingress allow tcp 22 from 0.0.0.0/0"}) {
		t.Errorf("the good file after bad ones: %v", got)
	}
}

// Two whole copies of one firewall in two files: the later-dated wins;
// when the dates cannot tell, the later-read wins and a problem says so.
func TestDuplicateSnapshots(t *testing.T) {
	nacl := func(egress bool) string {
		e := `{"RuleNumber":100,"Egress":false,"Protocol":"-1","CidrBlock":"0.0.0.0/0","RuleAction":"allow"}`
		if egress {
			e += `,{"RuleNumber":100,"Egress":true,"Protocol":"-1","CidrBlock":"0.0.0.0/0","RuleAction":"allow"}`
		}
		return `{"NetworkAcls":[{"NetworkAclId":"acl-6c9db915","Entries":[` + e + `]}]}`
	}
	const (
		before = "aws/custodian_describe-network-acls_default-before.json"
		after  = "aws/custodian_describe-network-acls_default-after-entry-delete.json"
	)
	tests := []struct {
		name    string
		files   []string
		inline  []string
		rules   int
		problem string
	}{
		// The placebo pair: both responses carry the same Date header.
		{name: "real pair, same date", files: []string{before, after}, rules: 3, problem: "dated the same (2017-06-26T18:49:42Z): this later-read copy is used"},
		{name: "real pair read the other way", files: []string{after, before}, rules: 4, problem: "dated the same"},
		{name: "undated", inline: []string{nacl(true), nacl(false)}, rules: 1, problem: "neither copy is dated"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var in []ingest.Input
			for _, f := range tt.files {
				in = append(in, ingest.ReaderInput(f, bytes.NewReader(sample(t, "testdata/real/"+f))))
			}
			for i, s := range tt.inline {
				in = append(in, ingest.ReaderInput(string(rune('a'+i))+".json", strings.NewReader(s)))
			}
			set, err := Read(context.Background(), in, Options{})
			if err != nil {
				t.Fatal(err)
			}
			fw := mustFirewall(t, set, "aws|network_acl|acl-6c9db915")
			if len(fw.Rules) != tt.rules || len(set.Summary.Problems) != 1 || !strings.Contains(set.Summary.Problems[0].Message, tt.problem) {
				t.Errorf("rules %v problems %+v", rules(fw), set.Summary.Problems)
			}
		})
	}
}
