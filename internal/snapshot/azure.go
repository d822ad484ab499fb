package snapshot

import (
	"slices"
	"strconv"
	"strings"

	"cloudwall/internal/model"
	"cloudwall/internal/normalize/azure"
	"cloudwall/internal/normalize/jv"
)

// readAzure recognises ARM resources (REST GET/list, where the splitter
// has already opened {"value":[...]}) and the flattened `az` CLI form.
func readAzure(b *builder, m map[string]any, src model.SourceRef) (result, bool) {
	typ := strings.ToLower(jv.Str(m, "type"))
	props := jv.Obj(m, "properties")
	flat := props == nil
	if flat {
		props = m
	}
	switch {
	case typ == "microsoft.network/networksecuritygroups" || has(props, "securityRules") || has(props, "defaultSecurityRules"):
		b.add(nsg(m, props, src))
	case strings.HasSuffix(typ, "/securityrules") || typ == "" && has(props, "access") && has(props, "direction") && has(props, "priority"):
		b.add(nsgRule(m, src))
	case strings.HasSuffix(typ, "/rulecollectiongroups") || has(props, "ruleCollections"):
		b.add(ruleCollectionGroup(m, props, src))
	case strings.HasSuffix(typ, "/firewallrules") || typ == "" && has(props, "startIpAddress") && has(props, "endIpAddress"):
		return databaseRule(b, m, typ, src), true
	case strings.HasPrefix(typ, "microsoft.storage/storageaccounts") && has(props, "networkAcls"):
		b.add(storageAccount(m, props, src))
	case typ == "microsoft.network/azurefirewalls" || typ == "" &&
		(has(props, "networkRuleCollections") || has(props, "natRuleCollections") || has(props, "applicationRuleCollections")):
		b.add(azureFirewall(m, src))
	case strings.HasPrefix(typ, "microsoft."):
		return skipped("Azure resource of type " + typ), true
	default:
		return result{}, false
	}
	return recognised, true
}

// armParts reads subscription and resource group from an ARM id.
func armParts(id string) (sub, rg string) {
	parts := strings.Split(id, "/")
	for i := 0; i+1 < len(parts); i++ {
		switch strings.ToLower(parts[i]) {
		case "subscriptions":
			sub = parts[i+1]
		case "resourcegroups":
			rg = parts[i+1]
		}
	}
	return sub, rg
}

// parentID cuts an ARM child id at its last two segments
// (…/networkSecurityGroups/nsg/securityRules/r -> …/networkSecurityGroups/nsg).
func parentID(id string) string {
	parts := strings.Split(strings.TrimRight(id, "/"), "/")
	if len(parts) < 3 {
		return ""
	}
	return strings.Join(parts[:len(parts)-2], "/")
}

func lastSegment(id string) string {
	return id[strings.LastIndex(id, "/")+1:]
}

func azureTags(m map[string]any) []string {
	var out []string
	for k, v := range jv.Obj(m, "tags") {
		if s, ok := v.(string); ok {
			out = append(out, k+"="+s)
		}
	}
	slices.Sort(out)
	return out
}

// armFirewall is the firewall an ARM resource m describes, before its
// rules: subscription, location, id, name and tags.
func armFirewall(m map[string]any, typ string, src model.SourceRef) model.Firewall {
	id := jv.Str(m, "id")
	sub, _ := armParts(id)
	return model.Firewall{
		Cloud:    model.Azure,
		Account:  sub,
		Region:   jv.Str(m, "location"),
		Resource: model.Resource{Type: typ, ID: id, Name: jv.Str(m, "name")},
		Tags:     azureTags(m),
		Source:   src,
	}
}

// nsg reads one network security group, ARM or CLI form: its own rules,
// the default rules (Builtin), and the NICs and subnets it is attached to.
func nsg(m, props map[string]any, src model.SourceRef) model.Firewall {
	fw := armFirewall(m, "nsg", src)
	fw.GUID = strings.ToLower(first(jv.Str(props, "resourceGuid"), jv.Str(m, "resourceGuid")))
	for _, key := range []string{"securityRules", "defaultSecurityRules"} {
		for _, r := range jv.Objs(props, key) {
			c, notes := azure.SecurityRule(r)
			rule := toRule(c, first(jv.Str(r, "properties", "description"), jv.Str(r, "description")), notes)
			rule.ID = jv.Str(r, "id")
			rule.Builtin = key == "defaultSecurityRules"
			fw.Rules = append(fw.Rules, rule)
		}
	}
	for _, key := range []string{"networkInterfaces", "subnets"} {
		for _, o := range jv.Objs(props, key) {
			if s := jv.Str(o, "id"); s != "" {
				fw.AttachedTo = append(fw.AttachedTo, s)
			}
		}
	}
	return fw
}

