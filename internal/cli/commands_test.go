package cli

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"cloudwall/internal/content"
	"cloudwall/internal/detect"
	"cloudwall/internal/model"
	"cloudwall/internal/testutil"
)

// The printed commands are what an analyst runs mid-incident, so each must
// run as printed. These tests build every command the catalogue can print,
// from the fixtures (every record through the scan) and from a synthetic
// event per catalogue operation, caller kind, outcome and setting, and
// check each against the real CLI's argument parser: the AWS CLI and
// gcloud check arguments before they call anything. No traffic leaves the
// machine: the AWS CLI gets dummy credentials and an endpoint on a closed
// local port, gcloud a fresh configuration with no account (it stops at
// the missing login) and API endpoints on the same closed port. A valid
// command fails only on connecting or on the login; an unknown option, a
// missing required argument or a malformed value fails the test. az
// commands are checked against a table from the Azure CLI reference
// (azcommands_test.go), since Debian's azure-cli does not load.

// fixtureDirs hold the records of every cloud the tests know.
var fixtureDirs = []string{samples, "../normalize/aws/testdata", "../normalize/azure/testdata", "../normalize/gcp/testdata"}

// baselineDirs are snapshot sets the fixtures are also replayed on top of
// (scan --baseline), for the rollback commands a known prior state gives.
var baselineDirs = []string{"../../testdata/snapshots", "../../testdata/snapshots-diff/monday", "../../testdata/baseline"}

// printedCommand is one command and a finding that printed it.
type printedCommand struct {
	run  string
	from string // rule id and what the event was
}

// allCommands returns every distinct command printed for the fixtures and
// the synthetic events, keyed by its text.
func allCommands(t *testing.T) map[string]printedCommand {
	t.Helper()
	cmds := map[string]printedCommand{}
	add := func(f model.Finding, from string) {
		if f.Guidance == nil {
			return
		}
		for _, c := range f.Guidance.Commands {
			if _, ok := cmds[c.Run]; !ok {
				cmds[c.Run] = printedCommand{run: c.Run, from: f.Rule + " (" + from + ")"}
			}
		}
	}
	// Rollback commands come from replayed state: the logs alone, and the
	// logs on top of each bundled snapshot set as a baseline.
	addRollback := func(lines []string, from string) {
		for _, l := range lines {
			if l == "" || strings.HasPrefix(l, "#") {
				continue
			}
			if _, ok := cmds[l]; !ok {
				cmds[l] = printedCommand{run: l, from: from}
			}
		}
	}
	scans := [][]string{nil}
	for _, b := range baselineDirs {
		scans = append(scans, []string{"--baseline", b})
	}
	for _, extra := range scans {
		args := append([]string{"scan", "--format", "jsonl", "--min-severity", "info", "-q"}, extra...)
		code, out, stderr := run(t, nil, append(args, fixtureDirs...)...)
		if code != ExitOK {
			t.Fatalf("scan %v: exit %d: %s", extra, code, stderr)
		}
		fs := decodeFindings(t, out)
		if len(fs) < 30 {
			t.Fatalf("only %d findings from the fixtures (%v)", len(fs), extra)
		}
		for _, f := range fs {
			add(f, f.Event.File)
			addRollback(f.Rollback, f.Rule+" rollback ("+f.Event.File+strings.Join(extra, " ")+")")
			if f.Window != nil {
				addRollback(f.Window.Rollback, f.Rule+" window rollback ("+f.Event.File+")")
			}
		}
	}
	// timeline prints the same commands per window and change.
	code, out, stderr := run(t, nil, append([]string{"timeline", "--format", "jsonl", "--min-severity", "info", "-q"}, fixtureDirs...)...)
	if code != ExitOK {
		t.Fatalf("timeline: exit %d: %s", code, stderr)
	}
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		var ft model.FirewallTimeline
		if err := json.Unmarshal([]byte(l), &ft); err != nil {
			t.Fatalf("timeline line: %v: %s", err, l)
		}
		for _, w := range ft.Windows {
			addRollback(w.Rollback, "timeline window of "+ft.Firewall.ID)
		}
		for _, c := range ft.Changes {
			addRollback(c.Rollback, "timeline change "+c.Operation+" of "+ft.Firewall.ID)
		}
	}
	// Every kind of rollback the engine builds, from a synthetic replay
	// (rollback_cmds_test.go).
	for run, from := range engineRollbacks(t) {
		addRollback([]string{run}, from)
	}
	c, err := content.Default()
	if err != nil {
		t.Fatal(err)
	}
	d := detect.New(c)
	for _, op := range c.Operations {
		for _, ev := range syntheticEvents(op) {
			if f, ok := d.Evaluate(ev); ok {
				add(f, "synthetic "+ev.Actor.Type+" "+string(ev.Outcome)+" "+ev.ErrorCode)
			}
		}
	}
	return cmds
}

