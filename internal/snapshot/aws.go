package snapshot

import (
	"regexp"
	"strings"

	"cloudwall/internal/model"
	"cloudwall/internal/normalize/aws"
	"cloudwall/internal/normalize/jv"
)

// readAWS recognises the EC2 and Network Firewall describe outputs.
func readAWS(b *builder, m map[string]any, src model.SourceRef) (result, bool) {
	switch {
	case has(m, "SecurityGroups"):
		for g := range objs(m, "SecurityGroups") {
			b.add(securityGroup(g, src))
		}
	case has(m, "SecurityGroupRules"):
		for r := range objs(m, "SecurityGroupRules") {
			b.add(securityGroupRule(r, src))
		}
	case has(m, "NetworkAcls"):
		for a := range objs(m, "NetworkAcls") {
			b.add(networkACL(a, src))
		}
	case has(m, "NetworkInterfaces"):
		for n := range objs(m, "NetworkInterfaces") {
			b.interfaces = append(b.interfaces, networkInterface(n, src))
		}
	case has(m, "PrefixLists"):
		for _, p := range jv.Objs(m, "PrefixLists") {
			b.addList(PrefixList{
				ID:      jv.Str(p, "PrefixListId"),
				Name:    jv.Str(p, "PrefixListName"),
				Account: jv.Str(p, "OwnerId"),
				Version: intOr(p, "Version"),
				CIDRs:   strs(p, "Cidrs"),
				Source:  src,
			})
		}
	case has(m, "Entries") && len(jv.Objs(m, "Entries")) > 0 && jv.Has(jv.Objs(m, "Entries")[0], "Cidr"):
		return prefixListEntries(b, m, src), true
	case jv.Has(m, "Firewall", "FirewallPolicyArn"):
		b.add(networkFirewall(m, src))
	case has(m, "FirewallPolicyResponse"):
		b.add(firewallPolicy(m, src))
	case has(m, "RuleGroupResponse"):
		b.add(ruleGroup(m, src))
	default:
		return result{}, false
	}
	return recognised, true
}

// has reports a present key whose value is not null.
func has(m map[string]any, key string) bool {
	v, ok := m[key]
	return ok && v != nil
}

// prefixListID finds a list id in a file name: get-managed-prefix-list-entries
// prints the entries without the list's id, so users name the file after it.
var prefixListID = regexp.MustCompile(`pl-[0-9a-f]{8,17}`)

func prefixListEntries(b *builder, m map[string]any, src model.SourceRef) result {
	id := prefixListID.FindString(src.File)
	if id == "" {
		return result{err: "get-managed-prefix-list-entries output does not name its list: save it under a name holding the list id (pl-0123abcd.json)"}
	}
	pl := PrefixList{ID: id, Source: src}
	for _, e := range jv.Objs(m, "Entries") {
		if c := strings.TrimSpace(jv.Str(e, "Cidr")); c != "" {
			pl.CIDRs = append(pl.CIDRs, c)
		}
	}
	b.addList(pl)
	return recognised
}

// securityGroup reads one describe-security-groups group (PascalCase) or an
// AWS Config configuration (camelCase): every permission, one rule per
// peer, so each peer keeps its own description.
func securityGroup(g map[string]any, src model.SourceRef) model.Firewall {
	fw := model.Firewall{
		Cloud:    model.AWS,
		Account:  jv.Str(g, "OwnerId"),
		Resource: model.Resource{Type: "security_group", ID: jv.Str(g, "GroupId"), Name: jv.Str(g, "GroupName")},
		Network:  jv.Str(g, "VpcId"),
		Default:  jv.Str(g, "GroupName") == "default",
		Tags:     tags(g, "Tags"),
		Source:   src,
	}
	if d := jv.Str(g, "Description"); d != "" {
		fw.Settings = map[string]string{"description": d}
	}
	var perms [][]model.Rule
	n := 0
	for _, dir := range []struct {
		key string
		dir model.Direction
	}{{"IpPermissions", model.Ingress}, {"IpPermissionsEgress", model.Egress}} {
		for _, perm := range jv.Objs(g, dir.key) {
			rs := permissionRules(perm, dir.dir, fw.Resource.ID)
			perms, n = append(perms, rs), n+len(rs)
		}
	}
	// The rules of a whole account's groups are most of what a snapshot
	// holds once read: kept at their size, not at append's.
	if n > 0 {
		fw.Rules = make([]model.Rule, 0, n)
		for _, rs := range perms {
			fw.Rules = append(fw.Rules, rs...)
		}
	}
	return fw
}

