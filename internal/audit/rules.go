package audit

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"cloudwall/internal/detect"
	"cloudwall/internal/model"
	"cloudwall/internal/snapshot"
)

// broad reports an allow rule the detector rates medium or worse (world
// open, wide public ranges, all Azure services), placed in what the
// snapshot says it reaches.
func (a *Auditor) broad(set *snapshot.Set, fw *model.Firewall, r *model.Rule, j detect.Judgement, partly []*model.Rule) (model.Finding, bool) {
	if fw.Resource.Type == "network_acl" {
		// A NACL allow admits nothing by itself: the security groups of
		// the subnet's interfaces decide. NACLs are judged by their
		// denies and their order.
		return model.Finding{}, false
	}
	if j.Severity < model.Medium || r.Direction == model.Egress && j.Severity < model.High {
		// Egress to anywhere on all ports is every security group's
		// default: reported only when the detector rates it high.
		return model.Finding{}, false
	}
	id := RuleBroad
	if j.World {
		id = RuleWorldOpen
	}
	sev := j.Severity
	reasons := slices.Clone(j.Reasons)
	tags := []string{"posture"}
	if r.Direction != model.Egress {
		var rs []string
		var t string
		sev, rs, t = a.reach(set, fw, r, sev)
		reasons = append(reasons, rs...)
		if t != "" {
			tags = append(tags, t)
		}
	}
	for _, e := range partly {
		reasons = append(reasons, fmt.Sprintf("part of its traffic is decided first by %s rule %s", e.Action, ruleRef(e)))
	}
	reasons = append(reasons, r.Notes...)
	f := finding(id, fw, r, sev, label(fw)+ruleLabel(r)+" "+open(j.Change))
	f.Reasons, f.Exposure, f.Tags = reasons, j.Exposure, tags
	return f, true
}

// reach places an AWS security group rule in what the interfaces in the
// snapshot say the group is attached to. Attachment and interface kind are
// set by AWS (InstanceOwnerId amazon-elb, public address associations),
// never read from names or descriptions.
func (a *Auditor) reach(set *snapshot.Set, fw *model.Firewall, r *model.Rule, sev model.Severity) (model.Severity, []string, string) {
	if fw.Resource.Type != "security_group" {
		return sev, nil, ""
	}
	covered := false
	var on []snapshot.Interface
	for _, n := range set.Interfaces {
		if fw.Network == "" || n.Network == fw.Network {
			covered = true
		}
		if slices.Contains(n.Groups, fw.Resource.ID) {
			on = append(on, n)
		}
	}
	switch {
	case !covered:
		return sev, []string{"reach unknown: the snapshot has no network interfaces (aws ec2 describe-network-interfaces) of " + orVPC(fw.Network) + ", so what the group protects is not known"}, "reach-unknown"
	case len(on) == 0:
		s := lower(sev, 2, model.Low)
		return s, []string{fmt.Sprintf("attached to no network interface in the snapshot: nothing is reachable through it until it is attached (%s lowered to %s)", sev, s)}, "unattached"
	}
	var public, lb []string
	for _, n := range on {
		addrs := append(slices.Clone(n.PublicIPs), n.IPv6...)
		if len(addrs) > 0 {
			who := n.ID
			if n.Owner != "" {
				who += ", " + n.Kind + " by " + n.Owner
			}
			public = append(public, strings.Join(addrs, ", ")+" ("+who+")")
		}
		if n.Kind == snapshot.InterfaceLoadBalancer {
			lb = append(lb, n.ID)
		}
	}
	if len(lb) == len(on) && webOnly(r.RuleChange) {
		return model.Low, []string{fmt.Sprintf("only on load balancer interfaces (%s) and only on web ports: the intended public entry (%s lowered to low)", strings.Join(lb, ", "), sev)}, "load-balancer"
	}
	if len(public) > 0 {
		return sev, []string{"reachable from the internet at " + strings.Join(public, "; ")}, "public-address"
	}
	s := lower(sev, 1, model.Low)
	return s, []string{fmt.Sprintf("on %d interface(s), none with a public address: reachable only through a load balancer, NAT or peering (%s lowered to %s)", len(on), sev, s)}, "private-address"
}

func orVPC(n string) string {
	if n == "" {
		return "its VPC"
	}
	return n
}

// webOnly reports a TCP rule on 80 and/or 443 only.
func webOnly(c model.RuleChange) bool {
	if c.Protocol != "tcp" || len(c.Ports) == 0 {
		return false
	}
	for _, p := range c.Ports {
		if !(p.From == 80 && p.To == 80 || p.From == 443 && p.To == 443) {
			return false
		}
	}
	return true
}

// shadowedAllow reports an allow that never decides anything: denies
// evaluated before it match all of its traffic.
func (a *Auditor) shadowedAllow(fw *model.Firewall, r *model.Rule, by []*model.Rule) model.Finding {
	f := finding(RuleShadowedAllow, fw, r, model.Info, label(fw)+ruleLabel(r)+": allow never applies (shadowed by "+plural(by, "deny rule")+" "+names(by)+")")
	f.Reasons = []string{fmt.Sprintf("%s %s %s evaluated first and %s all of this allow's traffic (%s): the allow has no effect; if it was meant to open access, access is still closed",
		plural(by, "deny rule"), refs(by), verb(by, "is", "are"), verb(by, "matches", "match"), priorityOf(r))}
	return f
}