// syntheticEvents builds events for op with every kind of caller, each
// outcome and both default actions, and a deny rule added (a closing
// change), with plausible ids for its resource.
func syntheticEvents(op content.Operation) []*model.Event {
	t0 := time.Date(2026, 3, 14, 10, 0, 0, 0, time.UTC)
	base := model.Event{Cloud: op.Cloud, Time: t0, Operation: op.Keys[0], OperationKey: op.Keys[0],
		SourceIP: "203.0.113.9", UserAgent: "test", EventID: "e-1", OperationID: "e-1"}
	ch := model.RuleChange{Effect: model.Added, Direction: model.Ingress, Action: model.Allow, Protocol: "tcp",
		Ports: model.PortList{{From: 22, To: 22}}, Peers: []model.Peer{{Kind: model.PeerCIDR, Value: "0.0.0.0/0"}},
		Priority: model.IntPtr(100)}
	var actors []model.Actor
	switch op.Cloud {
	case model.AWS:
		base.Account, base.Region = "111122223333", "us-east-1"
		if _, a, ok := strings.Cut(op.Keys[0], ":"); ok {
			base.Operation = a // the CLI only checks the action name's shape
		}
		ch.Name = "sgr-0123456789abcdef0"
		if op.Resource == "network_acl" {
			ch.Name = "100"
		}
		base.Resource = awsResource(op.Resource)
		if strings.HasPrefix(op.Keys[0], "waf") {
			// WAF web ACLs, IP sets and rule groups are named by id and name.
			base.Resource.ID, base.Resource.Name = "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111", "waf-1"
		}
		base.Targets = []string{"sg-0123456789abcdef0", "sg-0123456789abcdef1"}
		if op.Resource == "web_acl" {
			base.Targets = []string{"arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/app/alb-1/0123456789abcdef"}
		}
		actors = []model.Actor{
			{Type: "IAMUser", ID: "arn:aws:iam::111122223333:user/alice", Name: "alice", Session: "AKIAIOSFODNN7EXAMPLE", AccessKey: "AKIAIOSFODNN7EXAMPLE"},
			{Type: "IAMUser", ID: "arn:aws:iam::111122223333:user/alice", Name: "alice", Session: "ASIAIOSFODNN7EXAMPLE", AccessKey: "ASIAIOSFODNN7EXAMPLE"},
			{Type: "AssumedRole", ID: "arn:aws:sts::111122223333:assumed-role/deploy/ci-run-7", Name: "deploy", Session: "ASIAIOSFODNN7EXAMPLE", AccessKey: "ASIAIOSFODNN7EXAMPLE"},
			{Type: "AssumedRole", ID: "arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_Admin_0123456789abcdef/bob@example.com", Name: "AWSReservedSSO_Admin_0123456789abcdef"},
			{Type: "Root", ID: "arn:aws:iam::111122223333:root"},
		}
	case model.Azure:
		base.Account, base.Region = "00000000-1111-2222-3333-444444444444", "westeurope"
		ch.Name = "rule-1"
		base.Resource = azureResource(op.Resource)
		// As the parser sets them: the record's eventDataId, and the
		// request's correlationId first in the operation id.
		base.EventID = "9f3c0a8e-0000-4000-8000-00000000e1d1"
		base.OperationID = "5d2c0a8e-0000-4000-8000-00000000c0c0|" + op.Keys[0] + "|" + strings.ToLower(base.Resource.ID)
		base.Targets = []string{"/subscriptions/00000000-1111-2222-3333-444444444444/resourceGroups/rg-app/providers/Microsoft.Network/networkSecurityGroups/nsg-2"}
		actors = []model.Actor{
			{Type: "User", ID: "11111111-aaaa-4bbb-8ccc-000000000001", Name: "ops@contoso.example"},
			{Type: "ServicePrincipal", ID: "22222222-aaaa-4bbb-8ccc-000000000002", Name: "deploy-sp"},
		}
	case model.GCP:
		base.Account, base.Region = "proj-1", "global"
		ch.Name, ch.Targets = "fw-1", []string{"web"}
		base.Resource = gcpResource(op.Resource)
		base.Targets = []string{"web", "ssh"}
		actors = []model.Actor{
			{Type: "ServiceAccount", ID: "ci@proj-1.iam.gserviceaccount.com", Name: "ci",
				Session: "//iam.googleapis.com/projects/proj-1/serviceAccounts/ci@proj-1.iam.gserviceaccount.com/keys/0123456789abcdef0123456789abcdef01234567"},
			{Type: "ServiceAccount", ID: "service-123456789012@compute-system.iam.gserviceaccount.com", Name: "service-123456789012"},
			{Type: "User", ID: "dev@example.com", Name: "dev"},
		}
	}
	outcomes := []struct {
		o    model.Outcome
		code string
	}{{model.Success, ""}, {model.Failure, "AccessDenied"}}
	if op.Cloud == model.AWS {
		outcomes = append(outcomes, struct {
			o    model.Outcome
			code string
		}{model.Failure, "Client.DryRunOperation"})
	}
	var evs []*model.Event
	for _, a := range actors {
		for _, o := range outcomes {
			for _, da := range []string{"allow", "deny"} {
				ev := base
				ev.Actor, ev.Outcome, ev.ErrorCode = a, o.o, o.code
				ev.Changes = []model.RuleChange{ch}
				ev.Settings = map[string]string{model.SettingDefaultAction: da}
				evs = append(evs, &ev)
				if da == "deny" {
					// A deny rule added: the closing guidance.
					closing := ev
					dch := ch
					dch.Action = model.Deny
					closing.Changes = []model.RuleChange{dch}
					evs = append(evs, &closing)
				}
			}
		}
	}
	return evs
}

