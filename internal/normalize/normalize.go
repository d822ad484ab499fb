// Package normalize turns raw audit-log bytes into model.Events: it splits
// streams into records, drops records that cannot be firewall events before
// decoding them, recognises each record's cloud and shape, and hands it to
// that cloud's parser. Coalescer then folds the several records a cloud
// writes for one operation into one event.
package normalize

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"

	"cloudwall/internal/model"
	"cloudwall/internal/normalize/aws"
	"cloudwall/internal/normalize/azure"
	"cloudwall/internal/normalize/gcp"
	"cloudwall/internal/normalize/jv"
	"cloudwall/internal/normalize/record"
)

// Kind says what became of one record.
type Kind uint8

const (
	// Parsed: the record was decoded into zero or more events.
	Parsed Kind = iota
	// Filtered: the prefilter ruled the record out without decoding it.
	Filtered
	// Skipped: recognised and deliberately ignored (digest, Insights).
	Skipped
	// Unrecognised: valid JSON of no audit-log shape cloudwall knows.
	Unrecognised
	// Unreadable: not valid JSON, or an audit record too broken to use.
	Unreadable
)

// Result is what Parse made of one record.
type Result struct {
	Kind   Kind
	Events []model.Event
	// Reason explains Skipped, Unrecognised and Unreadable results; on a
	// Parsed result it reports members of a batch that could not be read.
	Reason string
	// Broken marks a Parsed result of a record that is not valid JSON
	// but holds whole records (see salvage): it counts as unreadable.
	Broken bool
}

// maxEnvelopePayload bounds a decoded base64 or gzip envelope payload.
const maxEnvelopePayload = 64 << 20

// Parse decodes one raw record and dispatches it to its cloud's parser.
// With a nil prefilter every record is decoded.
func Parse(raw []byte, src model.SourceRef, pre *Prefilter) Result {
	return ParseInto(nil, raw, src, pre)
}

// ParseInto is Parse that may put the event of a record read as context
// into dst's array instead of a new one: most records a scan with
// correlations reads are such, and each is used and dropped before the
// next. The result's events are valid until dst is used again.
func ParseInto(dst []model.Event, raw []byte, src model.SourceRef, pre *Prefilter) Result {
	if kind := notObject(raw); kind != "" {
		// An element of an array of records that is no object (a null, a
		// number) is a broken record: reported, not filtered out unseen.
		return Result{Kind: Unreadable, Reason: "record is a JSON " + kind + ", not an object"}
	}
	match := Full
	if pre != nil {
		if match = pre.Match(raw); match == Drop {
			return Result{Kind: Filtered}
		}
	}
	if match != Context {
		return decoded(raw, src, jv.DecodeConflicts, true)
	}
	res, ok := parseInPlace(dst, raw, src)
	if !ok {
		res = decoded(raw, src, decodeContext, false)
	}
	if res.Kind != Parsed || res.Reason != "" || slices.ContainsFunc(res.Events, gcp.ReadsRequest) {
		// What is said of a record read without its bodies (the keys
		// of an unrecognised one, a bad member) may name them, and a
		// GCP event may need its request: such rare records are read
		// in full.
		return contextInFull(raw, src)
	}
	return res
}

// contextInFull reads a record of context operations in full. Its JSON
// text is not read every way (see findEmbedded): such a record names no
// firewall operation anywhere in its bytes (the prefilter sees inside
// JSON text, and calls Full any escape that could hide a name), so no
// reading of it is judged, and its bodies are not read lean either.
func contextInFull(raw []byte, src model.SourceRef) Result {
	return decoded(raw, src, jv.DecodeConflicts, false)
}

// notObject names the kind of JSON value raw holds when it is not an
// object ("" when it is one, or is not JSON the decoder will report).
func notObject(raw []byte) string {
	for _, c := range raw {
		switch c {
		case ' ', '\t', '\n', '\r':
			continue
		case '{':
			return ""
		case '[':
			return "array"
		case '"':
			return "string"
		case 'n':
			return "null"
		case 't', 'f':
			return "boolean"
		case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
			return "number"
		}
		return ""
	}
	return ""
}

