package state

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"cloudwall/internal/model"
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
		return sqlIPv6Command(f, r, verb), true
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
// replaces, with the rule as its JSON body; a DELETE has none).
func sqlIPv6Command(f *firewall, r *rule, verb string) string {
	list := f.meta.Resource.ID
	if r.Name == "" || azureRG(list) == "" {
		return "# cannot build the command: the IPv6 firewall rule's name or resource group is not known"
	}
	url := "https://management.azure.com" + list + "/" + r.Name
	cmd := "az rest --method %s --url " + shq(url) + " --uri-parameters api-version=" + restAPIVersion(sqlIPv6Versions, f.apiVersion)
	if verb == "delete" {
		return fmt.Sprintf(cmd, "delete")
	}
	lo, hi, ok := addressRange(r.Peers)
	if !ok {
		return "# cannot restore IPv6 firewall rule " + r.Name + ": its address range is not in the baseline or the logs"
	}
	type props struct {
		Start string `json:"startIPv6Address"`
		End   string `json:"endIPv6Address"`
	}
	body, _ := json.Marshal(struct {
		Properties props `json:"properties"`
	}{props{lo, hi}})
	return fmt.Sprintf(cmd, "put") + " --body " + shq(string(body))
}

// sqlIPv6Versions are the api-versions of Microsoft.Sql/servers/
// ipv6FirewallRules (the Azure REST API reference), the documented
// default first: 2021-11-01, the first stable one to have the type.
var sqlIPv6Versions = []string{"2021-11-01", "2021-08-01-preview", "2021-11-01-preview", "2022-02-01-preview",
	"2022-05-01-preview", "2022-08-01-preview", "2022-11-01-preview", "2023-02-01-preview", "2023-05-01-preview",
	"2023-08-01", "2023-08-01-preview", "2024-05-01-preview", "2024-11-01-preview"}

// restAPIVersion is the api-version an az rest call on a resource type
// names: the one the logged call used when the type accepts it (it may
// carry properties an older one drops), else the documented default.
func restAPIVersion(accepted []string, used string) string {
	if slices.Contains(accepted, used) {
		return used
	}
	return accepted[0]
}

// isRedis says a firewall is an Azure Cache for Redis cache's rule list.
func isRedis(f *firewall) bool {
	return f.meta.Resource.Type == "sql_server" && strings.Contains(strings.ToLower(f.meta.Resource.ID), "/providers/microsoft.cache/redis/")
}

// redisOpen returns the allow-all a Redis cache applies when it has no
// firewall rule in force and public network access is not turned off:
// nil while it has one, or when its rules are not all known (another
// rule may be left).
func (e *Engine) redisOpen(f *firewall) *rule {
	if !isRedis(f) || !f.known || f.deleted || strings.EqualFold(f.meta.Settings[model.SettingPublicAccess], "disabled") {
		return nil
	}
	for _, r := range f.rules {
		if !r.Disabled {
			return nil
		}
	}
	if f.implicit == nil {
		f.implicit = e.newRule(model.Rule{RuleChange: model.RuleChange{Direction: model.Ingress, Action: model.Allow, Protocol: "tcp",
			Ports: model.PortList{{From: 6379, To: 6380}}, Peers: []model.Peer{{Kind: model.PeerCIDR, Value: "0.0.0.0/0"}}}}, nil)
	}
	return f.implicit
}

// redisClose is what closes a Redis cache's allow-all: a rule for the
// approved range, or public network access turned off.
func redisClose(f *firewall) []string {
	rg, name := azureRG(f.meta.Resource.ID), lastSegment(f.meta.Resource.ID)
	return []string{"# Azure Cache for Redis admits every address while it has no firewall rule: add one for the approved range (or turn public network access off)",
		fmt.Sprintf("az redis firewall-rules create%s --resource-group %s --name %s --rule-name approved --start-ip '<START_IP>' --end-ip '<END_IP>'",
			subscription(f.meta.Resource.ID), shq(rg), shq(name))}
}

