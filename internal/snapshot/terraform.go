package snapshot

import (
	"slices"
	"strings"
	"time"

	"cloudwall/internal/model"
	"cloudwall/internal/normalize/aws"
	"cloudwall/internal/normalize/azure"
	"cloudwall/internal/normalize/jv"
)

// Plan is one `terraform show -json` plan: what applying it would change.
type Plan struct {
	Source           model.SourceRef  `json:"source"`
	TerraformVersion string           `json:"terraform_version,omitempty"`
	AsOf             time.Time        `json:"as_of,omitzero"`
	Changes          []ResourceChange `json:"changes"`
}

// ResourceChange is one firewall resource a plan creates, updates,
// replaces or deletes, or one Terraform found changed outside Terraform
// (Drift, from resource_drift).
type ResourceChange struct {
	Address string   `json:"address"`
	Type    string   `json:"type"` // Terraform resource type
	Actions []string `json:"actions"`
	Drift   bool     `json:"drift,omitempty"`
	// Before and After are the firewall (or, for a standalone rule
	// resource, the part of it) before and after; nil on create and
	// delete respectively.
	Before *model.Firewall `json:"before,omitempty"`
	After  *model.Firewall `json:"after,omitempty"`
	// Unknown lists rule attributes known only after apply: they cannot
	// be judged from the plan.
	Unknown []string `json:"unknown,omitempty"`
	// Computed lists inline rule lists wholly unknown until apply
	// (ingress, egress, security_rule): the providers compute them when
	// the configuration leaves them out, so a group whose rules are
	// separate resources (judged on their own) shows them so; a dynamic
	// block over values known only after apply does too.
	Computed []string `json:"computed,omitempty"`
	// NewGroup marks a change to a security group this plan creates or
	// replaces (an aws_security_group created, or a rule whose
	// security_group_id is known only after apply): AWS creates the
	// group with an allow-all egress rule, which Terraform removes and the
	// configuration declares again when it wants it.
	NewGroup bool `json:"new_group,omitempty"`
	// Notes say how values known only after apply were read.
	Notes []string `json:"notes,omitempty"`
}

// tfTypes maps each Terraform resource type read to its reader and the
// attributes that carry rule content.
var tfTypes = map[string]struct {
	read  func(v map[string]any, addr string, src model.SourceRef) model.Firewall
	rules []string
}{
	// Attributes in computed are Optional+Computed: unknown at plan time
	// whenever the configuration leaves them unset, so they count only
	// when the rule has no peer otherwise. Inline rule lists are in
	// ruleBlocks.
	"aws_security_group":                  {tfSecurityGroup, nil},
	"aws_default_security_group":          {tfDefaultSecurityGroup, nil},
	"aws_default_network_acl":             {tfDefaultNetworkACL, nil},
	"aws_security_group_rule":             {tfSecurityGroupRule, []string{"cidr_blocks", "ipv6_cidr_blocks", "prefix_list_ids", "source_security_group_id", "from_port", "to_port", "protocol", "type"}},
	"aws_vpc_security_group_ingress_rule": {tfVPCRule(false), []string{"cidr_ipv4", "cidr_ipv6", "prefix_list_id", "referenced_security_group_id", "from_port", "to_port", "ip_protocol"}},
	"aws_vpc_security_group_egress_rule":  {tfVPCRule(true), []string{"cidr_ipv4", "cidr_ipv6", "prefix_list_id", "referenced_security_group_id", "from_port", "to_port", "ip_protocol"}},
	"aws_network_acl":                     {tfNetworkACL, nil},
	"aws_network_acl_rule":                {tfNetworkACLRule, []string{"cidr_block", "ipv6_cidr_block", "from_port", "to_port", "protocol", "rule_action", "rule_number", "egress"}},
	"azurerm_network_security_group":      {tfNSG, nil},
	"azurerm_network_security_rule":       {tfNSGRule, []string{"access", "direction", "priority", "protocol", "source_address_prefix", "source_address_prefixes", "destination_port_range", "destination_port_ranges", "destination_address_prefix", "destination_address_prefixes"}},
	"google_compute_firewall":             {tfGoogleFirewall, []string{"allow", "deny", "source_ranges", "destination_ranges", "source_tags", "target_tags", "source_service_accounts", "target_service_accounts", "direction", "priority", "disabled"}},
}

