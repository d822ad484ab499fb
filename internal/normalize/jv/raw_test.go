package jv

import (
	"reflect"
	"strings"
	"testing"
)

var rawSkip = []string{"skip", "requestParameters"}

func TestRawIndex(t *testing.T) {
	tests := []struct {
		name, in string
		ok       bool
	}{
		{"record", `{"eventName":"DescribeSecurityGroups","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::1:user/a"},"n":1.5,"b":[true,{"x":null}]}`, true},
		{"escapes in values", `{"a":"\"q\" \u00e9","b":"\\"}`, true},
		{"skipped body", `{"requestParameters":{"a":1,"b":[{"a":2}]},"x":"y"}`, true},
		// A full decode reports keys the same up to case in a body too.
		{"keys the same up to case in a skipped body", `{"requestParameters":{"A":1,"a":2},"x":"y"}`, false},
		{"an escaped key in a skipped body", `{"skip":{"\u0061":1}}`, false},
		// Left-out members are checked pairwise only up to the bound too:
		// a wider one is decoded in full, which finds conflicts by hashing.
		{"a skipped body of more members than Index reads", `{"skip":{` + manyMembers(maxRawMembers+1) + `}}`, false},
		{"a skipped body of as many members as Index reads", `{"skip":{` + manyMembers(maxRawMembers) + `}}`, true},
		{"trailing bracket", `{"a":1}]`, true},
		{"empty", `{}`, true},
		{"keys the same up to case", `{"eventName":"a","EventName":"b"}`, false},
		{"a key twice", `{"a":1,"a":2}`, false},
		{"nested keys the same up to case", `{"u":{"arn":"a","ARN":"b"}}`, false},
		{"in an array", `{"u":[{"arn":"a","Arn":"b"}]}`, false},
		{"escaped key", `{"ev\u0065ntName":"a"}`, false},
		{"non-ASCII key", `{"é":"a"}`, false},
		{"not an object", `["a"]`, false},
		{"trailing data", `{"a":1} x`, false},
		{"bad skipped body", `{"skip":{"a" 1}}`, false},
		{"control byte", "{\"a\":\"x\x01\"}", false},
		{"too many members", `{` + strings.Repeat(`"k":1,`, 0) + manyMembers(maxRawMembers+1) + `}`, false},
		{"deep", strings.Repeat(`{"a":`, MaxDepth+1) + `1` + strings.Repeat(`}`, MaxDepth+1), false},
	}
	var r Raw
	for _, tt := range tests {
		root, ok := r.Index([]byte(tt.in), rawSkip)
		if ok != tt.ok {
			t.Errorf("%s: Index ok = %v, want %v", tt.name, ok, tt.ok)
			continue
		}
		if ok {
			checkRaw(t, []byte(tt.in), root)
		}
	}
}

func manyMembers(n int) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = `"k` + strings.Repeat("x", i) + `":1`
	}
	return strings.Join(parts, ",")
}

// TestRawAccessors: the accessors read an Object as its decoded map.
func TestRawAccessors(t *testing.T) {
	in := []byte(`{"eventName":"DescribeSecurityGroups","ErrorCode":"AccessDenied","userIdentity":{"type":"AssumedRole","sessionContext":{"attributes":{"mfaAuthenticated":"true"}},"onBehalfOf":{"userId":"u"}},"tags":{"items":[{"k":"v"}]},"text":"{\"a\":1}","skip":{"x":1}}`)
	var r Raw
	root, ok := r.Index(in, rawSkip)
	if !ok {
		t.Fatal("Index refused the record")
	}
	m, _, _, err := DecodeLean(in, rawSkip)
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range [][]string{
		{"eventName"}, {"errorCode"}, {"userIdentity", "type"}, {"userIdentity", "sessionContext", "attributes", "mfaAuthenticated"},
		{"text", "a"}, {"skip"}, {"missing"}, {"eventName", "x"},
	} {
		if got, want := Str(root, path...), Str(m, path...); got != want {
			t.Errorf("Str(%v) = %q, want %q", path, got, want)
		}
	}
	if got, want := Obj(root, "userIdentity", "onBehalfOf"), Obj(m, "userIdentity", "onBehalfOf"); !reflect.DeepEqual(got, want) {
		t.Errorf("Obj = %v, want %v", got, want)
	}
	if got, want := Arr(root, "tags"), Arr(m, "tags"); !reflect.DeepEqual(got, want) {
		t.Errorf("Arr = %v, want %v", got, want)
	}
	if b, ok := Bool(root, "userIdentity", "sessionContext", "attributes", "mfaAuthenticated"); !b || !ok {
		t.Error("Bool through an Object")
	}
	if !HasAny(root, "x", "ERRORCODE") || HasAny(root, "skip") || Spellings(root, "errorcode") != 1 {
		t.Error("HasAny or Spellings on an Object")
	}
	if TypeName(Get(root, "userIdentity")) != "object" || Node(root, "userIdentity") == nil || Node(root, "eventName") != nil {
		t.Error("TypeName or Node on an Object")
	}
}

// checkRaw: an indexed record reads as DecodeLean decodes it, member by
// member and as a whole.
func checkRaw(t *testing.T, in []byte, root Object) {
	t.Helper()
	want, conflicts, _, err := DecodeLean(in, rawSkip)
	if err != nil || len(conflicts) > 0 {
		t.Fatalf("Index accepted %q, which DecodeLean reads with err %v, conflicts %v", in, err, conflicts)
	}
	if got := root.Map(); !reflect.DeepEqual(got, want) {
		t.Fatalf("Map() = %#v, want %#v", got, want)
	}
	wm := want.(map[string]any)
	if root.Len() != len(wm) {
		t.Fatalf("Len() = %d, want %d", root.Len(), len(wm))
	}
	for k, v := range wm {
		for _, key := range []string{k, strings.ToUpper(k), k + "x"} {
			got := Exact(root, key)
			if o, isObj := got.(Object); isObj {
				got = o.Map()
			}
			if want := Exact(wm, key); !reflect.DeepEqual(got, want) {
				t.Fatalf("Exact(%q) = %#v, want %#v", key, got, want)
			}
		}
		got, ok := Field(root, strings.ToUpper(k))
		if o, isObj := got.(Object); isObj {
			got = o.Map()
		}
		if wantV, _ := Field(wm, strings.ToUpper(k)); !ok || !reflect.DeepEqual(got, wantV) {
			t.Fatalf("Field(%q) = %#v, want %#v", strings.ToUpper(k), got, v)
		}
	}
}

// FuzzRawIndex: whatever Index accepts, DecodeLean decodes without
// conflicts to the same values.
func FuzzRawIndex(f *testing.F) {
	for _, s := range []string{
		`{"eventName":"DescribeSecurityGroups","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::1:user/a","sessionContext":{"attributes":{"creationDate":"2024-01-01T00:00:00Z"}}},"requestParameters":{"groupId":"sg-1"},"n":-1.5e3}`,
		`{"a":"\u00e9\"\\","b":[1,{"c":null}],"skip":[1,]}`, `{"a":1,"A":2}`, `{"a":{"b":{"c":[[[]]]}}}`, `{"a":"x"}]`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var r Raw
		if root, ok := r.Index(b, rawSkip); ok {
			checkRaw(t, b, root)
		}
	})
}
