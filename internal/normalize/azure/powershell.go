package azure

import (
	"strconv"
	"strings"
	"time"

	"cloudwall/internal/normalize/jv"
)

// fromPowerShell unwraps the dictionaries that Get-AzActivityLog writes
// through ConvertTo-Json: Properties and Claims become {"Content": {...}}.
// The rest of that shape is the REST form in PascalCase, which the
// case-insensitive lookups already read. Other records are returned as
// they are.
func fromPowerShell(rec map[string]any) map[string]any {
	var out map[string]any
	for _, key := range []string{"properties", "claims"} {
		v, _ := jv.Field(rec, key)
		dict, _ := v.(map[string]any)
		if len(dict) != 1 {
			continue
		}
		content, _ := jv.Field(dict, "Content")
		inner, ok := content.(map[string]any)
		if !ok {
			continue
		}
		if out == nil {
			out = make(map[string]any, len(rec))
			for k, v := range rec {
				out[k] = v
			}
		}
		for k := range out {
			if strings.EqualFold(k, key) {
				delete(out, k)
			}
		}
		out[key] = inner
	}
	if out == nil {
		return rec
	}
	return out
}

// isPowerShell reports whether fromPowerShell would rewrite the map of
// rec: whether its properties or claims is a one-member object whose
// Content is an object.
func isPowerShell(rec jv.Object) bool {
	for _, key := range []string{"properties", "claims"} {
		v, _ := jv.Field(rec, key)
		if dict, ok := v.(jv.Object); ok && dict.Len() == 1 {
			content, _ := jv.Field(dict, "Content")
			if _, ok := content.(jv.Object); ok {
				return true
			}
		}
	}
	return false
}

// msDate reads the DateTime form Windows PowerShell 5.1's ConvertTo-Json
// writes (the .NET JavaScriptSerializer form): "/Date(1775815200000)/",
// milliseconds since the Unix epoch, optionally followed by the offset of
// the zone the value was local to ("/Date(1775815200000+0100)/"). The
// milliseconds are UTC whatever the offset, which is only a display hint.
func msDate(s string) (time.Time, bool) {
	inner, ok := strings.CutPrefix(strings.TrimSpace(s), "/Date(")
	if !ok {
		return time.Time{}, false
	}
	if inner, ok = strings.CutSuffix(inner, ")/"); !ok {
		return time.Time{}, false
	}
	// The offset's sign comes after at least one digit.
	if i := strings.LastIndexAny(inner, "+-"); i > 0 {
		off := inner[i+1:]
		if len(off) != 4 || strings.Trim(off, "0123456789") != "" {
			return time.Time{}, false
		}
		inner = inner[:i]
	}
	ms, err := strconv.ParseInt(inner, 10, 64)
	// Past year 9999 the time does not format as RFC 3339.
	const maxMs = 253402300799999
	if err != nil || ms < -maxMs || ms > maxMs {
		return time.Time{}, false
	}
	return time.UnixMilli(ms).UTC(), true
}
