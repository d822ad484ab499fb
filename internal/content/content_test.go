package content

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"cloudwall/internal/model"
)

// defaults parses the embedded content once for all tests; Load must never
// modify it, which TestLoadOverride checks.
var defaults = sync.OnceValues(Default)

func mustDefault(t *testing.T) *Content {
	t.Helper()
	c, err := defaults()
	if err != nil {
		t.Fatalf("Default: %v", err)
	}
	return c
}

// TestCatalogueEntries checks every entry is complete enough to explain
// itself in a finding.
func TestCatalogueEntries(t *testing.T) {
	c := mustDefault(t)
	ids := map[string]bool{}
	for _, op := range c.Operations {
		t.Run(op.ID, func(t *testing.T) {
			if op.ID == "" || ids[op.ID] {
				t.Errorf("id %q empty or duplicate", op.ID)
			}
			ids[op.ID] = true
			if !op.Kind.Known() {
				t.Errorf("unknown kind %q", op.Kind)
			}
			if op.Title == "" || op.Description == "" {
				t.Errorf("title %q / description %q missing", op.Title, op.Description)
			}
			if len(op.Guidance.Investigate) == 0 || len(op.Guidance.Respond) == 0 {
				t.Errorf("guidance incomplete: %+v", op.Guidance)
			}
			for _, g := range append(slices.Clone(op.Guidance.Investigate), op.Guidance.Respond...) {
				if strings.TrimSpace(g.Text) == "" {
					t.Errorf("empty guidance step")
				}
			}
			if !strings.HasPrefix(op.ID, map[model.Cloud]string{model.AWS: "aws-", model.Azure: "az-", model.GCP: "gcp-"}[op.Cloud]) {
				t.Errorf("id %q does not start with its cloud's prefix", op.ID)
			}
			for _, k := range op.Keys {
				if !keyShape(op.Cloud, k) {
					t.Errorf("key %q does not have the %s OperationKey shape", k, op.Cloud)
				}
			}
			if op.Kind == KindRules && !strings.Contains(op.Title, "{change}") && op.Severity > model.Info &&
				!strings.Contains(op.Title, "clone") {
				t.Errorf("rules entry title %q does not say what changed ({change})", op.Title)
			}
		})
	}
}

// keyShape checks the OperationKey conventions of docs/architecture.md.
func keyShape(cloud model.Cloud, k string) bool {
	switch cloud {
	case model.AWS:
		return regexp.MustCompile(`^[a-z0-9-]+:[a-z0-9]+$`).MatchString(k)
	case model.Azure:
		return regexp.MustCompile(`^microsoft\.[a-z]+(/[a-z0-9]+)+$`).MatchString(k)
	case model.GCP:
		return regexp.MustCompile(`^(compute|cloudsql|google\.appengine|google\.container)\.[a-z0-9.]+$`).MatchString(k) &&
			!regexp.MustCompile(`^(v1|beta|alpha|v1beta1)\.`).MatchString(k)
	}
	return false
}