// nsgRule reads one security rule listed on its own
// (`az network nsg rule list`, a securityRules GET) as a partial NSG.
func nsgRule(m map[string]any, src model.SourceRef) model.Firewall {
	id := jv.Str(m, "id")
	c, notes := azure.SecurityRule(m)
	rule := toRule(c, first(jv.Str(m, "properties", "description"), jv.Str(m, "description")), notes)
	rule.ID = id
	rule.Builtin = strings.Contains(strings.ToLower(id), "/defaultsecurityrules/")
	parent := parentID(id)
	sub, _ := armParts(id)
	return model.Firewall{
		Cloud:    model.Azure,
		Account:  sub,
		Resource: model.Resource{Type: "nsg", ID: parent, Name: lastSegment(parent)},
		Rules:    []model.Rule{rule},
		Partial:  true,
		Source:   src,
	}
}

// ruleCollectionGroup reads an Azure Firewall Policy rule collection group.
func ruleCollectionGroup(m, props map[string]any, src model.SourceRef) model.Firewall {
	id := jv.Str(m, "id")
	sub, _ := armParts(id)
	fw := model.Firewall{
		Cloud:    model.Azure,
		Account:  sub,
		Resource: model.Resource{Type: "rule_collection_group", ID: id, Name: jv.Str(m, "name")},
		Source:   src,
	}
	if p, ok := jv.Int(props, "priority"); ok {
		fw.Settings = map[string]string{"priority": itoa(p)}
	}
	body := map[string]any{"name": jv.Str(m, "name"), "properties": props}
	changes, notes := azure.RuleCollectionGroup(body)
	for _, c := range changes {
		fw.Rules = append(fw.Rules, toRule(c, "", notesFor(c.Name, notes)))
	}
	return fw
}

// azureFirewall reads a classic Azure Firewall: the rules of its classic
// rule collections (DNAT and network rules ingress, application rules
// egress), read by the code that reads azureFirewalls/write, and its
// settings. A firewall managed by a Firewall Policy names it in Settings;
// the policy's rule collection groups are snapshots of their own.
func azureFirewall(m map[string]any, src model.SourceRef) model.Firewall {
	changes, settings, notes := azure.AzureFirewall(m)
	fw := armFirewall(m, "azure_firewall", src)
	if len(settings) > 0 {
		fw.Settings = settings
	}
	for _, c := range changes {
		fw.Rules = append(fw.Rules, toRule(c, "", notesFor(c.Name, notes)))
	}
	return fw
}

// notesFor keeps the notes about one rule of a firewall read whole: those
// naming it (`rule "NAME": …`) and those naming no rule.
func notesFor(name string, notes []string) []string {
	var out []string
	for _, n := range notes {
		if !strings.HasPrefix(n, `rule "`) || strings.HasPrefix(n, "rule "+strconv.Quote(name)+":") {
			out = append(out, n)
		}
	}
	return out
}

// databaseRule reads one SQL/PostgreSQL/MySQL server firewall rule into
// its server's firewall.
func databaseRule(b *builder, m map[string]any, typ string, src model.SourceRef) result {
	id := jv.Str(m, "id")
	if typ == "" {
		typ = "microsoft.sql/servers/firewallrules" // az sql server firewall-rule list without type
	}
	c, notes, ok := azure.DatabaseRule(m, typ)
	if !ok {
		return result{err: "firewall rule without an address range"}
	}
	server := parentID(id)
	sub, _ := armParts(id)
	rule := toRule(c, "", notes)
	rule.ID = id
	b.add(model.Firewall{
		Cloud:    model.Azure,
		Account:  sub,
		Resource: model.Resource{Type: "sql_server", ID: server, Name: lastSegment(server)},
		Rules:    []model.Rule{rule},
		Partial:  true,
		Source:   src,
	})
	return recognised
}

// storageAccount reads a storage account's network rules: the default
// action and the allowed address rules.
func storageAccount(m, props map[string]any, src model.SourceRef) model.Firewall {
	acl := jv.Obj(props, "networkAcls")
	fw := armFirewall(m, "storage_account", src)
	fw.Settings = map[string]string{}
	if a := strings.ToLower(jv.Str(acl, "defaultAction")); a != "" {
		fw.Settings[model.SettingDefaultAction] = a
	}
	if a := strings.ToLower(jv.Str(props, "publicNetworkAccess")); a != "" {
		fw.Settings[model.SettingPublicAccess] = a
	}
	// Blob, file, queue and table endpoints: HTTPS, and HTTP unless the
	// account requires secure transfer.
	ports := model.PortList{{From: 443, To: 443}}
	if https, ok := jv.Bool(props, "supportsHttpsTrafficOnly"); ok && !https {
		ports = model.PortList{{From: 80, To: 80}, {From: 443, To: 443}}
	}
	for _, r := range jv.Objs(acl, "ipRules") {
		v := strings.TrimSpace(jv.Str(r, "value"))
		if v == "" {
			continue
		}
		act := model.Allow
		if strings.EqualFold(jv.Str(r, "action"), "deny") {
			act = model.Deny
		}
		fw.Rules = append(fw.Rules, model.Rule{RuleChange: model.RuleChange{
			Direction: model.Ingress, Action: act, Protocol: "tcp",
			Ports: ports, Peers: []model.Peer{{Kind: model.PeerCIDR, Value: v}}, Name: v,
		}})
	}
	return fw
}
