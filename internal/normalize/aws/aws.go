// Package aws turns AWS CloudTrail records into model.Events.
//
// It reads one decoded JSON object at a time, as the normalize stage hands
// it over: a CloudTrail record from an S3 log file, CloudTrail Lake or a
// SIEM export; an EventBridge "AWS API Call via CloudTrail" event; or one
// element of `aws cloudtrail lookup-events` output. Digest files and
// Insights records are recognised and skipped with a *record.SkipError.
//
// Besides the common fields (time, account, actor, outcome) the parser
// extracts the firewall content of the operations listed in the operation
// catalogue: security-group and network-ACL rules, prefix-list entries,
// Network Firewall, WAF, DNS Firewall, Lightsail, GuardDuty IP sets and
// the classic RDS/Redshift/ElastiCache security groups. It records what
// the log says and judges nothing: whether a peer is world-open is the
// detect stage's question. Oddities (a CIDR Go cannot parse, a port that
// is not a number) are kept and explained in Event.Notes.
package aws

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"

	"cloudwall/internal/model"
	"cloudwall/internal/normalize/jv"
	"cloudwall/internal/normalize/record"
)

// Detect reports whether a decoded JSON object is AWS-shaped: a CloudTrail
// record (eventVersion/eventSource/eventName keys), an EventBridge "AWS API
// Call via CloudTrail" envelope (detail-type + detail), a `lookup-events`
// element (CloudTrailEvent string plus EventId/EventName), a
// CloudTrail-Digest file object, or an Insights record.
func Detect(rec any) bool {
	return isRecord(rec) || isEventBridge(rec) || isLookupEvent(rec) ||
		isDigest(rec) || isInsight(rec) || isWazuh(rec)
}

// isRecord recognises a CloudTrail record by CloudTrail's own keys:
// eventVersion, or eventName/eventSource holding a scalar. A record that
// has them but is broken is still AWS's, so Parse can say what is wrong
// with it. Azure's Activity Log also has an eventName, but always as an
// object ({"value":"EndRequest"}), and no eventSource.
func isRecord(rec any) bool {
	if jv.HasAny(rec, "eventVersion") {
		return true
	}
	for _, k := range [...]string{"eventName", "eventSource"} {
		v, ok := jv.Field(rec, k)
		if !ok {
			continue
		}
		switch v.(type) {
		case map[string]any, jv.Object, []any:
			continue
		}
		return true
	}
	return false
}

// isEventBridge recognises an EventBridge event; which of them carry a
// CloudTrail record is decided when unwrapping.
func isEventBridge(rec any) bool {
	return jv.Has(rec, "detail-type") && jv.Obj(rec, "detail") != nil
}

// isLookupEvent recognises an element of `aws cloudtrail lookup-events`
// output, whose record is JSON text in CloudTrailEvent.
func isLookupEvent(rec any) bool {
	_, ok := jv.Get(rec, "CloudTrailEvent").(string)
	return ok && (jv.Has(rec, "EventId") || jv.Has(rec, "EventName"))
}

// isDigest recognises a CloudTrail-Digest file: hashes of log files, no
// events.
func isDigest(rec any) bool {
	return jv.Has(rec, "digestStartTime") || jv.Has(rec, "digestS3Object") ||
		(jv.Has(rec, "awsAccountId") && jv.Has(rec, "logFiles"))
}

// isInsight recognises an Insights record. Its insightDetails may name a
// firewall API, but it reports call volume, not a call.
func isInsight(rec any) bool {
	return isInsightType(rec) || jv.Has(rec, "insightDetails")
}

func isInsightType(rec any) bool {
	return strings.EqualFold(jv.Str(rec, "eventType"), "AwsCloudTrailInsight")
}

// isWazuh recognises a Wazuh AWS module event or alert (see
// record.Wazuh).
func isWazuh(rec any) bool {
	_, ok := record.Wazuh(rec, "aws")
	return ok
}

// envelope carries what an outer wrapper knew about the record it held, to
// fill fields the inner record lacks.
type envelope struct {
	account, region, eventID string
	time                     any
	readOnly                 any
	// asContext leaves out what a context read does not need (see
	// ParseInPlace).
	asContext bool
}

