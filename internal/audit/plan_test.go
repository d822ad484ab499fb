package audit

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"

	"cloudwall/internal/ingest"
	"cloudwall/internal/model"
	"cloudwall/internal/snapshot"
)

// realPlans are the snapshot package's real Terraform plans.
const realPlans = "../internal/snapshot/testdata/real/terraform/"

// handPlans are this package's hand-built plans (testdata/plans/README.md).
const handPlans = "../internal/audit/testdata/plans/"

// What each real plan's firewall changes are judged: one finding per
// change, the same judgement for the same situation in AWS and Azure.
func TestPlanJudgements(t *testing.T) {
	type want struct {
		rule  string
		sev   model.Severity
		title string // a part of the title
	}
	tests := []struct {
		name, file string
		want       map[string][]want // by address
	}{
		{"new groups: computed rule lists, the default egress re-declared", realPlans + "checkov_plan_aws-sg-new-groups_tf0.12.23.excerpt.json", map[string][]want{
			"aws_security_group.default": {{RulePlanUnknown, model.Info, "inline rule lists computed at apply (ingress, egress)"}},
			"aws_security_group.web-node": {
				{RulePlanOpens, model.Critical, "rule added, open to the IPv4 internet on 22/tcp (ssh)"},
				{RulePlanOpens, model.Medium, "rule added, open to the IPv4 internet on 80/tcp"},
				{RulePlanOpens, model.Info, "rule added, open egress to the IPv4 internet on all protocols and ports"},
			},
			"aws_security_group_rule.egress":  {{RulePlanOpens, model.Info, "open egress to the IPv4 internet on all protocols and ports"}},
			"aws_security_group_rule.ingress": {{RulePlanOpens, model.Low, "open to private range 172.16.0.0/16 on 3306/tcp"}},
		}},
		{"NSG with separate rules: computed like AWS; a deny added reads as one", realPlans + "checkov_plan_azurerm-nsg-references_tf1.3.6.json", map[string][]want{
			"azurerm_network_security_group.fail": {{RulePlanUnknown, model.Info, "inline rule lists computed at apply (security_rule)"}},
			"azurerm_network_security_group.pass": {{RulePlanUnknown, model.Info, "inline rule lists computed at apply (security_rule)"}},
			"azurerm_network_security_rule.pass":  {{RulePlanCloses, model.Info, "azurerm_network_security_rule.pass create: NSG pass rule pass: deny rule added (closing access)"}},
		}},
		{"rule resource updated: one change, widened", realPlans + "checkov_plan_aws-sg-rule-update_tf1.4.6.json", map[string][]want{
			"aws_security_group_rule.foo": {{RulePlanOpens, model.Low, "rule widened, open to sg-8d21ab5963b0e7917 on 5432-5433/tcp"}},
			"aws_security_group_rule.bar": {{RulePlanOpens, model.Low, "rule widened, open to sg-8d21ab5963b0e7917 on 8888/udp"}},
		}},
		// Unknown is not world: what is known is judged, what is not is
		// said, and a rule set to values known after apply is neither
		// an opening nor a closing.
		{"values known only after apply", handPlans + "unknown-values.json", map[string][]want{
			"module.edge.google_compute_firewall.from_nat": {{RulePlanUnknown, model.Low, "rules known only after apply (source_ranges)"}},
			// Left unset in the configuration: GCP's default applies.
			"google_compute_firewall.unset": {{RulePlanOpens, model.Critical, "open to the IPv4 internet on 22/tcp (ssh)"}},
			`google_compute_firewall.mixed["ssh"]`: {
				{RulePlanOpens, model.Critical, "open to the IPv4 internet on 22/tcp (ssh)"},
				{RulePlanUnknown, model.Low, "rules known only after apply (source_ranges)"},
			},
			"aws_security_group_rule.db": {{RulePlanUnknown, model.Low, "rules known only after apply (cidr_blocks)"}},
			// A deny whose peers become unknown no longer denies what it
			// did, as far as the plan shows.
			"aws_network_acl_rule.deny_telnet": {
				{RulePlanRemoves, model.High, "rule 50: rule widened, deny rule removed (opened to the IPv4 internet on 23/tcp (telnet)"},
				{RulePlanUnknown, model.Low, "rules known only after apply (cidr_block)"},
			},
			"module.net.aws_security_group.web[0]": {
				{RulePlanOpens, model.Critical, "rule added, open to the IPv4 internet on 22/tcp (ssh)"},
				{RulePlanUnknown, model.Low, "rules known only after apply (ingress)"},
			},
			"azurerm_network_security_rule.rdp": {{RulePlanUnknown, model.Low, "rules known only after apply (source_address_prefix)"}},
			// Ports known after apply are not all ports (GCP's meaning of
			// none): judged as unlogged ports, as AWS and Azure are.
			"google_compute_firewall.web_ports": {
				{RulePlanOpens, model.High, "open to the IPv4 internet on tcp (ports not logged)"},
				{RulePlanUnknown, model.Low, "rules known only after apply (allow)"},
			},
		}},
		// Plan shapes beyond the real plans: replace (both orders), a
		// deposed object, modules, count and for_each keys, prior_state
		// and planned_values beside resource_changes (read once, from
		// resource_changes); a deny deleted, disabled, turned into an
		// allow or moved later in evaluation is a weakening, moved
		// earlier a closing.
		{"plan shapes and denies weakened", handPlans + "shapes.json", map[string][]want{
			"google_compute_firewall.later": {{RulePlanRemoves, model.High,
				"deny rule moved later in evaluation, priority 100 to 2000 (opened to the IPv4 internet on 22/tcp (ssh) is blocked by it only after the rules now before it)"}},
			"google_compute_firewall.earlier":           {{RulePlanCloses, model.Info, "deny-ssh-earlier: rule narrowed"}},
			"google_compute_firewall.disabled":          {{RulePlanRemoves, model.High, "deny rule removed"}},
			"module.fw.google_compute_firewall.gone[1]": {{RulePlanRemoves, model.High, "delete: VPC network default rule deny-ssh-gone: deny rule removed"}},
			"azurerm_network_security_rule.flip":        {{RulePlanOpens, model.Critical, "rule widened, open to the internet on 22/tcp (ssh)"}},
			`azurerm_network_security_rule.gone["rdp"]`: {{RulePlanRemoves, model.High, "deny rule removed (opened to the internet on 3389/tcp (rdp)"}},
			"azurerm_network_security_group.nsg2":       {{RulePlanRemoves, model.Medium, "rule deny-smb: deny rule moved later in evaluation, priority 100 to 4000"}},
			"aws_network_acl_rule.flip":                 {{RulePlanOpens, model.Critical, "delete+create: Network ACL acl-1 rule 50: rule widened"}},
			"module.vpc.aws_network_acl.main": {
				{RulePlanRemoves, model.High, "rule 50: deny rule removed (opened to the IPv4 internet on 3389/tcp (rdp)"},
				{RulePlanCloses, model.Info, "rule 100: rule removed (closing access)"},
			},
			"aws_security_group_rule.ssh": {{RulePlanCloses, model.Info, "rule removed (closing access)"}},
		}},
		// The VPC's default group and NACL are adopted, not created: their
		// rules are judged as any group's and NACL's (the default egress
		// re-declared on adoption is info), and deleting them only makes
		// Terraform forget them, which removes no rule.
		{"default security group and NACL", handPlans + "default-resources.json", map[string][]want{
			"aws_default_security_group.default": {
				{RulePlanOpens, model.Critical, "rule added, open to the IPv4 internet on 22/tcp (ssh)"},
				{RulePlanOpens, model.Info, "open egress to the IPv4 internet on all protocols and ports"},
			},
			"module.vpc.aws_default_network_acl.this[0]": {{RulePlanRemoves, model.High, "rule 50: deny rule removed (opened to the IPv4 internet on 23/tcp (telnet)"}},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := map[string][]want{}
			for _, f := range auditor(t).Audit(readBundled(t, tt.file)) {
				got[f.Event.EventID] = append(got[f.Event.EventID], want{f.Rule, f.Severity, f.Title})
			}
			for addr, ws := range tt.want {
				gs := got[addr]
				if len(gs) != len(ws) {
					t.Errorf("%s: %d findings %v, want %d", addr, len(gs), gs, len(ws))
					continue
				}
				for _, w := range ws {
					if !slices.ContainsFunc(gs, func(g want) bool {
						return g.rule == w.rule && g.sev == w.sev && strings.Contains(g.title, w.title)
					}) {
						t.Errorf("%s: no %s %s %q in %v", addr, w.rule, w.sev, w.title, gs)
					}
				}
			}
			for addr := range got {
				if _, ok := tt.want[addr]; !ok {
					t.Errorf("unexpected findings for %s: %v", addr, got[addr])
				}
			}
		})
	}
}