func awsResource(typ string) model.Resource {
	r := model.Resource{Type: typ}
	switch typ {
	case "security_group":
		r.ID, r.Name = "sg-0123456789abcdef0", "db-access"
	case "network_acl":
		r.ID = "acl-0123456789abcdef0"
	case "network_firewall":
		r.ID = "arn:aws:network-firewall:us-east-1:111122223333:firewall/fw-1"
	case "firewall_policy":
		r.ID = "arn:aws:network-firewall:us-east-1:111122223333:firewall-policy/policy-1"
	case "rule_group":
		r.ID = "arn:aws:network-firewall:us-east-1:111122223333:stateful-rulegroup/rg-1"
	case "web_acl", "ip_set", "waf_rule":
		r.ID, r.Name = "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111", "web-acl-1"
	case "dns_firewall_rule_group":
		r.ID = "rslvr-frg-0123456789abcdef"
	case "dns_firewall_domain_list":
		r.ID = "rslvr-fdl-0123456789abcdef"
	case "dns_firewall_config":
		r.ID = "vpc-0123456789abcdef0"
	case "prefix_list":
		r.ID = "pl-0123456789abcdef0"
	case "lightsail_instance":
		r.Name = "web-1"
	case "instance":
		r.ID = "i-0123456789abcdef0"
	case "network_interface":
		r.ID = "eni-0123456789abcdef0"
	case "distribution":
		r.ID = "E2QWRUHEXAMPLE"
	case "eks_cluster":
		r.ID, r.Name = "prod", "prod"
	default:
		r.ID, r.Name = "res-0123456789abcdef0", "res-1"
	}
	return r
}

