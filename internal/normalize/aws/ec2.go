package aws

import (
	"strings"

	"cloudwall/internal/model"
	"cloudwall/internal/normalize/jv"
)

// Security groups, the group sets of instances and network interfaces,
// network ACLs and managed prefix lists: the EC2 half of the catalogue
// (operations.md 1.2-1.4).

// sgResource sets the security group a call names: groupId (or the
// response's, for CreateSecurityGroup) and groupName.
func (p *parser) sgResource() {
	p.ev.Resource = model.Resource{
		Type: "security_group",
		ID:   first(p.scalar(jv.Get(p.req, "groupId"), "requestParameters.groupId"), jv.Str(p.resp, "groupId")),
		Name: p.scalar(jv.Get(p.req, "groupName"), "requestParameters.groupName"),
	}
}

// sgRules reads Authorize*/Revoke* calls. AWS canonicalises CIDRs, so the
// response's securityGroupRuleSet (one rule per sgr- id) is preferred when
// logged; request peers it does not account for are kept, never lost.
func (p *parser) sgRules(eff model.Effect, dir model.Direction) {
	p.sgResource()
	respKey := "securityGroupRuleSet"
	if eff == model.Removed {
		respKey = "revokedSecurityGroupRuleSet"
	}
	resp := p.responseRules(respKey, eff, dir)
	if p.ev.Resource.ID == "" && len(resp) > 0 {
		p.ev.Resource.ID = jv.Str(jv.Objs(p.resp, respKey)[0], "groupId")
	}
	changes := p.requestRules(eff, dir)
	if len(resp) > 0 {
		req := changes
		changes = resp
		for _, c := range req {
			if kept, ok := p.unmatched(resp, c, respKey); ok {
				changes = append(changes, kept)
			}
		}
	}
	if eff == model.Removed {
		changes = p.revokedIDs(changes, dir)
		if n := len(jv.Arr(p.resp, "unknownIpPermissionSet")); n > 0 {
			p.notef("%d requested rule(s) did not exist (responseElements.unknownIpPermissionSet)", n)
		}
	}
	if len(p.ev.Changes) == 0 {
		p.ev.Changes = changes
	} else {
		p.ev.Changes = append(p.ev.Changes, changes...)
	}
}

// unmatched returns the part of request rule c that the response rules do
// not show: its peers missing from them, or the whole rule when it names
// no peer and no response rule has its protocol and ports.
func (p *parser) unmatched(resp []model.RuleChange, c model.RuleChange, respKey string) (model.RuleChange, bool) {
	if len(c.Peers) == 0 {
		for _, d := range resp {
			if d.Protocol == c.Protocol && samePorts(d.Ports, c.Ports) {
				return c, false
			}
		}
		return c, true
	}
	var lost []model.Peer
	for _, pr := range c.Peers {
		if !covers(resp, c, pr) {
			lost = append(lost, pr)
			p.notef("request peer %s not in responseElements.%s; kept from request", pr, respKey)
		}
	}
	c.Peers = lost
	return c, len(lost) > 0
}

// requestRules reads requestParameters.ipPermissions and the flat CLI form
// (cidrIp, ipProtocol, fromPort, toPort), which EC2 logs with an empty
// ipPermissions.
func (p *parser) requestRules(eff model.Effect, dir model.Direction) []model.RuleChange {
	perms := jv.Get(p.req, "ipPermissions")
	p.expectObjects(perms, "requestParameters.ipPermissions")
	objs := jv.Objs(perms)
	out := make([]model.RuleChange, 0, len(objs)+1)
	for i, perm := range objs {
		w := where("ipPermissions", i)
		c := model.RuleChange{
			Effect:    eff,
			Direction: dir,
			Action:    model.Allow,
			Protocol:  protocolName(p.scalar(jv.Get(perm, "ipProtocol"), w+".ipProtocol")),
		}
		c.Ports = p.ports(c.Protocol, jv.Get(perm, "fromPort"), jv.Get(perm, "toPort"), w)
		c.Peers = p.permissionPeers(perm, w)
		out = append(out, c)
	}
	if c, ok := p.flatRule(eff, dir); ok {
		out = append(out, c)
	}
	return out
}