// shadowedDeny reports a deny that never decides anything: allows
// evaluated before it admit all of its traffic. Its severity is what the
// deny was meant to block, judged as an allow, one step lower.
func (a *Auditor) shadowedDeny(fw *model.Firewall, r *model.Rule, by []*model.Rule) model.Finding {
	as := r.RuleChange
	as.Action = model.Allow
	j := a.d.JudgeRule(fw.Resource.Type, as)
	sev := lower(j.Severity, 1, model.Low)
	f := finding(RuleShadowedDeny, fw, r, sev, label(fw)+ruleLabel(r)+": deny never applies (shadowed by "+plural(by, "allow rule")+" "+names(by)+")")
	f.Reasons = append([]string{fmt.Sprintf("%s %s %s evaluated first and %s all the traffic this deny (%s) was meant to block; what it would block, judged as an allow: %s, lowered one step to %s",
		plural(by, "allow rule"), refs(by), verb(by, "is", "are"), verb(by, "admits", "admit"), priorityOf(r), j.Severity, sev)}, j.Reasons...)
	for _, e := range j.Exposure {
		f.Exposure = append(f.Exposure, "not blocked: "+e)
	}
	return f
}

func plural(rs []*model.Rule, word string) string {
	if len(rs) == 1 {
		return word
	}
	return word + "s"
}

func verb(rs []*model.Rule, one, many string) string {
	if len(rs) == 1 {
		return one
	}
	return many
}

// names lists rules by name (or number): "deny-ssh, 90".
func names(rs []*model.Rule) string {
	var out []string
	for _, r := range rs {
		out = append(out, cmp.Or(r.Name, strings.TrimPrefix(priorityOf(r), "priority ")))
	}
	return strings.Join(out, ", ")
}

// refs lists rules with their priority: "deny-ssh (priority 100)".
func refs(rs []*model.Rule) string {
	var out []string
	for _, r := range rs {
		out = append(out, ruleRef(r))
	}
	return strings.Join(out, ", ")
}

func ruleRef(r *model.Rule) string {
	if r.Name == "" {
		return priorityOf(r)
	}
	return r.Name + " (" + priorityOf(r) + ")"
}

func priorityOf(r *model.Rule) string {
	if r.Priority == nil {
		return "no priority"
	}
	return fmt.Sprintf("priority %d", *r.Priority)
}

// temporary matches words that mark a rule as meant to be short-lived.
var temporary = regexp.MustCompile(`(?i)(^|[^a-z])(temp|tmp|temporary|test|testing|debug|delete[ _-]?me|remove[ _-]?me|todo|poc)([^a-z0-9]|$)`)

// hygiene reports temporary and stale allow rules. Both only ever add a
// finding; a description never lowers a severity.
func (a *Auditor) hygiene(fw *model.Firewall, r *model.Rule, j detect.Judgement) []model.Finding {
	var out []model.Finding
	var said []string
	for _, s := range append([]string{r.Description, r.Name}, r.Tags...) {
		if m := temporary.FindString(s); m != "" {
			said = append(said, fmt.Sprintf("%q", s))
		}
	}
	if len(said) > 0 {
		sev := model.Low
		if j.Severity >= model.High {
			sev = model.Medium
		}
		f := finding(RuleTemporary, fw, r, sev, label(fw)+ruleLabel(r)+": rule marked temporary is still in force ("+open(j.Change)+")")
		f.Reasons = []string{fmt.Sprintf("its %s says it was meant to be temporary (%s); the rule itself is %s", "description, name or tags", strings.Join(said, ", "), j.Severity)}
		f.Exposure = j.Exposure
		out = append(out, f)
	}
	if !r.Created.IsZero() && j.Severity >= model.Medium {
		if age := a.opts.Now.Sub(r.Created); age > a.opts.StaleAfter {
			f := finding(RuleStale, fw, r, model.Low, fmt.Sprintf("%s%s: broad rule in force for %d days (%s)", label(fw), ruleLabel(r), int(age.Hours()/24), open(j.Change)))
			f.Reasons = []string{fmt.Sprintf("created %s, more than %d days before %s; a broad exception that old should be re-approved or removed", r.Created.Format("2006-01-02"), int(a.opts.StaleAfter.Hours()/24), a.opts.Now.UTC().Format("2006-01-02"))}
			f.Exposure = j.Exposure
			out = append(out, f)
		}
	}
	return out
}

// defaultGroup reports an AWS default security group with rules beyond
// its defaults (all traffic from itself in, all traffic out): every
// interface launched without a group gets it.
func (a *Auditor) defaultGroup(fw *model.Firewall) (model.Finding, bool) {
	if fw.Resource.Type != "security_group" || !fw.Default {
		return model.Finding{}, false
	}
	var extra []string
	for _, r := range fw.Rules {
		self := len(r.Peers) == 1 && r.Peers[0].Kind == model.PeerGroup && r.Peers[0].Value == fw.Resource.ID
		allOut := r.Direction == model.Egress && r.Protocol == "all" && len(r.Peers) == 1 && (r.Peers[0].Value == "0.0.0.0/0" || r.Peers[0].Value == "::/0")
		if r.Direction == model.Ingress && self || allOut {
			continue
		}
		var peers []string
		for _, p := range r.Peers {
			peers = append(peers, p.String())
		}
		extra = append(extra, fmt.Sprintf("%s %s %s from %s", r.Direction, r.Protocol, strings.Join(r.Ports.Strings(), ","), strings.Join(peers, ",")))
	}
	if len(extra) == 0 {
		return model.Finding{}, false
	}
	f := finding(RuleDefaultGroup, fw, nil, model.Medium, fmt.Sprintf("%s: default security group has %d rule(s) beyond its defaults", label(fw), len(extra)))
	f.Reasons = append([]string{"the default group is applied to every interface launched without a group; it should hold no rules beyond its own defaults (CIS AWS Foundations: restrict all traffic in the default group)"}, extra...)
	return f, true
}
