package snapshot

import (
	"strings"
	"time"

	"cloudwall/internal/model"
	"cloudwall/internal/normalize/gcp"
	"cloudwall/internal/normalize/jv"
)

// readGCP recognises compute firewalls (REST object or list, gcloud JSON,
// getEffectiveFirewalls), firewall policies (hierarchical, global and
// regional network) and Cloud Asset Inventory assets.
func readGCP(b *builder, m map[string]any, src model.SourceRef) (result, bool) {
	kind := jv.Str(m, "kind")
	switch {
	case has(m, "asset_type") || has(m, "assetType"):
		return caiAsset(b, m, src), true
	case kind == "compute#firewallList":
		for _, fw := range jv.Objs(m, "items") {
			b.add(vpcRule(fw, src))
		}
	case kind == "compute#firewall" || kind == "" && (has(m, "allowed") || has(m, "denied")) && has(m, "network"):
		b.add(vpcRule(m, src))
	case has(m, "firewalls") && (len(m) == 1 || has(m, "firewallPolicys")):
		for _, fw := range jv.Objs(m, "firewalls") {
			b.add(vpcRule(fw, src))
		}
		for _, p := range jv.Objs(m, "firewallPolicys") {
			b.add(firewallPolicyGCP(p, src))
		}
	case kind == "compute#firewallPolicy" || has(m, "rules") && len(jv.Objs(m, "rules")) > 0 && has(jv.Objs(m, "rules")[0], "match"):
		b.add(firewallPolicyGCP(m, src))
	case kind == "compute#firewallPolicyList":
		for _, p := range jv.Objs(m, "items") {
			b.add(firewallPolicyGCP(p, src))
		}
	case kind == "sql#instancesList":
		for _, inst := range jv.Objs(m, "items") {
			b.add(cloudSQL(inst, "", src))
		}
	case isCloudSQL(m):
		b.add(cloudSQL(m, "", src))
	case strings.HasPrefix(kind, "compute#") || strings.HasPrefix(kind, "sql#"):
		return skipped("GCP resource of kind " + kind), true
	default:
		return result{}, false
	}
	return recognised, true
}

// caiAsset reads a Cloud Asset Inventory asset; only firewalls are read,
// other asset types are skipped.
func caiAsset(b *builder, m map[string]any, src model.SourceRef) result {
	typ := first(jv.Str(m, "asset_type"), jv.Str(m, "assetType"))
	data := jv.Obj(m, "resource", "data")
	switch typ {
	case "compute.googleapis.com/Firewall":
		if data == nil {
			return result{err: "firewall asset without resource.data"}
		}
		fw := vpcRule(data, src)
		if t := first(jv.Str(m, "update_time"), jv.Str(m, "updateTime")); t != "" {
			fw.AsOf, _ = time.Parse(time.RFC3339Nano, t)
		}
		b.add(fw)
		return recognised
	case "compute.googleapis.com/FirewallPolicy", "compute.googleapis.com/NetworkFirewallPolicy", "compute.googleapis.com/RegionNetworkFirewallPolicy":
		if data == nil {
			return result{err: "firewall policy asset without resource.data"}
		}
		b.add(firewallPolicyGCP(data, src))
		return recognised
	case "sqladmin.googleapis.com/Instance":
		if data == nil {
			return result{err: "Cloud SQL asset without resource.data"}
		}
		b.add(cloudSQL(data, jv.Str(m, "name"), src))
		return recognised
	}
	return skipped("asset of type " + typ)
}

// networkPath reduces a network URL to "projects/P/global/networks/N".
func networkPath(u string) string {
	if i := strings.Index(u, "projects/"); i >= 0 {
		return u[i:]
	}
	return u
}

func projectOf(path string) string {
	rest, ok := strings.CutPrefix(path, "projects/")
	if !ok {
		return ""
	}
	p, _, _ := strings.Cut(rest, "/")
	return p
}

// vpcRule reads one VPC firewall rule into its network's firewall.
func vpcRule(fw map[string]any, src model.SourceRef) model.Firewall {
	net := networkPath(jv.Str(fw, "network"))
	changes, disabled, notes := gcp.FirewallRule(fw)
	created := parseTime(jv.Str(fw, "creationTimestamp"))
	out := model.Firewall{
		Cloud:    model.GCP,
		Account:  first(projectOf(net), projectOf(networkPath(jv.Str(fw, "selfLink")))),
		Resource: model.Resource{Type: "network", ID: net, Name: lastSegment(net)},
		Network:  net,
		Source:   src,
	}
	for _, c := range changes {
		r := toRule(c, jv.Str(fw, "description"), notes)
		r.ID = jv.Str(fw, "id")
		r.Disabled = disabled
		r.Created = created
		out.Rules = append(out.Rules, r)
	}
	return out
}

// firewallPolicyGCP reads a hierarchical or network firewall policy.
func firewallPolicyGCP(p map[string]any, src model.SourceRef) model.Firewall {
	self := jv.Str(p, "selfLink")
	typ := "network_firewall_policy"
	if strings.HasPrefix(jv.Str(p, "parent"), "organizations/") || strings.HasPrefix(jv.Str(p, "parent"), "folders/") ||
		strings.Contains(self, "/locations/global/firewallPolicies/") || strings.EqualFold(jv.Str(p, "type"), "HIERARCHY") {
		typ = "firewall_policy"
	}
	id := first(networkPath(self), jv.Str(p, "name"))
	if !strings.Contains(self, "projects/") {
		id = first(jv.Str(p, "name"), self)
	}
	fw := model.Firewall{
		Cloud:    model.GCP,
		Account:  projectOf(id),
		Region:   jv.Str(p, "region"),
		Resource: model.Resource{Type: typ, ID: id, Name: first(jv.Str(p, "shortName"), jv.Str(p, "displayName"), jv.Str(p, "name"))},
		Source:   src,
	}
	for _, a := range jv.Objs(p, "associations") {
		if t := jv.Str(a, "attachmentTarget"); t != "" {
			fw.AttachedTo = append(fw.AttachedTo, t)
		}
	}
	for _, r := range jv.Objs(p, "rules") {
		changes, disabled, notes := gcp.PolicyRule(r)
		for _, c := range changes {
			if c.Name == "" && c.Priority != nil {
				c.Name = itoa(*c.Priority)
			}
			rule := toRule(c, jv.Str(r, "description"), notes)
			rule.Disabled = disabled
			fw.Rules = append(fw.Rules, rule)
		}
	}
	return fw
}

func parseTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(s))
	if err != nil {
		return time.Time{}
	}
	return t.UTC()
}