func azureResource(typ string) model.Resource {
	const rg = "/subscriptions/00000000-1111-2222-3333-444444444444/resourceGroups/rg-app/providers/"
	ids := map[string]string{
		"nsg":                   "Microsoft.Network/networkSecurityGroups/nsg-1",
		"nsg_rule":              "Microsoft.Network/networkSecurityGroups/nsg-1/securityRules/rule-1",
		"azure_firewall":        "Microsoft.Network/azureFirewalls/fw-1",
		"firewall_policy":       "Microsoft.Network/firewallPolicies/policy-1",
		"rule_collection_group": "Microsoft.Network/firewallPolicies/policy-1/ruleCollectionGroups/rcg-1",
		"sql_firewall_rule":     "Microsoft.Sql/servers/sql-1/firewallRules/rule-1",
		"sql_server":            "Microsoft.Sql/servers/sql-1",
		"storage_account":       "Microsoft.Storage/storageAccounts/st1",
		"key_vault":             "Microsoft.KeyVault/vaults/kv-1",
		"waf_policy":            "Microsoft.Network/ApplicationGatewayWebApplicationFirewallPolicies/waf-1",
		"application_gateway":   "Microsoft.Network/applicationGateways/agw-1",
		"subnet":                "Microsoft.Network/virtualNetworks/vnet-1/subnets/snet-1",
		"network_interface":     "Microsoft.Network/networkInterfaces/nic-1",
		"aks_cluster":           "Microsoft.ContainerService/managedClusters/aks-1",
	}
	id, ok := ids[typ]
	if !ok {
		id = "Microsoft.Network/unknownThings/thing-1"
	}
	return model.Resource{Type: typ, ID: rg + id, Name: id[strings.LastIndexByte(id, '/')+1:]}
}

func gcpResource(typ string) model.Resource {
	ids := map[string]string{
		"vpc_firewall_rule":       "projects/proj-1/global/firewalls/fw-1",
		"firewall_policy":         "locations/global/firewallPolicies/123456789012",
		"network_firewall_policy": "projects/proj-1/global/firewallPolicies/netpol-1",
		"cloud_armor_policy":      "projects/proj-1/global/securityPolicies/armor-1",
		"backend_service":         "projects/proj-1/global/backendServices/be-1",
		"cloudsql_instance":       "projects/proj-1/instances/db-1",
		"appengine_firewall_rule": "apps/proj-1/firewall/ingressRules/100",
		"network":                 "projects/proj-1/global/networks/net-1",
		"instance":                "projects/proj-1/zones/us-central1-a/instances/vm-1",
		"gke_cluster":             "projects/proj-1/locations/us-central1/clusters/gke-1",
	}
	id, ok := ids[typ]
	if !ok {
		id = "projects/proj-1/global/things/thing-1"
	}
	return model.Resource{Type: typ, ID: id, Name: id[strings.LastIndexByte(id, '/')+1:]}
}

