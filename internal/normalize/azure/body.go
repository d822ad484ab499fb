package azure

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"cloudwall/internal/model"

	"cloudwall/internal/normalize/jv"
)

// loadBody finds the ARM bodies of the call. Started records carry the
// request (properties.requestbody, a JSON string); end records of writes
// often carry the resulting resource (properties.responseBody), and some
// carry both. Exporters also deliver them as objects or spell requestBody
// with a capital B, which jv's case-insensitive lookup absorbs. Both are
// kept: the request is what the caller asked for, the response what was
// applied, and readContent judges both.
func (p *parser) loadBody(rec any) {
	props := jv.Node(rec, "properties")
	if props == nil {
		return
	}
	nested := jv.Node(props, "eventProperties")
	for _, key := range []string{"requestbody", "responseBody"} {
		raw, ok := jv.Field(props, key)
		if !ok && nested != nil {
			raw, ok = jv.Field(nested, key)
		}
		if !ok {
			continue
		}
		body := p.decodeBody(key, raw)
		if body == nil {
			continue
		}
		if e := jv.Obj(body, "error"); e != nil && !jv.Has(body, "properties") {
			// A failed call's response body is an error document, not
			// the resource.
			if p.bodyErr == nil {
				p.bodyErr = e
			}
			continue
		}
		p.bodies = append(p.bodies, loggedBody{key: key, body: body})
	}
	if len(p.bodies) > 0 {
		p.use(p.bodies[0])
	}
}

// loggedBody is one ARM body a record carries.
type loggedBody struct {
	key  string // requestbody or responseBody
	body map[string]any
}

// use makes b the body the content readers read.
func (p *parser) use(b loggedBody) {
	p.body = b.body
	if p.props = jv.Obj(b.body, "properties"); p.props == nil {
		p.props = b.body
	}
}

// readContent runs the operation's content reader on the record's body.
// A record that carries both a request and a response body is read twice:
// rules either one holds are all judged (so a request that spells the
// source twice cannot hide the "*" the response shows was applied), a
// setting the two disagree on takes the response's value (what was
// applied), and every difference is noted.
func (p *parser) readContent(read func(*parser)) {
	if len(p.bodies) < 2 {
		read(p)
		return
	}
	ev := p.ev
	read(p)
	req := content{ev.Changes, ev.Settings, ev.Targets}
	ev.Changes, ev.Settings, ev.Targets = nil, nil, nil
	p.use(p.bodies[1])
	read(p)
	resp := content{ev.Changes, ev.Settings, ev.Targets}
	p.use(p.bodies[0])

	ev.Changes = req.changes
	var onlyResp []model.RuleChange
	for _, c := range resp.changes {
		if !slices.ContainsFunc(req.changes, func(r model.RuleChange) bool { return sameRule(r, c) }) {
			onlyResp = append(onlyResp, c)
		}
	}
	if len(onlyResp) > 0 {
		if len(req.changes) > 0 {
			p.note("requestbody and responseBody differ: the request logs %s, the response %s; both are judged",
				ruleList(req.changes), ruleList(onlyResp))
		}
		ev.Changes = append(ev.Changes, onlyResp...)
	}
	ev.Settings = req.settings
	for _, k := range slices.Sorted(maps.Keys(resp.settings)) {
		v := resp.settings[k]
		if old, ok := req.settings[k]; ok && old != v {
			p.note("requestbody and responseBody differ on %s: the request asks %q, the response shows %q applied", k, old, v)
		}
		p.set(k, v)
	}
	ev.Targets = req.targets
	for _, t := range resp.targets {
		if !slices.Contains(ev.Targets, t) {
			ev.Targets = append(ev.Targets, t)
		}
	}
}

// sameRule reports whether two readings of a rule say the same, letter
// case aside (resource-log records upper-case the rule name of the id).
func sameRule(a, b model.RuleChange) bool {
	return strings.EqualFold(ruleKey(a), ruleKey(b))
}

func ruleKey(c model.RuleChange) string {
	prio := ""
	if c.Priority != nil {
		prio = fmt.Sprint(*c.Priority)
	}
	return fmt.Sprintf("%s|%s|%s|%s|%s|%v|%v|%s|%v", c.Effect, c.Direction, c.Action, c.Protocol, c.Name, c.Ports, c.Peers, prio, c.Targets)
}

type content struct {
	changes  []model.RuleChange
	settings map[string]string
	targets  []string
}

// ruleList names rules briefly for a note.
func ruleList(chs []model.RuleChange) string {
	var parts []string
	for i, c := range chs {
		if i == 3 {
			parts = append(parts, fmt.Sprintf("and %d more", len(chs)-i))
			break
		}
		var peers []string
		for _, pr := range c.Peers {
			peers = append(peers, pr.Value)
		}
		parts = append(parts, fmt.Sprintf("%s %s from %s", label("rule", c.Name), strings.Join(c.Ports.Strings(), ","), excerpt(strings.Join(peers, ","))))
	}
	return strings.Join(parts, "; ")
}

// decodeBody turns a logged body into an object, noting bodies that cannot
// be read so a missing rule is explained rather than silently absent.
func (p *parser) decodeBody(key string, raw any) map[string]any {
	switch v := raw.(type) {
	case nil:
		return nil
	case map[string]any:
		if len(v) == 0 {
			return nil
		}
		return v
	case jv.Object:
		if v.Len() == 0 {
			return nil
		}
		return v.Map()
	case string:
		s := strings.TrimSpace(v)
		if s == "" || s == "{}" || strings.EqualFold(s, "null") {
			return nil
		}
		if !strings.HasPrefix(s, "{") {
			p.note("%s is not a JSON object (%s); rule content not read", key, excerpt(s))
			return nil
		}
		m, err := jv.DecodeObject([]byte(s))
		if err != nil {
			p.note("%s is not valid JSON (%v; possibly truncated); rule content not read", key, err)
			return nil
		}
		if len(m) == 0 {
			return nil
		}
		return m
	default:
		p.note("%s is a JSON %s, not an object; rule content not read", key, jv.TypeName(raw))
		return nil
	}
}

// excerpt shortens s for a note.
func excerpt(s string) string {
	const max = 40
	if r := []rune(s); len(r) > max {
		return `"` + string(r[:max]) + `…"`
	}
	return `"` + s + `"`
}
