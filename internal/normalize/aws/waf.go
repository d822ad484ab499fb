package aws

import (
	"strings"

	"cloudwall/internal/model"
	"cloudwall/internal/normalize/jv"
)

// AWS WAF: wafv2 (camelCase JSON, whole-object updates) and classic WAF,
// global (waf) and regional (waf-regional), whose updates are lists of
// INSERT/DELETE actions. Also CloudFront's link to a web ACL.

// waf dispatches the operations of the three WAF services.
func (p *parser) waf(svc, op string) {
	classic := svc != "wafv2"
	switch op {
	case "createwebacl", "deletewebacl":
		p.wafResource("web_acl", "webACL", "webACLId")
	case "updatewebacl":
		p.wafResource("web_acl", "webACL", "webACLId")
		p.wafDefaultAction()
		p.wafRuleUpdates(classic)
	case "disassociatewebacl":
		p.wafResource("web_acl", "webACL", "webACLId")
		if arn := p.scalar(jv.Get(p.req, "resourceArn"), "requestParameters.resourceArn"); arn != "" {
			p.ev.Targets = []string{arn}
		}
	case "createipset", "deleteipset":
		p.wafResource("ip_set", "iPSet", "iPSetId")
	case "updateipset":
		p.wafResource("ip_set", "iPSet", "iPSetId")
		if classic {
			p.classicIPSet()
		} else {
			p.ipSetAddresses()
		}
	case "createrulegroup", "deleterulegroup":
		p.wafResource("rule_group", "ruleGroup", "ruleGroupId")
	case "updaterulegroup":
		p.wafResource("rule_group", "ruleGroup", "ruleGroupId")
		p.wafRuleUpdates(classic)
	case "createrule", "updaterule", "deleterule",
		"createratebasedrule", "updateratebasedrule", "deleteratebasedrule":
		if !classic {
			return
		}
		// A classic rule is a set of match predicates that a web ACL or
		// rule group references.
		p.wafResource("waf_rule", "rule", "ruleId")
		if strings.HasPrefix(op, "update") {
			p.classicPredicates()
		}
	}
	if !classic && p.ev.Resource.Type != "" {
		p.ev.Resource.Scope = wafScope(p.scalar(jv.Get(p.req, "scope"), "requestParameters.scope"))
	}
}

// wafScope reads a wafv2 scope as the API takes it: REGIONAL or
// CLOUDFRONT (logged in any case), else "" (a command then shows a
// placeholder rather than a scope no call takes).
func wafScope(s string) string {
	switch s = strings.ToUpper(s); s {
	case "REGIONAL", "CLOUDFRONT":
		return s
	}
	return ""
}

// wafResource sets a web ACL, IP set or rule group: wafv2 logs id and name,
// classic WAF logs <object>Id; create calls return the id in the response
// (wafv2 summary, classic <object>).
func (p *parser) wafResource(typ, object, idKey string) {
	p.ev.Resource = model.Resource{
		Type: typ,
		ID: first(p.scalar(jv.Get(p.req, "id"), "requestParameters.id"),
			p.scalar(jv.Get(p.req, idKey), "requestParameters."+idKey),
			jv.Str(p.resp, "summary", "id"), jv.Str(p.resp, object, idKey)),
		Name: first(p.scalar(jv.Get(p.req, "name"), "requestParameters.name"),
			jv.Str(p.resp, "summary", "name"), jv.Str(p.resp, object, "name")),
	}
}

// wafDefaultAction reads the action for requests no rule matches: wafv2
// {"allow":{}} / {"block":{}}, classic {"type":"ALLOW"}.
func (p *parser) wafDefaultAction() {
	da := jv.Obj(p.req, "defaultAction")
	if da == nil {
		return
	}
	if t := jv.Str(da, "type"); t != "" {
		if a := action(t); a != "" {
			p.setting(model.SettingDefaultAction, string(a))
		} else {
			p.setting(model.SettingDefaultAction, t)
		}
		return
	}
	if a := objectAction(da); a != "" {
		p.setting(model.SettingDefaultAction, string(a))
	}
}

// objectAction reads a wafv2 action object, whose single key names the
// action ({"block":{}}).
func objectAction(m map[string]any) model.Action {
	if _, ok := jv.Field(m, "allow"); ok {
		return model.Allow
	}
	if _, ok := jv.Field(m, "block"); ok {
		return model.Deny
	}
	return ""
}

// wafRules reads the rules[] of a wafv2 web ACL or rule group. The call
// replaces them all, so each is Altered. A rule that only counts
// (action count, or a rule group overridden to count) blocks nothing:
// attackers use it to disarm a rule without deleting it.
func (p *parser) wafRules() {
	if l, ok := jv.Get(p.req, "rules").([]any); ok && len(l) == 0 {
		// The call replaces the whole list: an empty one leaves only
		// the default action.
		p.setting(model.SettingRules, "none")
	}
	for i, r := range jv.Objs(p.req, "rules") {
		c := model.RuleChange{Effect: model.Altered, Name: jv.Str(r, "name")}
		if n, ok := jv.Int(r, "priority"); ok {
			c.Priority = model.IntPtr(n)
		}
		act := jv.Obj(r, "action")
		c.Action = objectAction(act)
		if jv.Has(act, "count") || jv.Has(r, "overrideAction", "count") {
			p.notef("WAF rule %q only counts matching requests", first(c.Name, where("rules", i)))
		}
		if arn := jv.Str(r, "statement", "ipSetReferenceStatement", "arn"); arn != "" {
			c.Peers = []model.Peer{{Kind: model.PeerOther, Value: arn}}
		}
		p.ev.Changes = append(p.ev.Changes, c)
	}
}