// placeholderValues stand in for the <NAME> values a finding cannot know,
// so the rest of the command can be checked. Each is the kind of value the
// step's text tells the analyst to find.
var placeholderValues = map[string][]string{
	"SG_IDS": {"sg-0123456789abcdef0", "sg-0123456789abcdef1"},
	// Public network access before a call (state's undo): az redis
	// update --set publicNetworkAccess=, az sql server update
	// --enable-public-network.
	"ENABLED_OR_DISABLED": {"Enabled"},
	"TRUE_OR_FALSE":       {"true"},
	"ASSOCIATION_ID":      {"aclassoc-0123456789abcdef0"},
	"PREVIOUS_ACL_ID":     {"acl-0123456789abcdef1"},
	"PREVIOUS_VERSION":    {"1"},
	"CURRENT_VERSION":     {"2"},
	"POLICY_ARN":          {"arn:aws:network-firewall:us-east-1:111122223333:firewall-policy/policy-0"},
	"SUBNET_ID":           {"subnet-0123456789abcdef0"},
	"SCOPE":               {"REGIONAL"},
	"WEB_ACL_ARN":         {"arn:aws:wafv2:us-east-1:111122223333:regional/webacl/acl-0/a1b2c3d4-5678-90ab-cdef-EXAMPLE11111"},
	"WEB_ACL_ID":          {"a1b2c3d4-5678-90ab-cdef-EXAMPLE11111"},
	"WEB_ACL_NAME":        {"acl-0"},
	"DOMAIN_LIST_ID":      {"rslvr-fdl-0123456789abcdef"},
	"RULE_GROUP_ID":       {"rslvr-frg-0123456789abcdef"},
	"VPC_ID":              {"vpc-0123456789abcdef0"},
	"PRIORITY":            {"100"},
	"NAME":                {"assoc-1"},
	"DETECTOR_ID":         {"12abc34d567e8fa901bc2d34e56789f0"},
	"EC2_GROUP_NAME":      {"default"},
	"ACCESS_KEY":          {"AKIAIOSFODNN7EXAMPLE"},
	"KEY_ID":              {"0123456789abcdef0123456789abcdef01234567"},
	"CORRELATION_ID":      {"5d2c0a8e-0000-4000-8000-00000000c0c0"},
	"EVENT_ID":            {"9f3c0a8e-0000-4000-8000-00000000e1d1"},
	"SUBNET":              {"app"},
	"NSG_ID":              {"/subscriptions/00000000-1111-2222-3333-444444444444/resourceGroups/rg-app/providers/Microsoft.Network/networkSecurityGroups/nsg-1"},
	"ASSOCIATION_NAME":    {"assoc-1"},
	"ORGANIZATION_ID":     {"123456789012"},
	"FOLDER_ID":           {"123456789012"},
	"NETWORK":             {"default"},
	"ORDER":               {"AFTER_CLASSIC_FIREWALL"},
	"POLICY":              {"armor-1"},
	"APPROVED_CIDRS":      {"203.0.113.0/24"},
	"SOURCE_RANGE":        {"203.0.113.0/24"},
	// A GCP rule's fields before a patch, when no baseline holds them.
	"RULES":                   {"tcp:22"},
	"SOURCE_RANGES":           {"203.0.113.0/24"},
	"SOURCE_TAGS":             {"bastion"},
	"SOURCE_SERVICE_ACCOUNTS": {"ci@proj-1.iam.gserviceaccount.com"},
	"DESTINATION_RANGES":      {"10.0.0.0/8"},
	"TARGET_SERVICE_ACCOUNTS": {"app@proj-1.iam.gserviceaccount.com"},
	"START_IP":                {"203.0.113.0"},
	"END_IP":                  {"203.0.113.255"},
	// Values an event may lack (a record without them).
	"RULE":           {"sgr-0123456789abcdef0"},
	"CIDR":           {"203.0.113.0/24"},
	"FROM_PORT":      {"22"},
	"TO_PORT":        {"22"},
	"PROTOCOL":       {"tcp"},
	"DIRECTION_FLAG": {"--ingress"},
	"TARGETS":        {"sg-0123456789abcdef0"},
	"TARGET_TAGS":    {"web"},
	"RESOURCE_ID":    {"sg-0123456789abcdef0"},
	"RESOURCE_NAME":  {"res-1"},
	"RESOURCE_GROUP": {"rg-app"},
	"PARENT_NAME":    {"parent-1"},
	"ZONE":           {"us-central1-a"},
	"USER_NAME":      {"alice"},
	"ROLE_NAME":      {"deploy"},
	"PRINCIPAL_ARN":  {"arn:aws:iam::111122223333:user/alice"},
	"CALLER_LOOKUP":  {"AttributeKey=Username,AttributeValue=alice"},
	"ACTOR_ID":       {"dev@example.com"},
	"ACCOUNT":        {"proj-1"},
	"ACTOR":          {"dev@example.com"},
	"ACTOR_NAME":     {"dev@example.com"},
	"REGION":         {"us-east-1"},
	"TIME":           {"2026-03-14T10:00:00Z"},
	"START":          {"2026-03-14T09:00:00Z"},
	"END":            {"2026-03-14T11:00:00Z"},
	"SESSION_NAME":   {"ci-run-7"},
}

var placeholderRE = regexp.MustCompile(`<([A-Z0-9_]+)>`)