// publicAccess applies a PaaS server's public network access switch (an
// Azure SQL server, a flexible server, a Redis cache): turned off, none
// of its firewall rules admits anyone (a Redis cache without rules is
// closed too: redisOpen); turned back on, they apply again. An Azure SQL
// server's IPv6 rules, a list of their own, follow it the same way.
func (a *applier) publicAccess(v string) {
	a.access, a.accessSet = a.f.meta.Settings[model.SettingPublicAccess], true
	var dis bool
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "disabled":
		dis = true
	case "enabled":
	default:
		return
	}
	a.setDisabled(dis)
	if l := a.e.ipv6List(a.f); l != nil {
		a.v6 = l
		a.v6Added, a.v6Touched = a.e.switchRules(l, dis, a.opener())
	}
}

// ipv6List is the list of an Azure SQL server's IPv6 firewall rules
// (.../ipv6FirewallRules, a firewall of its own: firewallID) when the
// state holds it; nil for any other firewall.
func (e *Engine) ipv6List(f *firewall) *firewall {
	id := f.meta.Resource.ID
	if f.meta.Resource.Type != "sql_server" || !strings.Contains(strings.ToLower(id), "/providers/microsoft.sql/servers/") ||
		strings.HasSuffix(strings.ToLower(id), "/ipv6firewallrules") {
		return nil
	}
	return e.fws[firewallKey(model.Azure, model.Resource{Type: "sql_server", ID: id + "/ipv6FirewallRules"})]
}

// accessOff says a PaaS server's public network access is off, so none
// of f's rules admits anyone: f's own switch, or for the IPv6 rules of an
// Azure SQL server, the server's.
func (e *Engine) accessOff(f *firewall) bool {
	if f.meta.Resource.Type != "sql_server" {
		return false
	}
	if model.SettingIs(f.meta.Settings, model.SettingPublicAccess, "disabled") {
		return true
	}
	id := f.meta.Resource.ID
	if !strings.HasSuffix(strings.ToLower(id), "/ipv6firewallrules") {
		return false
	}
	srv := e.fws[firewallKey(model.Azure, model.Resource{Type: "sql_server", ID: id[:len(id)-len("/ipv6firewallrules")]})]
	return srv != nil && model.SettingIs(srv.meta.Settings, model.SettingPublicAccess, "disabled")
}

// switchRules is setDisabled for a firewall the call did not name (an
// Azure SQL server's IPv6 rules when the server's public access is
// switched): the rules put in force, and every rule it touched.
func (e *Engine) switchRules(f *firewall, dis bool, edge *model.WindowEdge) (added, touched []*rule) {
	for i, r := range f.rules {
		if r.Disabled == dis {
			continue
		}
		nr := r.Rule
		nr.Disabled = dis
		x := e.newRule(nr, edge)
		if !dis {
			added = append(added, x)
		}
		touched = append(touched, r, x)
		f.rules[i] = x
	}
	return added, touched
}

// accessRollback sets a Redis cache's or Azure SQL server's public
// network access back to what it was before the call; when that is not
// known, a # line and a placeholder. Other servers get none.
func (a *applier) accessRollback() []string {
	if !a.accessSet {
		return nil
	}
	id := a.f.meta.Resource.ID
	rg, name := azureRG(id), lastSegment(id)
	var cmd string
	low := strings.ToLower(id)
	switch {
	case strings.Contains(low, "/providers/microsoft.cache/redis/"):
		cmd = fmt.Sprintf("az redis update%s --resource-group %s --name %s --set publicNetworkAccess=", subscription(id), shq(rg), shq(name))
	case strings.Contains(low, "/providers/microsoft.sql/servers/"):
		cmd = fmt.Sprintf("az sql server update%s --resource-group %s --name %s --enable-public-network ", subscription(id), shq(rg), shq(name))
	default:
		return nil
	}
	sql := strings.HasPrefix(cmd, "az sql")
	was := strings.ToLower(strings.TrimSpace(a.access))
	if was != "enabled" && was != "disabled" {
		ph := "'<ENABLED_OR_DISABLED>'"
		if sql {
			ph = "'<TRUE_OR_FALSE>'"
		}
		return []string{"# public network access before this call is not in the logs (a baseline gives it); set the earlier value:", cmd + ph}
	}
	if sql {
		return []string{cmd + map[string]string{"enabled": "true", "disabled": "false"}[was]}
	}
	return []string{cmd + map[string]string{"enabled": "Enabled", "disabled": "Disabled"}[was]}
}
