package jv

import (
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