// argv splits a printed command into words as the shell would and fills
// visible placeholders with stand-ins; unknown placeholders are errors.
func argv(t *testing.T, cmd string) ([]string, bool) {
	t.Helper()
	// As printed, unfilled, the command must already be shell words: a
	// bare <NAME> would redirect (TestPrintedPlaceholdersQuoted).
	if _, err := testutil.ShellWords(cmd); err != nil {
		t.Errorf("%s: does not split as shell words as printed: %v", cmd, err)
		return nil, false
	}
	// Placeholders <NAME> are to be replaced before the command is run;
	// put a marker the splitter accepts where each one stands.
	bad := ""
	marked := placeholderRE.ReplaceAllStringFunc(cmd, func(p string) string {
		name := p[1 : len(p)-1]
		if _, ok := placeholderValues[name]; !ok {
			bad = name
		}
		return "\x00" + name + "\x00"
	})
	if bad != "" {
		t.Errorf("%s: placeholder <%s> has no stand-in value in placeholderValues", cmd, bad)
		return nil, false
	}
	words, err := testutil.ShellWords(strings.ReplaceAll(marked, "\x00", "@@"))
	if err != nil {
		t.Errorf("%s: does not split as shell words: %v", cmd, err)
		return nil, false
	}
	var out []string
	for _, w := range words {
		if m := regexp.MustCompile(`^@@([A-Z0-9_]+)@@$`).FindStringSubmatch(w); m != nil {
			out = append(out, placeholderValues[m[1]]...)
			continue
		}
		w = regexp.MustCompile(`@@([A-Z0-9_]+)@@`).ReplaceAllStringFunc(w, func(p string) string {
			return placeholderValues[p[2:len(p)-2]][0]
		})
		out = append(out, w)
	}
	return out, true
}

// cli finds a CLI, or skips (fails in CI) when it is not installed.
func cli(t *testing.T, name string, more ...string) string {
	t.Helper()
	if p, err := exec.LookPath(name); err == nil {
		// A pyenv shim starts a shell and pyenv before the CLI; run the
		// CLI it points at.
		if strings.Contains(p, "/.pyenv/shims/") {
			if real, err := exec.Command("pyenv", "which", name).Output(); err == nil {
				return strings.TrimSpace(string(real))
			}
		}
		return p
	}
	for _, p := range more {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is not installed; CI must provide it (see .ci/run)", name)
	}
	t.Skipf("%s is not installed: the printed %s commands are not checked against it (set CI=true to make this a failure)", name, name)
	return ""
}

// signature is the shape of a command: its program and subcommands, its
// flags, and each value with every run of letters and digits written x
// ("sg-0abc" and "sg-9def" alike, a time x-x-x:x:x, a quoted JSON document
// by its punctuation). The parsers check flags and the form of values, so
// each shape is run once, which keeps the test to a few minutes.
func signature(cmd string) string {
	w := strings.Fields(cmd)
	command := true // still in the program and subcommand words
	for i := range w {
		command = command && subcommand.MatchString(w[i])
		if command || strings.HasPrefix(w[i], "--") && !strings.Contains(w[i], "=") {
			continue
		}
		w[i] = alnum.ReplaceAllString(w[i], "x")
	}
	return strings.Join(w, " ")
}

var (
	alnum      = regexp.MustCompile(`[A-Za-z0-9._@-]+`)
	subcommand = regexp.MustCompile(`^[a-z][a-z-]*$`)
)

// checkCLI runs every command of the given program through check, a few
// at a time, once per signature.
func checkCLI(t *testing.T, prog string, cmds map[string]printedCommand, check func(ctx context.Context, args []string) (ok bool, out string)) int {
	t.Helper()
	bySig := map[string]printedCommand{}
	for run, pc := range cmds {
		if strings.HasPrefix(run, prog+" ") {
			if prev, ok := bySig[signature(run)]; !ok || run < prev.run {
				bySig[signature(run)] = pc
			}
		}
	}
	if len(bySig) == 0 {
		t.Fatalf("no %s commands printed", prog)
	}
	keys := make([]string, 0, len(bySig))
	for k := range bySig {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	all := len(keys)
	if !checkAllCommands() && len(keys) > localSample {
		// Outside CI, an evenly spread sample keeps go test ./... quick
		// on a busy machine; CI checks every shape.
		step := (len(keys) + localSample - 1) / localSample
		var sample []string
		for i := 0; i < len(keys); i += step {
			sample = append(sample, keys[i])
		}
		keys = sample
		t.Logf("checking %d of %d %s command shapes (set CI=true or CLOUDWALL_CHECK_ALL_COMMANDS=1 for all)", len(keys), all, prog)
	}
	var wg sync.WaitGroup
	sem := make(chan struct{}, 3)
	for _, k := range keys {
		pc := bySig[k]
		args, ok := argv(t, pc.run)
		if !ok {
			continue
		}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
			defer cancel()
			if ok, out := check(ctx, args[1:]); !ok {
				t.Errorf("%s\n  printed by %s\n  rejected by %s:\n%s", pc.run, pc.from, prog, indent(out))
			}
		}()
	}
	wg.Wait()
	t.Logf("%d of %d %s command shapes checked (%d distinct commands printed)", len(keys), all, prog, countPrefix(cmds, prog+" "))
	return len(keys)
}

