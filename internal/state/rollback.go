package state

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"cloudwall/internal/content"
	"cloudwall/internal/detect"
	"cloudwall/internal/model"
)

// Rollback commands are printed, never run. Each is built from the
// baseline or from what the logs showed; where the earlier content is not
// known, a line starting with "#" says so instead of guessing.

// MaxRollback bounds the rollback commands one call gets: a call adding
// 60,000 rules (one per peer of a security group) would otherwise print
// 60,000 commands. Past it, a last line says how many were left out.
const MaxRollback = 20

// capRollback cuts cmds to MaxRollback plus a line counting the rest.
func capRollback(cmds []string) []string {
	if len(cmds) <= MaxRollback {
		return cmds
	}
	more := len(cmds) - MaxRollback
	out := slices.Clip(cmds[:MaxRollback])
	return append(out, fmt.Sprintf("# … and %d more commands like these, one per rule the call changed (rollback capped at %d): build them the same way from the rules in the finding's changes", more, MaxRollback))
}

// rollback returns the commands that undo the applied call.
func (a *applier) rollback() []string {
	f := a.f
	if a.ch.NoOp && len(a.added) == 0 && len(a.removed) == 0 {
		return []string{"# nothing to undo: the call changed nothing"}
	}
	for _, c := range a.ev.Changes {
		if c.Merged > 0 {
			return []string{"# not built: the record holds more rule entries than a cloud call makes, and some were merged into wider changes; undo the call from the firewall as the cloud shows it now"}
		}
	}
	if a.createdWrite() && a.ev.Resource.Type == "nsg" {
		// A write that created the group: undone by deleting it.
		if c := deleteFirewall(f); c != "" {
			return []string{c}
		}
	}
	switch a.op.Kind {
	case content.KindCreate:
		if c := deleteFirewall(f); c != "" {
			return []string{c}
		}
	case content.KindDelete:
		return recreateFirewall(f, a.removed)
	case content.KindSwap, content.KindDetach:
		return a.reattach()
	case content.KindSettings, content.KindProtection:
		return a.accessRollback()
	}
	if f.family == gcpVPC {
		return a.gcpRollback()
	}
	if f.meta.Resource.Type == "cloudsql_instance" {
		return a.cloudSQLRollback()
	}
	if isCluster(f.meta.Resource.Type) {
		return a.clusterRollback()
	}
	var out []string
	// Put back what was removed or replaced, then take out what was added
	// and did not replace anything with the same identity.
	removedIDs, addedIDs := map[string]bool{}, map[string]bool{}
	for _, r := range a.removed {
		if id := identity(f, &r.Rule); id != "" {
			removedIDs[id] = true
		}
	}
	for _, r := range a.added {
		if id := identity(f, &r.Rule); id != "" {
			addedIDs[id] = true
		}
	}
	for _, r := range a.added {
		if removedIDs[identity(f, &r.Rule)] {
			continue // restoring the old rule replaces it
		}
		out = append(out, removeRule(f, r)...)
	}
	for _, r := range a.removed {
		out = append(out, restoreRule(f, r, addedIDs[identity(f, &r.Rule)])...)
	}
	if len(a.ch.Before.Rules) == 0 && !a.ch.Before.Known && len(a.added) > 0 && len(a.removed) == 0 && a.ev.Resource.Type == "nsg" {
		out = append(out, "# the group's rules before this write are not known (no baseline): rules it removed cannot be restored from here")
	}
	for _, n := range a.ch.Notes {
		if strings.Contains(n, "not known") || strings.Contains(n, "not seen before") {
			out = append(out, "# prior state unknown: "+n)
		}
	}
	return out
}

// cloudSQLRollback puts back a Cloud SQL instance's authorized networks.
// patch replaces the whole list, so the command carries the full earlier
// list, known from the baseline or an earlier call that sent it.
func (a *applier) cloudSQLRollback() []string {
	f := a.f
	instance, project := lastSegment(f.meta.Resource.ID), cloudSQLProject(f)
	cmd := fmt.Sprintf("gcloud sql instances patch %s --project=%s", shq(instance), shq(project))
	if strings.HasSuffix(a.ev.OperationKey, ".create") {
		// Before the call there was no instance, so no network reached it.
		return []string{cmd + " --clear-authorized-networks"}
	}
	if !a.priorKnown {
		return []string{"# the authorized networks before this call are not in the logs: `gcloud sql instances describe " +
			shq(instance) + " --project=" + shq(project) + " --format=json` taken before the change, given as --baseline, gives them; then: " +
			cmd + " --authorized-networks='<APPROVED_CIDRS>'"}
	}
	var nets []string
	for _, r := range a.prior {
		for _, p := range r.Peers {
			if !slices.Contains(nets, p.Value) {
				nets = append(nets, p.Value)
			}
		}
	}
	if len(nets) == 0 {
		return []string{cmd + " --clear-authorized-networks"}
	}
	return []string{cmd + " --authorized-networks=" + shq(strings.Join(nets, ","))}
}

