package snapshot

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"cloudwall/internal/ingest"
)

// The samples under testdata/real are copies of shared/data/snapshots
// (provenance in testdata/real/SOURCES.md), kept as published: most sit in
// a recording wrapper (boto placebo, VCR cassette, HTTP flight, REST API
// spec example). unwrap strips the wrapper here, in the tests, so the
// readers see exactly what the CLI or API prints; the product readers
// never strip wrappers.
func unwrap(t testing.TB, path string) []byte {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return raw // JSON lines, or invalid as published: read as is
	}
	m, _ := v.(map[string]any)
	var docs []any
	switch {
	case m == nil:
		return raw
	case m["interactions"] != nil: // VCR cassette: one document per response
		for _, it := range m["interactions"].([]any) {
			body, _ := it.(map[string]any)["response"].(map[string]any)["body"].(map[string]any)
			if d, ok := body["data"]; ok && d != nil {
				if _, isMap := d.(map[string]any); isMap {
					docs = append(docs, d)
				}
			}
		}
	case m["status_code"] != nil && m["data"] != nil: // boto placebo
		d := m["data"].(map[string]any)
		delete(d, "ResponseMetadata")
		docs = []any{placeboTimes(d)}
	case m["headers"] != nil && m["body"] != nil: // HTTP flight
		docs = []any{m["body"]}
	case m["responses"] != nil: // REST API spec example
		rs := m["responses"].(map[string]any)
		keys := make([]string, 0, len(rs))
		for k := range rs {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		docs = []any{rs[keys[0]].(map[string]any)["body"]}
	default:
		return raw
	}
	var out bytes.Buffer
	for _, d := range docs {
		b, err := json.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		out.Write(b)
		out.WriteByte('\n')
	}
	return out.Bytes()
}

// placeboTimes turns placebo's {"__class__":"datetime",...} encoding back
// into the ISO text the AWS CLI prints.
func placeboTimes(v any) any {
	switch t := v.(type) {
	case map[string]any:
		if t["__class__"] == "datetime" {
			n := func(k string) int { f, _ := t[k].(float64); return int(f) }
			return fmt.Sprintf("%04d-%02d-%02dT%02d:%02d:%02d.%06d+00:00", n("year"), n("month"), n("day"), n("hour"), n("minute"), n("second"), n("microsecond"))
		}
		for k, e := range t {
			t[k] = placeboTimes(e)
		}
	case []any:
		for i, e := range t {
			t[i] = placeboTimes(e)
		}
	}
	return v
}

// readSamples reads the named samples (paths under testdata/real) as one
// set, each unwrapped.
func readSamples(t testing.TB, names ...string) *Set {
	t.Helper()
	var inputs []ingest.Input
	for _, n := range names {
		inputs = append(inputs, ingest.ReaderInput(n, bytes.NewReader(unwrap(t, filepath.Join("testdata", "real", n)))))
	}
	set, err := Read(context.Background(), inputs, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return set
}

// realSamples lists every sample file.
func realSamples(t testing.TB) []string {
	t.Helper()
	var out []string
	for _, dir := range []string{"aws", "azure", "gcp", "terraform"} {
		es, err := os.ReadDir(filepath.Join("testdata", "real", dir))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range es {
			out = append(out, dir+"/"+e.Name())
		}
	}
	return out
}

func TestDump(t *testing.T) {
	if os.Getenv("DUMP") == "" {
		t.Skip()
	}
	for _, n := range realSamples(t) {
		if !strings.Contains(n, os.Getenv("DUMP")) && os.Getenv("DUMP") != "all" {
			continue
		}
		set := readSamples(t, n)
		b, _ := json.MarshalIndent(set, "", " ")
		fmt.Printf("== %s\n%s\n", n, b)
	}
}
