package jv

import (
	"reflect"
	"slices"
	"testing"
)

// FuzzAccessors: the accessors take any decoded JSON without panicking,
// read the same value twice, and Decode refuses nesting past MaxDepth.
func FuzzAccessors(f *testing.F) {
	for _, s := range []string{
		`{"RequestParameters":"{\"groupId\":\"sg-1\",\"ipPermissions\":{\"items\":[{\"fromPort\":\"22\"}]}}"}`,
		`{"EVENTNAME":"a","EventName":"b","eventName":null}`,
		`{"a":{"items":{}},"b":"[1,\"x\",{}]","c":1e400,"d":"TRUE","e":-0.0}`,
		`[[[[{"a":"\u0041"}]]]]`,
	} {
		f.Add([]byte(s))
	}
	paths := [][]string{{"a"}, {"eventName"}, {"requestParameters", "groupId"}, {"requestParameters", "ipPermissions"}, {"items"}, {"b"}, {"c"}, {"d"}}
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := Decode(b)
		if err != nil {
			return
		}
		if d, _ := depth(b); d > MaxDepth {
			t.Fatalf("decoded a value %d deep", d)
		}
		_ = TypeName(v)
		for _, p := range paths {
			s1, s2 := Str(v, p...), Str(v, p...)
			if s1 != s2 {
				t.Fatalf("Str(%v) read %q then %q", p, s1, s2)
			}
			_ = Strs(v, p...)
			_ = Objs(v, p...)
			_, _ = Int(v, p...)
			_, _ = Bool(v, p...)
			_ = Has(v, p...)
			if m := Obj(v, p[:len(p)-1]...); m != nil {
				vs := Variants(m, p[len(p)-1])
				if got, ok := Field(m, p[len(p)-1]); ok != (len(vs) > 0) || ok && TypeName(got) != TypeName(vs[0]) && len(vs) == 1 {
					t.Fatalf("Field and Variants disagree on %v", p)
				}
			}
		}
	})
}

// FuzzFastDecode: the fast decoder accepts exactly what encoding/json
// (with UseNumber, and Decode's depth bound) accepts, and gives the same
// value.
func FuzzFastDecode(f *testing.F) {
	for _, s := range []string{
		`{"eventName":"GetCallerIdentity","n":-1.5e+3,"a":[true,false,null,{}],"e":"\u00e9\ud83d\ude00\ud800x\"\\\/\b\f\n\r\t"}`,
		`{"a":1,"a":2} `, `{"a":{"B":1,"b":[2],"b":3},"A":null}`, `{}]`, `[1,2] x`, `"\xff\xc3"`, `{"k":"\u00zz"}`, `01`, `-`, `1.`, `1e`, `[`, ``, ` null `,
		"\"a\x01\"", `{"a" 1}`, `[1,]`, `{,}`, `"\ud83d\u0041"`, `"\ud83d\"`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		fast, ok := fastDecode(b)
		want, err := decodeStd(b)
		if ok != (err == nil) {
			t.Fatalf("fastDecode ok=%v, encoding/json err=%v", ok, err)
		}
		if ok && !reflect.DeepEqual(fast, want) {
			t.Fatalf("fastDecode = %#v, encoding/json = %#v", fast, want)
		}
		// DecodeConflicts gives the same value, and each reading of a
		// conflict is undone by its restore.
		v, conflicts, _, err := DecodeConflicts(b)
		if (err == nil) != ok || ok && !reflect.DeepEqual(v, want) {
			t.Fatalf("DecodeConflicts = %#v, %v; want %#v", v, err, want)
		}
		if len(conflicts) > MaxConflicts {
			t.Fatalf("%d conflicts, over %d", len(conflicts), MaxConflicts)
		}
		for i := range conflicts {
			for j := range conflicts[i].Values {
				conflicts[i].Reading(j)()
			}
		}
		if ok && !reflect.DeepEqual(v, want) {
			t.Fatalf("readings did not restore the value: %#v, want %#v", v, want)
		}
	})
}