// cloudSQLProject reads a Cloud SQL instance's project from its id.
func cloudSQLProject(f *firewall) string {
	if rest, ok := strings.CutPrefix(normID(model.GCP, f.meta.Resource.ID), "projects/"); ok {
		p, _, _ := strings.Cut(rest, "/")
		return p
	}
	return f.meta.Account
}

// reattach undoes a detach or swap where the state holds what was there
// before, and otherwise says which snapshot would have it.
func (a *applier) reattach() []string {
	f := a.f
	if f.meta.Cloud != model.AWS || f.meta.Resource.Type != "web_acl" || a.op.Kind != content.KindDetach || len(a.ev.Targets) == 0 {
		return nil
	}
	svc, _, _ := strings.Cut(a.ev.OperationKey, ":")
	reg := region(f)
	var out []string
	for _, res := range a.ev.Targets {
		if svc == "waf-regional" {
			// A <NAME> the id is not known by is quoted like a value:
			// bare, < and > would redirect.
			id := f.meta.Resource.ID
			if id == "" {
				id = "<WEB_ACL_ID>"
			}
			out = append(out, fmt.Sprintf("aws waf-regional associate-web-acl%s --web-acl-id %s --resource-arn %s", reg, shq(id), shq(res)))
			continue
		}
		// DisassociateWebACL names only the protected resource; the
		// web ACL's ARN is in no log the scan reads.
		out = append(out, "# the web ACL that protected "+res+" is not in the logs (DisassociateWebACL names only the resource): `aws wafv2 get-web-acl-for-resource"+reg+" --resource-arn "+shq(res)+"` saved before the change, or the AWS Config history of the AWS::WAFv2::WebACL, gives its ARN; then:",
			fmt.Sprintf("aws wafv2 associate-web-acl%s --web-acl-arn '<WEB_ACL_ARN>' --resource-arn %s", reg, shq(res)))
	}
	return out
}

// windowRollback returns the commands that close an exposure: remove the
// rule that admits the internet.
func windowRollback(f *firewall, r *rule) []string {
	if r == f.implicit {
		return redisClose(f)
	}
	if f.family == gcpVPC {
		p, _ := gcpScope(f)
		return []string{fmt.Sprintf("gcloud compute firewall-rules update %s --project=%s --disabled", shq(lastSegment(f.meta.Resource.ID)), shq(p))}
	}
	return removeRule(f, r)
}

// removeRule is the command that takes rule r out of f.
func removeRule(f *firewall, r *rule) []string {
	res := f.meta.Resource
	switch f.meta.Resource.Type {
	case "security_group":
		verb := "revoke-security-group-ingress"
		if r.Direction == model.Egress {
			verb = "revoke-security-group-egress"
		}
		if id := sgrID(r); id != "" {
			return []string{fmt.Sprintf("aws ec2 %s%s --group-id %s --security-group-rule-ids %s", verb, region(f), shq(res.ID), shq(id))}
		}
		perm, ok := detect.IPPermissions(r.RuleChange)
		if !ok {
			return []string{"# cannot build the revoke: the rule's protocol or peer is not known (" + describe(&r.Rule) + ")"}
		}
		return []string{fmt.Sprintf("aws ec2 %s%s --group-id %s --ip-permissions %s", verb, region(f), shq(res.ID), shq(perm))}
	case "network_acl":
		if r.Priority == nil {
			return []string{"# cannot build the delete: the entry's rule number is not known"}
		}
		return []string{fmt.Sprintf("aws ec2 delete-network-acl-entry%s --network-acl-id %s %s --rule-number %d", region(f), shq(res.ID), naclDir(r), *r.Priority)}
	case "nsg":
		rg, name := azureRG(res.ID), lastSegment(res.ID)
		if r.Name == "" || rg == "" {
			return []string{"# cannot build the delete: the rule's name or resource group is not known"}
		}
		return []string{fmt.Sprintf("az network nsg rule delete%s --resource-group %s --nsg-name %s --name %s", subscription(res.ID), shq(rg), shq(name), shq(r.Name))}
	case "sql_server":
		if c, ok := sqlServerCommand(f, r, "delete"); ok {
			return append(redisLastRule(res.ID), c)
		}
	case "eks_cluster", "gke_cluster", "aks_cluster":
		return clusterWithout(f, r)
	case "cloudsql_instance":
		// patch replaces the list: send it without the internet.
		var keep []string
		for _, p := range r.Peers {
			if nets, ok := parseNet(p); ok && len(nets) == 1 && nets[0].Bits() > 0 {
				keep = append(keep, p.Value)
			}
		}
		cmd := fmt.Sprintf("gcloud sql instances patch %s --project=%s", shq(lastSegment(res.ID)), shq(cloudSQLProject(f)))
		if len(keep) == 0 {
			return []string{cmd + " --clear-authorized-networks"}
		}
		return []string{cmd + " --authorized-networks=" + shq(strings.Join(keep, ","))}
	}
	return []string{fmt.Sprintf("# no rollback command for %s rules yet: remove %s by hand", res.Type, describe(&r.Rule))}
}

