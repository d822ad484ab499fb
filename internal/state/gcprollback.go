package state

import (
	"fmt"
	"strings"

	"cloudwall/internal/model"
)

// gcpRollback undoes a change to one GCP VPC firewall rule.
func (a *applier) gcpRollback() []string {
	f := a.f
	name := lastSegment(f.meta.Resource.ID)
	project, _ := gcpScope(f)
	switch {
	case strings.HasSuffix(a.ev.OperationKey, ".insert"):
		return []string{fmt.Sprintf("gcloud compute firewall-rules delete %s --project=%s --quiet", shq(name), shq(project))}
	case a.ev.Settings[model.SettingDisabled] != "" && len(a.ev.Changes) == 0:
		flag := "--no-disabled"
		if !model.SettingIs(a.ev.Settings, model.SettingDisabled, "true") {
			flag = "--disabled"
		}
		return []string{fmt.Sprintf("gcloud compute firewall-rules update %s --project=%s %s", shq(name), shq(project), flag)}
	}
	if f.deleted {
		if len(a.removed) == 0 {
			return []string{"# the rule's content before this call is not in the baseline or the logs: " + describeCmd(name, project) + " taken before the change gives it; recreate it by hand"}
		}
		return []string{gcloudCreate(f, name, project, a.removed)}
	}
	return gcloudUndo(f, name, project, a.prior, f.rules, a.priorKnown, strings.HasSuffix(a.ev.OperationKey, ".update"))
}

// describeCmd is the command whose saved output holds a rule's content.
func describeCmd(name, project string) string {
	return "`gcloud compute firewall-rules describe " + shq(name) + " --project=" + shq(project) + " --format=json`"
}

// gcloudUndo sets back every field of a rule that differs between its
// content before a call (prior) and after it (now). An earlier value the
// state does not hold (no baseline, only earlier patches seen) is a
// placeholder, and a first line names the fields and the snapshot that
// gives them: the command is never built from a guess. known says prior
// is the rule's whole content, so a field empty in it was empty; whole
// says the call replaced the whole rule (an update), so a field it left
// empty may have held something the state did not see.
func gcloudUndo(f *firewall, name, project string, prior, now []*rule, known, whole bool) []string {
	if len(now) == 0 {
		return []string{"# the rule's content before this call is not in the baseline or the logs: compare with " + describeCmd(name, project) + " and restore by hand"}
	}
	var old model.Rule
	if len(prior) > 0 {
		old = prior[0].Rule
	}
	cur := now[0].Rule
	if known && old.Action != "" && cur.Action != "" && old.Action != cur.Action {
		// gcloud update cannot change a rule's action: recreate it.
		return []string{fmt.Sprintf("gcloud compute firewall-rules delete %s --project=%s --quiet", shq(name), shq(project)),
			gcloudCreate(f, name, project, prior)}
	}
	cmd := fmt.Sprintf("gcloud compute firewall-rules update %s --project=%s", shq(name), shq(project))
	var unknown []string
	set := func(flag, oldVal, placeholder string, clearable bool) {
		switch {
		case oldVal != "":
			cmd += " " + flag + "=" + shq(oldVal)
		case known && clearable:
			cmd += " " + flag + "=''" // it had none: clear it
		default:
			cmd += " " + flag + "='" + placeholder + "'"
			unknown = append(unknown, strings.TrimPrefix(flag, "--"))
		}
	}
	if o, n := gcloudRules(prior), gcloudRules(now); o != n {
		set("--rules", o, "<RULES>", false)
	}
	dir := cmpDir(old.Direction, cur.Direction)
	of, nf := fieldsOf(old.Peers, old.Targets, dir), fieldsOf(cur.Peers, cur.Targets, dir)
	for i := range nGCPFields {
		if !sameField(&of, &nf, i) {
			set(gcpFieldFlags[i], strings.Join(of.values(i), ","), "<"+strings.ToUpper(strings.ReplaceAll(gcpFieldFlags[i][2:], "-", "_"))+">", true)
		}
	}
	switch {
	case old.Priority == nil && cur.Priority != nil:
		set("--priority", "", "<PRIORITY>", false)
	case old.Priority != nil && (cur.Priority == nil || *old.Priority != *cur.Priority):
		cmd += fmt.Sprintf(" --priority=%d", *old.Priority)
	}
	if len(prior) > 0 && old.Disabled != cur.Disabled {
		if old.Disabled {
			cmd += " --disabled"
		} else {
			cmd += " --no-disabled"
		}
	}
	if cmd == fmt.Sprintf("gcloud compute firewall-rules update %s --project=%s", shq(name), shq(project)) {
		return []string{"# nothing to undo: the call changed no field the state tracks"}
	}
	if len(unknown) > 0 {
		also := ""
		if whole && !known {
			also = ", and any other field the update cleared"
		}
		return []string{"# the rule's " + strings.Join(unknown, ", ") + " before this call are not in the baseline or the logs: " +
			describeCmd(name, project) + " taken before the change, given as --baseline, gives them" + also + "; fill them in (a field that was empty: '')", cmd}
	}
	return []string{cmd}
}

// cmpDir is the first known direction.
func cmpDir(a, b model.Direction) model.Direction {
	if a != "" {
		return a
	}
	return b
}

// gcloudRules renders the allowed or denied list: tcp:22,udp:1000-2000.
func gcloudRules(rules []*rule) string {
	var parts []string
	for _, r := range rules {
		p := protoName(r.Protocol)
		if p == "" {
			continue
		}
		if len(r.Ports) == 0 || r.Ports.All() || !portBearing(p) {
			parts = append(parts, p)
			continue
		}
		for _, pr := range r.Ports {
			parts = append(parts, p+":"+pr.String())
		}
	}
	return strings.Join(parts, ",")
}

func gcloudCreate(f *firewall, name, project string, old []*rule) string {
	r := old[0]
	network := lastSegment(f.meta.Network)
	if network == "" {
		return "# cannot recreate " + name + ": its network is not in the baseline or the logs"
	}
	action := "ALLOW"
	if r.Action == model.Deny {
		action = "DENY"
	}
	dir := "INGRESS"
	if r.Direction == model.Egress {
		dir = "EGRESS"
	}
	cmd := fmt.Sprintf("gcloud compute firewall-rules create %s --project=%s --network=%s --direction=%s --action=%s", shq(name), shq(project), shq(network), dir, action)
	if rs := gcloudRules(old); rs != "" {
		cmd += " --rules=" + shq(rs)
	}
	fs := fieldsOf(r.Peers, r.Targets, r.Direction)
	for i := range nGCPFields {
		if v := fs.values(i); len(v) > 0 {
			cmd += " " + gcpFieldFlags[i] + "=" + shq(strings.Join(v, ","))
		}
	}
	if r.Priority != nil {
		cmd += fmt.Sprintf(" --priority=%d", *r.Priority)
	}
	if r.Disabled {
		cmd += " --disabled" // it was deleted while disabled
	}
	return cmd
}