// Only a new group's default egress is the normal state: the same rule
// added to an existing group, or any other egress of a new group, is
// judged as an opening.
func TestPlanDefaultEgressOnlyOnNewGroups(t *testing.T) {
	const allowAll = `{"cidr_blocks":["0.0.0.0/0"],"from_port":0,"to_port":0,"protocol":"-1"}`
	const anyTCP = `{"cidr_blocks":["0.0.0.0/0"],"from_port":0,"to_port":65535,"protocol":"tcp"}`
	group := func(egress string) string {
		return `{"name":"web","id":"sg-1","vpc_id":"vpc-1","ingress":[],"egress":[` + egress + `]}`
	}
	plan := func(actions, before, after string) string {
		return `{"format_version":"1.1","resource_changes":[{"address":"aws_security_group.web","mode":"managed","type":"aws_security_group",` +
			`"change":{"actions":` + actions + `,"before":` + before + `,"after":` + after + `,"after_unknown":{}}}]}`
	}
	tests := []struct {
		name, plan string
		want       model.Severity
	}{
		{"new group, default egress", plan(`["create"]`, "null", group(allowAll)), model.Info},
		{"replaced group, default egress", plan(`["delete","create"]`, group(""), group(allowAll)), model.Info},
		{"existing group given allow-all egress", plan(`["update"]`, group(""), group(allowAll)), model.Medium},
		{"new group, all tcp egress (not the default)", plan(`["create"]`, "null", group(anyTCP)), model.Medium},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			set, err := snapshot.Read(context.Background(), []ingest.Input{ingest.ReaderInput("plan.json", bytes.NewReader([]byte(tt.plan)))}, snapshot.Options{})
			if err != nil || len(set.Summary.Problems) > 0 {
				t.Fatalf("read: %v %v", err, set.Summary.Problems)
			}
			fs := byRule(auditor(t).Audit(set), RulePlanOpens)
			if len(fs) != 1 || fs[0].Severity != tt.want {
				t.Fatalf("findings %+v, want one %s", fs, tt.want)
			}
		})
	}
}

// A plan finding says how it read values known only after apply, or left
// to the cloud's default: what its severity rests on.
func TestPlanReasonsSayHowUnknownWasRead(t *testing.T) {
	want := map[string]string{ // address -> a reason of its plan-opens or plan-unknown finding
		"google_compute_firewall.unset":                "the configuration leaves source_ranges unset: the provider computes it and GCP applies 0.0.0.0/0",
		"google_compute_firewall.web_ports":            "ports known only after apply: not judged as all ports",
		"module.edge.google_compute_firewall.from_nat": "the configuration sets source_ranges to values known only after apply",
	}
	fs := auditor(t).Audit(readBundled(t, handPlans+"unknown-values.json"))
	for addr, reason := range want {
		if !slices.ContainsFunc(fs, func(f model.Finding) bool {
			return f.Resource.Address == addr && slices.ContainsFunc(f.Reasons, func(r string) bool { return strings.HasPrefix(r, reason) })
		}) {
			t.Errorf("%s: no finding with the reason %q", addr, reason)
		}
	}
}