// TestCatalogueCoverage pins the operations operations.md sections 1.2-1.4,
// 2.1 and 3.2 name, so a catalogue edit cannot drop one unnoticed.
func TestCatalogueCoverage(t *testing.T) {
	c := mustDefault(t)
	want := []string{
		"ec2:authorizesecuritygroupingress", "ec2:authorizesecuritygroupegress", "ec2:revokesecuritygroupingress",
		"ec2:revokesecuritygroupegress", "ec2:modifysecuritygrouprules", "ec2:createsecuritygroup", "ec2:deletesecuritygroup",
		"ec2:modifyinstanceattribute", "ec2:modifynetworkinterfaceattribute",
		"ec2:createnetworkaclentry", "ec2:replacenetworkaclentry", "ec2:deletenetworkaclentry", "ec2:createnetworkacl",
		"ec2:deletenetworkacl", "ec2:replacenetworkaclassociation", "ec2:modifymanagedprefixlist",
		"network-firewall:deletefirewall", "network-firewall:disassociatesubnets", "network-firewall:updatefirewalldeleteprotection",
		"network-firewall:updatesubnetchangeprotection", "network-firewall:updatefirewallpolicychangeprotection",
		"network-firewall:updatefirewallpolicy", "network-firewall:updaterulegroup", "network-firewall:deletefirewallpolicy",
		"network-firewall:deleterulegroup", "network-firewall:associatefirewallpolicy",
		"wafv2:updatewebacl", "wafv2:updateipset", "wafv2:disassociatewebacl", "wafv2:deletewebacl", "wafv2:deleteipset",
		"wafv2:deleterulegroup", "wafv2:updaterulegroup",
		"waf:updatewebacl", "waf:updateipset", "waf:deletewebacl", "waf-regional:updatewebacl", "waf-regional:updateipset",
		"waf-regional:deletewebacl", "waf-regional:disassociatewebacl", "cloudfront:updatedistribution",
		"route53resolver:deletefirewallrule", "route53resolver:updatefirewallrule", "route53resolver:deletefirewallrulegroup",
		"route53resolver:disassociatefirewallrulegroup", "route53resolver:updatefirewallrulegroupassociation",
		"route53resolver:updatefirewalldomains", "route53resolver:deletefirewalldomainlist", "route53resolver:updatefirewallconfig",
		"lightsail:openinstancepublicports", "lightsail:putinstancepublicports", "lightsail:closeinstancepublicports",
		"guardduty:createipset", "guardduty:updateipset", "guardduty:deleteipset",
		"rds:authorizedbsecuritygroupingress", "rds:revokedbsecuritygroupingress", "rds:createdbsecuritygroup", "rds:deletedbsecuritygroup",
		"redshift:authorizeclustersecuritygroupingress", "redshift:revokeclustersecuritygroupingress",
		"elasticache:authorizecachesecuritygroupingress", "elasticache:revokecachesecuritygroupingress",

		"microsoft.network/networksecuritygroups/write", "microsoft.network/networksecuritygroups/delete",
		"microsoft.network/networksecuritygroups/securityrules/write", "microsoft.network/networksecuritygroups/securityrules/delete",
		"microsoft.classicnetwork/networksecuritygroups/write", "microsoft.classicnetwork/networksecuritygroups/delete",
		"microsoft.classicnetwork/networksecuritygroups/securityrules/write", "microsoft.classicnetwork/networksecuritygroups/securityrules/delete",
		"microsoft.network/azurefirewalls/write", "microsoft.network/azurefirewalls/delete",
		"microsoft.network/firewallpolicies/write", "microsoft.network/firewallpolicies/delete",
		"microsoft.network/firewallpolicies/rulecollectiongroups/write", "microsoft.network/firewallpolicies/rulecollectiongroups/delete",
		"microsoft.network/firewallpolicies/rulegroups/write", "microsoft.network/firewallpolicies/rulegroups/delete",
		"microsoft.network/applicationgatewaywebapplicationfirewallpolicies/write",
		"microsoft.network/applicationgatewaywebapplicationfirewallpolicies/delete",
		"microsoft.network/frontdoorwebapplicationfirewallpolicies/write", "microsoft.network/frontdoorwebapplicationfirewallpolicies/delete",
		"microsoft.network/applicationgateways/write",
		"microsoft.sql/servers/firewallrules/write", "microsoft.sql/servers/firewallrules/delete",
		"microsoft.dbforpostgresql/flexibleservers/firewallrules/write", "microsoft.dbformysql/flexibleservers/firewallrules/write",
		"microsoft.dbforpostgresql/servers/firewallrules/write", "microsoft.dbformysql/servers/firewallrules/write",
		"microsoft.dbformariadb/servers/firewallrules/write", "microsoft.sql/servers/write",
		"microsoft.storage/storageaccounts/write", "microsoft.keyvault/vaults/write",
		"microsoft.network/virtualnetworks/subnets/write", "microsoft.network/networkinterfaces/write",

		"compute.firewalls.insert", "compute.firewalls.patch", "compute.firewalls.update", "compute.firewalls.delete",
		"compute.firewallpolicies.addrule", "compute.firewallpolicies.patchrule", "compute.firewallpolicies.removerule",
		"compute.firewallpolicies.addassociation", "compute.firewallpolicies.removeassociation",
		"compute.firewallpolicies.insert", "compute.firewallpolicies.patch", "compute.firewallpolicies.delete",
		"compute.firewallpolicies.move", "compute.firewallpolicies.clonerules",
		"compute.networkfirewallpolicies.addrule", "compute.networkfirewallpolicies.removerule",
		"compute.networkfirewallpolicies.removeassociation", "compute.regionnetworkfirewallpolicies.addrule",
		"compute.regionnetworkfirewallpolicies.delete", "compute.networks.patch",
		"compute.securitypolicies.insert", "compute.securitypolicies.patch", "compute.securitypolicies.delete",
		"compute.securitypolicies.addrule", "compute.securitypolicies.patchrule", "compute.securitypolicies.removerule",
		"compute.backendservices.setsecuritypolicy", "compute.instances.settags",
		"cloudsql.instances.create", "cloudsql.instances.patch", "cloudsql.instances.update",
		"google.appengine.v1.firewall.createingressrule", "google.appengine.v1.firewall.updateingressrule",
		"google.appengine.v1.firewall.deleteingressrule", "google.appengine.v1.firewall.batchupdateingressrules",
	}
	for _, k := range want {
		if _, ok := c.Operation(k); !ok {
			t.Errorf("%s is not catalogued", k)
		}
	}
}