// ruleBlocks are the inline rule lists of a firewall resource, all
// Optional+Computed: wholly unknown at plan time when the configuration
// leaves them out (Computed), unknown in part when a block's values are
// (Unknown).
var ruleBlocks = map[string][]string{
	"aws_security_group":             {"ingress", "egress"},
	"aws_default_security_group":     {"ingress", "egress"},
	"aws_network_acl":                {"ingress", "egress"},
	"aws_default_network_acl":        {"ingress", "egress"},
	"azurerm_network_security_group": {"security_rule"},
}

// computed lists rule attributes that are Optional+Computed in the
// providers: unknown at plan time when left unset.
var computed = map[string]bool{
	"source_security_group_id": true, "destination_ranges": true, "source_ranges": true,
	"direction": true, "source_tags": true, "target_tags": true,
	"source_service_accounts": true, "target_service_accounts": true,
}

// readTerraform recognises `terraform show -json` output: a plan
// (resource_changes) or a state (values).
func readTerraform(b *builder, m map[string]any, src model.SourceRef) (result, bool) {
	if !has(m, "format_version") || !(has(m, "resource_changes") || has(m, "values") || has(m, "planned_values")) {
		return result{}, false
	}
	if major, _, _ := strings.Cut(jv.Str(m, "format_version"), "."); major != "0" && major != "1" {
		return result{err: "Terraform JSON format_version " + jv.Str(m, "format_version") + " is not known"}, true
	}
	if !has(m, "resource_changes") && !has(m, "planned_values") {
		n := 0
		walkModules(jv.Obj(m, "values", "root_module"), func(r map[string]any) {
			t, ok := tfTypes[jv.Str(r, "type")]
			if !ok || jv.Str(r, "mode") == "data" {
				return
			}
			n++
			b.add(withAddress(t.read(jv.Obj(r, "values"), jv.Str(r, "address"), src), jv.Str(r, "address")))
		})
		if n == 0 {
			return skipped("Terraform state without firewall resources"), true
		}
		return recognised, true
	}
	plan := Plan{Source: src, TerraformVersion: jv.Str(m, "terraform_version"), AsOf: parseTime(jv.Str(m, "timestamp"))}
	for _, list := range []string{"resource_changes", "resource_drift"} {
		for _, rc := range jv.Objs(m, list) {
			t, ok := tfTypes[jv.Str(rc, "type")]
			if !ok || jv.Str(rc, "mode") == "data" {
				continue
			}
			addr := jv.Str(rc, "address")
			ch := ResourceChange{Address: addr, Type: jv.Str(rc, "type"), Actions: strs(rc, "change", "actions"), Drift: list == "resource_drift"}
			if slices.Equal(ch.Actions, []string{"no-op"}) || slices.Equal(ch.Actions, []string{"read"}) {
				continue
			}
			if strings.HasPrefix(ch.Type, "aws_default_") && slices.Equal(ch.Actions, []string{"delete"}) {
				// Terraform only forgets a default group or NACL: its
				// rules stay as they are.
				continue
			}
			for _, side := range []struct {
				key string
				dst **model.Firewall
			}{{"before", &ch.Before}, {"after", &ch.After}} {
				if v := jv.Obj(rc, "change", side.key); v != nil {
					fw := withAddress(t.read(v, addr, src), addr)
					sortRules(&fw)
					if fw.Rules == nil {
						fw.Rules = []model.Rule{}
					}
					*side.dst = &fw
				}
			}
			unknown := jv.Obj(rc, "change", "after_unknown")
			forced, note := unknownGCPDefault(ch.After, unknown, jv.Obj(m, "configuration", "root_module"), addr)
			if note != "" {
				ch.Notes = append(ch.Notes, note)
			}
			unknownGCPPorts(ch.After, jv.Obj(rc, "change", "after"), unknown)
			peers := ch.After != nil && slices.ContainsFunc(ch.After.Rules, func(r model.Rule) bool { return len(r.Peers) > 0 })
			for _, k := range t.rules {
				// A wholly unknown Optional+Computed attribute is the
				// provider's value for one left unset; one unknown in
				// part, or forced, was set to values known after apply.
				if computed[k] && peers && jv.Get(unknown, k) == true && k != forced {
					continue
				}
				if anyTrue(jv.Get(unknown, k)) {
					ch.Unknown = append(ch.Unknown, k)
				}
			}
			for _, k := range ruleBlocks[ch.Type] {
				switch v := jv.Get(unknown, k); {
				case v == true:
					ch.Computed = append(ch.Computed, k)
				case anyTrue(v):
					ch.Unknown = append(ch.Unknown, k)
				}
			}
			switch ch.Type {
			case "aws_security_group", "aws_default_security_group":
				// Adopting the default group removes its rules, the
				// default egress among them, and declares them again.
				ch.NewGroup = slices.Contains(ch.Actions, "create")
			case "aws_security_group_rule", "aws_vpc_security_group_egress_rule", "aws_vpc_security_group_ingress_rule":
				ch.NewGroup = jv.Get(unknown, "security_group_id") == true
			}
			plan.Changes = append(plan.Changes, ch)
		}
	}
	b.plans = append(b.plans, plan)
	return recognised, true
}

