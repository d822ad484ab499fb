// Package azure turns Azure Activity Log records into model.Events.
//
// Three record shapes reach it. The resource-log form is what diagnostic
// settings write to a storage account (JSON lines in PT1H.json blobs) or to
// Event Hubs ({"records":[...]} batches): operationName is a plain string,
// often upper case, and the actor is under identity.claims. The REST form is
// what the Activity Log API, the portal export, az monitor activity-log list
// and Get-AzActivityLog return: operationName, status and subStatus are
// {"value","localizedValue"} objects and the actor is under claims. The
// Log Analytics form is a row of the AzureActivity table (PascalCase
// columns, see loganalytics.go); it is rewritten into the resource-log form
// before parsing.
//
// One ARM request is logged as several records sharing a correlationId
// (Started, Accepted, Succeeded or Failed). Parse turns each record into one
// Event with OperationID and Phase set so that normalize.Coalescer can fold
// them; the rule content comes from the ARM body the record carries.
package azure

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"
	"unicode/utf8"

	"cloudwall/internal/model"
	"cloudwall/internal/normalize/jv"
)

// Detect reports whether a decoded JSON object is an Azure Activity Log record in any shape:
// resource-log form (string operationName + resourceId/time/category), REST/az-cli form (operationName.value, eventTimestamp ...)
// or a Log Analytics AzureActivity row (OperationNameValue + TimeGenerated ...).
// rec is a decoded map or a jv.Object.
func Detect(rec any) bool {
	if rec == nil {
		return false
	}
	if isLogAnalytics(rec) {
		return detectLogAnalytics(rec)
	}
	switch op := jv.Get(rec, "operationName").(type) {
	case string:
		if strings.TrimSpace(op) == "" {
			return false
		}
		return jv.Has(rec, "resourceId") || jv.Has(rec, "time") || jv.Has(rec, "category")
	case map[string]any, jv.Object:
		if jv.Str(op, "value") == "" && jv.Str(op, "localizedValue") == "" {
			return false
		}
		for _, k := range []string{"eventTimestamp", "eventDataId", "submissionTimestamp", "correlationId"} {
			if jv.Has(rec, k) {
				return true
			}
		}
	}
	return false
}

// Parse turns one record into events (normally one). Records of other categories that share the stream (ServiceHealth, sign-in logs
// whose identity is a string, ...) must not crash: return an event (no changes) if they have an operation name, else a descriptive error.
func Parse(rec map[string]any, src model.SourceRef) ([]model.Event, error) {
	if rec == nil {
		return nil, errors.New("azure activity log: record is null")
	}
	var notes []string
	if isLogAnalytics(rec) {
		rec, notes = fromLogAnalytics(rec)
	}
	rec = fromPowerShell(rec)
	op, err := operationName(rec)
	if err != nil {
		return nil, err
	}
	events := make([]model.Event, 1)
	parseInto(&events[0], rec, op, notes, src)
	return events, nil
}

// ParseInPlace reads a record read in place (jv.Raw) when it is a plain
// Activity Log record, as Parse would read its decoded map. ok is false
// for every other shape (a Log Analytics row, a PowerShell export, a
// record without an operation name): the caller decodes those and calls
// Parse, so they read as they always have.
func ParseInPlace(ev *model.Event, rec jv.Object, src model.SourceRef) bool {
	node := rec.Any() // boxed once, where any(rec) allocated per record
	if isLogAnalytics(node) || isPowerShell(rec) {
		return false
	}
	op, err := operationName(node)
	if err != nil {
		return false
	}
	parseInto(ev, node, op, nil, src)
	return true
}

// parseInto builds the Event of one record (a decoded map or a
// jv.Object) in *ev, so that a caller's slice holds it without a copy on
// the heap; notes are the rewriting's, after the envelope's.
func parseInto(ev *model.Event, rec any, op string, notes []string, src model.SourceRef) {
	envelope(ev, rec, op, src)
	ev.Notes = append(ev.Notes, notes...)
	typePath, verb := splitOp(ev.OperationKey)
	ev.Resource.Type = resourceType(typePath, ev.Resource.ID)

	p := &parser{ev: ev, typePath: typePath, verb: verb, rid: ev.Resource.ID}
	p.loadBody(rec)
	if ev.Outcome == model.Failure {
		ev.ErrorCode, ev.ErrorMessage = failure(rec, p.bodyErr)
	}
	ev.Region = region(rec, p.body)
	if verb == "write" && ev.Outcome != model.Failure {
		ev.Written = written(rec)
	}
	if read := contentFor(typePath); read != nil {
		if verb == "write" && len(p.bodies) == 0 {
			// Neither the request nor the resulting resource is logged:
			// what the write set is not known.
			ev.ContentNotLogged = true
		}
		p.readContent(read)
	}
}