// FuzzDecodeLean: leaving keys out accepts exactly what the full decoder
// accepts and gives its value with those members removed at every depth.
func FuzzDecodeLean(f *testing.F) {
	for _, s := range []string{
		`{"eventName":"DescribeSecurityGroups","requestParameters":{"filterSet":{"items":[{"name":"vpc-id","valueSet":{"items":[{"value":"vpc-1"}]}}]}},"responseElements":null}`,
		`{"a":{"skip":[1,-2.5e3,"\u00e9\"",true,false,null,{}]},"skip":"x","b":{"skip":1}}`,
		`{"skip":[1,]}`, `{"skip":"\u00zz"}`, "{\"skip\":\"a\x01\"}", `{"skip":01}`, `{"skip":{"a" 1}}`, `{"skip":`, `{"skip":[[[[[[1]]]]]]}`,
	} {
		f.Add([]byte(s))
	}
	skip := []string{"skip", "requestParameters", "responseElements"}
	f.Fuzz(func(t *testing.T, b []byte) {
		want, _, _, errFull := DecodeConflicts(b)
		fastOK := false
		if _, ok := fastDecode(b); ok {
			fastOK = true
		}
		got, _, _, err := DecodeLean(b, skip)
		if (err == nil) != (errFull == nil) {
			t.Fatalf("DecodeLean err=%v, DecodeConflicts err=%v", err, errFull)
		}
		if err != nil || !fastOK {
			return // encoding/json decoded both in full
		}
		// Keys that may be the same in a left-out member make it decode
		// in full, conflicts and all.
		if lean := without(want, skip); !reflect.DeepEqual(got, lean) && !reflect.DeepEqual(got, want) {
			t.Fatalf("DecodeLean = %#v, want %#v", got, lean)
		}
	})
}

// without removes the members named skip at every depth.
func without(v any, skip []string) any {
	switch x := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, e := range x {
			if !slices.Contains(skip, k) {
				out[k] = without(e, skip)
			}
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = without(e, skip)
		}
		return out
	}
	return v
}

// FuzzMembers checks the parts reader against the decoder: a document
// SkimDocument takes decodes whole, and its members and elements, cut out
// and decoded with DecodePart, are the values the whole decode holds.
func FuzzMembers(f *testing.F) {
	for _, s := range []string{`{"a":[1,{"b":2}],"c":"x"}`, `{"A":1,"a":2}`, `{"k":[{},[],"\u00e9",-1.5e3,true,null]} ]`, `[1,2]`, `{"x":{"y":[`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if !SkimDocument(b) {
			return
		}
		whole, err := DecodeDocument(b)
		if err != nil {
			t.Fatalf("skimmed but not decoded: %v", err)
		}
		ms, ok := Members(b)
		if !ok {
			return
		}
		m, isObj := whole.(map[string]any)
		if !isObj || len(m) != len(ms) {
			t.Fatalf("members %d of %T", len(ms), whole)
		}
		for _, mb := range ms {
			v, err := DecodePart(mb.Value, len(b))
			if err != nil || !reflect.DeepEqual(v, m[mb.Key]) {
				t.Fatalf("member %q: %v %#v, whole has %#v", mb.Key, err, v, m[mb.Key])
			}
			es, ok := Elements(mb.Value)
			a, isArr := m[mb.Key].([]any)
			if ok != isArr || len(es) != len(a) {
				t.Fatalf("member %q: elements %d (%v) of %#v", mb.Key, len(es), ok, m[mb.Key])
			}
			for i, e := range es {
				if v, err := DecodePart(e, len(b)); err != nil || !reflect.DeepEqual(v, a[i]) {
					t.Fatalf("member %q element %d: %v %#v, whole has %#v", mb.Key, i, err, v, a[i])
				}
			}
		}
	})
}