// withAddress marks fw and its rules as declared at a Terraform address.
func withAddress(fw model.Firewall, addr string) model.Firewall {
	fw.Resource.Address = addr
	for i := range fw.Rules {
		fw.Rules[i].Address = addr
	}
	return fw
}

// anyTrue reports whether an after_unknown value holds true anywhere.
func anyTrue(v any) bool {
	switch t := v.(type) {
	case bool:
		return t
	case []any:
		return slices.ContainsFunc(t, anyTrue)
	case map[string]any:
		for _, e := range t {
			if anyTrue(e) {
				return true
			}
		}
	}
	return false
}

func walkModules(mod map[string]any, fn func(map[string]any)) {
	if mod == nil {
		return
	}
	for r := range objs(mod, "resources") {
		fn(r)
	}
	for c := range objs(mod, "child_modules") {
		walkModules(c, fn)
	}
}

// tfID is the cloud id when known, else the Terraform address.
func tfID(v map[string]any, key, addr string) string {
	return first(jv.Str(v, key), addr)
}

// tfPermission maps an inline ingress/egress block or a standalone
// aws_security_group_rule to an IpPermission.
func tfPermission(v map[string]any, self string) map[string]any {
	perm := map[string]any{"IpProtocol": jv.Get(v, "protocol"), "FromPort": jv.Get(v, "from_port"), "ToPort": jv.Get(v, "to_port")}
	var v4, v6, pls, groups []any
	for _, c := range strs(v, "cidr_blocks") {
		v4 = append(v4, map[string]any{"CidrIp": c})
	}
	for _, c := range strs(v, "ipv6_cidr_blocks") {
		v6 = append(v6, map[string]any{"CidrIpv6": c})
	}
	for _, p := range strs(v, "prefix_list_ids") {
		pls = append(pls, map[string]any{"PrefixListId": p})
	}
	for _, g := range append(strs(v, "security_groups"), strs(v, "source_security_group_id")...) {
		groups = append(groups, map[string]any{"GroupId": g})
	}
	if b, _ := jv.Bool(v, "self"); b {
		groups = append(groups, map[string]any{"GroupId": self})
	}
	perm["IpRanges"], perm["Ipv6Ranges"], perm["PrefixListIds"], perm["UserIdGroupPairs"] = v4, v6, pls, groups
	return perm
}

func withDescription(rules []model.Rule, desc string) []model.Rule {
	for i := range rules {
		rules[i].Description = strings.TrimSpace(desc)
	}
	return rules
}

func tfSecurityGroup(v map[string]any, addr string, src model.SourceRef) model.Firewall {
	id := tfID(v, "id", addr)
	fw := model.Firewall{
		Cloud:    model.AWS,
		Account:  jv.Str(v, "owner_id"),
		Resource: model.Resource{Type: "security_group", ID: id, Name: jv.Str(v, "name")},
		Network:  jv.Str(v, "vpc_id"),
		Default:  jv.Str(v, "name") == "default",
		Tags:     tfTags(v),
		Source:   src,
	}
	for _, d := range []struct {
		key string
		dir model.Direction
	}{{"ingress", model.Ingress}, {"egress", model.Egress}} {
		for _, blk := range jv.Objs(v, d.key) {
			fw.Rules = append(fw.Rules, withDescription(permissionRules(tfPermission(blk, id), d.dir, id), jv.Str(blk, "description"))...)
		}
	}
	return fw
}

// tfDefaultSecurityGroup reads aws_default_security_group: the VPC's
// default group, which Terraform adopts rather than creates.
func tfDefaultSecurityGroup(v map[string]any, addr string, src model.SourceRef) model.Firewall {
	fw := tfSecurityGroup(v, addr, src)
	fw.Default = true
	return fw
}