// operationName reads the operation in either shape.
func operationName(rec any) (string, error) {
	if op := strings.TrimSpace(value(rec, "operationName")); op != "" {
		return op, nil
	}
	if v := jv.Get(rec, "operationName"); v != nil {
		return "", fmt.Errorf("azure activity log: operationName is a JSON %s without a name", jv.TypeName(v))
	}
	return "", errors.New("azure activity log: record has no operationName")
}

// envelope fills the fields every record has, whatever its operation.
func envelope(ev *model.Event, rec any, op string, src model.SourceRef) {
	key := strings.ToLower(op)
	rid := strings.TrimSpace(jv.Str(rec, "resourceId"))
	*ev = model.Event{
		Cloud:        model.Azure,
		Account:      account(rec, rid),
		Service:      service(rec, key, rid),
		Operation:    op,
		OperationKey: key,
		ReadOnly:     strings.HasSuffix(key, "/read"),
		SourceIP:     sourceIP(rec),
		UserAgent:    firstStr(rec, []string{"userAgent"}, []string{"properties", "userAgent"}, []string{"httpRequest", "userAgent"}),
		APIVersion:   APIVersion(jv.Str(rec, "httpRequest", "uri")),
		Actor:        actor(rec),
		Resource:     model.Resource{ID: rid, Name: lastSegment(rid)},
		// The record's id: eventDataId; the REST form's id; else the
		// correlationId, which the Activity Log's search takes too.
		EventID: firstStr(rec, []string{"eventDataId"}, []string{"id"}, []string{"properties", "eventDataId"}, []string{"correlationId"}),
		Source:  src,
	}
	ev.Time = eventTime(rec, ev)
	ev.Outcome, ev.Phase = outcome(status(rec))
	// Without a correlationId the records of one operation cannot be
	// matched, so the record stands alone.
	ev.OperationID = ev.EventID
	if corr := strings.TrimSpace(jv.Str(rec, "correlationId")); corr != "" {
		ev.OperationID = lowerJoin(corr, "|", op, "|", rid)
	}
}

// lowerJoin is strings.ToLower(strings.Join(parts, "")), in one
// allocation when the parts are ASCII (as they are but in forged
// records).
func lowerJoin(parts ...string) string {
	n := 0
	for _, s := range parts {
		for i := 0; i < len(s); i++ {
			if s[i] >= utf8.RuneSelf {
				return strings.ToLower(strings.Join(parts, ""))
			}
		}
		n += len(s)
	}
	var b strings.Builder
	b.Grow(n)
	for _, s := range parts {
		for i := 0; i < len(s); i++ {
			c := s[i]
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			b.WriteByte(c)
		}
	}
	return b.String()
}

// region is the record's location; policy records and bodies name the
// resource's location when the record has none.
func region(rec any, body map[string]any) string {
	if r := firstStr(rec, []string{"location"}, []string{"properties", "resourceLocation"}); r != "" {
		return r
	}
	return strings.TrimSpace(jv.Str(body, "location"))
}

// value reads a field that the REST form logs as {"value","localizedValue"}
// and the resource-log form as a plain string.
func value(rec any, key string) string {
	switch v := jv.Get(rec, key).(type) {
	case map[string]any, jv.Object:
		if s := jv.Str(v, "value"); s != "" {
			return s
		}
		return jv.Str(v, "localizedValue")
	default:
		return jv.Str(rec, key)
	}
}

// firstStr returns the first non-empty trimmed string among paths.
func firstStr(rec any, paths ...[]string) string {
	for _, path := range paths {
		if s := strings.TrimSpace(jv.Str(rec, path...)); s != "" {
			return s
		}
	}
	return ""
}

// status is resultType in the resource-log form and status.value in the
// REST form.
func status(rec any) string {
	if s := value(rec, "status"); s != "" {
		return strings.TrimSpace(s)
	}
	return strings.TrimSpace(jv.Str(rec, "resultType"))
}

