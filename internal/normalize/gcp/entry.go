package gcp

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"cloudwall/internal/model"
	"cloudwall/internal/normalize/jv"
)

// auditLogType is the protoPayload @type of a Cloud Audit Log entry.
const auditLogType = "google.cloud.audit.AuditLog"

// parseEntry turns one LogEntry into an Event.
func parseEntry(e map[string]any, src model.SourceRef) (model.Event, error) {
	var ev model.Event
	err := parseInto(&ev, e, src)
	return ev, err
}

// parseInto is parseEntry writing into *ev, so that a caller's slice
// holds the event without a copy of it on the heap. e is a decoded map or
// an Object read in place (jv.Raw).
func parseInto(ev *model.Event, e any, src model.SourceRef) error {
	insertID := jv.Str(e, "insertId")
	pp, err := auditLog(e)
	if err != nil {
		if insertID != "" {
			return fmt.Errorf("log entry %q: %w", insertID, err)
		}
		return fmt.Errorf("log entry: %w", err)
	}
	method := strings.TrimSpace(jv.Str(pp, "methodName"))
	key := operationKey(method)
	*ev = model.Event{
		Cloud:        model.GCP,
		Service:      jv.Str(pp, "serviceName"),
		Operation:    method,
		OperationKey: key,
		Account:      account(e, pp),
		Region:       region(e, pp),
		Actor:        actor(pp),
		SourceIP:     jv.Str(pp, "requestMetadata", "callerIp"),
		UserAgent:    jv.Str(pp, "requestMetadata", "callerSuppliedUserAgent"),
		ReadOnly:     readOnly(e, key),
		EventID:      insertID,
		OperationID:  insertID,
		Source:       src,
	}
	r := &reader{ev: ev, req: jv.Obj(pp, "request"), orig: jv.Obj(pp, "resourceOriginalState")}
	ev.Time = entryTime(e, r)
	setOutcome(ev, pp)
	if op := jv.Node(e, "operation"); op != nil {
		first, _ := jv.Bool(op, "first")
		last, _ := jv.Bool(op, "last")
		if id := jv.View(op, "id"); id != "" { // copied by the concatenation
			ev.OperationID = id + "|" + key
		}
		switch {
		case first:
			ev.Phase = model.PhaseStart
			if !last && ev.Outcome == model.Success {
				// Accepted, not yet done: the last entry (if the input
				// has it) tells how the operation ended.
				ev.Outcome = model.Unknown
			}
		case last:
			ev.Phase = model.PhaseEnd
			r.completion = true
		}
	}
	ev.Resource = resource(pp, key, r.req)
	readContent(r)
	return nil
}

// auditLog returns the entry's protoPayload when it is an AuditLog that names
// its method.
func auditLog(e any) (any, error) {
	v, ok := jv.Field(e, "protoPayload")
	if !ok || v == nil {
		return nil, errors.New("no protoPayload: not a Cloud Audit Log entry")
	}
	pp := jv.Node(e, "protoPayload")
	if pp == nil {
		return nil, fmt.Errorf("protoPayload is a JSON %s, not an object", jv.TypeName(v))
	}
	// SIEM re-exports sometimes drop @type; trust methodName then.
	if t := jv.View(pp, "@type"); t != "" && !strings.HasSuffix(t, auditLogType) {
		return nil, fmt.Errorf("protoPayload is a %s, not an AuditLog", t)
	}
	if strings.TrimSpace(jv.Str(pp, "methodName")) == "" {
		return nil, errors.New("AuditLog has no methodName")
	}
	return pp, nil
}

// operationKey returns the catalogue key for a logged methodName: lower case,
// with a leading API-version segment ("v1.", "beta.", "alpha.", "v1beta1.")
// removed, so "beta.compute.firewalls.patch" and "v1.compute.firewalls.patch"
// share one key.
func operationKey(method string) string {
	key := strings.ToLower(strings.TrimSpace(method))
	if head, rest, ok := strings.Cut(key, "."); ok && rest != "" && isVersion(head) {
		return rest
	}
	return key
}

// isVersion reports whether s is an API version such as v1, beta, alpha,
// v1beta1 or v2alpha.
func isVersion(s string) bool {
	if s == "alpha" || s == "beta" {
		return true
	}
	rest, ok := strings.CutPrefix(s, "v")
	if !ok {
		return false
	}
	n := len(rest) - len(strings.TrimLeft(rest, "0123456789"))
	if n == 0 {
		return false
	}
	rest = rest[n:]
	for _, stage := range []string{"alpha", "beta"} {
		if tail, ok := strings.CutPrefix(rest, stage); ok {
			rest = strings.TrimLeft(tail, "0123456789")
			break
		}
	}
	return rest == ""
}