// localSample is how many command shapes per CLI a run outside CI checks.
const localSample = 4

// checkAllCommands says whether to run every command shape.
func checkAllCommands() bool {
	return os.Getenv("CI") == "true" || os.Getenv("CLOUDWALL_CHECK_ALL_COMMANDS") != ""
}

func countPrefix(cmds map[string]printedCommand, p string) int {
	n := 0
	for run := range cmds {
		if strings.HasPrefix(run, p) {
			n++
		}
	}
	return n
}

func indent(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > 1500 {
		s = s[len(s)-1500:]
	}
	return "    " + strings.ReplaceAll(s, "\n", "\n    ")
}

// cleanEnv is the environment without the caller's cloud settings, so a
// developer's profile or project never takes part.
func cleanEnv(home string, extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "AWS_") || strings.HasPrefix(kv, "CLOUDSDK_") || strings.HasPrefix(kv, "GOOGLE_") ||
			strings.HasPrefix(kv, "HOME=") {
			continue
		}
		env = append(env, kv)
	}
	return append(append(env, "HOME="+home), extra...)
}

// closedPort is a local port nothing listens on (discard, refused).
const closedPort = "http://127.0.0.1:9"

// awsCheck runs one AWS CLI command against the closed local port.
func awsCheck(t *testing.T, aws string) func(ctx context.Context, args []string) (bool, string) {
	home := t.TempDir()
	return func(ctx context.Context, args []string) (bool, string) {
		env := cleanEnv(home, "AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE", "AWS_SECRET_ACCESS_KEY=x",
			"AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null", "AWS_EC2_METADATA_DISABLED=true",
			"AWS_MAX_ATTEMPTS=1", "AWS_RETRY_MODE=standard", "AWS_PAGER=")
		// Every regional command must carry --region: no default is set,
		// except for IAM, which is global.
		if len(args) > 0 && args[0] == "iam" {
			env = append(env, "AWS_DEFAULT_REGION=us-east-1")
		}
		if slices.Contains(args, "--endpoint-url") {
			return false, "the command sets its own --endpoint-url"
		}
		cmd := exec.CommandContext(ctx, aws, append(slices.Clone(args), "--endpoint-url", closedPort, "--cli-connect-timeout", "2")...)
		cmd.Env, cmd.Dir = env, home
		out, _ := cmd.CombinedOutput()
		return strings.Contains(string(out), `Could not connect to the endpoint URL: "`+closedPort), string(out)
	}
}

// gcloudCheck runs one gcloud command with no account and every API it
// may call pointed at the closed port.
func gcloudCheck(t *testing.T, gcloud string) func(ctx context.Context, args []string) (bool, string) {
	home, config := t.TempDir(), t.TempDir()
	env := cleanEnv(home, "CLOUDSDK_CONFIG="+config, "CLOUDSDK_CORE_DISABLE_PROMPTS=1",
		"CLOUDSDK_CORE_CHECK_GCE_METADATA=false", "CLOUDSDK_CORE_DISABLE_USAGE_REPORTING=true",
		"CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK=true", "CLOUDSDK_CORE_VERBOSITY=error")
	for _, api := range []string{"COMPUTE", "LOGGING", "IAM", "SQL", "APPENGINE", "CLOUDRESOURCEMANAGER"} {
		env = append(env, "CLOUDSDK_API_ENDPOINT_OVERRIDES_"+api+"="+closedPort+"/")
	}
	return func(ctx context.Context, args []string) (bool, string) {
		cmd := exec.CommandContext(ctx, gcloud, args...)
		cmd.Env, cmd.Dir = env, home
		out, _ := cmd.CombinedOutput()
		return strings.Contains(string(out), "You do not currently have an active account selected"), string(out)
	}
}