// permissionPeers reads the four peer lists of one IpPermission.
func (p *parser) permissionPeers(perm map[string]any, w string) []model.Peer {
	var peers []model.Peer
	add := func(list, key string, kind model.PeerKind) {
		v := jv.Get(perm, list)
		if v == nil {
			return
		}
		p.expectList(v, w+"."+list)
		for j, e := range elems(v) {
			ew := where(w+"."+list, j)
			val := member(e, key)
			if kind == model.PeerGroup && val == nil {
				val = member(e, "groupName")
			}
			if kind == model.PeerCIDR {
				if pr, ok := p.cidr(val, ew); ok {
					peers = append(peers, pr)
				}
				continue
			}
			if s := p.scalar(val, ew); s != "" {
				peers = append(peers, model.Peer{Kind: kind, Value: s})
			}
		}
	}
	add("ipRanges", "cidrIp", model.PeerCIDR)
	add("ipv6Ranges", "cidrIpv6", model.PeerCIDR)
	add("prefixListIds", "prefixListId", model.PeerPrefixList)
	add("groups", "groupId", model.PeerGroup)
	if !jv.Has(perm, "groups") {
		add("userIdGroupPairs", "groupId", model.PeerGroup)
	}
	return peers
}

// member reads key from a list element that is an object, or returns the
// element itself when an exporter flattened the list to bare values.
func member(e any, key string) any {
	if m, ok := e.(map[string]any); ok {
		return jv.Get(m, key)
	}
	return e
}

// flatRule reads the flat form of Authorize*/Revoke*.
func (p *parser) flatRule(eff model.Effect, dir model.Direction) (model.RuleChange, bool) {
	flat := false
	for _, k := range [...]string{"cidrIp", "cidrIpv6", "ipProtocol", "fromPort", "toPort", "sourceSecurityGroupName"} {
		flat = flat || jv.Has(p.req, k)
	}
	if !flat {
		return model.RuleChange{}, false
	}
	c := model.RuleChange{
		Effect:    eff,
		Direction: dir,
		Action:    model.Allow,
		Protocol:  protocolName(p.scalar(jv.Get(p.req, "ipProtocol"), "requestParameters.ipProtocol")),
	}
	c.Ports = p.ports(c.Protocol, jv.Get(p.req, "fromPort"), jv.Get(p.req, "toPort"), "requestParameters")
	for _, k := range [...]string{"cidrIp", "cidrIpv6"} {
		if pr, ok := p.cidr(jv.Get(p.req, k), "requestParameters."+k); ok {
			c.Peers = append(c.Peers, pr)
		}
	}
	if g := p.scalar(jv.Get(p.req, "sourceSecurityGroupName"), "requestParameters.sourceSecurityGroupName"); g != "" {
		c.Peers = append(c.Peers, model.Peer{Kind: model.PeerGroup, Value: g})
	}
	return c, true
}

// responseRules reads responseElements.securityGroupRuleSet (or, for
// revokes, revokedSecurityGroupRuleSet): one rule per sgr- id, with
// exactly one peer and its own isEgress.
func (p *parser) responseRules(key string, eff model.Effect, dir model.Direction) []model.RuleChange {
	var out []model.RuleChange
	for i, r := range jv.Objs(p.resp, key) {
		w := where("responseElements."+key, i)
		c := model.RuleChange{
			Effect:    eff,
			Direction: dir,
			Action:    model.Allow,
			Protocol:  protocolName(p.scalar(jv.Get(r, "ipProtocol"), w+".ipProtocol")),
			Name:      p.scalar(jv.Get(r, "securityGroupRuleId"), w+".securityGroupRuleId"),
		}
		if egress, ok := jv.Bool(r, "isEgress"); ok {
			c.Direction = model.Ingress
			if egress {
				c.Direction = model.Egress
			}
		}
		c.Ports = p.ports(c.Protocol, jv.Get(r, "fromPort"), jv.Get(r, "toPort"), w)
		if pr, ok := p.rulePeer(r, "cidrIpv4", "cidrIpv6", "prefixListId", w); ok {
			c.Peers = []model.Peer{pr}
		} else if g := jv.Str(r, "referencedGroupInfo", "groupId"); g != "" {
			c.Peers = []model.Peer{{Kind: model.PeerGroup, Value: g}}
		}
		out = append(out, c)
	}
	return out
}

