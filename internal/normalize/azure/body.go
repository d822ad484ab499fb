package azure

import (
	"strings"

	"cloudwall/internal/normalize/jv"
)

// loadBody finds the ARM body of the call. Started records carry the
// request (properties.requestbody, a JSON string); end records of writes
// often carry the resulting resource (properties.responseBody). Exporters
// also deliver them as objects or spell requestBody with a capital B, which
// jv's case-insensitive lookup absorbs. The request is preferred because it
// is what the caller asked for; the response is the fallback.
func (p *parser) loadBody(rec map[string]any) {
	props := jv.Obj(rec, "properties")
	if props == nil {
		return
	}
	nested := jv.Obj(props, "eventProperties")
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
		p.body = body
		if p.props = jv.Obj(body, "properties"); p.props == nil {
			p.props = body
		}
		return
	}
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
