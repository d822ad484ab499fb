package gcp

import (
	"slices"
	"strconv"
	"strings"

	"cloudwall/internal/model"
	"cloudwall/internal/normalize/jv"
)

// defaultVPCPriority is the priority GCP gives a VPC firewall rule inserted
// without one.
const defaultVPCPriority = 1000

// Database ports a Cloud SQL authorized network opens, by engine.
const (
	portMySQL     = 3306
	portPostgres  = 5432
	portSQLServer = 1433
)

// vpcFirewall reads compute.firewalls.insert, update (whole rule), patch
// (only the fields sent) and delete.
func (r *reader) vpcFirewall(verb string) {
	var effect model.Effect
	whole := true
	if verb != "insert" {
		r.original()
	}
	switch verb {
	case "delete":
		// The delete entry logs no request: the name is all there is.
		r.add(model.RuleChange{Effect: model.Removed, Name: r.ev.Resource.Name})
		return
	case "insert":
		effect = model.Added
	case "update":
		effect = model.Altered
	case "patch":
		effect, whole = model.Altered, false
	default:
		return
	}
	if !r.sent() {
		return // the completion entry, or a request that was not logged
	}
	fw := ruleBody(r.req, "firewallResource")
	r.ev.Network = strings.TrimSpace(jv.Str(fw, "network"))
	srcRanges := trimmed(fw, "sourceRanges")
	srcTags := trimmed(fw, "sourceTags")
	srcSAs := trimmed(fw, "sourceServiceAccounts")
	dstRanges := trimmed(fw, "destinationRanges")

	spec := ruleSpec{
		effect:    effect,
		direction: r.direction(fw),
		priority:  r.priority(fw),
		name:      firstNonEmpty(jv.Str(fw, "name"), r.ev.Resource.Name),
		targets:   slices.Concat(trimmed(fw, "targetTags"), trimmed(fw, "targetServiceAccounts")),
	}
	if spec.direction == "" {
		if whole {
			spec.direction = model.Ingress // the API default
		} else {
			spec.direction = inferDirection(len(srcRanges)+len(srcTags)+len(srcSAs), len(dstRanges))
		}
	}
	if whole && !jv.Has(fw, "priority") {
		spec.priority = model.IntPtr(defaultVPCPriority)
	}
	if spec.direction == model.Egress {
		spec.peers = r.cidrPeers(dstRanges)
		// On an egress rule, source ranges narrow which VMs it governs.
		spec.targets = append(spec.targets, srcRanges...)
		if whole && len(dstRanges) == 0 {
			spec.peers = []model.Peer{{Kind: model.PeerCIDR, Value: "0.0.0.0/0"}}
			r.note("no destination given: GCP defaults to 0.0.0.0/0")
		}
	} else {
		spec.peers = r.cidrPeers(srcRanges)
		spec.peers = append(spec.peers, namedPeers(srcTags, model.PeerTag, "")...)
		spec.peers = append(spec.peers, namedPeers(srcSAs, model.PeerServiceAccount, "")...)
		// On an ingress rule, destination ranges narrow which VM addresses it governs.
		spec.targets = append(spec.targets, dstRanges...)
		if whole && spec.direction == model.Ingress && len(srcRanges)+len(srcTags)+len(srcSAs) == 0 {
			spec.peers = []model.Peer{{Kind: model.PeerCIDR, Value: "0.0.0.0/0"}}
			r.note("no source given: GCP defaults to 0.0.0.0/0")
		}
	}
	r.setBool(fw, "disabled", model.SettingDisabled)
	if !whole {
		// Only a patch: logging off is an insert's default, and a PUT
		// sends it whether or not it changed.
		r.setBool(jv.Obj(fw, "logConfig"), "enable", model.SettingLogging)
		r.ev.Sent = patchedFields(fw)
	}

	n := len(r.ev.Changes)
	// Audit logs say alloweds/denieds; the REST body, which some exporters
	// copy, says allowed/denied.
	lists := [...]struct {
		key    string
		action model.Action
	}{{"alloweds", model.Allow}, {"allowed", model.Allow}, {"denieds", model.Deny}, {"denied", model.Deny}}
	for _, l := range lists {
		for _, e := range r.objs(fw, l.key) {
			proto, ports := r.protoPorts(jv.Str(e, "IPProtocol"), jv.Strs(e, "ports"))
			r.add(spec.change(l.action, proto, ports))
		}
	}
	if len(r.ev.Changes) > n {
		return
	}
	// No protocol entries: a patch that changed only peers or targets still
	// changed the rule's reach; an insert without entries is malformed but
	// its peers are worth keeping.
	if whole {
		r.note("rule %q has no allowed or denied entries", spec.name)
		r.add(spec.change("", "", nil))
	} else if len(spec.peers)+len(spec.targets) > 0 || jv.Has(fw, "direction") || jv.Has(fw, "priority") {
		r.add(spec.change("", "", nil))
	} else {
		r.ev.Descriptive = descriptive(fw)
	}
}

