package azure

import (
	"encoding/json"
	"testing"

	"cloudwall/internal/model"
	"cloudwall/internal/normalize/jv"
	"cloudwall/internal/testutil"
)

// FuzzParse feeds Parse arbitrary JSON objects, seeded with every fixture
// record. Parse must never panic, and the events it returns must be
// usable by later stages: Azure, named, and encodable.
func FuzzParse(f *testing.F) {
	for _, path := range testutil.Fixtures(f, "testdata") {
		for _, rec := range testutil.Records(f, path) {
			raw, err := json.Marshal(rec)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(raw)
		}
	}
	f.Add([]byte(`{"operationName":"x/y/write","properties":{"requestbody":"{\"properties\":{\"securityRules\":[1,\"a\",{}]}}"}}`))
	f.Add([]byte(`{"operationName":{"value":"Microsoft.Network/azureFirewalls/write"},"properties":{"requestBody":{"properties":{"natRuleCollections":[{"properties":{"rules":[{}]}}]}}}}`))

	f.Fuzz(func(t *testing.T, raw []byte) {
		rec, err := jv.DecodeObject(raw)
		if err != nil {
			return
		}
		Detect(rec)
		evs, err := Parse(rec, model.SourceRef{File: "fuzz"})
		if err != nil {
			return
		}
		for _, ev := range evs {
			if ev.Cloud != model.Azure || ev.Operation == "" {
				t.Fatalf("event with cloud %q operation %q", ev.Cloud, ev.Operation)
			}
			if _, err := json.Marshal(ev); err != nil {
				t.Fatalf("event does not marshal: %v", err)
			}
		}
	})
}

// TestMutatedFixtures replaces every value of every fixture record, in
// turn, with values of other JSON types, after expanding bodies logged as
// JSON text so their insides are reached too. It complements FuzzParse,
// whose byte mutations seldom produce well-formed JSON of a wrong type.
func TestMutatedFixtures(t *testing.T) {
	replacements := []any{nil, "", "x", "*", json.Number("7"), json.Number("-1.5"), true,
		[]any{}, []any{"*", json.Number("1")}, []any{map[string]any{}}, map[string]any{}, `{"a":1}`, `[1,"b"]`}
	for _, path := range testutil.Fixtures(t, "testdata") {
		for i, rec := range testutil.Records(t, path) {
			rec = expand(rec).(map[string]any)
			for _, p := range paths(rec, nil) {
				for _, r := range replacements {
					mut := deepCopy(rec).(map[string]any)
					set(mut, p, r)
					evs, err := Parse(mut, model.SourceRef{File: path, Index: int64(i)})
					if err != nil {
						continue
					}
					for _, ev := range evs {
						if ev.Cloud != model.Azure || ev.Operation == "" {
							t.Fatalf("%s #%d %v=%v: cloud %q operation %q", path, i, p, r, ev.Cloud, ev.Operation)
						}
						if _, err := json.Marshal(ev); err != nil {
							t.Fatalf("%s #%d %v=%v: %v", path, i, p, r, err)
						}
					}
				}
			}
		}
	}
}

// expand decodes string values that hold JSON objects, recursively.
func expand(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = expand(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = expand(e)
		}
		return out
	case string:
		if m, err := jv.DecodeObject([]byte(x)); err == nil {
			return expand(m)
		}
	}
	return v
}

func deepCopy(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = deepCopy(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = deepCopy(e)
		}
		return out
	}
	return v
}

// paths lists the path to every value under v; a step is a map key
// (string) or a slice index (int).
func paths(v any, prefix []any) [][]any {
	var out [][]any
	add := func(step any, e any) {
		p := append(append([]any{}, prefix...), step)
		out = append(out, p)
		out = append(out, paths(e, p)...)
	}
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if len(prefix) > 0 && prefix[len(prefix)-1] == "claims" && !actorClaims[k] {
				continue // token claims the parser never reads
			}
			add(k, e)
		}
	case []any:
		for i, e := range x {
			add(i, e)
		}
	}
	return out
}

// actorClaims are the claims actor reads; mutating the others only costs
// time.
var actorClaims = map[string]bool{
	claimUPN: true, claimName: true, claimObjectID: true, claimAMR: true,
	"name": true, "appid": true, "idtyp": true, "uti": true, "amr": true,
}

// set replaces the value at path p in root.
func set(root any, p []any, val any) {
	cur := root
	for i, step := range p {
		last := i == len(p)-1
		switch c := cur.(type) {
		case map[string]any:
			k := step.(string)
			if last {
				c[k] = val
				return
			}
			cur = c[k]
		case []any:
			j := step.(int)
			if last {
				c[j] = val
				return
			}
			cur = c[j]
		}
	}
}
