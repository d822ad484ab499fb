package snapshot

import (
	"strconv"
	"strings"

	"cloudwall/internal/normalize/jv"
)

func first(ss ...string) string {
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			return s
		}
	}
	return ""
}

func intOr(v any, path ...string) int {
	n, _ := jv.Int(v, path...)
	return n
}

// strs lists the non-empty trimmed strings at path.
func strs(v any, path ...string) []string {
	var out []string
	for _, s := range jv.Strs(v, path...) {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func itoa(n int) string { return strconv.Itoa(n) }

func boolText(b bool) string { return strconv.FormatBool(b) }

// protocolName normalises protocol spellings (numbers, wildcards).
func protocolName(p string) string {
	switch p = strings.ToLower(strings.TrimSpace(p)); p {
	case "6":
		return "tcp"
	case "17":
		return "udp"
	case "1":
		return "icmp"
	case "58":
		return "icmpv6"
	case "-1", "*", "any", "all":
		return "all"
	}
	return p
}