func tfSecurityGroupRule(v map[string]any, addr string, src model.SourceRef) model.Firewall {
	id := tfID(v, "security_group_id", addr)
	dir := model.Ingress
	if strings.EqualFold(jv.Str(v, "type"), "egress") {
		dir = model.Egress
	}
	rules := withDescription(permissionRules(tfPermission(v, id), dir, id), jv.Str(v, "description"))
	for i := range rules {
		rules[i].ID = jv.Str(v, "security_group_rule_id")
	}
	return model.Firewall{Cloud: model.AWS, Resource: model.Resource{Type: "security_group", ID: id}, Rules: rules, Partial: true, Source: src}
}

func tfVPCRule(egress bool) func(v map[string]any, addr string, src model.SourceRef) model.Firewall {
	return func(v map[string]any, addr string, src model.SourceRef) model.Firewall {
		r := map[string]any{
			"IpProtocol": jv.Get(v, "ip_protocol"), "FromPort": jv.Get(v, "from_port"), "ToPort": jv.Get(v, "to_port"),
			"CidrIpv4": jv.Get(v, "cidr_ipv4"), "CidrIpv6": jv.Get(v, "cidr_ipv6"), "PrefixListId": jv.Get(v, "prefix_list_id"),
			"IsEgress": egress,
		}
		if g := jv.Str(v, "referenced_security_group_id"); g != "" {
			r["ReferencedGroupInfo"] = map[string]any{"GroupId": g}
		}
		c, notes := aws.SecurityGroupRule(r)
		rule := toRule(c, jv.Str(v, "description"), notes)
		rule.ID = jv.Str(v, "security_group_rule_id")
		rule.Tags = tfTags(v)
		id := tfID(v, "security_group_id", addr)
		return model.Firewall{Cloud: model.AWS, Resource: model.Resource{Type: "security_group", ID: id}, Rules: []model.Rule{rule}, Partial: true, Source: src}
	}
}

// tfACLEntry maps a NACL block or aws_network_acl_rule to an entry.
func tfACLEntry(v map[string]any, egress any, numberKey, actionKey string) model.Rule {
	e := map[string]any{
		"RuleNumber": jv.Get(v, numberKey), "Egress": egress, "RuleAction": jv.Get(v, actionKey),
		"Protocol": jv.Get(v, "protocol"), "CidrBlock": jv.Get(v, "cidr_block"), "Ipv6CidrBlock": jv.Get(v, "ipv6_cidr_block"),
	}
	if jv.Has(v, "from_port") || jv.Has(v, "to_port") {
		e["PortRange"] = map[string]any{"From": jv.Get(v, "from_port"), "To": jv.Get(v, "to_port")}
	}
	c, notes := aws.ACLEntry(e)
	if c.Protocol != "all" && c.Protocol != "tcp" && c.Protocol != "udp" {
		c.Ports = nil
	}
	return toRule(c, "", notes)
}

func tfNetworkACL(v map[string]any, addr string, src model.SourceRef) model.Firewall {
	fw := model.Firewall{
		Cloud:      model.AWS,
		Account:    jv.Str(v, "owner_id"),
		Resource:   model.Resource{Type: "network_acl", ID: tfID(v, "id", addr)},
		Network:    jv.Str(v, "vpc_id"),
		AttachedTo: strs(v, "subnet_ids"),
		Tags:       tfTags(v),
		Source:     src,
	}
	for _, d := range []struct {
		key    string
		egress bool
	}{{"ingress", false}, {"egress", true}} {
		for _, blk := range jv.Objs(v, d.key) {
			fw.Rules = append(fw.Rules, tfACLEntry(blk, d.egress, "rule_no", "action"))
		}
	}
	return fw
}

// tfDefaultNetworkACL reads aws_default_network_acl, the VPC's default
// NACL, adopted rather than created.
func tfDefaultNetworkACL(v map[string]any, addr string, src model.SourceRef) model.Firewall {
	fw := tfNetworkACL(v, addr, src)
	fw.Default = true
	return fw
}

func tfNetworkACLRule(v map[string]any, addr string, src model.SourceRef) model.Firewall {
	egress, _ := jv.Bool(v, "egress")
	return model.Firewall{
		Cloud:    model.AWS,
		Resource: model.Resource{Type: "network_acl", ID: tfID(v, "network_acl_id", addr)},
		Rules:    []model.Rule{tfACLEntry(v, egress, "rule_number", "rule_action")},
		Partial:  true,
		Source:   src,
	}
}

