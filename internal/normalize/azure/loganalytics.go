package azure

import (
	"strings"

	"cloudwall/internal/normalize/jv"
)

// The Log Analytics form is a row of the AzureActivity table, as a KQL
// query exported as JSON, the Log Analytics query API or
// az monitor log-analytics query return it (Microsoft Sentinel reads the
// same table). Columns are PascalCase: OperationNameValue holds the
// operation (OperationName is its localized display name),
// ActivityStatusValue the status (Start, Accept, Success, Failure; older
// rows Started, Succeeded ...), TimeGenerated the time. The dynamic columns
// come twice: as a JSON string (Properties, Claims, Authorization,
// HTTPRequest) and, in newer rows, as an object (Properties_d, Claims_d,
// Authorization_d); exporters that flatten dynamic values to text give the
// _d columns as strings too. Properties holds what the resource-log form
// keeps under properties (requestbody, responseBody, statusCode,
// statusMessage, entity, message ...), so a row is rewritten into the
// resource-log form and parsed as one.

// isLogAnalytics reports whether rec is an AzureActivity row: it names its
// operation in OperationNameValue, which no other Activity Log shape has.
func isLogAnalytics(rec any) bool {
	return strings.TrimSpace(jv.Str(rec, "OperationNameValue")) != ""
}

// detectLogAnalytics reports whether an AzureActivity-looking row carries
// a column only that table has besides the operation, so a stray
// OperationNameValue key alone is not taken for an Activity Log record.
func detectLogAnalytics(rec any) bool {
	for _, k := range []string{"TimeGenerated", "ActivityStatusValue", "CorrelationId", "EventDataId", "_ResourceId"} {
		if jv.Has(rec, k) {
			return true
		}
	}
	return false
}

// fromLogAnalytics rewrites an AzureActivity row into the resource-log
// form, with notes on dynamic columns that could not be read.
func fromLogAnalytics(rec map[string]any) (map[string]any, []string) {
	out := map[string]any{}
	var notes []string
	put := func(key, val string) {
		if val != "" {
			out[key] = val
		}
	}
	put("operationName", firstStr(rec, []string{"OperationNameValue"}))
	put("time", firstStr(rec, []string{"TimeGenerated"}, []string{"EventSubmissionTimestamp"}))
	put("resultType", firstStr(rec, []string{"ActivityStatusValue"}, []string{"ActivityStatus"}))
	put("subStatus", firstStr(rec, []string{"ActivitySubstatusValue"}, []string{"ActivitySubstatus"}))
	put("category", firstStr(rec, []string{"CategoryValue"}, []string{"Category"}))
	put("resourceId", firstStr(rec, []string{"ResourceId"}, []string{"_ResourceId"}))
	put("resourceProviderName", firstStr(rec, []string{"ResourceProviderValue"}, []string{"ResourceProvider"}))
	// TenantId is the workspace id, not the Entra tenant: not carried over.
	for _, k := range []string{"correlationId", "eventDataId", "caller", "callerIpAddress", "level", "subscriptionId", "resourceGroup"} {
		put(k, strings.TrimSpace(jv.Str(rec, k)))
	}
	if _, ok := out["subscriptionId"]; !ok {
		put("subscriptionId", firstStr(rec, []string{"_SubscriptionId"}))
	}

	identity := map[string]any{}
	if claims, note := dynamic(rec, "Claims_d", "Claims"); claims != nil {
		identity["claims"] = claims
	} else if note != "" {
		notes = append(notes, note)
	}
	if auth, note := dynamic(rec, "Authorization_d", "Authorization"); auth != nil {
		identity["authorization"] = auth
	} else if note != "" {
		notes = append(notes, note)
	}
	if len(identity) > 0 {
		out["identity"] = identity
	}
	if props, note := dynamic(rec, "Properties_d", "Properties"); props != nil {
		out["properties"] = props
	} else if note != "" {
		notes = append(notes, note+"; rule content not read")
	}
	if req, _ := dynamic(rec, "HTTPRequest"); req != nil {
		out["httpRequest"] = req
	}
	return out, notes
}

// dynamic reads a dynamic column from the first of keys that holds a
// non-empty object, as an object or as JSON text. When none does but one
// holds text that is not a JSON object, the note says which.
func dynamic(rec map[string]any, keys ...string) (map[string]any, string) {
	bad := ""
	for _, k := range keys {
		raw, ok := jv.Field(rec, k)
		if !ok || raw == nil {
			continue
		}
		if m := jv.Obj(raw); len(m) > 0 {
			return m, ""
		}
		if s, isStr := raw.(string); isStr {
			if t := strings.TrimSpace(s); t != "" && t != "{}" && !strings.EqualFold(t, "null") && bad == "" {
				bad = k + " is not a JSON object (" + excerpt(t) + ")"
			}
		}
	}
	return nil, bad
}