// Parse turns one AWS-shaped object into events. Digest objects and
// Insights records return a *record.SkipError. EventBridge envelopes and
// lookup-events elements are unwrapped (CloudTrailEvent is a JSON string).
// A record whose eventName or eventSource is missing or not a string
// returns an error naming the field; the caller adds file and index.
func Parse(rec map[string]any, src model.SourceRef) ([]model.Event, error) {
	inner, env, err := unwrap(rec)
	if err != nil {
		return nil, err
	}
	// Keys that differ only in case (EVENTNAME and EventName) can give
	// the record more than one reading; an exporter would not write that,
	// an attacker might, hoping the benign one is read. Each reading
	// becomes an event of its own, noted, so the worst one is judged.
	if rs := readings(inner); len(rs) > 1 {
		var events []model.Event
		for _, r := range rs {
			ev, err := parseRecord(r.rec, env, src)
			if err != nil {
				continue
			}
			ev.OperationID += "|" + ev.OperationKey
			ev.Notes = append(ev.Notes, r.note)
			events = append(events, ev)
		}
		if len(events) > 0 {
			return events, nil
		}
	}
	ev, err := parseRecord(inner, env, src)
	if err != nil {
		return nil, err
	}
	return []model.Event{ev}, nil
}

// ParseInPlace reads a record read in place (jv.Raw) when it is a plain
// CloudTrail record, as Parse would read its decoded map. ok is false for
// every other shape (wrappers, digests, Insights, Wazuh events, a record
// parseRecord refuses): the caller decodes those and calls Parse, so
// they read as they always have. An Object has no keys the same up to
// case, so it has one reading.
//
// A record read in place is read as context (normalize.Context): the
// region, source address, user agent and event id, which no context
// correlation reads, are left empty: a third of the strings a context
// record builds.
func ParseInPlace(ev *model.Event, rec jv.Object, src model.SourceRef) bool {
	node := rec.Any() // boxed once, where any(rec) allocated per record
	if !isRecord(node) || isWazuh(node) || isInsightType(node) || jv.HasAny(node, wrapperKeys...) {
		return false
	}
	return parseInto(ev, node, envelope{asContext: true}, src) == nil
}

// reading is one way to read a record whose eventSource or eventName is
// given more than once with letter-case variants of the key.
type reading struct {
	rec  map[string]any
	note string
}

// readings returns the readings of rec that name different operations,
// or none when every spelling names the same one.
func readings(rec map[string]any) []reading {
	if jv.Spellings(rec, "eventName", "eventSource") <= 1 {
		return nil
	}
	names, sources := jv.Variants(rec, "eventName"), jv.Variants(rec, "eventSource")
	var out []reading
	seen := map[string]bool{}
	for _, src := range sources {
		for _, name := range names {
			s, _ := src.(string)
			n, _ := name.(string)
			key := operationKey(strings.TrimSpace(s), strings.TrimSpace(n))
			if seen[key] {
				continue
			}
			seen[key] = true
			r := jv.WithOnly(jv.WithOnly(rec, "eventSource", src), "eventName", name)
			out = append(out, reading{rec: r, note: fmt.Sprintf("the record names its operation more than once (keys differing in letter case): eventSource %s, eventName %s; each reading is judged, this one is %s", textList(sources), textList(names), key)})
		}
	}
	if len(out) <= 1 {
		return nil
	}
	return out
}

func textList(vs []any) string {
	parts := make([]string, len(vs))
	for i, v := range vs {
		parts[i] = fmt.Sprintf("%q", jv.Str(v))
	}
	return strings.Join(parts, " / ")
}

// unwrap peels EventBridge and lookup-events wrappers and rejects the
// recognised non-events. It unwraps at most one level: a wrapper inside a
// wrapper is not a shape AWS produces.
func unwrap(rec map[string]any) (map[string]any, envelope, error) {
	var env envelope
	if !isWazuh(rec) && !isInsightType(rec) && !jv.HasAny(rec, wrapperKeys...) {
		return rec, env, nil // a plain record, the common case
	}
	switch {
	case isDigest(rec):
		return nil, env, record.Skip("CloudTrail digest file")
	case isWazuh(rec):
		inner, _ := record.Wazuh(rec, "aws")
		if !isRecord(inner) {
			return nil, env, record.Skip(fmt.Sprintf("Wazuh AWS event from %q is not a CloudTrail record", jv.Str(inner, "source")))
		}
		// The module adds the account the log file came from.
		env = envelope{account: jv.Str(inner, "aws_account_id")}
		rec = inner
	case isEventBridge(rec):
		detail := jv.Obj(rec, "detail")
		if !jv.Has(detail, "eventName") && !jv.Has(detail, "eventSource") {
			return nil, env, record.Skip(fmt.Sprintf("EventBridge event %q is not a CloudTrail record", jv.Str(rec, "detail-type")))
		}
		env = envelope{
			account: jv.Str(rec, "account"),
			region:  jv.Str(rec, "region"),
			time:    jv.Get(rec, "time"),
		}
		rec = detail
	case isLookupEvent(rec):
		inner, err := jv.DecodeObject([]byte(jv.Str(rec, "CloudTrailEvent")))
		if err != nil {
			return nil, env, fmt.Errorf("lookup-events CloudTrailEvent: %w", err)
		}
		env = envelope{
			eventID:  jv.Str(rec, "EventId"),
			time:     jv.Get(rec, "EventTime"),
			readOnly: jv.Get(rec, "ReadOnly"),
		}
		rec = inner
	}
	if isInsight(rec) {
		return nil, env, record.Skip("CloudTrail Insights record")
	}
	if isDigest(rec) {
		return nil, env, record.Skip("CloudTrail digest file")
	}
	return rec, env, nil
}

