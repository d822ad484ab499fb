package snapshot

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"cloudwall/internal/model"
	"cloudwall/internal/normalize/jv"
)

// Recordings of API calls hold real snapshots inside a wrapper. Four are
// recognised, by their keys, never by file name:
//
//   - boto "placebo": {"status_code":200,"data":{<response>,"ResponseMetadata":{…}}}.
//     One document: data without its ResponseMetadata. Timestamps may be
//     objects {"__class__":"datetime","year":…}; they are read as RFC 3339
//     text, as the AWS CLI prints them.
//   - HTTP flight (GCP): {"headers":{"status":"200",…},"body":<REST JSON>}.
//     One document: body.
//   - VCR cassette (vcrpy, Ruby VCR): {"version":1,"interactions":[{"request":
//     {"method","uri"},"response":{"status":{"code"},"headers","body":{"data"|"string"}}}]}.
//     A sequence of calls: each successful GET's body, in order. A firewall
//     seen twice is taken from the later GET (a later observation of it);
//     writes (PUT, PATCH, POST, DELETE) and failed calls are skipped,
//     counted, and named in one problem per cassette.
//   - Azure REST API spec example: {"parameters":{…},"responses":{"200":{"body":…}}}.
//     One document: the body of the lowest 2xx response that has one (a
//     PUT's 200 and 201 describe the same resource).
//
// A failed call (status outside 2xx) is skipped with a problem; a wrapper
// without a document (no body, a body that is not JSON) is unreadable. The
// response's Date header dates the snapshot when the document itself does
// not. Each recording is one record, except a cassette, whose interactions
// are its records.

// maxWrapDepth bounds the wrappers taken off one record: a recording inside
// a recording is read, one more level is reported, never recursed into.
const maxWrapDepth = 2

// inner is one document found inside a recording, or why there is none.
type inner struct {
	doc any
	// kind names the wrapper(s) for messages: "boto placebo recording",
	// "VCR cassette interaction 3 (GET /subscriptions/…)".
	kind string
	// asOf is the response's Date header, zero if absent.
	asOf time.Time
	// sequence marks a document of a sequence of calls (a cassette's
	// interactions): a later one replaces an earlier copy of a firewall.
	sequence bool
	// skip says why a recognised call is not read (counted as skipped),
	// err why the recording cannot be read (counted as unreadable).
	skip, err string
	// report lists a skip as a problem of its own (a failed call); a call
	// that holds no snapshot by nature (a write's empty answer) is named
	// in the file's skip tally (builder.skip).
	report bool
	// call names a skipped cassette interaction ("PUT", "failed GET (404)"):
	// they are counted per cassette and named in one problem.
	call string
}

// unwrapRecording returns the documents inside m when m is a recording,
// unwrapping at most maxWrapDepth levels.
func unwrapRecording(m map[string]any) ([]inner, bool) {
	return unwrapAt(m, 1)
}

func unwrapAt(m map[string]any, depth int) ([]inner, bool) {
	var docs []inner
	switch {
	case isPlacebo(m):
		docs = []inner{placebo(m)}
	case isFlight(m):
		docs = []inner{flight(m)}
	case isCassette(m):
		docs = cassette(m)
	case isSpecExample(m):
		docs = []inner{specExample(m)}
	default:
		return nil, false
	}
	var out []inner
	for _, d := range docs {
		dm, ok := d.doc.(map[string]any)
		if !ok || d.err != "" || d.skip != "" {
			out = append(out, d)
			continue
		}
		if depth >= maxWrapDepth {
			if isRecording(dm) {
				d.doc, d.err = nil, fmt.Sprintf("%s holds recordings nested more than %d deep: not unwrapped", d.kind, maxWrapDepth)
			}
			out = append(out, d)
			continue
		}
		sub, nested := unwrapAt(dm, depth+1)
		if !nested {
			out = append(out, d)
			continue
		}
		for _, s := range sub {
			s.kind = d.kind + ", in it a " + s.kind
			if s.asOf.IsZero() {
				s.asOf = d.asOf
			}
			s.sequence = s.sequence || d.sequence
			out = append(out, s)
		}
	}
	return out, true
}