// TestNearMisses checks that operations.md section 4 stays out.
func TestNearMisses(t *testing.T) {
	c := mustDefault(t)
	for _, k := range []string{
		"ec2:createroute", "ec2:replaceroute", "ec2:deleteroute", "ec2:describesecuritygroups", "ec2:createflowlogs",
		"ec2:deleteflowlogs", "ec2:createtags", "ec2:updatesecuritygroupruledescriptionsingress", "ssm:sendcommand",
		"network-firewall:updateloggingconfiguration", "wafv2:deleteloggingconfiguration", "wafv2:putloggingconfiguration",
		"microsoft.network/routetables/routes/write", "microsoft.insights/diagnosticsettings/write",
		"microsoft.network/networkwatchers/flowlogs/write", "microsoft.compute/virtualmachines/runcommand/action",
		"compute.routes.insert", "compute.firewalls.get", "compute.firewalls.list", "compute.subnetworks.patch",
		"compute.instances.setmetadata",
	} {
		if op, ok := c.Operation(k); ok {
			t.Errorf("%s is catalogued as %s, but it is not a firewall change", k, op.ID)
		}
	}
}

func TestOperationLookup(t *testing.T) {
	c := mustDefault(t)
	op, ok := c.Operation("EC2:AuthorizeSecurityGroupIngress")
	if !ok || op.ID != "aws-sg-ingress-change" {
		t.Fatalf("case-insensitive lookup: got %v, %v", op, ok)
	}
	keys := c.OperationKeys()
	if !slices.IsSorted(keys) || len(slices.Compact(slices.Clone(keys))) != len(keys) {
		t.Errorf("OperationKeys not sorted and unique")
	}
	n := 0
	for _, op := range c.Operations {
		n += len(op.Keys)
	}
	if n != len(keys) {
		t.Errorf("OperationKeys has %d keys, catalogue %d", len(keys), n)
	}
}

