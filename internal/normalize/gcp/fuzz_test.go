package gcp

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"slices"
	"testing"

	"cloudwall/internal/model"
	"cloudwall/internal/normalize/jv"
	"cloudwall/internal/testutil"
)

// FuzzParse feeds arbitrary JSON objects, seeded from the fixtures and the
// shared sample, through Detect and Parse. Invariants: no panic; a nil error
// comes with at least one event; every event is a GCP event with an
// Operation and marshals to JSON.
func FuzzParse(f *testing.F) {
	for _, path := range fixtures(f) {
		for _, rec := range testutil.Records(f, path) {
			b, err := json.Marshal(rec)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
		}
	}
	if raw, err := os.ReadFile(sharedSample); err == nil {
		sc := bufio.NewScanner(bytes.NewReader(raw))
		sc.Buffer(nil, 1<<24)
		for sc.Scan() {
			if line := bytes.TrimSpace(sc.Bytes()); len(line) > 0 {
				f.Add(slices.Clone(line))
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		rec, err := jv.DecodeObject(data)
		if err != nil {
			return
		}
		Detect(rec)
		events, err := Parse(rec, model.SourceRef{File: "fuzz"})
		if err == nil && len(events) == 0 {
			t.Fatal("nil error without events")
		}
		for i, ev := range events {
			if ev.Cloud != model.GCP {
				t.Errorf("event %d: cloud %q", i, ev.Cloud)
			}
			if ev.Operation == "" {
				t.Errorf("event %d: empty Operation", i)
			}
			if _, err := json.Marshal(ev); err != nil {
				t.Errorf("event %d: marshal: %v", i, err)
			}
		}
	})
}
