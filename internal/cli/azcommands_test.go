package cli

import (
	"slices"
	"sort"
	"strings"
	"testing"
)

// azCommand is what the Azure CLI reference says a command takes.
type azCommand struct {
	// flags are the command's parameters (long and short forms).
	flags []string
	// need lists groups of which one must be given in full: {"--ids"} or
	// {"--resource-group", "--name"} means --ids, or both of the others.
	need [][]string
}

// azGlobal are the arguments every az command takes.
var azGlobal = []string{"--subscription", "--query", "--output", "-o", "--only-show-errors", "--debug", "--verbose", "--help", "-h"}

// azReference is taken from the Azure CLI reference on learn.microsoft.com
// (https://learn.microsoft.com/cli/azure/<group path>, e.g.
// /cli/azure/network/nsg/rule for "az network nsg rule list"), read for
// each command the catalogue prints; extension commands (azure-firewall,
// front-door) from the same reference. Generic show/update/delete commands
// take --ids or the name parameters. Keep it in step when a step uses a
// new command or flag.
var azReference = map[string]azCommand{
	// /cli/azure/reference-index#az-rest
	"az rest": {flags: []string{"--method", "-m", "--url", "-u", "--body", "-b", "--headers", "--uri-parameters", "--resource", "--skip-authorization-header", "--output-file"},
		need: [][]string{{"--url"}}},
	// /cli/azure/ad/sp#az-ad-sp-update
	"az ad sp update": {flags: []string{"--id", "--set", "--add", "--remove", "--force-string"}, need: [][]string{{"--id"}}},
	// /cli/azure/role/assignment#az-role-assignment-list
	"az role assignment list": {flags: []string{"--assignee", "--all", "--include-inherited", "--include-groups", "--role", "--scope", "--resource-group", "-g", "--include-classic-administrators", "--fill-principal-name", "--fill-role-definition-name"}},
	// /cli/azure/monitor/activity-log#az-monitor-activity-log-list
	"az monitor activity-log list": {flags: []string{"--caller", "--correlation-id", "--end-time", "--max-events", "--namespace", "--offset", "--resource-group", "-g", "--resource-id", "--select", "--start-time", "--status"}},
	// /cli/azure/network/nsg
	"az network nsg show": {flags: []string{"--ids", "--name", "-n", "--resource-group", "-g", "--expand"}, need: [][]string{{"--ids"}, {"--name", "--resource-group"}}},
	// /cli/azure/network/nsg/rule
	"az network nsg rule list": {flags: []string{"--nsg-name", "--resource-group", "-g", "--include-default", "--max-items", "--next-token"}, need: [][]string{{"--nsg-name", "--resource-group"}}},
	"az network nsg rule show": {flags: []string{"--ids", "--name", "-n", "--nsg-name", "--resource-group", "-g"}, need: [][]string{{"--ids"}, {"--name", "--nsg-name", "--resource-group"}}},
	// /cli/azure/network/nsg/rule#az-network-nsg-rule-create (state rollback)
	"az network nsg rule create": {flags: []string{"--name", "-n", "--nsg-name", "--priority", "--resource-group", "-g", "--access", "--description", "--destination-address-prefixes", "--destination-asgs", "--destination-port-ranges", "--direction", "--protocol", "--source-address-prefixes", "--source-asgs", "--source-port-ranges", "--no-wait"},
		need: [][]string{{"--name", "--nsg-name", "--priority", "--resource-group"}}},
	"az network nsg delete":      {flags: []string{"--ids", "--name", "-n", "--resource-group", "-g", "--no-wait"}, need: [][]string{{"--ids"}, {"--name", "--resource-group"}}},
	"az network nsg rule delete": {flags: []string{"--ids", "--name", "-n", "--nsg-name", "--resource-group", "-g", "--no-wait"}, need: [][]string{{"--ids"}, {"--name", "--nsg-name", "--resource-group"}}},
	// /cli/azure/network/vnet/subnet
	"az network vnet subnet show":   {flags: []string{"--ids", "--name", "-n", "--resource-group", "-g", "--vnet-name", "--expand"}, need: [][]string{{"--ids"}, {"--name", "--vnet-name", "--resource-group"}}},
	"az network vnet subnet update": {flags: []string{"--ids", "--name", "-n", "--resource-group", "-g", "--vnet-name", "--network-security-group", "--nsg", "--route-table", "--set", "--add", "--remove", "--no-wait"}, need: [][]string{{"--ids"}, {"--name", "--vnet-name", "--resource-group"}}},
	// /cli/azure/network/nic
	"az network nic show":               {flags: []string{"--ids", "--name", "-n", "--resource-group", "-g", "--expand"}, need: [][]string{{"--ids"}, {"--name", "--resource-group"}}},
	"az network nic update":             {flags: []string{"--ids", "--name", "-n", "--resource-group", "-g", "--network-security-group", "--set", "--add", "--remove", "--no-wait"}, need: [][]string{{"--ids"}, {"--name", "--resource-group"}}},
	"az network nic list-effective-nsg": {flags: []string{"--ids", "--name", "-n", "--resource-group", "-g"}, need: [][]string{{"--ids"}, {"--name", "--resource-group"}}},
	// /cli/azure/network/route-table#az-network-route-table-list
	"az network route-table list": {flags: []string{"--resource-group", "-g", "--max-items", "--next-token"}},
	// /cli/azure/network/firewall (azure-firewall extension)
	"az network firewall show": {flags: []string{"--ids", "--name", "-n", "--resource-group", "-g"}, need: [][]string{{"--ids"}, {"--name", "--resource-group"}}},
	"az network firewall list": {flags: []string{"--resource-group", "-g"}},
	// /cli/azure/network/firewall/policy (azure-firewall extension)
	"az network firewall policy show": {flags: []string{"--ids", "--name", "-n", "--resource-group", "-g"}, need: [][]string{{"--ids"}, {"--name", "--resource-group"}}},
	// /cli/azure/network/firewall/policy/rule-collection-group
	"az network firewall policy rule-collection-group show": {flags: []string{"--ids", "--name", "-n", "--policy-name", "--resource-group", "-g"}, need: [][]string{{"--ids"}, {"--name", "--policy-name", "--resource-group"}}},
	"az network firewall policy rule-collection-group list": {flags: []string{"--policy-name", "--resource-group", "-g"}, need: [][]string{{"--policy-name", "--resource-group"}}},
	// /cli/azure/network/application-gateway and .../waf-policy
	"az network application-gateway show":            {flags: []string{"--ids", "--name", "-n", "--resource-group", "-g"}, need: [][]string{{"--ids"}, {"--name", "--resource-group"}}},
	"az network application-gateway list":            {flags: []string{"--resource-group", "-g"}},
	"az network application-gateway waf-policy show": {flags: []string{"--ids", "--name", "-n", "--resource-group", "-g"}, need: [][]string{{"--ids"}, {"--name", "--resource-group"}}},
	// /cli/azure/network/front-door/waf-policy (front-door extension)
	"az network front-door waf-policy show": {flags: []string{"--ids", "--name", "-n", "--resource-group", "-g"}, need: [][]string{{"--ids"}, {"--name", "--resource-group"}}},
	// /cli/azure/sql/server and /cli/azure/sql/server/firewall-rule
	"az sql server show":               {flags: []string{"--ids", "--name", "-n", "--resource-group", "-g", "--expand-ad-admin"}, need: [][]string{{"--ids"}, {"--name", "--resource-group"}}},
	"az sql server update":             {flags: []string{"--ids", "--name", "-n", "--resource-group", "-g", "--enable-public-network", "-e", "--restrict-outbound-network-access", "--set", "--add", "--remove", "--no-wait"}, need: [][]string{{"--ids"}, {"--name", "--resource-group"}}},
	"az sql server firewall-rule list": {flags: []string{"--ids", "--resource-group", "-g", "--server", "-s"}, need: [][]string{{"--ids"}, {"--server", "--resource-group"}}},
	"az sql server firewall-rule create": {flags: []string{"--name", "-n", "--resource-group", "-g", "--server", "-s", "--start-ip-address", "--end-ip-address"},
		need: [][]string{{"--name", "--server", "--resource-group", "--start-ip-address", "--end-ip-address"}}},
	"az sql server firewall-rule update": {flags: []string{"--ids", "--name", "-n", "--resource-group", "-g", "--server", "-s", "--start-ip-address", "--end-ip-address", "--set", "--add", "--remove", "--force-string"},
		need: [][]string{{"--ids"}, {"--name", "--server", "--resource-group"}}},
	"az sql server firewall-rule delete": {flags: []string{"--ids", "--name", "-n", "--resource-group", "-g", "--server", "-s"}, need: [][]string{{"--ids"}, {"--name", "--server", "--resource-group"}}},
	// /cli/azure/postgres/flexible-server/firewall-rule, /cli/azure/mysql/flexible-server/firewall-rule
	"az postgres flexible-server firewall-rule list":   {flags: []string{"--ids", "--name", "-n", "--resource-group", "-g"}, need: [][]string{{"--ids"}, {"--name", "--resource-group"}}},
	"az postgres flexible-server firewall-rule delete": {flags: []string{"--ids", "--name", "-n", "--resource-group", "-g", "--rule-name", "-r", "--yes", "-y"}, need: [][]string{{"--ids"}, {"--name", "--rule-name", "--resource-group"}}},
	"az mysql flexible-server firewall-rule list":      {flags: []string{"--ids", "--name", "-n", "--resource-group", "-g"}, need: [][]string{{"--ids"}, {"--name", "--resource-group"}}},
	"az mysql flexible-server firewall-rule delete":    {flags: []string{"--ids", "--name", "-n", "--resource-group", "-g", "--rule-name", "-r", "--yes", "-y"}, need: [][]string{{"--ids"}, {"--name", "--rule-name", "--resource-group"}}},
	// create and update (state rollback): same pages
	"az postgres flexible-server firewall-rule create": {flags: []string{"--name", "-n", "--resource-group", "-g", "--rule-name", "-r", "--start-ip-address", "--end-ip-address"},
		need: [][]string{{"--name", "--resource-group", "--start-ip-address"}}},
	"az postgres flexible-server firewall-rule update": {flags: []string{"--ids", "--name", "-n", "--resource-group", "-g", "--rule-name", "-r", "--start-ip-address", "--end-ip-address", "--set", "--add", "--remove", "--force-string"},
		need: [][]string{{"--ids"}, {"--name", "--rule-name", "--resource-group"}}},
	"az mysql flexible-server firewall-rule create": {flags: []string{"--name", "-n", "--resource-group", "-g", "--rule-name", "-r", "--start-ip-address", "--end-ip-address"},
		need: [][]string{{"--name", "--resource-group", "--start-ip-address"}}},
	"az mysql flexible-server firewall-rule update": {flags: []string{"--ids", "--name", "-n", "--resource-group", "-g", "--rule-name", "-r", "--start-ip-address", "--end-ip-address", "--set", "--add", "--remove", "--force-string"},
		need: [][]string{{"--ids"}, {"--name", "--rule-name", "--resource-group"}}},
	// /cli/azure/redis/firewall-rules and /cli/azure/redis#az-redis-show
	// (azure-cli redis/_params.py: the rule name is not an --ids part)
	// /cli/azure/redis#az-redis-update (generic update: --set property=value)
	"az redis update": {flags: []string{"--ids", "--name", "-n", "--resource-group", "-g", "--set", "--add", "--remove", "--force-string", "--sku", "--vm-size", "--no-wait"},
		need: [][]string{{"--ids"}, {"--name", "--resource-group"}}},
	"az redis show":                {flags: []string{"--ids", "--name", "-n", "--resource-group", "-g"}, need: [][]string{{"--ids"}, {"--name", "--resource-group"}}},
	"az redis firewall-rules list": {flags: []string{"--name", "-n", "--resource-group", "-g"}, need: [][]string{{"--name", "--resource-group"}}},
	"az redis firewall-rules delete": {flags: []string{"--ids", "--name", "-n", "--resource-group", "-g", "--rule-name"},
		need: [][]string{{"--ids", "--rule-name"}, {"--name", "--resource-group", "--rule-name"}}},
	"az redis firewall-rules create": {flags: []string{"--name", "-n", "--resource-group", "-g", "--rule-name", "--start-ip", "--end-ip"},
		need: [][]string{{"--name", "--resource-group", "--rule-name", "--start-ip", "--end-ip"}}},
	"az redis firewall-rules update": {flags: []string{"--ids", "--name", "-n", "--resource-group", "-g", "--rule-name", "--start-ip", "--end-ip"},
		need: [][]string{{"--ids", "--rule-name", "--start-ip", "--end-ip"}, {"--name", "--resource-group", "--rule-name", "--start-ip", "--end-ip"}}},
	// /cli/azure/synapse/workspace/firewall-rule (delete asks for confirmation without --yes)
	"az synapse workspace firewall-rule list": {flags: []string{"--workspace-name", "--resource-group", "-g"}, need: [][]string{{"--workspace-name", "--resource-group"}}},
	"az synapse workspace firewall-rule delete": {flags: []string{"--ids", "--name", "-n", "--workspace-name", "--resource-group", "-g", "--yes", "-y", "--no-wait"},
		need: [][]string{{"--ids"}, {"--name", "--workspace-name", "--resource-group"}}},
	"az synapse workspace firewall-rule create": {flags: []string{"--name", "-n", "--workspace-name", "--resource-group", "-g", "--start-ip-address", "--end-ip-address", "--no-wait"},
		need: [][]string{{"--name", "--workspace-name", "--resource-group", "--start-ip-address", "--end-ip-address"}}},
	"az synapse workspace firewall-rule update": {flags: []string{"--ids", "--name", "-n", "--workspace-name", "--resource-group", "-g", "--start-ip-address", "--end-ip-address", "--no-wait"},
		need: [][]string{{"--ids"}, {"--name", "--workspace-name", "--resource-group"}}},
	// /cli/azure/mariadb/server/firewall-rule
	"az mariadb server firewall-rule list":   {flags: []string{"--ids", "--resource-group", "-g", "--server-name", "-s"}, need: [][]string{{"--ids"}, {"--server-name", "--resource-group"}}},
	"az mariadb server firewall-rule delete": {flags: []string{"--ids", "--name", "-n", "--resource-group", "-g", "--server-name", "-s", "--yes", "-y"}, need: [][]string{{"--ids"}, {"--name", "--server-name", "--resource-group"}}},
	// /cli/azure/storage/account and /cli/azure/storage/account/network-rule
	"az storage account show":                {flags: []string{"--ids", "--name", "-n", "--resource-group", "-g", "--expand"}, need: [][]string{{"--ids"}, {"--name", "--resource-group"}}},
	"az storage account update":              {flags: []string{"--ids", "--name", "-n", "--resource-group", "-g", "--default-action", "--public-network-access", "--bypass", "--set", "--add", "--remove"}, need: [][]string{{"--ids"}, {"--name", "--resource-group"}}},
	"az storage account network-rule remove": {flags: []string{"--account-name", "-n", "--resource-group", "-g", "--ip-address", "--subnet", "--vnet-name", "--resource-id", "--tenant-id"}, need: [][]string{{"--account-name"}}},
	// /cli/azure/cosmosdb (azure-cli cosmosdb/_params.py: -p is --public-network-access)
	"az cosmosdb show": {flags: []string{"--ids", "--name", "-n", "--resource-group", "-g"}, need: [][]string{{"--ids"}, {"--name", "--resource-group"}}},
	"az cosmosdb update": {flags: []string{"--ids", "--name", "-n", "--resource-group", "-g", "--public-network-access", "-p", "--ip-range-filter", "--enable-virtual-network"},
		need: [][]string{{"--ids"}, {"--name", "--resource-group"}}},
	// /cli/azure/keyvault and /cli/azure/keyvault/network-rule
	// /cli/azure/aks#az-aks-show, #az-aks-update (the flags the catalogue
	// and the engine print, and the cluster's name parameters)
	"az aks show":                     {flags: []string{"--ids", "--name", "-n", "--resource-group", "-g"}, need: [][]string{{"--ids"}, {"--name", "--resource-group"}}},
	"az aks update":                   {flags: []string{"--ids", "--name", "-n", "--resource-group", "-g", "--api-server-authorized-ip-ranges", "--enable-private-cluster", "--no-wait", "--yes", "-y"}, need: [][]string{{"--ids"}, {"--name", "--resource-group"}}},
	"az keyvault show":                {flags: []string{"--name", "-n", "--resource-group", "-g", "--hsm-name"}, need: [][]string{{"--name"}, {"--hsm-name"}}},
	"az keyvault update":              {flags: []string{"--name", "-n", "--resource-group", "-g", "--default-action", "--bypass", "--public-network-access", "--set", "--add", "--remove", "--no-wait"}, need: [][]string{{"--name"}}},
	"az keyvault network-rule remove": {flags: []string{"--name", "-n", "--resource-group", "-g", "--ip-address", "--subnet", "--vnet-name", "--no-wait"}, need: [][]string{{"--name"}}},
}