// outcome maps an Activity Log status to an outcome and the record's place
// in its operation. Started and Accepted records show the request only, so
// their outcome is unknown until the end record arrives.
func outcome(status string) (model.Outcome, model.Phase) {
	switch strings.ToLower(status) {
	case "succeeded", "success":
		return model.Success, model.PhaseEnd
	case "failed", "failure":
		return model.Failure, model.PhaseEnd
	case "canceled", "cancelled":
		// A cancelled operation did not complete; treat it as not applied.
		return model.Failure, model.PhaseEnd
	case "started", "start", "accepted", "accept":
		return model.Unknown, model.PhaseStart
	}
	return model.Unknown, model.PhaseOnly
}

// timeLayouts are the spellings of time seen in Activity Log exports:
// RFC 3339 from ARM, zone-less ISO from some forwarders, and US-style
// timestamps from CSV and PowerShell exports.
var timeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999",
	"1/2/2006 3:04:05 PM -07:00",
	"1/2/2006 3:04:05 PM",
	"1/2/2006 15:04:05",
}

// eventTime reads time (resource-log form) or eventTimestamp (REST form) as
// UTC. An absent or unreadable time gives the zero time and a note, so the
// event is kept rather than dropped.
func eventTime(rec any, ev *model.Event) time.Time {
	// The common spelling, read as below without building the string.
	if t, ok := jv.TimeUTC(jv.View(rec, "time")); ok {
		return t
	}
	raw := firstStr(rec, []string{"time"}, []string{"eventTimestamp"}, []string{"submissionTimestamp"})
	if raw == "" {
		ev.Notes = append(ev.Notes, "record has no time or eventTimestamp")
		return time.Time{}
	}
	for _, layout := range timeLayouts {
		if t, err := time.Parse(layout, raw); err == nil {
			return t.UTC()
		}
	}
	if t, ok := msDate(raw); ok {
		return t
	}
	ev.Notes = append(ev.Notes, fmt.Sprintf("unreadable time %q", raw))
	return time.Time{}
}

// account is the subscription id, lower-cased because resource-log records
// upper-case resource ids and the same subscription should read the same.
func account(rec any, rid string) string {
	if s := firstStr(rec, []string{"subscriptionId"}); s != "" {
		return strings.ToLower(s)
	}
	if sub := idPart(rid, "subscriptions"); sub != "" {
		return strings.ToLower(sub)
	}
	for _, scope := range [...][]string{{"identity", "authorization", "scope"}, {"authorization", "scope"}} {
		if sub := idPart(jv.Str(rec, scope...), "subscriptions"); sub != "" {
			return strings.ToLower(sub)
		}
	}
	return ""
}

// idPart returns the segment after name in an ARM resource id
// (/subscriptions/<sub>/resourceGroups/<rg>/...), matching name in any case.
func idPart(id, name string) string {
	id = strings.Trim(id, "/")
	for {
		seg, rest, ok := strings.Cut(id, "/")
		if !ok {
			return ""
		}
		if strings.EqualFold(seg, name) {
			next, _, _ := strings.Cut(rest, "/")
			return next
		}
		id = rest
	}
}

// lastSegment is the resource's own name: the last segment of its id.
func lastSegment(id string) string {
	id = strings.TrimRight(id, "/")
	if i := strings.LastIndexByte(id, '/'); i >= 0 {
		return id[i+1:]
	}
	return id
}

// service names the resource provider. The operation name is preferred
// because REST records of cascaded deletes carry the parent's provider in
// resourceType; known providers get their documented casing back, since the
// resource-log form upper-cases them.
func service(rec any, key, rid string) string {
	if first, _, ok := strings.Cut(key, "/"); ok {
		if p, ok := provider(first); ok {
			return p
		}
	}
	if p, ok := provider(value(rec, "resourceProviderName")); ok {
		return p
	}
	p, _ := provider(idPart(rid, "providers"))
	return p
}

// provider reads c as a provider name, which has a dot.
func provider(c string) (string, bool) {
	c = strings.TrimSpace(c)
	if !strings.Contains(c, ".") {
		return "", false
	}
	if canon, ok := providers[strings.ToLower(c)]; ok {
		return canon, true
	}
	return c, true
}

