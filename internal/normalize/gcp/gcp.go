// Package gcp turns Google Cloud Audit Log entries into model.Events.
//
// A record reaches Parse as one decoded JSON object, in one of three shapes:
// a LogEntry whose protoPayload is an AuditLog (Cloud Storage sinks, gcloud
// logging read, SIEM re-exports with changed key case), a Pub/Sub push
// envelope whose message.data is the base64 text of a LogEntry, or a
// Pub/Sub pull response holding several such messages.
//
// Each LogEntry becomes one Event. Rule content is read from
// protoPayload.request exactly as logged: the parser does not judge whether a
// peer is world-open; the detect stage does. Long-running compute operations
// are logged twice (operation.first with the request, operation.last with
// only the request's @type); both become Events that share an OperationID so
// the coalescer can fold them.
package gcp

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"cloudwall/internal/model"
	"cloudwall/internal/normalize/jv"
	"cloudwall/internal/normalize/record"
)

// Detect reports whether a decoded JSON object is GCP-shaped: a LogEntry with
// protoPayload (any key case, e.g. protopayload), a Pub/Sub push envelope
// {"message":{"data":<base64>...},"subscription":...}, or a Pub/Sub pull
// response {"receivedMessages":[...]}.
func Detect(rec any) bool {
	if _, ok := jv.Field(rec, "protoPayload"); ok {
		return true
	}
	return isBigQuery(rec) || isPush(rec) || isPull(rec) || isWazuh(rec)
}

// wazuhEntry returns the LogEntry of a Wazuh GCP module event or alert
// (see record.Wazuh), also of a Wazuh 4.0 alert whose data is the
// LogEntry itself.
func wazuhEntry(rec any) (map[string]any, bool) {
	if inner, ok := record.Wazuh(rec, "gcp"); ok {
		return inner, true
	}
	if data, ok := record.WazuhAlertData(rec); ok && hasField(data, "protoPayload") {
		return data, true
	}
	return nil, false
}

func isWazuh(rec any) bool {
	_, ok := wazuhEntry(rec)
	return ok
}

// isBigQuery recognises a row of a BigQuery log sink table (exported with
// bq extract or a query), where the AuditLog is protopayload_auditlog and
// its request and response are JSON text in requestJson and responseJson.
func isBigQuery(rec any) bool {
	_, ok := jv.Field(rec, "protopayload_auditlog")
	return ok
}

// fromBigQuery rewrites a BigQuery sink row into a LogEntry.
func fromBigQuery(rec map[string]any) map[string]any {
	entry := make(map[string]any, len(rec))
	for k, v := range rec {
		entry[k] = v
	}
	delete(entry, "protopayload_auditlog")
	pp := map[string]any{"@type": "type.googleapis.com/google.cloud.audit.AuditLog"}
	for k, v := range jv.Obj(rec, "protopayload_auditlog") {
		pp[k] = v
	}
	for from, to := range map[string]string{"requestJson": "request", "responseJson": "response", "metadataJson": "metadata"} {
		if text, ok := jv.Field(pp, from); ok {
			if obj := jv.Obj(text); obj != nil {
				pp[to] = obj
			}
		}
	}
	entry["protoPayload"] = pp
	return entry
}

// isPush recognises a push envelope. The subscription is required as well as
// message.data, because a bare "message" key is common in other formats.
func isPush(rec any) bool {
	_, hasSub := jv.Field(rec, "subscription")
	return hasSub && jv.Has(rec, "message", "data")
}

func isPull(rec any) bool {
	_, ok := jv.Field(rec, "receivedMessages")
	return ok
}

