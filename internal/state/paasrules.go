package state

import (
	"fmt"
	"strings"
)

// paasCLI is how the Azure CLI names one kind of PaaS firewall rule: the
// command group and the flags for the server, the rule and its range.
type paasCLI struct {
	group, server, rule, start, end string
}

// paasCLIs maps the provider path of a server's id to its CLI. Single
// servers of PostgreSQL, MySQL and MariaDB are retired and get no command.
var paasCLIs = map[string]paasCLI{
	"/providers/microsoft.sql/servers/":                     {"az sql server firewall-rule", "--server", "--name", "--start-ip-address", "--end-ip-address"},
	"/providers/microsoft.dbforpostgresql/flexibleservers/": {"az postgres flexible-server firewall-rule", "--name", "--rule-name", "--start-ip-address", "--end-ip-address"},
	"/providers/microsoft.dbformysql/flexibleservers/":      {"az mysql flexible-server firewall-rule", "--name", "--rule-name", "--start-ip-address", "--end-ip-address"},
	"/providers/microsoft.synapse/workspaces/":              {"az synapse workspace firewall-rule", "--workspace-name", "--name", "--start-ip-address", "--end-ip-address"},
	"/providers/microsoft.cache/redis/":                     {"az redis firewall-rules", "--name", "--rule-name", "--start-ip", "--end-ip"},
}

// paasCLIFor finds the CLI for a server id.
func paasCLIFor(id string) (paasCLI, bool) {
	low := strings.ToLower(id)
	for path, cli := range paasCLIs {
		if strings.Contains(low, path) {
			return cli, true
		}
	}
	return paasCLI{}, false
}

// redisLastRule warns before a Redis rule is deleted: a cache with no
// firewall rules admits every address.
func redisLastRule(id string) []string {
	if !strings.Contains(strings.ToLower(id), "/providers/microsoft.cache/redis/") {
		return nil
	}
	return []string{"# Azure Cache for Redis admits every address when it has no firewall rules: if `az redis firewall-rules list --name " +
		shq(lastSegment(id)) + " --resource-group " + shq(azureRG(id)) + "` shows no other rule, narrow this one to the approved range (update) instead of deleting it"}
}

// sqlServerCommand builds the delete, create or update command for a
// firewall rule of an Azure SQL server, PostgreSQL or MySQL flexible
// server, Synapse workspace or Redis cache (the sql_server firewall of
// the state). Other servers get no command: false.
func sqlServerCommand(f *firewall, r *rule, verb string) (string, bool) {
	res := f.meta.Resource
	if strings.HasSuffix(strings.ToLower(res.ID), "/ipv6firewallrules") {
		return sqlIPv6Command(res.ID, r, verb), true
	}
	cli, ok := paasCLIFor(res.ID)
	if !ok {
		return "", false
	}
	rg, server := azureRG(res.ID), lastSegment(res.ID)
	if r.Name == "" || rg == "" {
		return "# cannot build the command: the firewall rule's name or resource group is not known", true
	}
	cmd := fmt.Sprintf("%s %s%s --resource-group %s %s %s %s %s", cli.group, verb, subscription(res.ID), shq(rg), cli.server, shq(server), cli.rule, shq(r.Name))
	if verb == "delete" {
		return cmd, true
	}
	lo, hi, ok := addressRange(r.Peers)
	if !ok {
		return "# cannot restore firewall rule " + r.Name + ": its address range is not in the baseline or the logs", true
	}
	return cmd + " " + cli.start + " " + lo + " " + cli.end + " " + hi, true
}

// sqlIPv6Command builds the call that deletes, creates or updates an
// Azure SQL server's IPv6 firewall rule: the Azure CLI has no command for
// them, so it is the REST call through az rest (a PUT creates or
// replaces).
func sqlIPv6Command(list string, r *rule, verb string) string {
	if r.Name == "" || azureRG(list) == "" {
		return "# cannot build the command: the IPv6 firewall rule's name or resource group is not known"
	}
	url := "https://management.azure.com" + list + "/" + r.Name
	cmd := "az rest --method %s --url " + shq(url) + " --uri-parameters api-version=2021-11-01"
	if verb == "delete" {
		return fmt.Sprintf(cmd, "delete")
	}
	lo, hi, ok := addressRange(r.Peers)
	if !ok {
		return "# cannot restore IPv6 firewall rule " + r.Name + ": its address range is not in the baseline or the logs"
	}
	body := fmt.Sprintf(`{"properties":{"startIPv6Address":%q,"endIPv6Address":%q}}`, lo, hi)
	return fmt.Sprintf(cmd, "put") + " --body " + shq(body)
}
