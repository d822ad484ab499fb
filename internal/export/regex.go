package export

import (
	"regexp"
	"strings"

	"cloudwall/internal/content"
)

// The expressions here are written in the subset that RE2 (Sentinel,
// BigQuery, Go), Java (Athena/Trino), PCRE (Splunk) and Lucene (ES|QL
// RLIKE, EQL regex) read alike: no \s, \d or \b, no lookaround, classes
// spelled out. They are matched against lower-cased text, and Lucene
// needs its quotes escaped and the match anchored (see lucene).

// worldValue matches one world-open peer value, lower case: the wildcard
// spellings, any IPv4 prefix of up to ipv4.world bits ("208.236.235.254/0"
// is as open as "0.0.0.0/0") and any IPv6 prefix of up to ipv6.world bits.
func worldValue(c *content.Content) string {
	var alts []string
	for _, w := range worldSpellings(c) {
		alts = append(alts, regexp.QuoteMeta(strings.ToLower(w)))
	}
	alts = append(alts,
		"[0-9.]+/0*("+strings.Join(prefixBits(c.Scopes.IPv4.World), "|")+")",
		"[0-9a-f:]+/0*("+strings.Join(prefixBits(c.Scopes.IPv6.World), "|")+")")
	return "(" + strings.Join(alts, "|") + ")"
}

// worldValue is the expression a world-open peer of s matches.
func (s *spec) worldValue(c *content.Content) string {
	if s.exp != nil && s.exp.world != "" {
		return "(" + s.exp.world + ")"
	}
	return worldValue(c)
}

// portValue matches a sensitive port, a range that starts at one
// ("3389-3390") or at port 0, or every port ("*", Azure's spelling).
func portValue(c *content.Content) string {
	return "((0|" + strings.Join(sensitivePorts(c), "|") + ")(-[0-9]+)?|\\*)"
}

// quote is a JSON quote, or a JSON quote escaped inside a JSON string
// (Azure's request bodies, Sentinel's Properties_d).
const quote = `(\\?")`

// textRegex matches, in a request rendered as text (JSON, JSON inside a
// JSON string, or Elastic's key=value rendering), one of fields whose
// value (or one element of whose list) matches value. Keys are compared
// whole: a key must follow an opening brace, a comma, a quote or a space.
func textRegex(fields []field, value string) string {
	var scalar, list []string
	for _, f := range fields {
		k := regexp.QuoteMeta(strings.ToLower(f.key()))
		if f.list {
			list = appendNew(list, k)
		} else {
			scalar = appendNew(scalar, k)
		}
	}
	const (
		left = `[{," ]`
		sep  = `[ ]*[:=][ ]*`
		end  = `(\\?"|[,} \]])`
	)
	var parts []string
	if len(scalar) > 0 {
		parts = append(parts, left+"("+strings.Join(scalar, "|")+")"+quote+"?"+sep+quote+"?"+value+end)
	}
	if len(list) > 0 {
		parts = append(parts, left+"("+strings.Join(list, "|")+")"+quote+"?"+sep+`\[([^\]]*[," ])?`+value+end)
	}
	return strings.Join(parts, "|")
}

// valuesRegex matches one of values exactly, lower case.
func valuesRegex(values []string) string {
	var q []string
	for _, v := range values {
		q = append(q, regexp.QuoteMeta(strings.ToLower(v)))
	}
	return "(" + strings.Join(q, "|") + ")"
}

func appendNew(list []string, v string) []string {
	for _, x := range list {
		if x == v {
			return list
		}
	}
	return append(list, v)
}

// textPatterns are the three expressions a text target tests a rule's
// request with; empty strings when the rule has no exposure fields.
type textPatterns struct {
	world, port, proto string
}

func patterns(c *content.Content, s *spec) textPatterns {
	if s.exp == nil {
		return textPatterns{}
	}
	p := textPatterns{world: textRegex(s.exp.peers, s.worldValue(c))}
	if len(s.exp.ports) > 0 {
		p.port = textRegex(s.exp.ports, portValue(c))
	}
	if len(s.exp.protocols) > 0 {
		p.proto = textRegex(s.exp.protocols, valuesRegex(s.exp.allProtocols))
	}
	return p
}