// entryTime reads the entry's timestamp as UTC. A missing or unreadable time
// stays zero, with a note, rather than being guessed from receiveTimestamp,
// which can lag by minutes.
func entryTime(e any, r *reader) time.Time {
	// Most entries give it as text, read where it lies (jv.View): the
	// time parsed keeps none of it. Text that is empty or may be an
	// object's JSON goes the long way.
	if s := strings.TrimSpace(jv.View(e, "timestamp")); s != "" && s[0] != '{' {
		return parseTime(s, r)
	}
	v, ok := jv.Field(e, "timestamp")
	if !ok || v == nil {
		r.note("entry has no timestamp")
		return time.Time{}
	}
	// Protobuf-JSON exporters write {seconds, nanos}.
	if secs, ok := jv.Int(v, "seconds"); ok {
		nanos, _ := jv.Int(v, "nanos")
		t := time.Unix(int64(secs), int64(nanos)).UTC()
		// JSON cannot carry years outside 0-9999; such a time is garbage.
		if t.Year() < 0 || t.Year() > 9999 {
			r.note("timestamp of %d seconds is out of range", secs)
			return time.Time{}
		}
		return t
	}
	return parseTime(strings.TrimSpace(jv.Str(e, "timestamp")), r)
}

// parseTime reads a timestamp's text in UTC.
func parseTime(s string, r *reader) time.Time {
	if t, ok := jv.TimeUTC(s); ok { // the first layout's common spelling
		return t
	}
	for _, layout := range timeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC()
		}
	}
	r.note("unreadable timestamp %q", s)
	return time.Time{}
}

// timeLayouts are the spellings of timestamp seen in LogEntry exports:
// RFC 3339 from Cloud Logging, and the zone-less "2023-05-23 19:19:40.353"
// (UTC) of BigQuery and SIEM re-exports such as Panther's.
var timeLayouts = [...]string{
	time.RFC3339Nano,
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02 15:04:05.999999999 MST", // BigQuery "... UTC"
}

// account returns the project the entry belongs to; for organisation- and
// folder-level entries (hierarchical firewall policies) it returns
// "organizations/<id>" or "folders/<id>".
func account(e, pp any) string {
	if p := jv.Str(e, "resource", "labels", "project_id"); p != "" {
		return p
	}
	for _, name := range []string{jv.Str(e, "logName"), jv.Str(pp, "resourceName")} {
		if p := pathValue(name, "projects"); p != "" {
			return p
		}
	}
	logName := jv.Str(e, "logName")
	for _, parent := range []string{"organizations", "folders", "billingAccounts"} {
		if id := pathValue(logName, parent); id != "" {
			return parent + "/" + id
		}
	}
	return ""
}

// pathValue returns the segment after key in a resource path such as
// "projects/p/global/firewalls/f" (also "//compute.googleapis.com/projects/p/...").
func pathValue(path, key string) string {
	for rest := path; ; {
		seg, tail, more := strings.Cut(rest, "/")
		if !more {
			return ""
		}
		if next, _, _ := strings.Cut(tail, "/"); seg == key && next != "" {
			return next
		}
		rest = tail
	}
}

// region returns the entry's location: resource labels first, then the
// region or zone in the resource name or resourceLocation, else "global".
func region(e, pp any) string {
	labels := jv.Node(e, "resource", "labels")
	for _, k := range []string{"region", "zone", "location"} {
		if v := jv.Str(labels, k); v != "" {
			return v
		}
	}
	name := jv.Str(pp, "resourceName")
	for _, k := range []string{"regions", "zones", "locations"} {
		if v := pathValue(name, k); v != "" {
			return v
		}
	}
	if locs := jv.Strs(pp, "resourceLocation", "currentLocations"); len(locs) > 0 {
		return locs[0]
	}
	return "global"
}

// readOnly reports reads: Data Access entries and get/list-style methods.
func readOnly(e any, key string) bool {
	logName := jv.View(e, "logName")
	if jv.LowerHasSuffix(logName, "%2fdata_access") || jv.LowerHasSuffix(logName, "/data_access") {
		return true
	}
	verb := key[strings.LastIndexByte(key, '.')+1:]
	for _, p := range []string{"get", "list", "aggregatedlist", "search", "testiampermissions", "watch"} {
		if strings.HasPrefix(verb, p) {
			return true
		}
	}
	return false
}