// wafRuleUpdates reads the rule changes of a web ACL or rule group: the
// updates[] of classic WAF, or the whole rules[] of wafv2.
func (p *parser) wafRuleUpdates(classic bool) {
	if classic {
		p.classicRuleUpdates()
	} else {
		p.wafRules()
	}
}

// updateEffect maps a classic WAF update action.
func updateEffect(s string) model.Effect {
	switch strings.ToUpper(strings.TrimSpace(s)) {
	case "INSERT":
		return model.Added
	case "DELETE":
		return model.Removed
	}
	return model.Altered
}

// classicRuleUpdates reads the updates[] of a classic web ACL or rule
// group: rules inserted or deleted, each with its action.
func (p *parser) classicRuleUpdates() {
	for i, u := range jv.Objs(p.req, "updates") {
		ar := jv.Obj(u, "activatedRule")
		c := model.RuleChange{
			Effect: updateEffect(jv.Str(u, "action")),
			Name:   jv.Str(ar, "ruleId"),
			Action: action(jv.Str(ar, "action", "type")),
		}
		if n, ok := jv.Int(ar, "priority"); ok {
			c.Priority = model.IntPtr(n)
		}
		if strings.EqualFold(first(jv.Str(ar, "action", "type"), jv.Str(ar, "overrideAction", "type")), "COUNT") {
			p.notef("WAF rule %q only counts matching requests", first(c.Name, where("updates", i)))
		}
		p.ev.Changes = append(p.ev.Changes, c)
	}
}

// classicPredicates reads the updates[] of a classic rule: match
// predicates (an IP set, a size constraint ...) inserted or deleted. Each
// becomes a change of the rule whose peer names the predicate.
func (p *parser) classicPredicates() {
	// Predicates say what a rule matches, not whom it lets in: whether a
	// change opens or closes depends on the action the web ACL gives the
	// rule, which this call does not log. They are recorded as targets.
	for _, u := range jv.Objs(p.req, "updates") {
		pred := jv.Obj(u, "predicate")
		t, id := jv.Str(pred, "type"), jv.Str(pred, "dataId")
		if t == "" && id == "" {
			continue
		}
		target := strings.ToLower(jv.Str(u, "action")) + " " + t + ":" + id
		if neg, _ := jv.Bool(pred, "negated"); neg {
			target += " (negated)"
		}
		p.ev.Targets = append(p.ev.Targets, strings.TrimSpace(target))
	}
}

// ipSetAddresses reads a wafv2 UpdateIPSet, which replaces the whole
// address list.
func (p *parser) ipSetAddresses() {
	v, ok := jv.Field(p.req, "addresses")
	if !ok {
		return
	}
	p.expectList(v, "requestParameters.addresses")
	c := model.RuleChange{Effect: model.Altered}
	for i, a := range elems(v) {
		if pr, ok := p.cidr(a, where("addresses", i)); ok {
			c.Peers = append(c.Peers, pr)
		}
	}
	if len(c.Peers) == 0 {
		p.notef("IP set emptied: addresses is empty")
	}
	p.ev.Changes = append(p.ev.Changes, c)
}

// classicIPSet reads a classic UpdateIPSet: descriptors inserted go into
// one Added change, those deleted into one Removed change.
func (p *parser) classicIPSet() {
	var add, rm model.RuleChange
	add.Effect, rm.Effect = model.Added, model.Removed
	for i, u := range jv.Objs(p.req, "updates") {
		pr, ok := p.cidr(jv.Get(u, "iPSetDescriptor", "value"), where("updates", i)+".iPSetDescriptor.value")
		if !ok {
			continue
		}
		if updateEffect(jv.Str(u, "action")) == model.Removed {
			rm.Peers = append(rm.Peers, pr)
		} else {
			add.Peers = append(add.Peers, pr)
		}
	}
	for _, c := range [...]model.RuleChange{add, rm} {
		if len(c.Peers) > 0 {
			p.ev.Changes = append(p.ev.Changes, c)
		}
	}
}

// cloudFront reads UpdateDistribution. Only the web ACL link matters
// here: an empty webACLId detaches the WAF from the distribution (setting
// policy ""). A web ACL that is set is not a detachment: the call sends
// the whole configuration, so the same web ACL comes with every change of
// the distribution. It is kept as the call's target, and
// normalize.CompareWebACLs reports it as a replacement when an earlier
// call in the same scan shows a different one.
func (p *parser) cloudFront(op string) {
	if op != "updatedistribution" {
		return
	}
	p.ev.Resource = model.Resource{Type: "distribution", ID: p.scalar(jv.Get(p.req, "id"), "requestParameters.id")}
	v, ok := jv.Field(jv.Obj(p.req, "distributionConfig"), "webACLId")
	if !ok || v == nil {
		return
	}
	text, ok := v.(string)
	if !ok {
		p.scalar(v, "requestParameters.distributionConfig.webACLId") // notes what it is
		return
	}
	if acl := strings.TrimSpace(text); acl != "" {
		p.ev.Targets = append(p.ev.Targets, acl)
	} else {
		p.setting(model.SettingPolicy, "")
	}
}