// rulePeer reads the single peer of a SecurityGroupRule, whose keys are
// cidrIpv4/cidrIpv6/prefixListId in responses and CidrIpv4/... (the same,
// case aside) in ModifySecurityGroupRules requests.
func (p *parser) rulePeer(r map[string]any, v4, v6, pl, w string) (model.Peer, bool) {
	for _, k := range [...]string{v4, v6} {
		if pr, ok := p.cidr(jv.Get(r, k), w+"."+k); ok {
			return pr, true
		}
	}
	if s := p.scalar(jv.Get(r, pl), w+"."+pl); s != "" {
		return model.Peer{Kind: model.PeerPrefixList, Value: s}, true
	}
	return model.Peer{}, false
}

// revokedIDs adds the rules a revoke named by sgr- id that the response
// did not already describe. Their content is not logged.
func (p *parser) revokedIDs(changes []model.RuleChange, dir model.Direction) []model.RuleChange {
	v := jv.Get(p.req, "securityGroupRuleIds")
	p.expectList(v, "requestParameters.securityGroupRuleIds")
next:
	for _, id := range idsOf(v, "securityGroupRuleId") {
		for _, c := range changes {
			if c.Name == id {
				continue next
			}
		}
		changes = append(changes, model.RuleChange{
			Effect: model.Removed, Direction: dir, Action: model.Allow, Name: id,
		})
	}
	return changes
}

// modifySGRules reads ModifySecurityGroupRules, logged in PascalCase
// inside a ModifySecurityGroupRulesRequest wrapper; SecurityGroupRule is
// an object for one rule and an array for several.
func (p *parser) modifySGRules() {
	body := p.req
	if w := jv.Obj(p.req, "ModifySecurityGroupRulesRequest"); w != nil {
		body = w
	}
	p.ev.Resource = model.Resource{Type: "security_group", ID: p.scalar(jv.Get(body, "GroupId"), "GroupId")}
	rules := jv.Get(body, "SecurityGroupRule")
	if rules == nil {
		rules = jv.Get(body, "SecurityGroupRules")
	}
	p.expectObjects(rules, "SecurityGroupRule")
	for i, r := range jv.Objs(rules) {
		w := where("SecurityGroupRule", i)
		inner := jv.Obj(r, "SecurityGroupRule")
		if inner == nil {
			inner = r
		}
		c := model.RuleChange{
			Effect:   model.Altered,
			Action:   model.Allow,
			Protocol: protocolName(p.scalar(jv.Get(inner, "IpProtocol"), w+".IpProtocol")),
			Name:     p.scalar(jv.Get(r, "SecurityGroupRuleId"), w+".SecurityGroupRuleId"),
		}
		c.Ports = p.ports(c.Protocol, jv.Get(inner, "FromPort"), jv.Get(inner, "ToPort"), w)
		if pr, ok := p.rulePeer(inner, "CidrIpv4", "CidrIpv6", "PrefixListId", w); ok {
			c.Peers = []model.Peer{pr}
		} else if g := p.scalar(jv.Get(inner, "ReferencedGroupId"), w+".ReferencedGroupId"); g != "" {
			c.Peers = []model.Peer{{Kind: model.PeerGroup, Value: g}}
		}
		p.ev.Changes = append(p.ev.Changes, c)
	}
	if len(p.ev.Changes) > 0 {
		p.notef("ModifySecurityGroupRules does not log the rule's direction or previous content")
	}
}