// recording reads the documents found inside one recording and returns
// how many were read. A cassette's interactions
// are its records: each is counted, and the skipped ones are named in one
// problem.
func (b *builder) recording(docs []inner, src model.SourceRef, offset int64) int {
	defer func() { b.cur = observation{} }()
	b.sum.Records += int64(len(docs) - 1)
	read := 0
	var calls []string
	count := map[string]int{}
	for i, d := range docs {
		b.cur = observation{id: src.File, asOf: d.asOf}
		if d.sequence {
			b.cur.id = fmt.Sprintf("%s\x00%d\x00%d", src.File, src.Index, i)
		}
		switch {
		case d.err != "":
			b.sum.Unreadable++
			b.problem(src.File, src.Index, offset, d.err)
		case d.skip != "" && d.call != "":
			b.sum.Skipped++
			b.sum.Recognised++
			if count[d.call]++; count[d.call] == 1 {
				calls = append(calls, d.call)
			}
		case d.skip != "" && d.report:
			b.sum.Skipped++
			b.sum.Recognised++
			b.problem(src.File, src.Index, offset, d.skip)
		case d.skip != "":
			b.skip(src.File, src.Index, offset, d.skip)
		default:
			doc, list := armList(d.doc)
			res := b.record(doc, src)
			if list && len(doc.([]any)) == 0 {
				res = skipped("an empty list")
			}
			if b.tally(res, d.doc, d.kind, src, offset) {
				read++
			}
		}
	}
	if len(calls) > 0 {
		n := 0
		for i, c := range calls {
			n += count[c]
			calls[i] = fmt.Sprintf("%s ×%d", c, count[c])
		}
		b.problem(src.File, src.Index, offset, fmt.Sprintf(
			"VCR cassette: %d of %d interactions skipped (only successful GETs are snapshots): %s",
			n, len(docs), strings.Join(calls, ", ")))
	}
	return read
}

// isRecording says whether m is a recording, without reading it.
func isRecording(m map[string]any) bool {
	return isPlacebo(m) || isFlight(m) || isCassette(m) || isSpecExample(m)
}

// onlyKeys reports whether every key of m is one of keys.
func onlyKeys(m map[string]any, keys ...string) bool {
	for k := range m {
		if !slices.Contains(keys, k) {
			return false
		}
	}
	return true
}

func isPlacebo(m map[string]any) bool {
	_, ok := m["status_code"]
	return ok && onlyKeys(m, "status_code", "data")
}

func isFlight(m map[string]any) bool {
	h, ok := m["headers"].(map[string]any)
	return ok && h != nil && onlyKeys(m, "headers", "body")
}

func isCassette(m map[string]any) bool {
	if _, ok := m["interactions"].([]any); ok {
		return onlyKeys(m, "version", "interactions")
	}
	_, ok := m["http_interactions"].([]any) // Ruby VCR
	return ok && onlyKeys(m, "http_interactions", "recorded_with")
}

func isSpecExample(m map[string]any) bool {
	rs, ok := m["responses"].(map[string]any)
	if !ok || !onlyKeys(m, "parameters", "responses", "title", "operationId", "description", "$schema") {
		return false
	}
	for k := range rs {
		if _, err := strconv.Atoi(k); err == nil || k == "default" {
			return true
		}
	}
	return false
}

func placebo(m map[string]any) inner {
	in := inner{kind: "boto placebo recording"}
	code, ok := jv.Int(m, "status_code")
	if !ok {
		in.err = in.kind + ": status_code is not a number"
		return in
	}
	if !success(code) {
		in.skip, in.report = fmt.Sprintf("%s of a failed call (status_code %d); skipped", in.kind, code), true
		return in
	}
	data, present := m["data"]
	dm, isObj := data.(map[string]any)
	switch {
	case !present || data == nil:
		in.err = in.kind + " with no data"
		return in
	case !isObj:
		in.err = fmt.Sprintf("%s: data is a JSON %s, not an object", in.kind, jv.TypeName(data))
		return in
	}
	in.asOf = httpDate(jv.Get(dm, "ResponseMetadata", "HTTPHeaders", "date"))
	doc := make(map[string]any, len(dm))
	for k, v := range dm {
		if k != "ResponseMetadata" {
			doc[k] = placeboTimes(v)
		}
	}
	if len(doc) == 0 {
		in.skip = in.kind + " of a call that answered nothing but its metadata"
		return in
	}
	in.doc = doc
	return in
}

func flight(m map[string]any) inner {
	in := inner{kind: "HTTP flight recording"}
	h := m["headers"].(map[string]any)
	if s := jv.Str(h, "status"); s != "" {
		code, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil {
			in.err = in.kind + ": headers.status is not a number"
			return in
		}
		if !success(code) {
			in.skip, in.report = fmt.Sprintf("%s of a failed call (status %d); skipped", in.kind, code), true
			return in
		}
	}
	in.asOf = httpDate(jv.Get(h, "date"))
	in.doc, in.err = document(m["body"], in.kind, "body")
	return in
}

