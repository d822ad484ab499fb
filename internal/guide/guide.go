// Package guide turns the operation catalogue into the guides an analyst
// reads: one page per rule (what it detects and why it matters, the
// operations and fields it reads, how severity is decided with examples
// the detector itself computes, the investigation guide, response steps,
// tuning and references). `cloudwall explain` prints a page and
// `cloudwall docs` writes them all; both come from the catalogue the scan
// runs, so they cannot drift from it.
package guide

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"cloudwall/internal/content"
	"cloudwall/internal/detect"
	"cloudwall/internal/model"
)

// Page writes the guide of one rule as Markdown.
func Page(w io.Writer, c *content.Content, op *content.Operation) error {
	p := &page{w: w, c: c, op: op}
	p.header()
	p.detects()
	p.reads()
	p.severity()
	p.investigate()
	p.respond()
	p.tuning()
	p.references()
	return p.err
}

type page struct {
	w   io.Writer
	c   *content.Content
	op  *content.Operation
	err error
}

func (p *page) printf(format string, a ...any) {
	if p.err == nil {
		_, p.err = fmt.Fprintf(p.w, format, a...)
	}
}

var cloudNames = map[model.Cloud]string{model.AWS: "AWS", model.Azure: "Azure", model.GCP: "Google Cloud"}

func (p *page) header() {
	op := p.op
	p.printf("# %s\n\n", op.ID)
	p.printf("%s\n\n", op.Description)
	base := op.Severity.String()
	if op.Kind == content.KindRemove {
		base = "none (judged by what the removed rule did)"
	}
	p.printf("| | |\n|---|---|\n")
	p.printf("| cloud | %s |\n| resource | `%s` |\n| kind | `%s` |\n| base severity | %s |\n", cloudNames[op.Cloud], op.Resource, op.Kind, base)
	p.printf("| ATT&CK | [T1562.007 Disable or Modify Cloud Firewall](https://attack.mitre.org/techniques/T1562/007/) (to v18); [T1686.001 Cloud Firewall](https://attack.mitre.org/techniques/T1686/001/) (v19) |\n\n")
}

// kindWhy says why each kind of operation matters to a defender.
var kindWhy = map[content.Kind]string{
	content.KindRules:      "It adds or rewrites firewall rules. A rule that lets the internet reach an administrative or data port is the classic first step of T1562.007: the attacker opens a path, then walks in through it. Rules to private ranges, named groups or single addresses are usually routine.",
	content.KindRemove:     "It removes firewall rules. Removing an allow closes access (informational); removing a deny can open access that the deny was blocking, which is why a removal whose rule action is not logged is reported.",
	content.KindDelete:     "It deletes a whole firewall object. Everything the object protected loses that protection at once, and the object's rules are gone from the configuration: restoring needs a baseline.",
	content.KindDetach:     "It takes a firewall or WAF off what it protected while leaving the object in place, so configuration reviews still see a firewall: a quiet way to disable protection.",
	content.KindSwap:       "It replaces which firewall applies to a workload (security groups of an instance, network tags, ACL association). The previous set is usually not logged, so a swap to a permissive group is easy to miss.",
	content.KindSettings:   "It changes a firewall's non-rule settings (threat intelligence mode, WAF mode, default action, public network access): protection turned to detection-only or off without touching a single rule.",
	content.KindProtection: "It turns delete or change protection off, which usually comes right before a deletion.",
	content.KindCreate:     "It creates a firewall object. A new object exposes nothing by itself, but inline rules created with it are judged like any other rule.",
	content.KindAllowlist:  "It changes a list that exempts addresses from detection (such as GuardDuty trusted IP lists): traffic from those addresses stops raising alerts.",
}

func (p *page) detects() {
	p.printf("## What it detects and why it matters\n\n%s\n\n", kindWhy[p.op.Kind])
	if p.op.AllowOnly {
		p.printf("Rules of a `%s` can only allow traffic: a rule without a logged action is an allow.\n\n", p.op.Resource)
	}
	if s := p.op.Service; s != nil {
		p.printf("Its rules name no ports: they always admit traffic to %s.\n\n", s.Label)
	}
	if len(p.op.Requires) > 0 {
		var req []string
		for _, r := range p.op.Requires {
			req = append(req, string(r))
		}
		p.printf("The call is a firewall event only when its record carries %s (otherwise it changed something else and is not reported).\n\n", strings.Join(req, " or "))
	}
}