// groupSet reads ModifyInstanceAttribute and ModifyNetworkInterfaceAttribute.
// Only the groupSet form swaps security groups; every other attribute
// (instanceType, userData, sourceDestCheck ...) yields no targets.
func (p *parser) groupSet(typ, idKey string) {
	p.ev.Resource = model.Resource{Type: typ, ID: p.scalar(jv.Get(p.req, idKey), "requestParameters."+idKey)}
	var ids []string
	switch {
	case jv.Has(p.req, "groupSet"):
		v := jv.Get(p.req, "groupSet")
		p.expectList(v, "requestParameters.groupSet")
		ids = idsOf(v, "groupId")
	case strings.EqualFold(jv.Str(p.req, "attribute"), "groupSet"):
		ids = idsOf(jv.Get(p.req, "value"), "groupId")
	default:
		return
	}
	if len(ids) == 0 {
		p.notef("groupSet is present but lists no security groups")
	}
	p.ev.Targets = ids
}

// naclEntry reads Create/Replace/DeleteNetworkAclEntry. A NACL rule is
// identified by ruleNumber and egress, so the number is both Priority and
// Name.
func (p *parser) naclEntry(eff model.Effect) {
	p.naclResource()
	if p.req == nil {
		return
	}
	c := model.RuleChange{Effect: eff}
	if v := jv.Get(p.req, "egress"); v != nil {
		if egress, ok := jv.Bool(v); ok {
			c.Direction = model.Ingress
			if egress {
				c.Direction = model.Egress
			}
		} else {
			p.notef("requestParameters.egress is %s, not a boolean", logged(v))
		}
	}
	if s := p.scalar(jv.Get(p.req, "ruleAction"), "requestParameters.ruleAction"); s != "" {
		if c.Action = action(s); c.Action == "" {
			p.notef("unknown ruleAction %q", s)
		}
	}
	c.Protocol = protocolName(p.scalar(jv.Get(p.req, "aclProtocol"), "requestParameters.aclProtocol"))
	c.Ports = p.ports(c.Protocol, jv.Get(p.req, "portRange", "from"), jv.Get(p.req, "portRange", "to"), "requestParameters.portRange")
	if v := jv.Get(p.req, "ruleNumber"); v != nil {
		if n, ok := jv.Int(v); ok {
			c.Priority, c.Name = model.IntPtr(n), itoa(n)
		} else {
			c.Name = p.scalar(v, "requestParameters.ruleNumber")
			p.notef("ruleNumber %s is not a number", logged(v))
		}
	}
	for _, k := range [...]string{"cidrBlock", "ipv6CidrBlock"} {
		if pr, ok := p.cidr(jv.Get(p.req, k), "requestParameters."+k); ok {
			c.Peers = append(c.Peers, pr)
		}
	}
	p.ev.Changes = append(p.ev.Changes, c)
}

// naclResource sets the network ACL a call names, or the one CreateNetworkAcl
// returned.
func (p *parser) naclResource() {
	p.ev.Resource = model.Resource{
		Type: "network_acl",
		ID: first(p.scalar(jv.Get(p.req, "networkAclId"), "requestParameters.networkAclId"),
			jv.Str(p.resp, "networkAcl", "networkAclId")),
	}
}

// naclAssociation reads ReplaceNetworkAclAssociation: the subnet
// association (the target) now points at the ACL in networkAclId.
func (p *parser) naclAssociation() {
	p.naclResource()
	if id := p.scalar(jv.Get(p.req, "associationId"), "requestParameters.associationId"); id != "" {
		p.ev.Targets = []string{id}
	}
}

