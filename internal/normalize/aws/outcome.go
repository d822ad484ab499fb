package aws

import (
	"fmt"
	"strings"

	"cloudwall/internal/model"
	"cloudwall/internal/normalize/jv"
)

// A record with an errorCode reads as a failed call, and a failed call is
// judged low at most. EC2 logs `_return: true` beside real failures too
// (panther-analysis keeps such records as failures), so that flag proves
// nothing; but the identifiers AWS assigns to what it made are returned
// only for a change made. When the response holds one, an errorCode
// beside it is the conflict an attacker who edits a log would create to
// have the change judged a harmless failure: the call is judged as made,
// the worse way, and a note names both.

// madeProof returns where the response names something the call made,
// or "".
func (p *parser) madeProof() string {
	for _, key := range []string{"securityGroupRuleSet", "revokedSecurityGroupRuleSet"} {
		for i, r := range jv.Objs(p.resp, key) {
			if id := jv.Str(r, "securityGroupRuleId"); strings.HasPrefix(id, "sgr-") {
				return fmt.Sprintf("responseElements.%s[%d].securityGroupRuleId %s", key, i, id)
			}
		}
	}
	for _, path := range [][]string{
		{"groupId"},                    // CreateSecurityGroup
		{"networkAcl", "networkAclId"}, // CreateNetworkAcl
		{"newAssociationId"},           // ReplaceNetworkAclAssociation
		{"prefixList", "prefixListId"}, // Create/ModifyManagedPrefixList
	} {
		id := jv.Str(p.resp, path...)
		if i := strings.IndexByte(id, '-'); i > 0 && i < len(id)-1 {
			return fmt.Sprintf("responseElements.%s %s", strings.Join(path, "."), id)
		}
	}
	return ""
}

// madeDespiteError judges a failed call as made when the response
// proves it was.
func (p *parser) madeDespiteError() {
	ev := p.ev
	if ev.Outcome != model.Failure {
		return
	}
	proof := p.madeProof()
	if proof == "" {
		return
	}
	p.notef("errorCode %.100q conflicts with the response: %.200s is returned only for a change made, so the call is judged as made (a failure logged beside it may be forged)", ev.ErrorCode, proof)
	ev.Outcome, ev.ErrorCode, ev.ErrorMessage = model.Success, "", ""
}
