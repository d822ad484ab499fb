package azure

import (
	"fmt"
	"strings"

	"cloudwall/internal/model"
	"cloudwall/internal/normalize/jv"
)

// parser carries what the content readers share for one record.
type parser struct {
	ev       *model.Event
	typePath string // lower-case provider/type[/subtype], e.g. microsoft.network/networksecuritygroups
	verb     string // write, delete, action, read
	rid      string

	// body is the ARM body (request preferred, else response), nil when
	// the record logs none; props is its properties object, or the body
	// itself when an exporter flattened it.
	body  map[string]any
	props map[string]any
	// bodies are the request and response bodies the record logs, in
	// that order; body is the one being read.
	bodies []loggedBody
	// bodyErr is the error object of a response body that holds an error
	// instead of the resource.
	bodyErr map[string]any
}

func (p *parser) note(format string, args ...any) {
	p.ev.Notes = append(p.ev.Notes, fmt.Sprintf(format, args...))
}

// set records a non-rule setting; values are lower case by convention.
func (p *parser) set(key, val string) {
	if p.ev.Settings == nil {
		p.ev.Settings = map[string]string{}
	}
	p.ev.Settings[key] = strings.ToLower(strings.TrimSpace(val))
}

// setFrom records the setting when the body carries a value for it.
func (p *parser) setFrom(key string, v any, path ...string) {
	if s := strings.TrimSpace(jv.Str(v, path...)); s != "" {
		p.set(key, s)
	}
}

func (p *parser) addTarget(t string) {
	if t = strings.TrimSpace(t); t != "" {
		p.ev.Targets = append(p.ev.Targets, t)
	}
}

// hasProps reports whether the body is a resource body with a properties
// object, the precondition for reading an absent property as "removed".
func (p *parser) hasProps() bool { return jv.Obj(p.body, "properties") != nil }

// splitOp splits a lower-case operation key into the resource type path and
// the verb. For actions the action name is dropped too, so
// microsoft.network/networksecuritygroups/join/action acts on
// microsoft.network/networksecuritygroups.
func splitOp(key string) (typePath, verb string) {
	i := strings.LastIndexByte(key, '/')
	if i < 0 {
		return "", ""
	}
	typePath, verb = key[:i], key[i+1:]
	if verb == "action" && strings.Count(typePath, "/") >= 2 {
		typePath = typePath[:strings.LastIndexByte(typePath, '/')]
	}
	return typePath, verb
}

// resourceTypes maps an operation's resource type path to the
// cloud-neutral Resource.Type of docs/architecture.md.
var resourceTypes = map[string]string{
	"microsoft.network/networksecuritygroups":                            "nsg",
	"microsoft.network/networksecuritygroups/securityrules":              "nsg_rule",
	"microsoft.classicnetwork/networksecuritygroups":                     "nsg",
	"microsoft.classicnetwork/networksecuritygroups/securityrules":       "nsg_rule",
	"microsoft.network/azurefirewalls":                                   "azure_firewall",
	"microsoft.network/firewallpolicies":                                 "firewall_policy",
	"microsoft.network/firewallpolicies/rulecollectiongroups":            "rule_collection_group",
	"microsoft.network/firewallpolicies/rulegroups":                      "rule_collection_group",
	"microsoft.network/applicationgatewaywebapplicationfirewallpolicies": "waf_policy",
	"microsoft.network/frontdoorwebapplicationfirewallpolicies":          "waf_policy",
	"microsoft.cdn/cdnwebapplicationfirewallpolicies":                    "waf_policy",
	"microsoft.network/applicationgateways":                              "application_gateway",
	"microsoft.sql/servers/firewallrules":                                "sql_firewall_rule",
	"microsoft.sql/servers/ipv6firewallrules":                            "sql_firewall_rule",
	"microsoft.synapse/workspaces/firewallrules":                         "sql_firewall_rule",
	"microsoft.dbforpostgresql/servers/firewallrules":                    "sql_firewall_rule",
	"microsoft.dbforpostgresql/flexibleservers/firewallrules":            "sql_firewall_rule",
	"microsoft.dbformysql/servers/firewallrules":                         "sql_firewall_rule",
	"microsoft.dbformysql/flexibleservers/firewallrules":                 "sql_firewall_rule",
	"microsoft.dbformariadb/servers/firewallrules":                       "sql_firewall_rule",
	"microsoft.cache/redis/firewallrules":                                "sql_firewall_rule",
	"microsoft.sql/servers":                                              "sql_server",
	"microsoft.dbforpostgresql/servers":                                  "sql_server",
	"microsoft.dbforpostgresql/flexibleservers":                          "sql_server",
	"microsoft.dbformysql/servers":                                       "sql_server",
	"microsoft.dbformysql/flexibleservers":                               "sql_server",
	"microsoft.dbformariadb/servers":                                     "sql_server",
	"microsoft.cache/redis":                                              "sql_server",
	"microsoft.storage/storageaccounts":                                  "storage_account",
	"microsoft.keyvault/vaults":                                          "key_vault",
	"microsoft.documentdb/databaseaccounts":                              "cosmosdb_account",
	"microsoft.network/networkinterfaces":                                "network_interface",
	"microsoft.network/virtualnetworks":                                  "network",
	"microsoft.network/virtualnetworks/subnets":                          "network",
	"microsoft.compute/virtualmachines":                                  "instance",
	"microsoft.containerservice/managedclusters":                         "aks_cluster",
}