// checkAz checks each az command against azReference: a known command,
// only its parameters and the global ones, each with a value where one is
// needed, and a complete set of required parameters.
func checkAz(t *testing.T, cmds map[string]printedCommand) {
	t.Helper()
	runs := make([]string, 0, len(cmds))
	for run := range cmds {
		if strings.HasPrefix(run, "az ") {
			runs = append(runs, run)
		}
	}
	if len(runs) == 0 {
		t.Fatal("no az commands printed")
	}
	sort.Strings(runs)
	used := map[string]bool{}
	for _, run := range runs {
		words, ok := argv(t, run)
		if !ok {
			continue
		}
		name, ref, ok := azLookup(words)
		if !ok {
			t.Errorf("%s: not a command in the Azure CLI reference table (printed by %s)", run, cmds[run].from)
			continue
		}
		used[name] = true
		if err := azArgsError(words[len(strings.Fields(name)):], ref); err != "" {
			t.Errorf("%s: %s (printed by %s)", run, err, cmds[run].from)
		}
	}
	t.Logf("%d distinct az commands checked against the reference table (%d commands)", len(runs), len(used))
}

// azLookup finds the longest command name that words start with.
func azLookup(words []string) (string, azCommand, bool) {
	for n := len(words); n >= 2; n-- {
		name := strings.Join(words[:n], " ")
		if ref, ok := azReference[name]; ok {
			return name, ref, true
		}
	}
	return "", azCommand{}, false
}