// decoded parses raw decoded with decode; embed says whether JSON text
// in it is read every way too.
func decoded(raw []byte, src model.SourceRef, decode func([]byte) (any, []jv.Conflict, int, error), embed bool) Result {
	v, conflicts, more, err := decode(raw)
	if err != nil {
		return salvage(raw, src, "invalid JSON: "+err.Error())
	}
	res := dispatch(v, src, 0)
	var emb []embedded
	if embed {
		var n int
		emb, n = findEmbedded(v)
		more += n
	}
	if len(conflicts) > 0 || len(emb) > 0 {
		res = parseReadings(v, conflicts, emb, more, src, res)
	}
	return res
}

// contextBodies are the members a record read only as context (see
// Context) goes without: the request and response of each cloud's
// record, and TLS details. Who called what, when, from where and with
// what outcome is all outside them.
var contextBodies = []string{
	"requestParameters", "responseElements", "additionalEventData", "serviceEventDetails", "tlsDetails", "resources", // CloudTrail
	"requestbody", "responseBody", // Azure Activity Log properties
	"request", "response", "authorizationInfo", // GCP AuditLog protoPayload
}

func decodeContext(raw []byte) (any, []jv.Conflict, int, error) {
	return jv.DecodeLean(raw, contextBodies)
}

// dispatch recognises a decoded record. depth bounds envelope nesting.
func dispatch(v any, src model.SourceRef, depth int) Result {
	if depth > 3 {
		return Result{Kind: Unreadable, Reason: "envelopes nested too deeply"}
	}
	rec, ok := v.(map[string]any)
	if !ok {
		return Result{Kind: Unrecognised, Reason: fmt.Sprintf("record is a JSON %s, not an object", jv.TypeName(v))}
	}
	if inner, ok := wazuhFlow(rec); ok {
		return dispatch(inner, src, depth+1)
	}
	var (
		events []model.Event
		err    error
	)
	switch {
	case aws.Detect(rec):
		events, err = aws.Parse(rec, src)
	case azureFlow(rec):
		// Its operationName, resourceId and time read like an activity
		// log record: it must not count as one. (No flow-log record has
		// the keys aws.Detect looks for.)
		return Result{Kind: Unrecognised, Reason: "Azure NSG or VNet flow-log record, not an audit record" + hintFlows}
	case gcp.Detect(rec):
		events, err = gcp.Parse(rec, src)
	case azure.Detect(rec):
		events, err = azure.Parse(rec, src)
	case jv.Has(rec, "awslogs", "data"):
		return cloudWatchSubscription(jv.Str(rec, "awslogs", "data"), src, depth)
	case isTables(rec):
		return dispatchTables(rec, src, depth)
	default:
		if field, inner, ok := wrapped(rec); ok {
			if inner == nil {
				return Result{Kind: Unreadable, Reason: field + ": not valid JSON"}
			}
			return dispatch(inner, src, depth+1)
		}
		return Result{Kind: Unrecognised, Reason: "no known audit-log shape (keys: " + keyList(rec) + ")" + recordHint(rec)}
	}
	finish(events)
	var skip *record.SkipError
	switch {
	case errors.As(err, &skip):
		return Result{Kind: Skipped, Reason: skip.Reason}
	case err != nil && len(events) == 0:
		return Result{Kind: Unreadable, Reason: err.Error()}
	case err != nil:
		// A batch (a Pub/Sub pull response) with some bad members: keep
		// the good events and report the rest.
		return Result{Kind: Parsed, Events: events, Reason: err.Error()}
	}
	return Result{Kind: Parsed, Events: events}
}

// finish bounds what a parser made of a record: its changes, peers,
// notes and texts.
func finish(events []model.Event) {
	for i := range events {
		limitChanges(&events[i])
		limitPeers(&events[i])
		events[i].Notes = model.CapNotes(events[i].Notes)
		limitText(&events[i])
	}
}