// original reads the rule as it was before the call, which the
// completion entry of a patch, update or delete logs in
// resourceOriginalState (the whole rule in the real entries seen), into
// Event.Original. A state without protocol entries says nothing of what
// the rule admits and is left out.
func (r *reader) original() {
	if len(r.orig) == 0 || !slices.ContainsFunc([]string{"alloweds", "allowed", "denieds", "denied"}, func(k string) bool { return jv.Has(r.orig, k) }) {
		return
	}
	o := &reader{ev: &model.Event{Resource: r.ev.Resource}, req: r.orig}
	o.vpcFirewall("insert")
	for _, ch := range o.ev.Changes {
		if ch.Action != "" {
			r.ev.Original = append(r.ev.Original, ch)
		}
	}
	if len(r.ev.Original) > 0 {
		r.ev.OriginalAt = r.ev.Source
	}
	if len(r.ev.Original) > 0 && model.SettingIs(o.ev.Settings, model.SettingDisabled, "true") {
		r.ev.OriginalDisabled = true
		r.note("rule %q was disabled before the call (resourceOriginalState)", r.ev.Resource.Name)
	}
}

// listFields are the list fields of a VPC firewall rule a patch replaces
// one by one (Event.Sent).
var listFields = []string{"sourceRanges", "sourceTags", "sourceServiceAccounts", "destinationRanges", "targetTags", "targetServiceAccounts"}

// patchedFields lists, in lower case, the list fields a patch sent, an
// empty list included (it clears the field); never nil.
func patchedFields(fw map[string]any) []string {
	out := []string{}
	for _, k := range listFields {
		if _, ok := jv.Field(fw, k); ok {
			out = append(out, strings.ToLower(k))
		}
	}
	return out
}

// descriptiveFields are the fields of a firewall rule that describe it
// and decide no one's access, lower case.
var descriptiveFields = map[string]bool{"@type": true, "name": true, "description": true, "logconfig": true}

// descriptive returns the fields a patch sent, sorted, when all of them
// are descriptive; nil when any other was sent.
func descriptive(fw map[string]any) []string {
	var out []string
	for k := range fw {
		if !descriptiveFields[strings.ToLower(k)] {
			return nil
		}
		if k != "@type" && !strings.EqualFold(k, "name") {
			out = append(out, k) // the name says which rule; it cannot change
		}
	}
	slices.Sort(out)
	return out
}

// The fields a request may wrap one rule in: the audit log's request is
// the rule itself, flat; the client libraries' request messages name it
// firewallPolicyRuleResource, securityPolicyRuleResource or rule, and the
// gcloud (apitools) messages firewallPolicyRule, securityPolicyRule or
// firewallRule (ComputeFirewallPoliciesAddRuleRequest,
// AppengineAppsFirewallIngressRulesCreateRequest).
var (
	policyRuleWrappers = []string{"firewallPolicyRuleResource", "firewallPolicyRule", "rule"}
	armorRuleWrappers  = []string{"securityPolicyRuleResource", "securityPolicyRule", "rule"}
	gaeRuleWrappers    = []string{"rule", "firewallRule"}
)