func TestDefaultWeights(t *testing.T) {
	c := mustDefault(t)
	for _, tc := range []struct {
		scope     Scope
		class     string
		sensitive bool
		want      model.Severity
	}{
		{World, ClassAll, false, model.Critical},
		{World, "admin", true, model.Critical},
		{World, "database", true, model.High},
		{World, ClassOther, false, model.Medium},
		{PublicWide, "database", true, model.Medium},
		{Private, "admin", true, model.Low},
		{Reference, ClassAll, false, model.Low},
		{AzureServices, "database", true, model.Medium},
	} {
		if got, cell := c.Severity.Ingress.Lookup(tc.scope, tc.class, tc.sensitive); got != tc.want {
			t.Errorf("ingress %s/%s = %s (cell %s), want %s", tc.scope, tc.class, got, cell, tc.want)
		}
	}
	if got, _ := c.Severity.Egress.Lookup(World, ClassAll, false); got != model.Medium {
		t.Errorf("egress world/all = %s, want medium", got)
	}
	if got, _ := c.Severity.Egress.Lookup(Private, ClassAll, false); got != model.Low {
		t.Errorf("egress private/all = %s, want low", got)
	}
}

func TestLoadOverride(t *testing.T) {
	base := mustDefault(t)
	c, err := Load(base, filepath.Join("testdata", "override.good.yaml"))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	hits := c.Sensitive("tcp", model.PortRange{From: 8080, To: 8080})
	if len(hits) != 1 || hits[0].Class != "admin" {
		t.Errorf("8080 after override: %+v, want one admin port", hits)
	}
	if got, _ := c.Severity.Ingress.Lookup(World, ClassOther, false); got != model.High {
		t.Errorf("world/other after override = %s, want high", got)
	}
	if got, _ := c.Severity.Ingress.Lookup(World, "admin", true); got != model.Critical {
		t.Errorf("world/admin after override = %s, want critical (untouched)", got)
	}
	if c.Severity.Closing != model.Low {
		t.Errorf("closing after override = %s, want low", c.Severity.Closing)
	}
	if _, ok := c.Operation("ec2:customauthorize"); !ok {
		t.Errorf("added operation missing")
	}
	if !slices.ContainsFunc(c.Automation, func(s Signature) bool { return s.ID == "internal-deployer" }) {
		t.Errorf("added signature missing")
	}
	if len(c.Ports) != len(base.Ports) {
		t.Errorf("override replaced by name should keep %d ports, got %d", len(base.Ports), len(c.Ports))
	}
	// base is untouched
	if hits := base.Sensitive("tcp", model.PortRange{From: 8080, To: 8080}); len(hits) != 1 || hits[0].Class != "web-admin" {
		t.Errorf("base changed by Load: %+v", hits)
	}
	if _, ok := base.Operation("ec2:customauthorize"); ok {
		t.Errorf("base changed by Load: operation added")
	}
}

// TestLoadErrors checks that every mistake in a user file is reported
// with the file and line, prometheus-rulefmt style.
func TestLoadErrors(t *testing.T) {
	base := mustDefault(t)
	for _, tc := range []struct {
		file string
		want string
	}{
		{"unknown-field.bad.yaml", `unknown-field.bad.yaml:3: unknown field "prots"`},
		{"bad-severity.bad.yaml", `bad-severity.bad.yaml:4: severity.ingress.world.admin: unknown severity "catastrophic"`},
		{"unknown-class.bad.yaml", `unknown-class.bad.yaml:2: port "custom": unknown class "adminn"`},
		{"unknown-kind.bad.yaml", `unknown-kind.bad.yaml:6: operation "custom": unknown kind "rule"`},
		{"duplicate-key.bad.yaml", `duplicate-key.bad.yaml:2: operation "custom": key "ec2:authorizesecuritygroupingress" is also in operation "aws-sg-ingress-change" (operations.yaml:`},
		{"placeholder.bad.yaml", `placeholder.bad.yaml:8: operation "custom": unknown placeholder {resouce}`},
		{"unknown-scope.bad.yaml", `unknown-scope.bad.yaml:3: severity.egress: unknown scope "wrld"`},
		{"remove-severity.bad.yaml", `remove-severity.bad.yaml:7: operation "custom": kind remove takes no severity`},
		{"syntax.bad.yaml", `syntax.bad.yaml:1: did not find expected`}, // yaml reports a line near the unclosed flow mapping
		{"setting-key.bad.yaml", `setting-key.bad.yaml:3: unknown setting key "threat_intel"`},
		{"signature.bad.yaml", `signature.bad.yaml:5: signature "anyone": resource_prefix alone`},
	} {
		t.Run(tc.file, func(t *testing.T) {
			path := filepath.Join("testdata", tc.file)
			_, err := Load(base, path)
			if err == nil {
				t.Fatalf("Load(%s) succeeded, want error", tc.file)
			}
			want := filepath.Join("testdata", tc.want)
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error:\n%v\nwant it to contain:\n%s", err, want)
			}
		})
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load(nil, filepath.Join(t.TempDir(), "absent.yaml"))
	if err == nil || !strings.Contains(err.Error(), "absent.yaml") {
		t.Errorf("err = %v, want it to name the file", err)
	}
}