// wrapperKeys are the keys without which a record is none of the shapes
// unwrap looks for (EventBridge, lookup-events, Insights, digest).
var wrapperKeys = []string{"detail-type", "CloudTrailEvent", "insightDetails", "digestStartTime", "digestS3Object", "awsAccountId"}

// requiredString reads a field every CloudTrail record has.
func requiredString(rec any, key string) (string, error) {
	v, ok := jv.Field(rec, key)
	if !ok || v == nil {
		return "", fmt.Errorf("%s is missing", key)
	}
	s, ok := v.(string)
	if !ok {
		return "", fmt.Errorf("%s is a JSON %s, not a string", key, jv.TypeName(v))
	}
	if strings.TrimSpace(s) == "" {
		return "", fmt.Errorf("%s is empty", key)
	}
	return strings.TrimSpace(s), nil
}

// parseRecord builds the Event for one bare CloudTrail record.
func parseRecord(rec any, env envelope, src model.SourceRef) (model.Event, error) {
	var ev model.Event
	err := parseInto(&ev, rec, env, src)
	return ev, err
}

// parseInto is parseRecord writing into *ev, so that a caller's slice
// holds the event without a copy of it on the heap.
func parseInto(ev *model.Event, rec any, env envelope, src model.SourceRef) error {
	name, err := requiredString(rec, "eventName")
	if err != nil {
		return err
	}
	service, err := requiredString(rec, "eventSource")
	if err != nil {
		return err
	}
	*ev = model.Event{
		Cloud:        model.AWS,
		Service:      service,
		Operation:    name,
		OperationKey: operationKeyOf(service, name),
		Account:      first(jv.Str(rec, "recipientAccountId")),
		Source:       src,
	}
	if env.asContext {
		ev.Actor = contextActor(rec)
	} else {
		ev.Actor = actorOf(rec)
		ev.Region = first(jv.Str(rec, "awsRegion"), env.region)
		ev.SourceIP = jv.Str(rec, "sourceIPAddress")
		ev.UserAgent = jv.Str(rec, "userAgent")
		ev.EventID = first(jv.Str(rec, "eventID"), env.eventID)
	}
	if ev.Account == "" { // read only when wanted
		ev.Account = first(jv.Str(rec, "userIdentity", "accountId"), env.account)
	}
	if jv.HasAny(rec, "errorCode", "errorMessage") {
		ev.ErrorCode = strings.TrimSpace(jv.Str(rec, "errorCode"))
		ev.ErrorMessage = jv.Str(rec, "errorMessage")
	}
	ev.OperationID = ev.EventID
	ev.Outcome = model.Success
	if ev.ErrorCode != "" {
		ev.Outcome = model.Failure
	}
	p := &parser{ev: ev}
	ev.Time = p.eventTime(rec, env)
	ev.ReadOnly = readOnly(rec, env, name)
	p.req = p.body(rec, "requestParameters")
	p.resp = p.body(rec, "responseElements")
	p.content()
	p.resourceFromError()
	p.madeDespiteError()
	ev.Notes = p.notes.List()
	return nil
}

// parser accumulates one Event while the content readers fill it.
type parser struct {
	ev   *model.Event
	req  map[string]any // requestParameters, nil when absent or null
	resp map[string]any // responseElements, nil when absent or null
	// notes are the event's caveats, each once, capped (model.Notes).
	notes model.Notes
}

// notef adds a caveat to the event, once; parseRecord moves them into
// the event when the record is read.
func (p *parser) notef(format string, args ...any) {
	p.notes.Add(fmt.Sprintf(format, args...))
}