// fields lists, per cloud, where the parsers read rule content.
var fields = map[model.Cloud]string{
	model.AWS: "`eventSource` and `eventName` (the operation); `requestParameters` for the rules " +
		"(`ipPermissions.items[]` with `ipRanges`, `ipv6Ranges`, `prefixListIds`, `groups`, and the flat `cidrIp`/`fromPort`/`toPort` form; " +
		"`securityGroupRuleSet`, NACL `ruleNumber`/`ruleAction`/`egress`/`cidrBlock`, WAF and Network Firewall bodies) and " +
		"`responseElements` where the request is empty (the worse of the two is judged); `errorCode` and `errorMessage` for attempts; " +
		"`userIdentity` (type, ARN, `accessKeyId`, session issuer, MFA, `invokedBy`), `sourceIPAddress`, `userAgent`, `eventID`.",
	model.Azure: "`operationName` (the operation) and `resourceId`; `properties.requestbody` and `properties.responseBody` " +
		"(`securityRules[]` or the rule's `properties`: `access`, `direction`, `protocol`, `sourceAddressPrefix(es)`, `destinationPortRange(s)`, `priority`; " +
		"firewall, WAF, SQL and storage bodies), the worse of request and response; `status` and `subStatus`; `claims` and `caller` for the identity; " +
		"`callerIpAddress`, `correlationId`, `eventDataId`.",
	model.GCP: "`protoPayload.methodName` (the operation) and `resourceName`; `protoPayload.request` (`sourceRanges`, `allowed[]`/`denied[]` with `IPProtocol` and `ports`, " +
		"`targetTags`, `disabled`, `priority`, `direction`, firewall-policy rule `match` blocks, Cloud Armor and Cloud SQL bodies); " +
		"`operation.first`/`last` and `protoPayload.status` for the outcome; `authenticationInfo` and `serviceAccountDelegationInfo` for the identity; " +
		"`requestMetadata.callerIp` and `callerSuppliedUserAgent`.",
}

func (p *page) reads() {
	p.printf("## Operations and fields read\n\nOperations (as the catalogue keys them, lower case):\n\n")
	for _, k := range p.op.Keys {
		p.printf("- `%s`\n", k)
	}
	p.printf("\nFields: %s\n\n", fields[p.op.Cloud])
}

// example is one synthetic call the detector judges for the severity
// table.
type example struct {
	what    string
	changes []model.RuleChange
	outcome model.Outcome
	errCode string
}

func (p *page) examples() []example {
	rule := func(peer model.Peer, port int) []model.RuleChange {
		return []model.RuleChange{{Effect: model.Added, Direction: model.Ingress, Action: model.Allow, Protocol: "tcp",
			Ports: model.PortList{{From: port, To: port}}, Peers: []model.Peer{peer}}}
	}
	world := model.Peer{Kind: model.PeerCIDR, Value: "0.0.0.0/0"}
	switch p.op.Kind {
	case content.KindRules, content.KindCreate:
		return []example{
			{what: "0.0.0.0/0 on 22/tcp", changes: rule(world, 22), outcome: model.Success},
			{what: "0.0.0.0/0 on 5432/tcp", changes: rule(world, 5432), outcome: model.Success},
			{what: "0.0.0.0/0 on 8443/tcp", changes: rule(world, 8443), outcome: model.Success},
			{what: "10.0.0.0/8 on 22/tcp", changes: rule(model.Peer{Kind: model.PeerCIDR, Value: "10.0.0.0/8"}, 22), outcome: model.Success},
			{what: "203.0.113.7/32 on 22/tcp", changes: rule(model.Peer{Kind: model.PeerCIDR, Value: "203.0.113.7/32"}, 22), outcome: model.Success},
			{what: "0.0.0.0/0 on 22/tcp, denied", changes: rule(world, 22), outcome: model.Failure, errCode: "AccessDenied"},
		}
	case content.KindRemove:
		removed := rule(world, 22)
		removed[0].Effect = model.Removed
		unknown := []model.RuleChange{{Effect: model.Removed, Direction: model.Ingress}}
		return []example{
			{what: "removes an allow from 0.0.0.0/0 on 22/tcp", changes: removed, outcome: model.Success},
			{what: "removes a rule whose action is not logged", changes: unknown, outcome: model.Success},
		}
	}
	return []example{
		{what: "the call succeeded", outcome: model.Success},
		{what: "the call was denied", outcome: model.Failure, errCode: "AccessDenied"},
	}
}