// TestCheckersRejectBadCommands shows the checks can fail: the same CLIs
// reject an unknown option, a missing required argument and a malformed
// value, and accept a space-separated list in either form the parser
// takes (which is why the printed form is checked by detect's tests).
func TestCheckersRejectBadCommands(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the AWS CLI and gcloud")
	}
	aws := awsCheck(t, cli(t, "aws", "/root/.pyenv/shims/aws"))
	gcloud := gcloudCheck(t, cli(t, "gcloud", "/usr/bin/gcloud"))
	ctx := context.Background()
	cases := []struct {
		check func(context.Context, []string) (bool, string)
		args  string
		want  bool
	}{
		{aws, "ec2 revoke-security-group-ingress --region us-east-1 --group-id sg-1 --security-group-rule-ids sgr-1 sgr-2", true},
		{aws, "ec2 revoke-security-group-ingress --region us-east-1 --group-id sg-1 --security-group-rule-ids sgr-1,sgr-2", true},
		{aws, "ec2 revoke-security-group-ingress --region us-east-1 --group-id sg-1 --rule-ids sgr-1", false},
		{aws, "iam update-access-key --status Inactive", false},
		{aws, "iam update-access-key --user-name alice --access-key-id AKIA --status Inactive", false},
		{aws, "ec2 describe-security-groups", false}, // no --region
		{aws, "cloudtrail lookup-events --region us-east-1 --start-time yesterday", false},
		{gcloud, "compute firewall-rules describe fw-1 --project proj-1", true},
		{gcloud, "compute firewall-rules describe fw-1 --project proj-1 --bogus", false},
		{gcloud, "iam service-accounts keys disable --project proj-1", false},
	}
	if !checkAllCommands() {
		// Outside CI, one accepted and one rejected command per CLI.
		cases = []struct {
			check func(context.Context, []string) (bool, string)
			args  string
			want  bool
		}{cases[0], cases[3], cases[7], cases[8]}
	}
	for _, tt := range cases {
		if ok, out := tt.check(ctx, strings.Fields(tt.args)); ok != tt.want {
			t.Errorf("%s: accepted=%v, want %v:\n%s", tt.args, ok, tt.want, indent(out))
		}
	}
}

// TestPrintedPlaceholdersQuoted: every command printed for the fixtures
// and for every catalogued operation (guidance and rollback) is, as
// printed and unfilled, plain shell words: no < or > (nor any other
// operator) outside quotes, so pasting one with its '<NAME>' placeholders
// still in it redirects nothing and runs nothing else; and each
// placeholder reaches the CLI as the literal <NAME>, which it rejects.
func TestPrintedPlaceholdersQuoted(t *testing.T) {
	cmds := allCommands(t)
	shown := 0
	for run, pc := range cmds {
		words, err := testutil.ShellWords(run)
		if err != nil {
			t.Errorf("%s\n  printed by %s\n  is not plain shell words: %v", run, pc.from, err)
			continue
		}
		n := len(placeholderRE.FindAllString(run, -1))
		got := 0
		for _, w := range words {
			got += len(placeholderRE.FindAllString(w, -1))
		}
		if got != n {
			t.Errorf("%s: %d placeholders as printed, %d in the words the shell reads", run, n, got)
		}
		shown += n
	}
	if shown < 20 {
		t.Errorf("only %d placeholders in %d printed commands: the check saw too few", shown, len(cmds))
	}
}

// TestPrintedCommandsRunAsPrinted is the check described at the top.
func TestPrintedCommandsRunAsPrinted(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the AWS CLI and gcloud on every printed command")
	}
	cmds := allCommands(t)
	progs := map[string]bool{}
	for run := range cmds {
		words, ok := argv(t, run)
		if !ok {
			continue
		}
		if filepath.Base(words[0]) != words[0] || !slices.Contains([]string{"aws", "az", "gcloud"}, words[0]) {
			t.Errorf("%s: not an aws, az or gcloud command", run)
		}
		progs[words[0]] = true
	}
	t.Logf("%d distinct commands printed", len(cmds))
	t.Run("aws", func(t *testing.T) {
		checkCLI(t, "aws", cmds, awsCheck(t, cli(t, "aws", "/root/.pyenv/shims/aws")))
	})
	t.Run("gcloud", func(t *testing.T) {
		checkCLI(t, "gcloud", cmds, gcloudCheck(t, cli(t, "gcloud", "/usr/bin/gcloud")))
	})
	t.Run("az", func(t *testing.T) {
		checkAz(t, cmds)
	})
}
