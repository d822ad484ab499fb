package azure

import (
	"strings"

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