// firewallPolicy reads hierarchical (firewallPolicies) and network
// (networkFirewallPolicies, regionNetworkFirewallPolicies) firewall policies.
func (r *reader) firewallPolicy(verb string) {
	if verb == "removerule" {
		// The priority travels as a query parameter; it is logged in some
		// entries only.
		if !r.completion {
			r.add(model.RuleChange{Effect: model.Removed, Priority: r.priority(r.req)})
		}
		return
	}
	if !r.sent() {
		return
	}
	switch verb {
	case "addrule":
		r.policyRule(ruleBody(r.req, policyRuleWrappers...), model.Added)
	case "patchrule":
		r.policyRule(ruleBody(r.req, policyRuleWrappers...), model.Altered)
	case "insert", "patch":
		effect := model.Added
		if verb == "patch" {
			effect = model.Altered
		}
		for _, rule := range r.objs(ruleBody(r.req, "firewallPolicyResource"), "rules") {
			r.policyRule(rule, effect)
		}
	case "addassociation":
		r.target(firstNonEmpty(
			jv.Str(r.req, "attachmentTarget"),
			jv.Str(r.req, "firewallPolicyAssociationResource", "attachmentTarget"),
			jv.Str(r.req, "association", "attachmentTarget")))
	case "removeassociation":
		r.target(jv.Str(r.req, "name"))
	case "clonerules":
		r.target(jv.Str(r.req, "sourceFirewallPolicy"))
	case "move":
		r.target(jv.Str(r.req, "parentId"))
	}
}

// target appends a non-empty value to Event.Targets.
func (r *reader) target(s string) {
	if s = strings.TrimSpace(s); s != "" {
		r.ev.Targets = append(r.ev.Targets, s)
	}
}

// policyRule reads one firewall policy rule: one change per layer4Config.
func (r *reader) policyRule(rule map[string]any, effect model.Effect) {
	match := jv.Obj(rule, "match")
	srcRanges := trimmed(match, "srcIpRanges")
	dstRanges := trimmed(match, "destIpRanges")
	src := r.cidrPeers(srcRanges)
	src = append(src, namedPeers(secureTags(match, "srcSecureTags"), model.PeerTag, "")...)
	src = append(src, namedPeers(trimmed(match, "srcFqdns"), model.PeerOther, "fqdn:")...)
	src = append(src, namedPeers(trimmed(match, "srcRegionCodes"), model.PeerOther, "region:")...)
	src = append(src, namedPeers(trimmed(match, "srcAddressGroups"), model.PeerOther, "address-group:")...)
	src = append(src, namedPeers(trimmed(match, "srcThreatIntelligences"), model.PeerOther, "threat-intel:")...)
	dst := r.cidrPeers(dstRanges)
	dst = append(dst, namedPeers(trimmed(match, "destFqdns"), model.PeerOther, "fqdn:")...)
	dst = append(dst, namedPeers(trimmed(match, "destRegionCodes"), model.PeerOther, "region:")...)
	dst = append(dst, namedPeers(trimmed(match, "destAddressGroups"), model.PeerOther, "address-group:")...)
	dst = append(dst, namedPeers(trimmed(match, "destThreatIntelligences"), model.PeerOther, "threat-intel:")...)

	spec := ruleSpec{
		effect:    effect,
		direction: r.direction(rule),
		priority:  r.priority(rule),
		name:      strings.TrimSpace(jv.Str(rule, "ruleName")),
	}
	if spec.direction == "" {
		spec.direction = inferDirection(len(src), len(dst))
	}
	if spec.direction == model.Egress {
		spec.peers = dst
		spec.targets = slices.Clone(srcRanges)
	} else {
		spec.peers = src
		spec.targets = slices.Clone(dstRanges)
	}
	spec.targets = slices.Concat(spec.targets, trimmed(rule, "targetServiceAccounts"),
		secureTags(rule, "targetSecureTags"), trimmed(rule, "targetResources"))
	r.setBool(rule, "disabled", model.SettingDisabled)

	act := action(jv.Str(rule, "action"))
	l4 := r.objs(match, "layer4Configs")
	for _, c := range l4 {
		proto, ports := r.protoPorts(jv.Str(c, "ipProtocol"), jv.Strs(c, "ports"))
		r.add(spec.change(act, proto, ports))
	}
	if len(l4) == 0 {
		r.add(spec.change(act, "", nil))
	}
}