// resourceType names the kind of resource acted on, from the operation, or
// from the resource id when the operation is not a resource operation.
func resourceType(typePath, rid string) string {
	if t, ok := resourceTypes[typePath]; ok {
		return t
	}
	return resourceTypes[idTypePath(rid)]
}

// idTypePath turns an ARM id into its lower-case type path:
// /subscriptions/s/resourceGroups/g/providers/Microsoft.Sql/servers/a/firewallRules/b
// gives microsoft.sql/servers/firewallrules. The last providers segment
// counts, so an extension resource (…/providers/Microsoft.Insights/
// diagnosticSettings/x on an NSG) is typed as itself.
func idTypePath(rid string) string {
	segs := strings.Split(strings.Trim(rid, "/"), "/")
	for i := len(segs) - 2; i >= 0; i-- {
		if !strings.EqualFold(segs[i], "providers") {
			continue
		}
		parts := []string{segs[i+1]}
		for j := i + 2; j < len(segs); j += 2 {
			parts = append(parts, segs[j])
		}
		return strings.ToLower(strings.Join(parts, "/"))
	}
	return ""
}

// contentFor returns the reader of rule content and settings for an
// operation's resource type, or nil when the type carries none.
func contentFor(typePath string) func(*parser) {
	switch typePath {
	case "microsoft.network/networksecuritygroups", "microsoft.classicnetwork/networksecuritygroups":
		return (*parser).nsg
	case "microsoft.network/networksecuritygroups/securityrules", "microsoft.classicnetwork/networksecuritygroups/securityrules":
		return (*parser).securityRuleOp
	case "microsoft.network/azurefirewalls":
		return (*parser).azureFirewall
	case "microsoft.network/firewallpolicies":
		return (*parser).firewallPolicy
	case "microsoft.network/firewallpolicies/rulecollectiongroups", "microsoft.network/firewallpolicies/rulegroups":
		return (*parser).ruleCollectionGroup
	case "microsoft.network/applicationgatewaywebapplicationfirewallpolicies",
		"microsoft.network/frontdoorwebapplicationfirewallpolicies",
		"microsoft.cdn/cdnwebapplicationfirewallpolicies":
		return (*parser).wafPolicy
	case "microsoft.network/applicationgateways":
		return (*parser).applicationGateway
	case "microsoft.sql/servers", "microsoft.dbforpostgresql/servers", "microsoft.dbforpostgresql/flexibleservers",
		"microsoft.dbformysql/servers", "microsoft.dbformysql/flexibleservers", "microsoft.dbformariadb/servers",
		"microsoft.cache/redis":
		return (*parser).databaseServer
	case "microsoft.storage/storageaccounts", "microsoft.keyvault/vaults":
		return (*parser).networkACLs
	case "microsoft.documentdb/databaseaccounts":
		return (*parser).cosmosAccount
	case "microsoft.network/virtualnetworks/subnets", "microsoft.network/networkinterfaces":
		return (*parser).nsgAttachment
	case "microsoft.network/virtualnetworks":
		return (*parser).virtualNetwork
	case "microsoft.containerservice/managedclusters":
		return (*parser).aksAPIServer
	}
	if _, ok := databasePort(typePath); ok {
		return (*parser).databaseRule
	}
	return nil
}