// document checks that a wrapper's body is a JSON document (object or
// array); a body recorded as text is parsed.
func document(v any, kind, field string) (any, string) {
	switch t := v.(type) {
	case nil:
		return nil, kind + " with no " + field
	case map[string]any, []any:
		return t, ""
	case string:
		if strings.TrimSpace(t) == "" {
			return nil, kind + " with an empty " + field
		}
		d, err := jv.DecodeDocument([]byte(t))
		if err != nil {
			return nil, fmt.Sprintf("%s: %s is not JSON: %v", kind, field, err)
		}
		if _, text := d.(string); !text { // JSON text once, never text in text
			return document(d, kind, field)
		}
		v = d
	}
	return nil, fmt.Sprintf("%s: %s is a JSON %s, not a document", kind, field, jv.TypeName(v))
}

func cassette(m map[string]any) []inner {
	its, ok := m["interactions"].([]any)
	if !ok {
		its, _ = m["http_interactions"].([]any)
	}
	if len(its) == 0 {
		return []inner{{kind: "VCR cassette", skip: "VCR cassette with no interactions", report: true}}
	}
	out := make([]inner, 0, len(its))
	for i, it := range its {
		out = append(out, interaction(it, i))
	}
	return out
}

func interaction(it any, i int) inner {
	in := inner{kind: fmt.Sprintf("VCR cassette interaction %d", i+1), sequence: true}
	req, _ := jv.Get(it, "request").(map[string]any)
	resp, _ := jv.Get(it, "response").(map[string]any)
	if req == nil || resp == nil {
		in.err = in.kind + " has no request and response objects"
		return in
	}
	method := strings.ToUpper(strings.TrimSpace(jv.Str(req, "method")))
	in.kind += " (" + first(method, "?") + " " + uriPath(jv.Str(req, "uri")) + ")"
	if method != "GET" {
		in.skip, in.call = in.kind+": not a read", first(method, "no method")
		return in
	}
	code, ok := jv.Int(resp, "status", "code")
	if !ok {
		code, ok = jv.Int(resp, "status")
	}
	if !ok {
		in.err = in.kind + ": response has no status code"
		return in
	}
	if !success(code) {
		in.skip, in.call = fmt.Sprintf("%s answered %d", in.kind, code), fmt.Sprintf("failed GET (%d)", code)
		return in
	}
	in.asOf = httpDate(headerValue(resp["headers"], "date"))
	body := resp["body"]
	if bm, ok := body.(map[string]any); ok && onlyKeys(bm, "data", "string", "encoding") {
		if d, ok := bm["data"]; ok && d != nil {
			body = d
		} else {
			body = bm["string"]
		}
	}
	in.doc, in.err = document(body, in.kind, "body")
	return in
}

// uriPath is a request's path, without the query (which may carry a
// signature) and shortened for messages.
func uriPath(s string) string {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || u.Path == "" {
		return "?"
	}
	p := u.Path
	if len(p) > 80 {
		p = "…" + p[len(p)-79:]
	}
	return p
}

// headerValue finds a header by name, any case; VCR stores each as a list.
func headerValue(h any, name string) any {
	v := jv.Get(h, name)
	if a, ok := v.([]any); ok && len(a) > 0 {
		return a[0]
	}
	return v
}

func specExample(m map[string]any) inner {
	in := inner{kind: "REST API spec example"}
	rs := m["responses"].(map[string]any)
	var codes []int
	for k := range rs {
		if c, err := strconv.Atoi(k); err == nil && success(c) && jv.Get(rs[k], "body") != nil {
			codes = append(codes, c)
		}
	}
	if len(codes) == 0 {
		in.skip = in.kind + " with no successful response body"
		return in
	}
	slices.Sort(codes)
	in.kind += " (response " + strconv.Itoa(codes[0]) + ")"
	in.doc, in.err = document(jv.Get(rs[strconv.Itoa(codes[0])], "body"), in.kind, "body")
	return in
}

// armList opens an ARM list response, {"value":[…],"nextLink":…}, into
// its elements, as the splitter does for a file that is one.
func armList(doc any) (any, bool) {
	m, ok := doc.(map[string]any)
	if !ok || !onlyKeys(m, "value", "nextLink") {
		return doc, false
	}
	arr, ok := m["value"].([]any)
	if !ok {
		return doc, false
	}
	return arr, true
}

func success(code int) bool { return code >= 200 && code < 300 }
