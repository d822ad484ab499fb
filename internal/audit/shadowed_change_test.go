package audit

import (
	"strings"
	"testing"

	"cloudwall/internal/model"
	"cloudwall/internal/snapshot"
)

// An allow added (or widened) beneath a deny evaluated first that matches
// all of its traffic opens nothing: diff and a plan say so at info, as
// audit of the second snapshot does (audit-shadowed-allow), instead of
// calling it an opening. An allow the deny covers in part, or one placed
// before it, is judged as it is.
func TestShadowedChange(t *testing.T) {
	world, office := cidr("0.0.0.0/0"), cidr("198.51.100.0/24")
	nsg := func(rules ...model.Rule) *model.Firewall {
		return &model.Firewall{Cloud: model.Azure, Resource: model.Resource{Type: "nsg", ID: "nsg-1"}, Rules: rules}
	}
	deny := prio(tcp(22, world), 100, model.Deny, "deny-ssh")
	tests := []struct {
		name          string
		before, after *model.Firewall
		sev           model.Severity
		title         string // a part of the title
	}{
		{"allow added beneath a deny of all its traffic", nsg(deny), nsg(deny, prio(tcp(22, world), 200, model.Allow, "allow-ssh")),
			model.Info, "never applies (shadowed by deny rule deny-ssh)"},
		{"allow widened beneath it", nsg(deny, prio(tcp(22, office), 200, model.Allow, "ssh")), nsg(deny, prio(tcp(22, world), 200, model.Allow, "ssh")),
			model.Info, "never applies (shadowed by deny rule deny-ssh)"},
		{"allow added before the deny", nsg(deny), nsg(deny, prio(tcp(22, world), 50, model.Allow, "allow-ssh")),
			model.Critical, "rule added, open to the IPv4 internet on 22/tcp"},
		{"deny covers part of it", nsg(prio(tcp(22, office), 100, model.Deny, "deny-office")), nsg(prio(tcp(22, office), 100, model.Deny, "deny-office"), prio(tcp(22, world), 200, model.Allow, "allow-ssh")),
			model.Critical, "rule added, open to the IPv4 internet on 22/tcp"},
		{"deny on another port", nsg(deny), nsg(deny, prio(tcp(3389, world), 200, model.Allow, "allow-rdp")),
			model.Critical, "rule added, open to the IPv4 internet on 3389/tcp"},
		{"the deny removed with it", nsg(deny), nsg(prio(tcp(22, world), 200, model.Allow, "allow-ssh")),
			model.Critical, "rule added, open to the IPv4 internet on 22/tcp"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := auditor(t).Diff(&snapshot.Set{Firewalls: []model.Firewall{*tt.before}}, &snapshot.Set{Firewalls: []model.Firewall{*tt.after}})
			var opened []model.Finding
			for _, f := range fs {
				if f.Rule == RuleDiffAdded || f.Rule == RuleDiffWidened {
					opened = append(opened, f)
				}
			}
			if len(opened) != 1 || opened[0].Severity != tt.sev || !strings.Contains(opened[0].Title, tt.title) {
				t.Fatalf("findings %v, want one %s %q", titles(fs), tt.sev, tt.title)
			}
			if tt.sev == model.Info && len(opened[0].Exposure) > 0 {
				t.Errorf("a shadowed allow exposes nothing, got %v", opened[0].Exposure)
			}
		})
	}
}

// The same in a Terraform plan of a whole NSG and a whole NACL (inline
// rules): the allow beneath the deny is info, the one beside it critical.
func TestPlanShadowedAllow(t *testing.T) {
	want := map[string]model.Severity{
		"NSG web rule allow-ssh":                     model.Info,
		"NSG web rule allow-rdp":                     model.Critical,
		"Network ACL acl-0123456789abcdef0 rule 200": model.Info,
		"Network ACL acl-0123456789abcdef0 rule 300": model.Critical,
	}
	fs := byRule(auditor(t).Audit(readBundled(t, "../internal/audit/testdata/plans/shadowed-allow.json")), RulePlanOpens)
	if len(fs) != len(want) {
		t.Fatalf("findings %v, want %d", titles(fs), len(want))
	}
	for _, f := range fs {
		_, title, _ := strings.Cut(f.Title, ": ")
		rule, _, _ := strings.Cut(title, ":")
		sev, ok := want[rule]
		if !ok || f.Severity != sev {
			t.Errorf("%q: %s, want %s", f.Title, f.Severity, sev)
		}
		if sev == model.Info && !strings.Contains(f.Title, "never applies (shadowed by deny rule") {
			t.Errorf("%q does not say the allow is shadowed", f.Title)
		}
	}
}

func titles(fs []model.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Severity.String()+" "+f.Title)
	}
	return out
}