// peerLists are the peer lists of an IpPermission, in the order read, and
// the list name the CloudTrail parser reads each element under. AWS Config
// writes each CIDR twice: ipv4Ranges [{cidrIp}] and the legacy ipRanges
// list of strings; both are read and a peer already read is not read again,
// so either serialisation, or both, gives the same rules.
var peerLists = []struct{ list, as string }{
	{"ipv4Ranges", "ipRanges"}, {"ipRanges", "ipRanges"}, {"ipv6Ranges", "ipv6Ranges"},
	{"prefixListIds", "prefixListIds"}, {"userIdGroupPairs", "userIdGroupPairs"},
}

// permissionRules splits one IpPermission into one rule per peer and reads
// each with the CloudTrail parser's code.
func permissionRules(perm map[string]any, dir model.Direction, self string) []model.Rule {
	var out []model.Rule
	base := map[string]any{}
	for _, k := range []string{"ipProtocol", "fromPort", "toPort"} {
		if v, ok := jv.Field(perm, k); ok {
			base[k] = v
		}
	}
	seen := map[model.Peer]bool{}
	for _, l := range peerLists {
		for _, e := range jv.Arr(perm, l.list) {
			one := clone(base)
			one[l.as] = []any{e}
			c, notes := aws.Permission(one, dir)
			if len(c.Peers) == 0 || seen[c.Peers[0]] {
				continue
			}
			seen[c.Peers[0]] = true
			out = append(out, toRule(c, jv.Str(e, "description"), notes))
		}
	}
	if len(out) == 0 {
		// A permission without peers is kept, so it is not lost.
		c, notes := aws.Permission(base, dir)
		out = append(out, toRule(c, "", append(notes, "permission names no peer")))
	}
	return out
}

func clone(m map[string]any) map[string]any {
	out := make(map[string]any, len(m)+1)
	for k, v := range m {
		out[k] = v
	}
	return out
}

// securityGroupRule reads one describe-security-group-rules entry as a
// partial group.
func securityGroupRule(r map[string]any, src model.SourceRef) model.Firewall {
	c, notes := aws.SecurityGroupRule(r)
	rule := toRule(c, jv.Str(r, "Description"), notes)
	rule.ID = jv.Str(r, "SecurityGroupRuleId")
	rule.Tags = tags(r, "Tags")
	return model.Firewall{
		Cloud:    model.AWS,
		Account:  jv.Str(r, "GroupOwnerId"),
		Resource: model.Resource{Type: "security_group", ID: jv.Str(r, "GroupId")},
		Rules:    []model.Rule{rule},
		Partial:  true,
		Source:   src,
	}
}

// networkACL reads one describe-network-acls ACL.
func networkACL(a map[string]any, src model.SourceRef) model.Firewall {
	fw := model.Firewall{
		Cloud:    model.AWS,
		Account:  jv.Str(a, "OwnerId"),
		Resource: model.Resource{Type: "network_acl", ID: jv.Str(a, "NetworkAclId"), Name: tagValue(a, "Name")},
		Network:  jv.Str(a, "VpcId"),
		Tags:     tags(a, "Tags"),
		Source:   src,
	}
	fw.Default, _ = jv.Bool(a, "IsDefault")
	for _, as := range jv.Objs(a, "Associations") {
		if s := jv.Str(as, "SubnetId"); s != "" {
			fw.AttachedTo = append(fw.AttachedTo, s)
		}
	}
	for _, e := range jv.Objs(a, "Entries") {
		c, notes := aws.ACLEntry(e)
		r := toRule(c, "", notes)
		n, _ := jv.Int(e, "RuleNumber")
		r.Builtin = n == 32767 || n == 32768
		fw.Rules = append(fw.Rules, r)
	}
	return fw
}