// body returns requestParameters or responseElements as an object. Both
// are null on most failed calls; some exporters log them as JSON text,
// which jv parses. Anything else is noted and ignored.
func (p *parser) body(rec any, key string) map[string]any {
	v, ok := jv.Field(rec, key)
	if !ok || v == nil {
		return nil
	}
	if m := jv.Obj(v); m != nil {
		return m
	}
	if s, ok := v.(string); ok && strings.TrimSpace(s) == "" {
		return nil
	}
	p.notef("%s is a JSON %s, not an object; content not read", key, jv.TypeName(v))
	return nil
}

// operationKey is the catalogue key: eventSource without its
// .amazonaws.com suffix, a colon, the lower-cased eventName.
func operationKey(service, name string) string {
	svc := strings.ToLower(service)
	svc = strings.TrimSuffix(svc, ".amazonaws.com")
	// The regional host form (ec2.us-east-1.amazonaws.com) names the
	// same service.
	if i := strings.LastIndexByte(svc, '.'); i > 0 && isRegion(svc[i+1:]) {
		svc = svc[:i]
	}
	return svc + ":" + strings.ToLower(name)
}

// isRegion recognises an AWS region name: us-east-1, eu-central-2,
// us-gov-west-1, cn-north-1, us-isob-east-1.
func isRegion(s string) bool {
	parts := strings.Split(s, "-")
	if len(parts) < 3 || len(parts[0]) != 2 {
		return false
	}
	last := parts[len(parts)-1]
	if last == "" {
		return false
	}
	for _, c := range last {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// first returns the first non-empty string.
func first(ss ...string) string {
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			return s
		}
	}
	return ""
}

// eventTime reads eventTime in UTC. A missing or unreadable time is not an
// error: the event is still evidence, so it gets the zero time and a note.
func (p *parser) eventTime(rec any, env envelope) time.Time {
	// The common spelling, read without building the string; TimeUTC
	// reads it as parseTime would.
	if t, ok := jv.TimeUTC(jv.View(rec, "eventTime")); ok && t.Year() >= 1 {
		return t
	}
	v := jv.Get(rec, "eventTime")
	if v == nil {
		v = env.time
	}
	if v == nil {
		p.notef("eventTime is missing")
		return time.Time{}
	}
	t, ok := parseTime(v)
	if !ok {
		p.notef("eventTime %s is not a time", logged(v))
		return time.Time{}
	}
	return t
}

// timeLayouts are the spellings of eventTime seen in CloudTrail and its
// exports, most common first.
var timeLayouts = [...]string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05",
	"2006-01-02 15:04:05",
	"2006-01-02 15:04:05Z07:00",
}

// parseTime reads an RFC 3339 time or epoch seconds/milliseconds (the
// lookup-events EventTime of some clients). Times outside years 1-9999 in
// UTC are refused: no log holds them, and JSON cannot carry them.
func parseTime(v any) (time.Time, bool) {
	t, ok := readTime(v)
	if !ok || t.Year() < 1 || t.Year() > 9999 {
		return time.Time{}, false
	}
	return t, true
}

func readTime(v any) (time.Time, bool) {
	switch t := v.(type) {
	case string:
		s := strings.TrimSpace(t)
		for _, layout := range timeLayouts {
			if tm, err := time.Parse(layout, s); err == nil {
				return tm.UTC(), true
			}
		}
		if _, err := json.Number(s).Float64(); err == nil {
			return readTime(json.Number(s))
		}
	case json.Number, float64:
		f, err := json.Number(jv.Str(t)).Float64()
		if err != nil || !(f > 0 && f <= 1e14) { // also refuses NaN
			return time.Time{}, false
		}
		if f > 1e11 { // milliseconds
			return time.UnixMilli(int64(f)).UTC(), true
		}
		sec, frac := math.Modf(f)
		return time.Unix(int64(sec), int64(frac*1e9)).UTC(), true
	}
	return time.Time{}, false
}

// readOnly reads readOnly; records older than eventVersion 1.06 lack it,
// so it falls back to the envelope and then to the verb of eventName.
func readOnly(rec any, env envelope, name string) bool {
	if b, ok := jv.Bool(rec, "readOnly"); ok {
		return b
	}
	if b, ok := jv.Bool(env.readOnly); ok {
		return b
	}
	for _, verb := range [...]string{"Describe", "Get", "List", "Lookup", "Search", "BatchGet"} {
		if strings.HasPrefix(name, verb) {
			return true
		}
	}
	return false
}