// providers restores the documented casing of common resource providers.
var providers = map[string]string{
	"microsoft.network":         "Microsoft.Network",
	"microsoft.classicnetwork":  "Microsoft.ClassicNetwork",
	"microsoft.sql":             "Microsoft.Sql",
	"microsoft.dbforpostgresql": "Microsoft.DBforPostgreSQL",
	"microsoft.dbformysql":      "Microsoft.DBforMySQL",
	"microsoft.dbformariadb":    "Microsoft.DBforMariaDB",
	"microsoft.synapse":         "Microsoft.Synapse",
	"microsoft.storage":         "Microsoft.Storage",
	"microsoft.keyvault":        "Microsoft.KeyVault",
	"microsoft.compute":         "Microsoft.Compute",
	"microsoft.cdn":             "Microsoft.Cdn",
	"microsoft.insights":        "Microsoft.Insights",
	"microsoft.resources":       "Microsoft.Resources",
	"microsoft.authorization":   "Microsoft.Authorization",
	"microsoft.security":        "Microsoft.Security",
	"microsoft.eventhub":        "Microsoft.EventHub",
	"microsoft.web":             "Microsoft.Web",
	"microsoft.servicehealth":   "Microsoft.ServiceHealth",
	"microsoft.resourcehealth":  "Microsoft.ResourceHealth",
	"microsoft.support":         "Microsoft.Support",
}

// sourceIP is callerIpAddress (resource-log form) or
// httpRequest.clientIpAddress (REST form); an "address:port" spelling is
// reduced to the address.
func sourceIP(rec any) string {
	ip := firstStr(rec, []string{"callerIpAddress"}, []string{"httpRequest", "clientIpAddress"})
	// An address with a port has a colon; without one, ParseAddrPort
	// would only make an error to say so.
	if !strings.Contains(ip, ":") {
		return ip
	}
	if ap, err := netip.ParseAddrPort(ip); err == nil {
		return ap.Addr().String()
	}
	return ip
}

// failure finds the error of a failed record. The statusMessage error code
// (AuthorizationFailed, InvalidResourceReference) says more than the HTTP
// sub-status (Forbidden, BadRequest), so it is preferred.
func failure(rec any, bodyErr map[string]any) (code, msg string) {
	// statusMessage is JSON text most often: it is parsed once.
	status := jv.Node(rec, "properties", "statusMessage")
	errObjs := [...]any{jv.Node(status, "error"), status, nil}
	if bodyErr != nil {
		errObjs[2] = bodyErr
	}
	for _, errObj := range errObjs {
		if errObj == nil {
			continue
		}
		if c := strings.TrimSpace(jv.Str(errObj, "code")); c != "" {
			return c, strings.TrimSpace(jv.Str(errObj, "message"))
		}
	}
	// A statusMessage that is not JSON is the message itself.
	if m := strings.TrimSpace(jv.Str(rec, "properties", "statusMessage")); !strings.HasPrefix(m, "{") {
		msg = m
	}
	if s := strings.TrimSpace(value(rec, "subStatus")); s != "" {
		return s, msg
	}
	if sig := strings.TrimSpace(jv.Str(rec, "resultSignature")); sig != "" {
		if _, after, ok := strings.Cut(sig, "."); ok {
			sig = after
		}
		if sig != "" {
			return sig, msg
		}
	}
	return firstStr(rec, []string{"properties", "statusCode"}), msg
}

// written reads what ARM answered a write, from every field that logs
// it: properties.statusCode (both shapes), subStatus (the REST form;
// "Created" or "Created (HTTP Status Code: 201)") and resultSignature
// (the resource-log form: "Succeeded.Created"). Created (201) says the
// resource is new, OK (200) that it existed; fields that disagree read as
// an update, the reading under which a write can detach something.
func written(rec any) model.WriteStatus {
	var out model.WriteStatus
	sig := jv.Str(rec, "resultSignature")
	if _, after, ok := strings.Cut(sig, "."); ok {
		sig = after
	}
	for _, s := range [...]string{jv.Str(rec, "properties", "statusCode"), value(rec, "subStatus"), sig} {
		code, _, _ := strings.Cut(strings.TrimSpace(s), " ")
		switch strings.ToLower(code) {
		case "ok", "200":
			return model.WriteUpdated
		case "created", "201":
			out = model.WriteCreated
		}
	}
	return out
}