// networkInterface reads one describe-network-interfaces interface.
func networkInterface(n map[string]any, src model.SourceRef) Interface {
	eni := Interface{
		ID:      jv.Str(n, "NetworkInterfaceId"),
		Account: jv.Str(n, "OwnerId"),
		Network: jv.Str(n, "VpcId"),
		Subnet:  jv.Str(n, "SubnetId"),
		Source:  src,
	}
	for _, g := range jv.Objs(n, "Groups") {
		if id := jv.Str(g, "GroupId"); id != "" {
			eni.Groups = append(eni.Groups, id)
		}
	}
	addUniq := func(list *[]string, v string) {
		if v = strings.TrimSpace(v); v != "" {
			for _, x := range *list {
				if x == v {
					return
				}
			}
			*list = append(*list, v)
		}
	}
	addUniq(&eni.PrivateIPs, jv.Str(n, "PrivateIpAddress"))
	addUniq(&eni.PublicIPs, jv.Str(n, "Association", "PublicIp"))
	for _, p := range jv.Objs(n, "PrivateIpAddresses") {
		addUniq(&eni.PrivateIPs, jv.Str(p, "PrivateIpAddress"))
		addUniq(&eni.PublicIPs, jv.Str(p, "Association", "PublicIp"))
	}
	for _, a := range jv.Objs(n, "Ipv6Addresses") {
		addUniq(&eni.IPv6, jv.Str(a, "Ipv6Address"))
	}
	eni.Instance = jv.Str(n, "Attachment", "InstanceId")
	owner := jv.Str(n, "Attachment", "InstanceOwnerId")
	typ := strings.ToLower(jv.Str(n, "InterfaceType"))
	managed, _ := jv.Bool(n, "RequesterManaged")
	switch {
	case owner == "amazon-elb" || strings.HasSuffix(typ, "load_balancer"):
		eni.Kind, eni.Owner = InterfaceLoadBalancer, owner
	case eni.Instance != "" && !managed:
		eni.Kind = InterfaceInstance
	case managed || (owner != "" && owner != eni.Account):
		eni.Kind, eni.Owner = InterfaceManaged, first(owner, jv.Str(n, "RequesterId"))
	}
	return eni
}

// networkFirewall reads describe-firewall: the policy it enforces, the
// subnets it sits in, its protections.
func networkFirewall(m map[string]any, src model.SourceRef) model.Firewall {
	f := jv.Obj(m, "Firewall")
	fw := model.Firewall{
		Cloud:    model.AWS,
		Resource: model.Resource{Type: "network_firewall", ID: first(jv.Str(f, "FirewallArn"), jv.Str(f, "FirewallId")), Name: jv.Str(f, "FirewallName")},
		Network:  jv.Str(f, "VpcId"),
		Settings: map[string]string{model.SettingPolicy: jv.Str(f, "FirewallPolicyArn")},
		Source:   src,
	}
	fw.Account, fw.Region = arnAccountRegion(fw.Resource.ID)
	if b, ok := jv.Bool(f, "DeleteProtection"); ok {
		fw.Settings[model.SettingDeleteProtection] = boolText(b)
	}
	for _, s := range jv.Objs(f, "SubnetMappings") {
		if id := jv.Str(s, "SubnetId"); id != "" {
			fw.AttachedTo = append(fw.AttachedTo, id)
		}
	}
	return fw
}

// firewallPolicy reads describe-firewall-policy (shape from the API
// reference; no real sample): the stateless default actions and the rule
// groups it references, in priority order.
func firewallPolicy(m map[string]any, src model.SourceRef) model.Firewall {
	r := jv.Obj(m, "FirewallPolicyResponse")
	p := jv.Obj(m, "FirewallPolicy")
	fw := model.Firewall{
		Cloud:    model.AWS,
		Resource: model.Resource{Type: "firewall_policy", ID: first(jv.Str(r, "FirewallPolicyArn"), jv.Str(r, "FirewallPolicyId")), Name: jv.Str(r, "FirewallPolicyName")},
		Settings: map[string]string{},
		Source:   src,
	}
	fw.Account, fw.Region = arnAccountRegion(fw.Resource.ID)
	acts := strings.ToLower(strings.Join(jv.Strs(p, "StatelessDefaultActions"), ","))
	if acts != "" {
		fw.Settings["stateless_default_actions"] = acts
		if strings.Contains(acts, "aws:pass") {
			fw.Settings[model.SettingDefaultAction] = "allow"
		}
	}
	var groups []string
	for _, key := range []string{"StatelessRuleGroupReferences", "StatefulRuleGroupReferences"} {
		for _, g := range jv.Objs(p, key) {
			groups = append(groups, jv.Str(g, "ResourceArn"))
		}
	}
	if len(groups) > 0 {
		fw.Settings["rule_groups"] = strings.Join(groups, ",")
	}
	return fw
}