// restoreRule is the command that puts rule r back into f; replacing says
// an entry with the same identity is there now.
func restoreRule(f *firewall, r *rule, replacing bool) []string {
	res := f.meta.Resource
	switch res.Type {
	case "security_group":
		if len(r.Peers) == 0 || r.Protocol == "" {
			return []string{"# cannot restore rule " + describe(&r.Rule) + ": its content is not in the baseline or the logs"}
		}
		verb := "authorize-security-group-ingress"
		if r.Direction == model.Egress {
			verb = "authorize-security-group-egress"
		}
		perm, ok := detect.IPPermissions(r.RuleChange)
		if !ok {
			return []string{"# cannot restore rule " + describe(&r.Rule) + ": its peer is not a CIDR, prefix list or group"}
		}
		return []string{fmt.Sprintf("aws ec2 %s%s --group-id %s --ip-permissions %s", verb, region(f), shq(res.ID), shq(perm))}
	case "network_acl":
		if r.Priority == nil || len(r.Peers) == 0 || r.Action == "" || r.Protocol == "" {
			return []string{"# cannot restore entry " + describe(&r.Rule) + ": its earlier content is not in the baseline or the logs"}
		}
		verb := "create-network-acl-entry"
		if replacing {
			verb = "replace-network-acl-entry"
		}
		cmd := fmt.Sprintf("aws ec2 %s%s --network-acl-id %s %s --rule-number %d --protocol %s", verb, region(f), shq(res.ID), naclDir(r), *r.Priority, naclProto(r.Protocol))
		if p := protoName(r.Protocol); portBearing(p) {
			pr := model.AllPortRange
			if len(r.Ports) > 0 {
				pr = r.Ports[0]
			}
			cmd += fmt.Sprintf(" --port-range From=%d,To=%d", pr.From, pr.To)
		} else if p == "icmp" || p == "icmpv6" {
			cmd += " --icmp-type-code Type=-1,Code=-1"
		}
		flag := "--cidr-block"
		if a, err := netip.ParsePrefix(r.Peers[0].Value); err == nil && a.Addr().Is6() {
			flag = "--ipv6-cidr-block"
		}
		cmd += fmt.Sprintf(" %s %s --rule-action %s", flag, shq(r.Peers[0].Value), r.Action)
		return []string{cmd}
	case "nsg":
		return []string{nsgCreate(f, r)}
	case "sql_server":
		verb := "create"
		if replacing {
			verb = "update"
		}
		if c, ok := sqlServerCommand(f, r, verb); ok {
			return []string{c}
		}
	}
	return []string{fmt.Sprintf("# no rollback command for %s rules yet: restore %s by hand", res.Type, describe(&r.Rule))}
}

// addressRange reads one first-last range, CIDR or address peer as the
// first and last IPv4 or IPv6 address.
func addressRange(peers []model.Peer) (lo, hi string, ok bool) {
	if len(peers) != 1 {
		return "", "", false
	}
	nets, ok := parseNet(peers[0])
	if !ok || len(nets) == 0 {
		return "", "", false
	}
	return nets[0].Addr().String(), lastAddr(nets[len(nets)-1]).String(), true
}

