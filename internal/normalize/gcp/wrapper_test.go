package gcp

import (
	"encoding/json"
	"slices"
	"testing"

	"cloudwall/internal/model"
)

// TestRuleWrappers reads a rule's content whichever way the request
// carries it: the audit log's flat request, or the rule wrapped in the
// field the API's request message gives it. The gcloud (apitools)
// messages name it firewallPolicyRule (ComputeFirewallPoliciesAddRuleRequest,
// also network and regional policies), securityPolicyRule (Cloud Armor)
// and firewallRule (App Engine ingress rules; a batch update's list in
// batchUpdateIngressRulesRequest); the client libraries
// firewallPolicyRuleResource, securityPolicyRuleResource and rule.
func TestRuleWrappers(t *testing.T) {
	policyRule := map[string]any{"action": "allow", "direction": "INGRESS", "priority": 100,
		"match": map[string]any{"srcIpRanges": []any{"0.0.0.0/0"}, "layer4Configs": []any{map[string]any{"ipProtocol": "tcp", "ports": []any{"22"}}}}}
	armorRule := map[string]any{"action": "allow", "priority": 2147483647,
		"match": map[string]any{"versionedExpr": "SRC_IPS_V1", "config": map[string]any{"srcIpRanges": []any{"*"}}}}
	gaeRule := map[string]any{"action": "ALLOW", "priority": 100, "sourceRange": "*"}
	for _, tc := range []struct {
		name, service, method, resource string
		wrapper                         string // "" sends the rule flat
		rule                            map[string]any
		peer                            string
	}{
		{"policy addRule flat", "compute.googleapis.com", "v1.compute.firewallPolicies.addRule", "locations/global/firewallPolicies/123", "", policyRule, "0.0.0.0/0"},
		{"policy addRule firewallPolicyRule", "compute.googleapis.com", "v1.compute.firewallPolicies.addRule", "locations/global/firewallPolicies/123", "firewallPolicyRule", policyRule, "0.0.0.0/0"},
		{"policy patchRule firewallPolicyRule", "compute.googleapis.com", "beta.compute.firewallPolicies.patchRule", "locations/global/firewallPolicies/123", "firewallPolicyRule", policyRule, "0.0.0.0/0"},
		{"policy addRule firewallPolicyRuleResource", "compute.googleapis.com", "v1.compute.firewallPolicies.addRule", "locations/global/firewallPolicies/123", "firewallPolicyRuleResource", policyRule, "0.0.0.0/0"},
		{"network policy addRule firewallPolicyRule", "compute.googleapis.com", "v1.compute.networkFirewallPolicies.addRule", "projects/p/global/firewallPolicies/fw", "firewallPolicyRule", policyRule, "0.0.0.0/0"},
		{"regional policy patchRule firewallPolicyRule", "compute.googleapis.com", "v1.compute.regionNetworkFirewallPolicies.patchRule", "projects/p/regions/r/firewallPolicies/fw", "firewallPolicyRule", policyRule, "0.0.0.0/0"},
		{"armor patchRule securityPolicyRule", "compute.googleapis.com", "v1.compute.securityPolicies.patchRule", "projects/p/global/securityPolicies/edge", "securityPolicyRule", armorRule, "any:*"},
		{"armor addRule securityPolicyRuleResource", "compute.googleapis.com", "v1.compute.securityPolicies.addRule", "projects/p/global/securityPolicies/edge", "securityPolicyRuleResource", armorRule, "any:*"},
		{"app engine create firewallRule", "appengine.googleapis.com", "google.appengine.v1.Firewall.CreateIngressRule", "apps/p/firewall/ingressRules/100", "firewallRule", gaeRule, "any:*"},
		{"app engine batch update batchUpdateIngressRulesRequest", "appengine.googleapis.com", "google.appengine.v1.Firewall.BatchUpdateIngressRules", "apps/p/firewall/ingressRules", "batchUpdateIngressRulesRequest", map[string]any{"ingressRules": []any{gaeRule}}, "any:*"},
		{"app engine create rule", "appengine.googleapis.com", "google.appengine.v1.Firewall.CreateIngressRule", "apps/p/firewall/ingressRules/100", "rule", gaeRule, "any:*"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := map[string]any{}
			if tc.wrapper == "" {
				for k, v := range tc.rule {
					req[k] = v
				}
			} else {
				req[tc.wrapper] = tc.rule
			}
			req["@type"] = "type.googleapis.com/" + tc.method
			entry := map[string]any{
				"insertId":  "x1",
				"logName":   "projects/p/logs/cloudaudit.googleapis.com%2Factivity",
				"timestamp": "2026-03-14T11:50:00Z",
				"resource":  map[string]any{"type": "gce_firewall_policy", "labels": map[string]any{"project_id": "p"}},
				"operation": map[string]any{"id": "op-1", "first": true},
				"protoPayload": map[string]any{
					"@type":              "type.googleapis.com/google.cloud.audit.AuditLog",
					"authenticationInfo": map[string]any{"principalEmail": "mallory@example.com"},
					"serviceName":        tc.service,
					"methodName":         tc.method,
					"resourceName":       tc.resource,
					"request":            req,
				},
			}
			// Through JSON, as a record is read.
			b, err := json.Marshal(entry)
			if err != nil {
				t.Fatal(err)
			}
			var rec map[string]any
			if err := json.Unmarshal(b, &rec); err != nil {
				t.Fatal(err)
			}
			evs, err := Parse(rec, model.SourceRef{File: "wrapper.json"})
			if err != nil || len(evs) != 1 {
				t.Fatalf("Parse: %d events, %v", len(evs), err)
			}
			chs := evs[0].Changes
			if len(chs) != 1 {
				t.Fatalf("changes = %+v, want 1", chs)
			}
			if chs[0].Action != model.Allow || !slices.Equal(peerStrings(chs[0].Peers), []string{tc.peer}) {
				t.Errorf("action %q peers %q, want allow [%s]", chs[0].Action, peerStrings(chs[0].Peers), tc.peer)
			}
		})
	}
}