// actor reads who made the call.
func actor(pp any) model.Actor {
	auth := jv.Node(pp, "authenticationInfo")
	email := strings.TrimSpace(jv.Str(auth, "principalEmail"))
	a := model.Actor{ID: email, Session: jv.Str(auth, "serviceAccountKeyName")}
	if email == "" {
		a.ID = jv.Str(auth, "principalSubject")
	}
	if email != "" {
		a.Name, _, _ = strings.Cut(email, "@")
		a.Type = "User"
		if jv.LowerHasSuffix(email, ".gserviceaccount.com") {
			a.Type = "ServiceAccount"
		}
	}
	// The impersonation chain, in the order of the delegations (Google
	// documents it so): the first is the original caller.
	var chain []string
	for _, d := range jv.ObjNodes(auth, "serviceAccountDelegationInfo") {
		p := strings.TrimSpace(firstNonEmpty(jv.Str(d, "firstPartyPrincipal", "principalEmail"), jv.Str(d, "principalSubject"),
			jv.Str(d, "thirdPartyPrincipal", "thirdPartyClaims", "sub")))
		if p == "" {
			continue
		}
		chain = append(chain, p)
		if a.ViaService == "" && jv.Str(d, "firstPartyPrincipal", "principalEmail") != "" {
			a.ViaService = p
		}
	}
	if len(chain) > 0 {
		a.OriginalCaller = chain[0]
		if email != "" {
			chain = append(chain, email)
		}
		a.Delegation = strings.Join(chain, ", ")
	}
	if a.ViaService == "" {
		a.ViaService = serviceAgent(email)
	}
	return a
}

// serviceAgents names the service behind Google-managed service agents
// ("service-<project number>@<agent>.iam.gserviceaccount.com").
var serviceAgents = map[string]string{
	"container-engine-robot": "container.googleapis.com",
	"compute-system":         "compute.googleapis.com",
}

// serviceAgent returns the service a Google-managed agent acts for, or "" for
// any other principal. GKE's robot creates gke-… firewall rules, so the
// detect stage needs to know the rule came from a service, not a person.
func serviceAgent(email string) string {
	local, domain, ok := strings.Cut(strings.ToLower(email), "@")
	if !ok {
		return ""
	}
	if domain == "cloudservices.gserviceaccount.com" {
		return "cloudservices"
	}
	agent, ok := strings.CutSuffix(domain, ".iam.gserviceaccount.com")
	num, isService := strings.CutPrefix(local, "service-")
	if !ok || !isService || !allDigits(num) {
		return ""
	}
	if s, ok := serviceAgents[agent]; ok {
		return s
	}
	return agent
}

func allDigits(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}

// rpcCodes names google.rpc.Code values by number.
var rpcCodes = [...]string{
	"OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED",
	"NOT_FOUND", "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED",
	"FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED",
	"INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED",
}

// rpcCodeName returns the google.rpc code name, or the number as text for
// codes outside the table.
func rpcCodeName(code int) string {
	if code >= 0 && code < len(rpcCodes) {
		return rpcCodes[code]
	}
	return strconv.Itoa(code)
}

// setOutcome reads protoPayload.status. A start entry of a long-running
// operation is then marked unknown unless its status says it failed; the
// coalescer takes the final outcome from the operation's last entry.
func setOutcome(ev *model.Event, pp any) {
	ev.Outcome = model.Success
	st := jv.Node(pp, "status")
	if code, ok := jv.Int(st, "code"); ok {
		if code != 0 {
			ev.Outcome = model.Failure
			ev.ErrorCode = rpcCodeName(code)
			ev.ErrorMessage = jv.Str(st, "message")
		}
		return
	}
	// Some exporters write the code by name.
	if name := strings.ToUpper(strings.TrimSpace(jv.Str(st, "code"))); name != "" && name != "OK" {
		ev.Outcome = model.Failure
		ev.ErrorCode = name
		ev.ErrorMessage = jv.Str(st, "message")
		return
	}
	// A compute Operation that failed after it was accepted carries its
	// errors in the response.
	if errs := jv.Objs(pp, "response", "error", "errors"); len(errs) > 0 {
		ev.Outcome = model.Failure
		ev.ErrorCode = jv.Str(errs[0], "code")
		ev.ErrorMessage = jv.Str(errs[0], "message")
	}
}