// ruleGroup reads describe-rule-group (shape from the API reference): the
// stateless rules with their priorities and 5-tuple matches.
func ruleGroup(m map[string]any, src model.SourceRef) model.Firewall {
	r := jv.Obj(m, "RuleGroupResponse")
	fw := model.Firewall{
		Cloud:    model.AWS,
		Resource: model.Resource{Type: "rule_group", ID: first(jv.Str(r, "RuleGroupArn"), jv.Str(r, "RuleGroupId")), Name: jv.Str(r, "RuleGroupName")},
		Source:   src,
	}
	fw.Account, fw.Region = arnAccountRegion(fw.Resource.ID)
	rs := jv.Obj(m, "RuleGroup", "RulesSource")
	for _, sr := range jv.Objs(rs, "StatelessRulesAndCustomActions", "StatelessRules") {
		def := jv.Obj(sr, "RuleDefinition")
		ma := jv.Obj(def, "MatchAttributes")
		var act model.Action
		for _, a := range jv.Strs(def, "Actions") {
			switch strings.ToLower(a) {
			case "aws:pass":
				act = model.Allow
			case "aws:drop":
				act = model.Deny
			}
		}
		prio, _ := jv.Int(sr, "Priority")
		base := model.RuleChange{Direction: model.Ingress, Action: act, Priority: model.IntPtr(prio), Name: itoa(prio)}
		for _, s := range jv.Objs(ma, "Sources") {
			if a := strings.TrimSpace(jv.Str(s, "AddressDefinition")); a != "" {
				base.Peers = append(base.Peers, model.Peer{Kind: model.PeerCIDR, Value: a})
			}
		}
		for _, d := range jv.Objs(ma, "Destinations") {
			if a := strings.TrimSpace(jv.Str(d, "AddressDefinition")); a != "" {
				base.Targets = append(base.Targets, a)
			}
		}
		for _, pr := range jv.Objs(ma, "DestinationPorts") {
			lo, _ := jv.Int(pr, "FromPort")
			hi, ok := jv.Int(pr, "ToPort")
			if !ok {
				hi = lo
			}
			if lo >= 0 && hi <= 65535 && lo <= hi {
				base.Ports = append(base.Ports, model.PortRange{From: lo, To: hi})
			}
		}
		protos := jv.Strs(ma, "Protocols")
		if len(protos) == 0 {
			protos = []string{"-1"}
		}
		for _, p := range protos {
			c := base
			c.Protocol = protocolName(p)
			if c.Protocol == "all" || len(c.Ports) == 0 && (c.Protocol == "tcp" || c.Protocol == "udp") {
				c.Ports = model.PortList{model.AllPortRange}
			}
			fw.Rules = append(fw.Rules, model.Rule{RuleChange: c})
		}
	}
	return fw
}

// tags reads [{Key,Value}] as "key=value".
func tags(m map[string]any, key string) []string {
	var out []string
	for _, t := range jv.Objs(m, key) {
		out = append(out, jv.Str(t, "Key")+"="+jv.Str(t, "Value"))
	}
	return out
}

func tagValue(m map[string]any, key string) string {
	for _, t := range jv.Objs(m, "Tags") {
		if jv.Str(t, "Key") == key {
			return jv.Str(t, "Value")
		}
	}
	return ""
}

// arnAccountRegion reads arn:aws:svc:region:account:...
func arnAccountRegion(arn string) (account, region string) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 || parts[0] != "arn" {
		return "", ""
	}
	return parts[4], parts[3]
}