// securityPolicy reads Cloud Armor policies and their rules.
func (r *reader) securityPolicy(verb string) {
	if verb == "removerule" {
		if !r.completion {
			r.add(model.RuleChange{Effect: model.Removed, Direction: model.Ingress, Priority: r.priority(r.req)})
		}
		return
	}
	if !r.sent() {
		return
	}
	switch verb {
	case "addrule":
		r.armorRule(ruleBody(r.req, armorRuleWrappers...), model.Added)
	case "patchrule":
		r.armorRule(ruleBody(r.req, armorRuleWrappers...), model.Altered)
	case "insert", "patch", "update":
		effect := model.Added
		if verb != "insert" {
			effect = model.Altered
		}
		for _, rule := range r.objs(ruleBody(r.req, "securityPolicyResource"), "rules") {
			r.armorRule(rule, effect)
		}
	}
}

// armorRule reads one Cloud Armor rule. Rules match on source ranges
// (versionedExpr SRC_IPS_V1) or on a CEL expression, which is noted, not
// evaluated.
func (r *reader) armorRule(rule map[string]any, effect model.Effect) {
	c := model.RuleChange{
		Effect:    effect,
		Direction: model.Ingress,
		Action:    action(jv.Str(rule, "action")),
		Peers:     r.cidrPeers(trimmed(rule, "match", "config", "srcIpRanges")),
		Priority:  r.priority(rule),
	}
	if expr := strings.TrimSpace(jv.Str(rule, "match", "expr", "expression")); expr != "" {
		if len(expr) > maxExprNote {
			expr = expr[:maxExprNote] + "…"
		}
		r.note("Cloud Armor rule matches a CEL expression, not read as peers: %q", expr)
	}
	r.setBool(rule, "preview", model.SettingPreview)
	r.add(c)
}

// backendService reads the Cloud Armor policy attached to a backend
// service. An empty policy detaches it.
func (r *reader) backendService(verb string) {
	switch verb {
	case "setsecuritypolicy", "setedgesecuritypolicy":
		// The detach request has no fields at all, so only the completion
		// entry's bare request says nothing.
		if r.req != nil && !r.completion {
			r.set(model.SettingPolicy, jv.Str(r.req, "securityPolicy"))
		}
	case "patch", "update":
		if v, ok := jv.Field(r.req, "securityPolicy"); ok {
			r.set(model.SettingPolicy, jv.Str(v))
		}
	}
}

// setTags reads instances.setTags: the new network tags decide which
// firewall rules apply to the instance.
func (r *reader) setTags() {
	if r.req == nil || r.completion {
		return
	}
	var tags []string
	if _, ok := jv.Field(r.req, "tags"); ok {
		tags = trimmed(r.req, "tags")
	} else {
		tags = trimmed(r.req, "items")
	}
	r.ev.Targets = append(r.ev.Targets, tags...)
}

// networkPatch reads the firewall policy enforcement order of a VPC network.
func (r *reader) networkPatch() {
	if v := jv.Str(r.req, "networkFirewallPolicyEnforcementOrder"); v != "" {
		r.set(settingEnforcementOrder, v)
	}
}