// tfSecurityRule maps an azurerm security rule (inline or standalone) to
// the ARM properties.
func tfSecurityRule(r map[string]any) model.Rule {
	asgs := func(key string) []any {
		var out []any
		for _, id := range strs(r, key) {
			out = append(out, map[string]any{"id": id})
		}
		return out
	}
	props := map[string]any{
		"access": jv.Get(r, "access"), "direction": jv.Get(r, "direction"), "priority": jv.Get(r, "priority"),
		"protocol":             jv.Get(r, "protocol"),
		"destinationPortRange": jv.Get(r, "destination_port_range"), "destinationPortRanges": jv.Get(r, "destination_port_ranges"),
		"sourceAddressPrefix": jv.Get(r, "source_address_prefix"), "sourceAddressPrefixes": jv.Get(r, "source_address_prefixes"),
		"destinationAddressPrefix": jv.Get(r, "destination_address_prefix"), "destinationAddressPrefixes": jv.Get(r, "destination_address_prefixes"),
		"sourceApplicationSecurityGroups":      asgs("source_application_security_group_ids"),
		"destinationApplicationSecurityGroups": asgs("destination_application_security_group_ids"),
	}
	c, notes := azure.SecurityRule(map[string]any{"name": jv.Get(r, "name"), "properties": props})
	return toRule(c, jv.Str(r, "description"), notes)
}

func tfNSG(v map[string]any, addr string, src model.SourceRef) model.Firewall {
	id := tfID(v, "id", addr)
	sub, _ := armParts(id)
	fw := model.Firewall{
		Cloud:    model.Azure,
		Account:  sub,
		Region:   jv.Str(v, "location"),
		Resource: model.Resource{Type: "nsg", ID: id, Name: jv.Str(v, "name")},
		Tags:     tfTags(v),
		Source:   src,
	}
	for _, r := range jv.Objs(v, "security_rule") {
		fw.Rules = append(fw.Rules, tfSecurityRule(r))
	}
	return fw
}

func tfNSGRule(v map[string]any, addr string, src model.SourceRef) model.Firewall {
	rule := tfSecurityRule(v)
	rule.ID = jv.Str(v, "id")
	id := parentID(rule.ID)
	if id == "" {
		id = addr
		if rg, n := jv.Str(v, "resource_group_name"), jv.Str(v, "network_security_group_name"); rg != "" && n != "" {
			id = "resourceGroups/" + rg + "/providers/Microsoft.Network/networkSecurityGroups/" + n
		}
	}
	sub, _ := armParts(id)
	return model.Firewall{
		Cloud:    model.Azure,
		Account:  sub,
		Resource: model.Resource{Type: "nsg", ID: id, Name: first(jv.Str(v, "network_security_group_name"), lastSegment(id))},
		Rules:    []model.Rule{rule},
		Partial:  true,
		Source:   src,
	}
}

func tfGoogleFirewall(v map[string]any, addr string, src model.SourceRef) model.Firewall {
	entries := func(key string) []any {
		var out []any
		for _, e := range jv.Objs(v, key) {
			out = append(out, map[string]any{"IPProtocol": jv.Get(e, "protocol"), "ports": jv.Get(e, "ports")})
		}
		return out
	}
	rest := map[string]any{
		"name": jv.Get(v, "name"), "description": jv.Get(v, "description"),
		"direction": jv.Get(v, "direction"), "priority": jv.Get(v, "priority"), "disabled": jv.Get(v, "disabled"),
		"allowed": entries("allow"), "denied": entries("deny"),
		"sourceRanges": jv.Get(v, "source_ranges"), "destinationRanges": jv.Get(v, "destination_ranges"),
		"sourceTags": jv.Get(v, "source_tags"), "targetTags": jv.Get(v, "target_tags"),
		"sourceServiceAccounts": jv.Get(v, "source_service_accounts"), "targetServiceAccounts": jv.Get(v, "target_service_accounts"),
	}
	for k, x := range rest {
		if x == nil {
			delete(rest, k)
		}
	}
	net := jv.Str(v, "network")
	if !strings.Contains(net, "/") {
		if net == "" {
			net = addr
		} else if p := jv.Str(v, "project"); p != "" {
			net = "projects/" + p + "/global/networks/" + net
		}
	}
	rest["network"] = net
	fw := vpcRule(rest, src)
	fw.Account = first(fw.Account, jv.Str(v, "project"))
	return fw
}

// tfTags reads a Terraform tags map as "key=value".
func tfTags(v map[string]any) []string {
	var out []string
	for k, x := range jv.Obj(v, "tags") {
		if s, ok := x.(string); ok {
			out = append(out, k+"="+s)
		}
	}
	slices.Sort(out)
	return out
}