func (p *page) severity() {
	p.printf("## Severity\n\n")
	switch {
	case p.op.Kind == content.KindRules || p.op.Kind == content.KindCreate:
		p.printf("Severity follows exposure: who can now reach which ports. World-open peers (`0.0.0.0/0`, `::/0`, any `x.x.x.x/0`, `*`, `Any`, `Internet`, split halves) on all ports or administrative ports are critical, on other sensitive ports (databases, caches, search, Docker, Kubernetes) high; private ranges, named groups and single addresses are low; closing access is info. Base severity `%s` applies when the record carries no rule.\n\n", p.op.Severity)
	case p.op.Kind.Floor():
		p.printf("The operation itself is the risk: at least `%s`, higher when the record shows exposure.\n\n", p.op.Severity)
	case p.op.Kind == content.KindRemove:
		p.printf("Removing an allow closes access (info); a removal whose action is not logged may have removed a deny and is reported.\n\n")
	default:
		p.printf("Severity comes from the settings the call set; `%s` when the record carries none.\n\n", p.op.Severity)
	}
	p.printf("Failed attempts (access denied, dry runs) are reported and tagged `attempt`; a successful one by the same identity soon after is what to look for. Changes by identities known as automation are tagged and lowered one step, never below high when world-open; a user agent alone never lowers severity.\n\n")
	p.printf("Examples, as the detector judges them:\n\n| call | severity | why |\n|---|---|---|\n")
	det := detect.New(p.c)
	key := p.op.Keys[0]
	for _, ex := range p.examples() {
		ev := model.Event{Cloud: p.op.Cloud, Time: time.Date(2026, 3, 14, 10, 0, 0, 0, time.UTC), Operation: key, OperationKey: key,
			Outcome: ex.outcome, ErrorCode: ex.errCode, Resource: model.Resource{Type: p.op.Resource, ID: "example"},
			Changes: ex.changes, Actor: model.Actor{Type: "User", ID: "analyst@example.com"}}
		if len(p.op.Requires) > 0 && len(ex.changes) == 0 {
			ev.Targets = []string{"example-target"}
			ev.Settings = map[string]string{model.SettingEnabled: "false"}
		}
		f, ok := det.Evaluate(&ev)
		if !ok {
			continue
		}
		why := ""
		if len(f.Reasons) > 0 {
			why = f.Reasons[0]
		}
		for _, r := range f.Reasons {
			if ex.outcome == model.Failure && (strings.Contains(r, "attempt") || strings.Contains(r, "denied") || strings.Contains(r, "fail")) {
				why = r
				break
			}
		}
		p.printf("| %s | %s | %s |\n", ex.what, f.Severity, mdCell(why))
	}
	p.printf("\n")
}

func mdCell(s string) string {
	return strings.NewReplacer("|", "\\|", "\n", " ").Replace(s)
}

// investigation is the order an analyst works a finding in; the rule's
// own steps follow.
var investigation = []string{
	"**Actor and session**: who made the call (the resolved identity, not only the role), from which address and user agent, with which key or session, with MFA or not; is the identity expected to change firewalls?",
	"**Exposure**: what the change lets in now (the finding's `exposure`), and what sits behind the firewall (instances, interfaces, public addresses).",
	"**Traffic since**: rerun the scan with `--flows` over the VPC/NSG/VNet flow logs: was the opening used, from where, and did outbound traffic follow? The finding's `traffic` says so, and its tags: `used` (accepted inbound flows from outside while it was open; a medium or higher finding is raised to critical), `used-within-minutes` (the first came within 15 minutes of the opening: someone was waiting for it), `outbound-after` (the interfaces that received them then sent traffic outside: possible exfiltration or command and control). A used opening makes the hosts behind it suspect: keep their logs and disks before you recover them.",
	"**Other changes by the same identity**: the session's other calls an hour around the change (new keys, new instances, logging turned off).",
	"**Approval trail**: a change ticket or pipeline run that covers the change (`approvals` in `cloudwall.yaml` shows the ticket on the finding).",
}

func (p *page) investigate() {
	p.printf("## Investigation guide\n\n")
	for i, s := range investigation {
		p.printf("%d. %s\n", i+1, s)
	}
	p.printf("\nSteps for this rule (placeholders in braces are filled from the finding):\n\n")
	p.steps(p.op.Guidance.Investigate)
}

func (p *page) steps(steps []content.Step) {
	if len(steps) == 0 {
		p.printf("- (none beyond the guide above)\n\n")
		return
	}
	for _, s := range steps {
		when := ""
		if s.When != "" {
			when = fmt.Sprintf(" *(when %s)*", s.When)
		}
		p.printf("- %s%s\n", s.Text, when)
		if s.Run != "" {
			p.printf("\n  ```sh\n  %s\n  ```\n\n", s.Run)
		}
	}
	p.printf("\n")
}

func (p *page) respond() {
	p.printf("## Response\n\n")
	p.printf("**Contain**: take the exposure away first (the rollback command below, or the finding's `rollback` when a baseline or the logs show the prior state). **Eradicate**: revoke the credentials that made an unapproved change and look for persistence the same identity left. **Recover**: restore the firewall from its baseline and confirm with `cloudwall audit` that nothing else is open.\n\n")
	p.steps(p.op.Guidance.Respond)
	if g, ok := p.c.Closings[p.op.Cloud]; ok && canClose[p.op.Kind] && !(p.op.Kind == content.KindRemove && p.op.AllowOnly) {
		p.printf("A change that only narrows access (a deny rule added, an allow rule removed, a setting that hardens) has no exposure to contain: it gets these steps instead of the ones above.\n\n")
		p.steps(append(slices.Clone(g.Investigate), g.Respond...))
	}
	p.printf("cloudwall never runs these commands: it prints them, filled with the finding's values.\n\n")
}

