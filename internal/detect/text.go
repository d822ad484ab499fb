package detect

import (
	"slices"
	"strings"
	"time"

	"cloudwall/internal/model"
)

// placeholders returns the values of the template placeholders that
// content.Placeholders documents. Titles get short forms (the last segment
// of Azure resource ids, targets separated by ", "); guidance gets the
// ids as logged, so commands can be pasted (targets joined by ",", the
// form AWS filters take).
func placeholders(ev *model.Event, v *verdict, forTitle bool) map[string]string {
	var rules []string
	for _, ch := range ev.Changes {
		if ch.Name != "" && !slices.Contains(rules, ch.Name) {
			rules = append(rules, ch.Name)
		}
	}
	targets := strings.Join(ev.Targets, ",")
	if forTitle {
		targets = short(shortIDs(ev.Targets), 3)
	}
	vals := map[string]string{
		"resource":      shortResource(ev.Resource),
		"resource_id":   ev.Resource.ID,
		"resource_name": first(ev.Resource.Name, lastSegment(ev.Resource.ID)),
		"resource_type": resourceTypeName(ev.Resource.Type),
		"account":       ev.Account,
		"region":        ev.Region,
		"actor":         first(ev.Actor.ID, ev.Actor.Name),
		"actor_name":    first(ev.Actor.Name, ev.Actor.ID),
		"source_ip":     ev.SourceIP,
		"user_agent":    ev.UserAgent,
		"via_service":   ev.Actor.ViaService,
		"operation":     ev.Operation,
		"change":        v.change,
		"rule":          strings.Join(rules, ","),
		"targets":       targets,
		"error":         ev.ErrorCode,
	}
	if !ev.Time.IsZero() {
		t := ev.Time.UTC()
		vals["time"] = t.Format(time.RFC3339)
		vals["start"] = t.Add(-time.Hour).Format(time.RFC3339)
		vals["end"] = t.Add(time.Hour).Format(time.RFC3339)
	}
	if forTitle {
		vals["rule"] = strings.Join(rules, ", ")
	} else {
		callerValues(ev, vals)
		resourceValues(ev, vals)
	}
	return vals
}

// aboutTheRecord are the placeholders that tell what the record said, in
// prose ("a call from {source_ip}"), never the argument of a command
// written into a step's text: when the record lacks one, "(not logged)"
// says so where "<SOURCE_IP>" would read as broken output.
var aboutTheRecord = map[string]bool{"source_ip": true, "user_agent": true, "actor": true, "error": true}

// expand replaces {name} placeholders. A value the event does not carry
// becomes "(not logged)" in a title and in prose about the record
// (aboutTheRecord), and "<NAME>" elsewhere in guidance, which reads as
// "fill this in". Braces that are not placeholders (JSON, JMESPath) are
// left alone. Commands are filled by expandCommand, which also quotes.
func expand(tmpl string, vals map[string]string, forTitle bool) string {
	var b strings.Builder
	for i := 0; i < len(tmpl); i++ {
		name, n := placeholderAt(tmpl[i:], vals)
		if n == 0 {
			b.WriteByte(tmpl[i])
			continue
		}
		switch v := vals[name]; {
		case v != "":
			b.WriteString(v)
		case forTitle || aboutTheRecord[name]:
			b.WriteString("(not logged)")
		default:
			b.WriteString("<" + strings.ToUpper(name) + ">")
		}
		i += n - 1
	}
	return b.String()
}

// isPlaceholder reports whether name is a placeholder whose value may be
// missing (time when the event has none).
func isPlaceholder(name string) bool {
	switch name {
	case "time", "start", "end":
		return true
	}
	return false
}

// shortResource names a resource briefly: its id when that is short
// (sg-0abc), else its name, else the last segment of a path-like id (an
// Azure resource id, an ARN).
func shortResource(r model.Resource) string {
	switch {
	case r.Type == "appengine_firewall_rule" && r.Name == "":
		// CreateIngressRule names the app, not the rule: say whose rule.
		if app, ok := strings.CutPrefix(r.ID, "apps/"); ok && app != "" {
			app, _, _ = strings.Cut(app, "/")
			return "of app " + app
		}
	case r.Name != "" && isUUID(r.ID):
		// A WAF's id is a UUID; its name says which one.
		return r.Name
	case r.ID != "" && !strings.Contains(r.ID, "/"):
		return r.ID
	case r.Name != "":
		return r.Name
	}
	return lastSegment(r.ID)
}

// isUUID reports whether s has the 8-4-4-4-12 shape of a UUID.
func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, r := range s {
		switch i {
		case 8, 13, 18, 23:
			if r != '-' {
				return false
			}
		default:
			if !strings.ContainsRune("0123456789abcdefABCDEF", r) {
				return false
			}
		}
	}
	return true
}

// lastSegment returns what follows the last "/" of s.
func lastSegment(s string) string {
	s = strings.TrimRight(s, "/")
	if i := strings.LastIndexByte(s, '/'); i >= 0 {
		return s[i+1:]
	}
	return s
}

func shortIDs(ids []string) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = shortID(id)
	}
	return out
}

// shortID names a target briefly: the last segment of a path-like id,
// but for a load balancer ARN (loadbalancer/app/NAME/ID) its name, which
// says more than the hash that ends it.
func shortID(id string) string {
	if _, lb, ok := strings.Cut(id, ":loadbalancer/"); ok {
		if segs := strings.Split(lb, "/"); len(segs) == 3 && segs[1] != "" {
			return "load balancer " + segs[1]
		}
	}
	return lastSegment(id)
}

// resourceTypeName is a resource type as a title says it ("web_acl" ->
// "web ACL").
func resourceTypeName(t string) string {
	switch t {
	case "web_acl":
		return "web ACL"
	case "ip_set":
		return "IP set"
	case "waf_rule":
		return "rule"
	case "nsg":
		return "NSG"
	case "nsg_rule":
		return "NSG rule"
	}
	return strings.ReplaceAll(t, "_", " ")
}

func first(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}