func TestParseEmpty(t *testing.T) {
	base := mustDefault(t)
	c, err := Parse(base, "empty.yaml", nil)
	if err != nil {
		t.Fatalf("empty file: %v", err)
	}
	if len(c.Operations) != len(base.Operations) {
		t.Errorf("empty file changed the catalogue")
	}
	if _, err := Parse(base, "two.yaml", []byte("ports: []\n---\nports: []\n")); err == nil {
		t.Errorf("two documents accepted")
	}
}

// TestEmbeddedFilesDecodeAlone makes sure each embedded file is valid on
// its own terms (no error hidden by a later file).
func TestEmbeddedFilesDecodeAlone(t *testing.T) {
	for _, name := range defaultFiles() {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := decode(source{name: name, data: data}); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func BenchmarkDefault(b *testing.B) {
	for b.Loop() {
		if _, err := Default(); err != nil {
			b.Fatal(err)
		}
	}
}

// TestConditionalSettings: setting rules that differ only in their
// conditions are kept side by side (the merge does not let one replace
// another), names are compared without case, and a created rule holds
// only for a write whose records say Created.
func TestConditionalSettings(t *testing.T) {
	c := mustDefault(t)
	op, ok := c.Operation("microsoft.network/virtualnetworks/subnets/write")
	if !ok {
		t.Fatal("subnet write not catalogued")
	}
	var empty []SettingRule
	for _, r := range op.Settings {
		if r.Key == model.SettingPolicy && r.Value == "" {
			empty = append(empty, r)
		}
	}
	if len(empty) != 3 || !slices.Contains(empty[0].Names, "gatewaysubnet") || !empty[1].Created || empty[2].Conditional() {
		t.Fatalf("policy=\"\" rules: %+v, want names, created, then unconditional", empty)
	}
	for _, tt := range []struct {
		name    string
		written model.WriteStatus
		names   bool
		created bool
	}{
		{"GATEWAYSUBNET", model.WriteUpdated, true, false},
		{"app", model.WriteCreated, false, true},
		{"app", model.WriteUpdated, false, false},
		{"app", "", false, false},
	} {
		ev := &model.Event{Resource: model.Resource{Name: tt.name}, Written: tt.written}
		if empty[0].Holds(ev) != tt.names || empty[1].Holds(ev) != tt.created || !empty[2].Holds(ev) {
			t.Errorf("%s written %q: names rule %v, created rule %v", tt.name, tt.written, empty[0].Holds(ev), empty[1].Holds(ev))
		}
	}
}

// Every operation's guide names at least one CLI command to investigate
// with (a creation rule too: the command that shows what came next on
// the new object), so an analyst on any finding has something to run.
func TestEveryOperationHasAnInvestigationCommand(t *testing.T) {
	c, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	for _, op := range c.Operations {
		has := false
		for _, st := range op.Guidance.Investigate {
			has = has || st.Run != ""
		}
		if !has {
			t.Errorf("%s: no investigation step has a command", op.ID)
		}
	}
}