// azArgsError checks the arguments after the command name.
func azArgsError(args []string, ref azCommand) string {
	given := map[string]bool{}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if !strings.HasPrefix(a, "-") {
			return "unexpected positional argument " + a
		}
		flag, _, hasValue := strings.Cut(a, "=")
		if !slices.Contains(ref.flags, flag) && !slices.Contains(azGlobal, flag) {
			return "unknown parameter " + flag
		}
		given[canonical(flag, ref)] = true
		if !hasValue && !azSwitch(flag) {
			if i+1 >= len(args) || strings.HasPrefix(args[i+1], "--") {
				return flag + " needs a value"
			}
			i++
		}
	}
	if len(ref.need) == 0 {
		return ""
	}
	for _, group := range ref.need {
		all := true
		for _, f := range group {
			all = all && given[f]
		}
		if all {
			return ""
		}
	}
	return "missing required parameters: one of " + strings.Trim(strings.ReplaceAll(strings.Trim(strings.Join(flatten(ref.need), " | "), " "), "  ", " "), " ")
}

// azSwitch lists parameters that take no value.
func azSwitch(flag string) bool {
	switch flag {
	case "--all", "--include-inherited", "--include-groups", "--no-wait", "--yes", "-y", "--only-show-errors", "--debug",
		"--verbose", "--help", "-h", "--include-default", "--expand-ad-admin", "--skip-authorization-header",
		"--include-classic-administrators", "--force-string":
		return true
	}
	return false
}

