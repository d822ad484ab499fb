package jv

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestAccessorsTolerateExporters(t *testing.T) {
	rec, err := DecodeObject([]byte(`{
		"RequestParameters": "{\"groupId\":\"sg-1\",\"ipPermissions\":{\"items\":[{\"fromPort\":\"22\",\"toPort\":22.0}]}}",
		"single": {"cidrIp": "0.0.0.0/0"},
		"empty": {},
		"list": "[\"a\",\"b\"]",
		"flag": "TRUE",
		"num": 12345678901234,
		"bad": {"fromPort": "twenty"}
	}`))
	if err != nil {
		t.Fatal(err)
	}
	if got := Str(rec, "requestParameters", "groupId"); got != "sg-1" {
		t.Errorf("nested JSON text with changed key case: %q", got)
	}
	perms := Arr(rec, "requestParameters", "ipPermissions")
	if len(perms) != 1 {
		t.Fatalf("EC2 items wrapper: %d elements", len(perms))
	}
	if n, ok := Int(perms[0], "fromPort"); !ok || n != 22 {
		t.Errorf("numeric string: %d %v", n, ok)
	}
	if n, ok := Int(perms[0], "toPort"); !ok || n != 22 {
		t.Errorf("float integer: %d %v", n, ok)
	}
	if len(Arr(rec, "single")) != 1 || len(Arr(rec, "empty")) != 0 {
		t.Error("a bare object is a one-element list and {} an empty one")
	}
	if got := Strs(rec, "list"); len(got) != 2 || got[1] != "b" {
		t.Errorf("JSON text array: %q", got)
	}
	if b, ok := Bool(rec, "flag"); !ok || !b {
		t.Error("boolean as text")
	}
	if Str(rec, "num") != "12345678901234" {
		t.Errorf("large number kept exact: %q", Str(rec, "num"))
	}
	if _, ok := Int(rec, "bad", "fromPort"); ok {
		t.Error("a non-numeric string read as a number")
	}
	if Get(rec, "missing", "deeper") != nil || Str(rec, "single", "cidrIp", "x") != "" {
		t.Error("missing or non-object paths must give zero values")
	}
}

func TestDecodeRejects(t *testing.T) {
	for _, in := range []string{``, `{`, `{"a":1} {"b":2}`, `[1]`, `"x"`} {
		if _, err := DecodeObject([]byte(in)); err == nil {
			t.Errorf("DecodeObject(%q) accepted", in)
		}
	}
}

// TestDecodeBoundsNesting: values nested past MaxDepth are refused before
// decoding, whether the record or JSON text inside it nests; brackets in
// strings do not count.
func TestDecodeBoundsNesting(t *testing.T) {
	nest := func(n int) string { return strings.Repeat("[", n) + strings.Repeat("]", n) }
	if _, err := Decode([]byte(nest(MaxDepth))); err != nil {
		t.Errorf("%d levels refused: %v", MaxDepth, err)
	}
	if _, err := Decode([]byte(`{"s":"` + strings.Repeat("[", 5000) + `"}`)); err != nil {
		t.Errorf("brackets inside a string counted: %v", err)
	}
	for _, in := range []string{nest(MaxDepth + 1), strings.Repeat("[", 8<<20), `{"a":"\"",` + `"b":` + nest(MaxDepth) + `}`} {
		if _, err := Decode([]byte(in)); err == nil || !strings.Contains(err.Error(), "nested") {
			t.Errorf("Decode(%.40q…) = %v, want a nesting error", in, err)
		}
	}
	inner, _ := json.Marshal(nest(MaxDepth + 1))
	rec, err := DecodeObject([]byte(`{"requestParameters":` + string(inner) + `}`))
	if err != nil {
		t.Fatal(err)
	}
	if Arr(rec, "requestParameters") != nil {
		t.Error("JSON text nested past MaxDepth was decoded")
	}
}

// TestCaseVariantsAreDeterministic: with only case variants of a key,
// Field reads the same one on every run, and Variants gives them all,
// exact spelling first.
func TestCaseVariantsAreDeterministic(t *testing.T) {
	raw := []byte(`{"EVENTNAME":"a","EventName":"b","eventname":"c","other":1}`)
	for run := 0; run < 50; run++ {
		m, err := DecodeObject(raw)
		if err != nil {
			t.Fatal(err)
		}
		if got := Str(m, "eventName"); got != "a" {
			t.Fatalf("run %d: Field read %q, want the least key's value %q", run, got, "a")
		}
		var got []string
		for _, v := range Variants(m, "EventName") {
			got = append(got, Str(v))
		}
		if strings.Join(got, ",") != "b,a,c" {
			t.Fatalf("Variants = %v, want b (exact), a, c", got)
		}
	}
	m, _ := DecodeObject(raw)
	if w := WithOnly(m, "eventName", "x"); len(w) != 2 || w["eventName"] != "x" || len(m) != 4 {
		t.Errorf("WithOnly = %v (original %v)", w, m)
	}
}