// Parse turns one object into events: one per LogEntry; Pub/Sub envelopes are
// base64-decoded (standard alphabet, also URL-safe and unpadded) and their
// LogEntry parsed. A LogEntry whose protoPayload is not an AuditLog or has no
// methodName returns a descriptive error.
//
// A pull response can hold messages that parse and messages that do not; Parse
// then returns the events it could read together with an error naming the
// others, so callers should keep the events and report the error. A pull
// response with no messages returns a record.SkipError.
func Parse(rec map[string]any, src model.SourceRef) ([]model.Event, error) {
	switch {
	case rec == nil:
		return nil, errors.New("gcp: nil record")
	case isBigQuery(rec) && !hasField(rec, "protoPayload"):
		ev, err := parseEntry(fromBigQuery(rec), src)
		if err != nil {
			return nil, fmt.Errorf("bigquery row: %w", err)
		}
		return []model.Event{ev}, nil
	case isWazuh(rec):
		entry, _ := wazuhEntry(rec)
		if !hasField(entry, "protoPayload") {
			return nil, record.Skip(fmt.Sprintf("Wazuh GCP event of log %q is not an audit log entry", jv.Str(entry, "logName")))
		}
		ev, err := parseEntry(entry, src)
		if err != nil {
			return nil, fmt.Errorf("wazuh: %w", err)
		}
		return []model.Event{ev}, nil
	case hasField(rec, "protoPayload"):
		ev, err := parseEntry(rec, src)
		if err != nil {
			return nil, err
		}
		return []model.Event{ev}, nil
	case isPush(rec):
		ev, err := parseMessage(jv.Obj(rec, "message"), src)
		if err != nil {
			return nil, fmt.Errorf("pub/sub push: %w", err)
		}
		return []model.Event{ev}, nil
	case isPull(rec):
		return parsePull(rec, src)
	}
	return nil, errors.New("gcp: record is neither a LogEntry with protoPayload nor a Pub/Sub message")
}

// ParseInPlace reads a record read in place (jv.Raw) when it is a plain
// LogEntry with a protoPayload, as Parse would read its decoded map. ok is
// false for every other shape (BigQuery rows, Wazuh events, Pub/Sub
// envelopes, an entry parseEntry refuses): the caller decodes those and
// calls Parse, so they read as they always have.
func ParseInPlace(ev *model.Event, rec jv.Object, src model.SourceRef) bool {
	e := rec.Any()
	// Parse's order: a Wazuh event with a protoPayload is read as Wazuh's.
	if !hasField(e, "protoPayload") || isWazuh(e) {
		return false
	}
	return parseInto(ev, e, src) == nil
}

func hasField(m any, key string) bool {
	_, ok := jv.Field(m, key)
	return ok
}

// parsePull parses every received message of a pull response.
func parsePull(rec map[string]any, src model.SourceRef) ([]model.Event, error) {
	msgs := jv.Arr(rec, "receivedMessages")
	if len(msgs) == 0 {
		return nil, record.Skip("pub/sub pull response holds no messages")
	}
	var (
		events []model.Event
		errs   []error
	)
	for i, m := range msgs {
		rm := jv.Obj(m)
		if rm == nil {
			errs = append(errs, fmt.Errorf("pub/sub pull: received message %d is a JSON %s, not an object", i, jv.TypeName(m)))
			continue
		}
		ev, err := parseMessage(jv.Obj(rm, "message"), src)
		if err != nil {
			errs = append(errs, fmt.Errorf("pub/sub pull: received message %d: %w", i, err))
			continue
		}
		events = append(events, ev)
	}
	return events, errors.Join(errs...)
}

// parseMessage decodes a Pub/Sub message's data into a LogEntry and parses it.
func parseMessage(msg map[string]any, src model.SourceRef) (model.Event, error) {
	if msg == nil {
		return model.Event{}, errors.New("message is missing or not an object")
	}
	entry, err := messageEntry(msg)
	if err != nil {
		return model.Event{}, err
	}
	return parseEntry(entry, src)
}

// messageEntry returns the LogEntry a message carries. Pub/Sub carries it as
// base64 text; some relays have already decoded it to JSON text or an object.
func messageEntry(msg map[string]any) (map[string]any, error) {
	data, ok := jv.Field(msg, "data")
	if !ok || data == nil {
		return nil, errors.New("message has no data")
	}
	if m, ok := data.(map[string]any); ok {
		return m, nil
	}
	s, ok := data.(string)
	if !ok {
		return nil, fmt.Errorf("message data is a JSON %s, not base64 text", jv.TypeName(data))
	}
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "{") {
		return jv.DecodeObject([]byte(s))
	}
	raw, err := decodeBase64(s)
	if err != nil {
		return nil, fmt.Errorf("decode message data: %w", err)
	}
	m, err := jv.DecodeObject(raw)
	if err != nil {
		return nil, fmt.Errorf("message data: %w", err)
	}
	return m, nil
}

// decodeBase64 accepts the standard alphabet Pub/Sub uses, and the URL-safe
// and unpadded forms that relays and hand-made test messages produce.
func decodeBase64(s string) ([]byte, error) {
	encs := [...]*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding}
	var first error
	for _, enc := range encs {
		b, err := enc.DecodeString(s)
		if err == nil {
			return b, nil
		}
		if first == nil {
			first = err
		}
	}
	return nil, first
}
