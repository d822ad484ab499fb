package snapshot

import (
	"slices"
	"strings"

	"cloudwall/internal/model"
	"cloudwall/internal/normalize/jv"
)

// unknownGCPDefault keeps a google_compute_firewall whose source_ranges
// (ingress) or destination_ranges (egress) are known only after apply from
// being read as open to the world: GCP's 0.0.0.0/0 default applies to a
// rule with no range, not to one whose ranges are not known yet. When the
// plan's configuration sets the attribute (to values known after apply),
// or the plan has no configuration to tell, the default peer is taken
// away and the attribute returned, to be reported as unknown; when the
// configuration leaves it unset, the provider computes it, GCP applies
// its default, and the rule stays open to the world. The note says which.
func unknownGCPDefault(fw *model.Firewall, unknown, config map[string]any, addr string) (forced, note string) {
	if fw == nil || fw.Cloud != model.GCP {
		return "", ""
	}
	for i := range fw.Rules {
		r := &fw.Rules[i]
		attr, dflt := "source_ranges", "no source given: GCP defaults to 0.0.0.0/0"
		if r.Direction == model.Egress {
			attr, dflt = "destination_ranges", "no destination given: GCP defaults to 0.0.0.0/0"
		}
		j := slices.Index(r.Notes, dflt)
		if j < 0 || jv.Get(unknown, attr) != true {
			continue
		}
		set, found := tfConfigSets(config, addr, attr)
		if found && !set {
			r.Notes = append(r.Notes, "the configuration leaves "+attr+" unset: the provider computes it and GCP applies 0.0.0.0/0")
			continue
		}
		r.Peers = nil
		r.Notes = append(r.Notes[:j:j], r.Notes[j+1:]...)
		forced, note = attr, "the configuration sets "+attr+" to values known only after apply: not judged as GCP's 0.0.0.0/0 default for a rule with none"
		if !found {
			note = "the plan's configuration does not say whether " + attr + " is set: if it is not, GCP opens the rule to 0.0.0.0/0"
		}
	}
	return forced, note
}

// tfConfigSets reports whether the plan's configuration gives the
// resource at addr an expression for attr (a constant null is no value),
// and whether the resource was found in it at all. Configuration
// addresses have no instance keys and are relative to their module.
func tfConfigSets(root map[string]any, addr, attr string) (set, found bool) {
	parts := splitAddress(addr)
	mod := root
	for len(parts) > 2 && parts[0] == "module" {
		mod = jv.Obj(mod, "module_calls", parts[1], "module")
		parts = parts[2:]
	}
	if mod == nil || len(parts) != 2 {
		return false, false
	}
	for _, r := range jv.Objs(mod, "resources") {
		if jv.Str(r, "type") != parts[0] || jv.Str(r, "name") != parts[1] || jv.Str(r, "mode") == "data" {
			continue
		}
		e := jv.Obj(r, "expressions", attr)
		if e == nil {
			return false, true
		}
		if v, ok := e["constant_value"]; ok && v == nil {
			return false, true
		}
		return true, true
	}
	return false, false
}

// splitAddress splits a Terraform address on its dots, dropping instance
// keys (`[0]`, `["a.b"]`): module.net["x"].aws_security_group.web[0] is
// module, net, aws_security_group, web.
func splitAddress(addr string) []string {
	var parts []string
	var cur strings.Builder
	depth, quoted := 0, false
	for i := 0; i < len(addr); i++ {
		c := addr[i]
		switch {
		case quoted:
			if c == '\\' {
				i++
			} else if c == '"' {
				quoted = false
			}
		case c == '"':
			quoted = true
		case c == '[':
			depth++
		case c == ']':
			depth--
		case depth > 0:
		case c == '.':
			parts = append(parts, cur.String())
			cur.Reset()
		default:
			cur.WriteByte(c)
		}
	}
	return append(parts, cur.String())
}

// unknownGCPPorts keeps a google_compute_firewall allow or deny entry
// whose ports are known only after apply from being read as all ports,
// GCP's meaning of an entry with none: its rule keeps its protocol and
// has no ports, as a call that does not log them, judged as such.
func unknownGCPPorts(fw *model.Firewall, after, unknown map[string]any) {
	if fw == nil || fw.Cloud != model.GCP {
		return
	}
	for _, l := range []struct {
		key    string
		action model.Action
	}{{"allow", model.Allow}, {"deny", model.Deny}} {
		unk, _ := jv.Get(unknown, l.key).([]any)
		for i, e := range jv.Objs(after, l.key) {
			if i >= len(unk) || jv.Get(asObj(unk[i]), "ports") != true {
				continue
			}
			for j := range fw.Rules {
				r := &fw.Rules[j]
				if r.Action == l.action && strings.EqualFold(r.Protocol, jv.Str(e, "protocol")) && r.Ports.All() {
					r.Ports = nil
					r.Notes = append(r.Notes, "ports known only after apply: not judged as all ports")
				}
			}
		}
	}
}

func asObj(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}