// nsgCreate builds az network nsg rule create from a known rule.
func nsgCreate(f *firewall, r *rule) string {
	res := f.meta.Resource
	rg, name := azureRG(res.ID), lastSegment(res.ID)
	if r.Name == "" || r.Priority == nil || r.Action == "" || len(r.Peers) == 0 || rg == "" {
		return "# cannot restore rule " + describe(&r.Rule) + ": its earlier content is not in the baseline or the logs"
	}
	dir := "Inbound"
	if r.Direction == model.Egress {
		dir = "Outbound"
	}
	proto := "*"
	switch p := protoName(r.Protocol); p {
	case "tcp", "udp", "icmp", "esp", "ah":
		proto = strings.ToUpper(p[:1]) + p[1:]
	}
	ports := shq("*")
	if len(r.Ports) > 0 && !r.Ports.All() {
		ports = strings.Join(r.Ports.Strings(), " ") // digits and dashes only
	}
	var peers []string
	for _, p := range r.Peers {
		peers = append(peers, shq(nsgPeer(p)))
	}
	targets := []string{shq("*")}
	if len(r.Targets) > 0 {
		targets = nil
		for _, t := range r.Targets {
			targets = append(targets, shq(t))
		}
	}
	src, dst := strings.Join(peers, " "), strings.Join(targets, " ")
	if r.Direction == model.Egress {
		src, dst = dst, src
	}
	access := "Allow"
	if r.Action == model.Deny {
		access = "Deny"
	}
	return fmt.Sprintf("az network nsg rule create%s --resource-group %s --nsg-name %s --name %s --priority %d --direction %s --access %s --protocol %s --source-address-prefixes %s --destination-address-prefixes %s --destination-port-ranges %s",
		subscription(res.ID), shq(rg), shq(name), shq(r.Name), *r.Priority, dir, access, shq(proto), src, dst, ports)
}

func nsgPeer(p model.Peer) string {
	switch p.Kind {
	case model.PeerAny:
		return "*"
	default:
		return p.Value
	}
}

// deleteFirewall undoes a creation.
func deleteFirewall(f *firewall) string {
	res := f.meta.Resource
	switch res.Type {
	case "security_group":
		return "aws ec2 delete-security-group" + region(f) + " --group-id " + shq(res.ID)
	case "network_acl":
		return "aws ec2 delete-network-acl" + region(f) + " --network-acl-id " + shq(res.ID)
	case "nsg":
		if rg := azureRG(res.ID); rg != "" {
			return fmt.Sprintf("az network nsg delete%s --resource-group %s --name %s", subscription(res.ID), shq(rg), shq(lastSegment(res.ID)))
		}
	}
	return ""
}

// recreateFirewall says how to bring back a deleted firewall: its id
// changes on AWS, so the commands are given as a recipe.
func recreateFirewall(f *firewall, old []*rule) []string {
	res := f.meta.Resource
	if len(old) == 0 {
		return []string{"# " + res.Type + " " + res.ID + " was deleted and its rules are not in the baseline or the logs: recreate it by hand"}
	}
	out := []string{"# " + res.Type + " " + res.ID + " was deleted; recreate it and put back its rules (the new id differs: substitute it):"}
	for _, r := range old {
		for _, c := range restoreRule(f, r, false) {
			out = append(out, "# "+strings.TrimPrefix(c, "# "))
		}
	}
	return out
}

func sgrID(r *rule) string {
	for _, s := range []string{r.ID, r.Name} {
		if strings.HasPrefix(s, "sgr-") {
			return s
		}
	}
	return ""
}

func naclDir(r *rule) string {
	if r.Direction == model.Egress {
		return "--egress"
	}
	return "--ingress"
}

func naclProto(p string) string {
	switch protoName(p) {
	case "tcp":
		return "6"
	case "udp":
		return "17"
	case "icmp":
		return "1"
	case "icmpv6":
		return "58"
	case "all":
		return "-1"
	}
	return shq(p)
}

// azureRG reads the resource group from an ARM id.
func azureRG(id string) string {
	parts := strings.Split(id, "/")
	for i := 0; i+1 < len(parts); i++ {
		if strings.EqualFold(parts[i], "resourcegroups") {
			return parts[i+1]
		}
	}
	return ""
}

// plain says whether s needs no quoting: ^[A-Za-z0-9_./:=,@%+-]+$.
func plain(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("_./:=,@%+-", c) >= 0 {
			continue
		}
		return false
	}
	return true
}

// shq quotes a value for a POSIX shell when it needs it.
func shq(s string) string {
	if plain(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// region is the --region flag for an AWS command, when the region is known.
func region(f *firewall) string {
	if f.meta.Region == "" {
		return ""
	}
	return " --region " + shq(f.meta.Region)
}

// subscription is the --subscription flag read from an ARM id.
func subscription(id string) string {
	parts := strings.Split(id, "/")
	for i := 0; i+1 < len(parts); i++ {
		if strings.EqualFold(parts[i], "subscriptions") && parts[i+1] != "" {
			return " --subscription " + shq(parts[i+1])
		}
	}
	return ""
}
