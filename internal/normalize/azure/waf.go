package azure

import (
	"strings"

	"cloudwall/internal/model"
	"cloudwall/internal/normalize/jv"
)

// wafPolicy reads Application Gateway, Front Door and CDN WAF policy
// writes: the mode (Detection only logs), the enabled state, custom rules
// that allow or block by source address, and managed rules switched off.
func (p *parser) wafPolicy() {
	if p.verb != "write" || p.body == nil {
		return
	}
	settings := jv.Obj(p.props, "policySettings")
	p.setFrom(model.SettingWAFMode, settings, "mode")
	if st := firstStr(settings, []string{"state"}, []string{"enabledState"}); st != "" {
		p.setEnabled(st)
	}
	// Front Door nests the list as customRules.rules; Application
	// Gateway logs customRules as the list itself.
	rules := jv.Objs(p.props, "customRules", "rules")
	if len(rules) == 0 {
		rules = jv.Objs(p.props, "customRules")
	}
	added := 0
	for _, r := range rules {
		if c, ok := p.customRule(r); ok {
			p.ev.Changes = append(p.ev.Changes, c)
			added++
		}
	}
	if added > 0 {
		p.note("WAF policy write replaces its custom rules; %d rule(s) are reported as added", added)
	}
	p.managedRuleOverrides()
}

// setEnabled maps Enabled/Disabled (or a boolean) to the enabled setting.
func (p *parser) setEnabled(s string) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "enabled", "true":
		p.set(model.SettingEnabled, "true")
	case "disabled", "false":
		p.set(model.SettingEnabled, "false")
	default:
		p.note("unknown enabled state %q", s)
	}
}

// customRule turns one WAF custom rule into a change. Source addresses are
// read from non-negated IPMatch conditions on RemoteAddr or SocketAddr; a
// rule with no such condition applies to every client (its other
// conditions are named in a note). Log and Redirect rules change nothing
// about access and are skipped; disabled rules are skipped with a note.
func (p *parser) customRule(r map[string]any) (model.RuleChange, bool) {
	name := jv.Str(r, "name")
	rule := label("WAF custom rule", name)
	if st := firstStr(r, []string{"state"}, []string{"enabledState"}); strings.EqualFold(st, "disabled") {
		p.note("%s is disabled", rule)
		return model.RuleChange{}, false
	}
	act := jv.Str(r, "action")
	switch strings.ToLower(act) {
	case "allow", "block":
	default:
		return model.RuleChange{}, false
	}
	c := model.RuleChange{
		Effect:    model.Added,
		Direction: model.Ingress,
		Action:    p.action(rule, act),
		Priority:  p.priority(rule, r, "priority"),
		Name:      name,
	}
	var other []string
	for _, mc := range jv.Objs(r, "matchConditions") {
		vars := strs(mc, "matchVariable")
		for _, mv := range jv.Objs(mc, "matchVariables") {
			vars = append(vars, jv.Str(mv, "variableName"))
		}
		negated, _ := jv.Bool(mc, "negationConditon") // sic: the ARM property is misspelt
		if n, ok := jv.Bool(mc, "negationCondition"); ok {
			negated = n
		}
		if n, ok := jv.Bool(mc, "negateCondition"); ok {
			negated = n
		}
		op := jv.Str(mc, "operator")
		if strings.EqualFold(op, "IPMatch") && !negated && addressVariable(vars) {
			c.Peers = append(c.Peers, p.peers(rule, strs(mc, "matchValues", "matchValue"), false)...)
			continue
		}
		desc := strings.Join(vars, ",") + " " + op
		if negated {
			desc = "not " + desc
		}
		other = append(other, desc)
	}
	if len(c.Peers) == 0 {
		c.Peers = []model.Peer{{Kind: model.PeerAny, Value: "*"}}
	}
	if len(other) > 0 {
		p.note("%s also matches on: %s", rule, strings.Join(other, "; "))
	}
	return c, true
}

func addressVariable(vars []string) bool {
	for _, v := range vars {
		switch strings.ToLower(v) {
		case "remoteaddr", "socketaddr":
			return true
		}
	}
	return false
}

// managedRuleOverrides notes managed rules a policy switches off and its
// exclusions: both weaken the WAF without a custom rule.
func (p *parser) managedRuleOverrides() {
	managed := jv.Obj(p.props, "managedRules")
	if managed == nil {
		return
	}
	var off []string
	for _, set := range jv.Objs(managed, "managedRuleSets") {
		for _, g := range jv.Objs(set, "ruleGroupOverrides") {
			for _, r := range jv.Objs(g, "rules") {
				st := firstStr(r, []string{"state"}, []string{"enabledState"})
				if strings.EqualFold(st, "disabled") {
					off = append(off, jv.Str(g, "ruleGroupName")+"/"+jv.Str(r, "ruleId"))
				}
			}
		}
	}
	if len(off) > 0 {
		p.note("managed WAF rules disabled: %s", strings.Join(off, ", "))
	}
	if n := len(jv.Objs(managed, "exclusions")); n > 0 {
		p.note("WAF policy has %d managed-rule exclusion(s)", n)
	}
}

// applicationGateway reads the gateway's embedded WAF configuration and
// the WAF policy it links.
func (p *parser) applicationGateway() {
	if p.verb != "write" || p.body == nil {
		return
	}
	if waf := jv.Obj(p.props, "webApplicationFirewallConfiguration"); waf != nil {
		if on, ok := jv.Bool(waf, "enabled"); ok {
			p.set(model.SettingEnabled, boolText(on))
		}
		p.setFrom(model.SettingWAFMode, waf, "firewallMode")
		var off []string
		for _, g := range jv.Objs(waf, "disabledRuleGroups") {
			off = append(off, jv.Str(g, "ruleGroupName"))
		}
		if len(off) > 0 {
			p.note("WAF rule groups disabled: %s", strings.Join(off, ", "))
		}
	}
	if policy := strings.TrimSpace(jv.Str(p.props, "firewallPolicy", "id")); policy != "" {
		p.set(model.SettingPolicy, policy)
		p.addTarget(policy)
	}
}

func boolText(b bool) string {
	if b {
		return "true"
	}
	return "false"
}