// canClose are the kinds whose changes can narrow access alone.
var canClose = map[content.Kind]bool{content.KindRules: true, content.KindRemove: true, content.KindSettings: true, content.KindProtection: true}

// tuningByKind lists the common false positives of each kind and how to
// handle them in configuration.
var tuningByKind = map[content.Kind][]string{
	content.KindRules: {
		"Infrastructure-as-code pipelines (Terraform, CloudFormation, ARM/Bicep, Deployment Manager) applying reviewed changes: list the pipeline's identity under `automation` in `cloudwall.yaml`. World-open admin and data ports stay high even then.",
		"Planned openings (a partner onboarding, a migration window): add an `approvals` record with the ticket, scope, ports, peers and window; the finding drops to low and shows the ticket, and anything outside the record is called out.",
		"Corporate and partner ranges that look public: list them under `trusted_networks`; a peer inside them is trusted, not internet.",
	},
	content.KindRemove: {
		"Cleanups by automation remove many rules at once: list the identity under `automation`.",
	},
}

var tuningDefault = []string{
	"Decommissioning by infrastructure-as-code or a platform team: list the identity under `automation`, or cover the change with an `approvals` record.",
	"A known, accepted exception: add a `suppressions` entry with owner, reason, scope and expiry; suppressed findings are counted and listable with `--show-suppressed`.",
}

func (p *page) tuning() {
	p.printf("## Tuning\n\n")
	tips := tuningByKind[p.op.Kind]
	if tips == nil {
		tips = tuningDefault
	}
	for _, t := range tips {
		p.printf("- %s\n", t)
	}
	p.printf("- Never suppress by user agent: it is chosen by the caller.\n\n")
}

var cloudDocs = map[model.Cloud][]string{
	model.AWS: {
		"[Amazon EC2 security groups](https://docs.aws.amazon.com/vpc/latest/userguide/vpc-security-groups.html)",
		"[Network ACLs](https://docs.aws.amazon.com/vpc/latest/userguide/vpc-network-acls.html)",
		"[Logging API calls with CloudTrail](https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-user-guide.html)",
	},
	model.Azure: {
		"[Network security groups](https://learn.microsoft.com/azure/virtual-network/network-security-groups-overview)",
		"[Azure Activity Log](https://learn.microsoft.com/azure/azure-monitor/essentials/activity-log)",
	},
	model.GCP: {
		"[VPC firewall rules](https://cloud.google.com/firewall/docs/firewalls)",
		"[Cloud Audit Logs](https://cloud.google.com/logging/docs/audit)",
	},
}

func (p *page) references() {
	p.printf("## References\n\n")
	refs := []string{
		"[MITRE ATT&CK T1562.007 Impair Defenses: Disable or Modify Cloud Firewall](https://attack.mitre.org/techniques/T1562/007/)",
		"[MITRE ATT&CK T1686.001 Cloud Firewall](https://attack.mitre.org/techniques/T1686/001/) (ATT&CK v19)",
		"[M1018 User Account Management](https://attack.mitre.org/mitigations/M1018/): restrict who can change firewalls",
		"[M1047 Audit](https://attack.mitre.org/mitigations/M1047/): review firewall rules and changes regularly",
	}
	refs = append(refs, cloudDocs[p.op.Cloud]...)
	for _, r := range refs {
		p.printf("- %s\n", r)
	}
	p.printf("\nGenerated from the operation catalogue (`internal/content/operations.yaml`) by `cloudwall docs`.\n")
}

// Index writes the list of rules with links to their pages.
func Index(w io.Writer, ops []content.Operation) error {
	var b strings.Builder
	b.WriteString("# Detection rules\n\nOne page per rule of the operation catalogue, generated by `cloudwall docs --out docs/rules`.\n\n| rule | cloud | kind | base | what |\n|---|---|---|---|---|\n")
	sorted := slices.Clone(ops)
	slices.SortStableFunc(sorted, func(a, b content.Operation) int { return strings.Compare(a.ID, b.ID) })
	for _, op := range sorted {
		base := op.Severity.String()
		if op.Kind == content.KindRemove {
			base = "-"
		}
		fmt.Fprintf(&b, "| [%s](%s.md) | %s | %s | %s | %s |\n", op.ID, op.ID, op.Cloud, op.Kind, base, mdCell(op.Description))
	}
	_, err := io.WriteString(w, b.String())
	return err
}