// prefixList reads ModifyManagedPrefixList. The logged form is not
// confirmed: both the SDK member names (AddEntries) and the query names
// (AddEntry), bare or inside a ModifyManagedPrefixListRequest wrapper, are
// accepted.
func (p *parser) prefixList() {
	body := p.req
	if w := jv.Obj(p.req, "ModifyManagedPrefixListRequest"); w != nil {
		body = w
	}
	p.ev.Resource = model.Resource{
		Type: "prefix_list",
		ID:   first(p.scalar(jv.Get(body, "PrefixListId"), "PrefixListId"), jv.Str(p.resp, "prefixList", "prefixListId")),
		Name: jv.Str(p.resp, "prefixList", "prefixListName"),
	}
	if add := p.prefixEntries(body, "AddEntries", "AddEntry"); len(add) > 0 {
		p.ev.Changes = append(p.ev.Changes, model.RuleChange{Effect: model.Added, Peers: add})
	}
	if rm := p.prefixEntries(body, "RemoveEntries", "RemoveEntry"); len(rm) > 0 {
		p.ev.Changes = append(p.ev.Changes, model.RuleChange{Effect: model.Removed, Peers: rm})
	}
}

// prefixListCreate reads CreateManagedPrefixList: the new list's entries
// are CIDRs it admits from the start. Like ModifyManagedPrefixList, both
// the SDK (Entries) and query (Entry) spellings are accepted, bare or in a
// CreateManagedPrefixListRequest wrapper; the list id is in the response.
func (p *parser) prefixListCreate() {
	body := p.req
	if w := jv.Obj(p.req, "CreateManagedPrefixListRequest"); w != nil {
		body = w
	}
	p.ev.Resource = model.Resource{
		Type: "prefix_list",
		ID:   jv.Str(p.resp, "prefixList", "prefixListId"),
		Name: first(p.scalar(jv.Get(body, "PrefixListName"), "PrefixListName"), jv.Str(p.resp, "prefixList", "prefixListName")),
	}
	if add := p.prefixEntries(body, "Entries", "Entry"); len(add) > 0 {
		p.ev.Changes = append(p.ev.Changes, model.RuleChange{Effect: model.Added, Peers: add})
	}
}

// prefixEntries reads the CIDRs of a prefix-list entry list under the
// first of keys present.
func (p *parser) prefixEntries(body map[string]any, keys ...string) []model.Peer {
	var peers []model.Peer
	for _, k := range keys {
		v := jv.Get(body, k)
		if v == nil {
			continue
		}
		p.expectList(v, k)
		for i, e := range elems(v) {
			if pr, ok := p.cidr(member(e, "Cidr"), where(k, i)+".Cidr"); ok {
				peers = append(peers, pr)
			}
		}
		break
	}
	return peers
}

// expectList notes a list of values logged as something no reader can
// use: a number, a boolean, or broken JSON text. Plain text is accepted,
// since elems reads it as a one-element or comma-separated list.
func (p *parser) expectList(v any, w string) {
	switch t := v.(type) {
	case nil, []any, map[string]any:
		return
	case string:
		s := strings.TrimSpace(t)
		if !strings.HasPrefix(s, "[") && !strings.HasPrefix(s, "{") || jv.Arr(s) != nil {
			return
		}
	}
	p.notef("%s is %s, not a list; not read", w, logged(v))
}

// expectObjects notes a list of objects that holds none, unless it is
// empty: EC2 logs an empty list as {}.
func (p *parser) expectObjects(v any, w string) {
	switch t := v.(type) {
	case nil:
		return
	case []any:
		if len(t) == 0 {
			return
		}
	case map[string]any:
		if len(t) == 0 || jv.Arr(t) == nil {
			return
		}
	case string:
		if strings.TrimSpace(t) == "" {
			return
		}
	}
	if len(jv.Objs(v)) == 0 {
		p.notef("%s is %s, not a list of objects; not read", w, logged(v))
	}
}

// elems returns the elements of a list field; a plain text value stands
// for a one-element list.
func elems(v any) []any {
	if a := jv.Arr(v); a != nil {
		return a
	}
	if s, ok := v.(string); ok {
		if s = strings.TrimSpace(s); s != "" && !strings.HasPrefix(s, "[") && !strings.HasPrefix(s, "{") {
			return []any{s}
		}
	}
	return nil
}
