package azure

import (
	"strings"

	"cloudwall/internal/model"
	"cloudwall/internal/normalize/jv"
)

// Readers of single rules for configuration snapshots (package snapshot),
// sharing the event parsers' code so a rule reads the same from a log, an
// ARM GET or `az ... list`. Each returns the rules as added RuleChanges and
// the caveats found while reading them.

// SecurityRule reads one NSG security rule: ARM form ({"name",
// "properties":{...}}) or the flattened CLI form (properties at top level).
func SecurityRule(rule map[string]any) (model.RuleChange, []string) {
	p := &parser{ev: &model.Event{}}
	c := p.securityRule(jv.Str(rule, "name"), inner(rule))
	return c, p.ev.Notes
}

// RuleCollectionGroup reads an Azure Firewall Policy rule collection group
// (ARM or flattened): every rule of every collection.
func RuleCollectionGroup(group map[string]any) ([]model.RuleChange, []string) {
	p := &parser{ev: &model.Event{}, verb: "write", body: group, props: inner(group)}
	p.ruleCollectionGroup()
	return p.ev.Changes, dropReplaceNote(p.ev.Notes)
}

// AzureFirewall reads a classic Azure Firewall (ARM GET or flattened
// `az network firewall show`): the rules of its network, DNAT and
// application rule collections, as azureFirewalls/write reads them, and
// its settings (threat-intelligence mode, attached policy).
func AzureFirewall(fw map[string]any) ([]model.RuleChange, map[string]string, []string) {
	p := &parser{ev: &model.Event{}, verb: "write", body: fw, props: inner(fw)}
	p.azureFirewall()
	return p.ev.Changes, p.ev.Settings, dropReplaceNote(p.ev.Notes)
}

// DatabaseRule reads one SQL, PostgreSQL, MySQL or MariaDB server firewall
// rule; typePath is the rule's lower-case resource type
// ("microsoft.sql/servers/firewallrules") and decides the port.
func DatabaseRule(rule map[string]any, typePath string) (model.RuleChange, []string, bool) {
	p := &parser{ev: &model.Event{}, verb: "write", typePath: typePath,
		rid: jv.Str(rule, "id"), body: rule, props: inner(rule)}
	p.databaseRule()
	if len(p.ev.Changes) == 0 {
		return model.RuleChange{}, p.ev.Notes, false
	}
	return p.ev.Changes[0], dropReplaceNote(p.ev.Notes), true
}

// dropReplaceNote removes the event-only caveats ("write replaces ...",
// "create-or-update ..."), which say nothing about a snapshot.
func dropReplaceNote(notes []string) []string {
	var out []string
	for _, n := range notes {
		if !eventOnly(n) {
			out = append(out, n)
		}
	}
	return out
}

func eventOnly(note string) bool {
	return strings.Contains(note, "replaces the group's rules") || strings.Contains(note, "is create-or-update") ||
		strings.Contains(note, "replaces the firewall's classic rule collections") || strings.Contains(note, "any attached policy is detached")
}