// wrappers are fields in which log shippers and SIEM exports carry the
// original audit record: CloudWatch Logs exports and subscriptions
// ("message", as JSON text), Splunk ("_raw", and "result" in a search
// export), Elasticsearch hits ("_source") and ECS ("event.original").
var wrappers = [][]string{{"message"}, {"_raw"}, {"result"}, {"_source"}, {"event", "original"}}

// wrapped finds the record inside a shipper's envelope. inner is nil when
// the field holds text that is not JSON.
func wrapped(rec map[string]any) (field string, inner any, ok bool) {
	for _, path := range wrappers {
		switch v := jv.Get(rec, path...).(type) {
		case map[string]any:
			return strings.Join(path, "."), v, true
		case string:
			if t := strings.TrimSpace(v); strings.HasPrefix(t, "{") {
				inner, err := jv.Decode([]byte(t))
				if err != nil {
					return strings.Join(path, "."), nil, true
				}
				return strings.Join(path, "."), inner, true
			}
		}
	}
	return "", nil, false
}

// cloudWatchSubscription decodes a CloudWatch Logs subscription payload
// (base64 of gzip of {"logEvents":[{"message":"<record>"}]}).
func cloudWatchSubscription(data string, src model.SourceRef, depth int) Result {
	raw, err := base64.StdEncoding.DecodeString(data)
	if err != nil {
		return Result{Kind: Unreadable, Reason: "awslogs.data is not base64: " + err.Error()}
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		return Result{Kind: Unreadable, Reason: "awslogs.data is not gzip: " + err.Error()}
	}
	payload, err := io.ReadAll(io.LimitReader(zr, maxEnvelopePayload+1))
	if err != nil {
		return Result{Kind: Unreadable, Reason: "awslogs.data: gzip payload cut short or corrupt: " + err.Error()}
	}
	if len(payload) > maxEnvelopePayload {
		return Result{Kind: Unreadable, Reason: fmt.Sprintf("awslogs.data: payload over %d bytes", maxEnvelopePayload)}
	}
	msg, err := jv.Decode(payload)
	if err != nil {
		return Result{Kind: Unreadable, Reason: "awslogs.data: invalid JSON: " + err.Error()}
	}
	if jv.Str(msg, "messageType") == "CONTROL_MESSAGE" {
		return Result{Kind: Skipped, Reason: "CloudWatch Logs control message (awslogs.data)"}
	}
	var out Result
	events := jv.Objs(msg, "logEvents")
	var bad int
	var first string
	for i, le := range events {
		inner, err := jv.Decode([]byte(jv.Str(le, "message")))
		var r Result
		if err != nil {
			r = Result{Kind: Unreadable, Reason: "message is not JSON"}
		} else {
			r = dispatch(inner, src, depth+1)
		}
		out.Events = append(out.Events, r.Events...)
		if r.Kind != Parsed && r.Kind != Skipped || r.Reason != "" {
			// A log event that is no audit record is said, not dropped.
			if bad++; first == "" {
				first = fmt.Sprintf("log event %d: %s", i+1, r.Reason)
			}
		}
	}
	switch {
	case len(events) == 0:
		return Result{Kind: Unrecognised, Reason: "awslogs.data holds no logEvents"}
	case bad > 0 && len(out.Events) == 0:
		return Result{Kind: Unrecognised, Reason: fmt.Sprintf("awslogs.data: none of its %d log events is an audit record (%s)", len(events), first)}
	case bad > 0:
		out.Reason = fmt.Sprintf("awslogs.data: %d of its %d log events are not audit records (%s)", bad, len(events), first)
	}
	return out
}

func keyList(rec map[string]any) string {
	keys := make([]string, 0, len(rec))
	for k := range rec {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if len(keys) > 6 {
		keys = append(keys[:6], "…")
	}
	return strings.Join(keys, ", ")
}