// canonical maps a short flag to the long one for required checks.
func canonical(flag string, ref azCommand) string {
	short := map[string]string{"-g": "--resource-group", "-n": "--name", "-s": "--server", "-r": "--rule-name", "-u": "--url", "-m": "--method"}
	if l, ok := short[flag]; ok {
		if slices.Contains(ref.flags, l) {
			return l
		}
		if flag == "-s" && slices.Contains(ref.flags, "--server-name") {
			return "--server-name"
		}
		if flag == "-n" && slices.Contains(ref.flags, "--account-name") {
			return "--account-name"
		}
	}
	return flag
}

func flatten(groups [][]string) []string {
	var out []string
	for _, g := range groups {
		out = append(out, strings.Join(g, " "))
	}
	return out
}

// TestAzCheckRejects shows the az check can fail.
func TestAzCheckRejects(t *testing.T) {
	for _, tt := range []struct {
		cmd  string
		want string
	}{
		{"az ad user revoke-sign-in-sessions --id x", "not a command"},
		{"az network nsg rule list --ids /subscriptions/s/x -o table", "unknown parameter --ids"},
		{"az network nsg rule list --resource-group rg -o table", "missing required"},
		{"az keyvault update --name kv --default-action", "needs a value"},
		{"az network nsg rule delete --ids /subscriptions/s/x", ""},
	} {
		words := strings.Fields(tt.cmd)
		_, ref, ok := azLookup(words)
		got := "not a command"
		if ok {
			name, _, _ := azLookup(words)
			got = azArgsError(words[len(strings.Fields(name)):], ref)
		}
		if (tt.want == "") != (got == "") || !strings.Contains(got, tt.want) {
			t.Errorf("%s: got %q, want %q", tt.cmd, got, tt.want)
		}
	}
}