// cloudSQL reads authorized networks and public IP of a Cloud SQL instance.
// The authorized networks become one ingress allow rule on the database port.
func (r *reader) cloudSQL(verb string) {
	var effect model.Effect
	switch verb {
	case "create", "insert":
		effect = model.Added
	case "patch", "update":
		// The list sent replaces the instance's whole list.
		effect = model.Altered
	default:
		return
	}
	if !r.sent() {
		return
	}
	body := ruleBody(r.req, "body")
	ipc := jv.Obj(body, "settings", "ipConfiguration")
	if ipc == nil {
		return
	}
	r.setBool(ipc, "ipv4Enabled", model.SettingPublicIP)
	nets, ok := jv.Field(ipc, "authorizedNetworks")
	if !ok || nets == nil {
		return
	}
	var vals []string
	for _, n := range jv.Arr(nets) {
		vals = append(vals, firstNonEmpty(jv.Str(n, "value"), jv.Str(n)))
	}
	if len(vals) == 0 {
		// An empty list sent: a create admits no network, a patch or
		// update removes every authorized network (it closes access).
		if effect == model.Added {
			return
		}
		effect = model.Removed
	}
	port := r.sqlPort(jv.Str(body, "databaseVersion"))
	r.add(model.RuleChange{
		Effect:    effect,
		Direction: model.Ingress,
		Action:    model.Allow,
		Protocol:  "tcp",
		Ports:     model.PortList{{From: port, To: port}},
		Peers:     r.cidrPeers(vals),
	})
}

// sqlPort returns the port an engine listens on. A patch rarely sends the
// databaseVersion; MySQL's port is assumed then, with a note.
func (r *reader) sqlPort(version string) int {
	v := strings.ToUpper(strings.TrimSpace(version))
	switch {
	case strings.HasPrefix(v, "POSTGRES"):
		return portPostgres
	case strings.HasPrefix(v, "SQLSERVER"):
		return portSQLServer
	case strings.HasPrefix(v, "MYSQL"):
		return portMySQL
	case v == "":
		r.note("database version not logged: MySQL port 3306 assumed")
	default:
		r.note("unknown database version %q: MySQL port 3306 assumed", version)
	}
	return portMySQL
}

// appEngine reads the App Engine firewall's ingress rules. A rule's id is
// its priority, the last segment of its name.
func (r *reader) appEngine(verb string) {
	switch verb {
	case "deleteingressrule":
		if r.completion {
			return
		}
		name := lastSegment(firstNonEmpty(jv.Str(r.req, "name"), r.ev.Resource.ID))
		c := model.RuleChange{Effect: model.Removed, Direction: model.Ingress, Name: name}
		if p, err := strconv.Atoi(name); err == nil {
			c.Priority = model.IntPtr(p)
		}
		r.add(c)
		return
	}
	if !r.sent() {
		return
	}
	switch verb {
	case "createingressrule":
		r.gaeRule(ruleBody(r.req, gaeRuleWrappers...), model.Added, "")
	case "updateingressrule":
		r.gaeRule(ruleBody(r.req, gaeRuleWrappers...), model.Altered, lastSegment(jv.Str(r.req, "name")))
	case "batchupdateingressrules":
		// The batch replaces the whole rule set.
		for _, rule := range r.objs(ruleBody(r.req, "batchUpdateIngressRulesRequest"), "ingressRules") {
			r.gaeRule(rule, model.Altered, "")
		}
	}
}

// gaeRule reads one App Engine ingress rule.
func (r *reader) gaeRule(rule map[string]any, effect model.Effect, name string) {
	c := model.RuleChange{
		Effect:    effect,
		Direction: model.Ingress,
		Action:    action(jv.Str(rule, "action")),
		Peers:     r.cidrPeers(trimmed(rule, "sourceRange")),
		Priority:  r.priority(rule),
		Name:      name,
	}
	if c.Priority == nil {
		if p, err := strconv.Atoi(name); err == nil {
			c.Priority = model.IntPtr(p)
		}
	}
	if c.Name == "" && c.Priority != nil {
		c.Name = strconv.Itoa(*c.Priority)
	}
	r.add(c)
}
