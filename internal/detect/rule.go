package detect

import (
	"cloudwall/internal/content"
	"cloudwall/internal/model"
)

// Judgement is the detector's assessment of one rule judged outside an
// event: a rule a snapshot shows in force, or one a Terraform plan would
// add or remove. It is the same assessment a call adding or removing the
// rule gets, so a snapshot and a log are judged by one piece of code.
type Judgement struct {
	Severity model.Severity
	// Change names what the rule does, for titles ("opened to the
	// internet on 22/tcp (ssh)").
	Change string
	// Exposure is who the rule lets reach what, in words.
	Exposure []string
	Reasons  []string
	// World says a world-scale peer is admitted.
	World bool
}

// JudgeRule judges ch as if a call had made the change its Effect says
// (Added when empty) on a firewall of resourceType (a Resource.Type:
// security groups and SQL firewall rules only allow, so a rule without an
// action is an allow there).
func (d *Detector) JudgeRule(resourceType string, ch model.RuleChange) Judgement {
	if ch.Effect == "" {
		ch.Effect = model.Added
	}
	op := &content.Operation{Resource: resourceType, AllowOnly: allowOnly(resourceType)}
	j := d.change(op, ch)
	return Judgement{Severity: j.sev, Change: j.change, Exposure: j.exposure, Reasons: j.reasons, World: j.world}
}

// allowOnly lists the firewall types whose rules can only allow.
func allowOnly(resourceType string) bool {
	switch resourceType {
	case "security_group", "sql_server", "sql_firewall_rule":
		return true
	}
	return false
}
