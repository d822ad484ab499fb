package jv

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

var viewRecords = []string{
	`{"logName":"projects/p/logs/x%2Fdata_access","protoPayload":{"@type":"type.googleapis.com/google.cloud.audit.AuditLog","authenticationInfo":{"principalEmail":"a@b","serviceAccountDelegationInfo":[{"firstPartyPrincipal":{"principalEmail":"s@x"}},1,null,[{"a":1}],{},{"principalSubject":"p"}]}}}`,
	`{"a":"\u00e9","b":"q\"x","c":"é","d":12.5,"e":true,"f":null,"g":{"x":"y"},"h":"\u007f~ "}`,
	`{"LIST":[{"a":1},"{\"b\":2}"],"one":{"items":[{"c":3}]},"text":"[{\"d\":4}]","bare":{"e":5},"empty":[],"nums":[1,2],"s":"x"}`,
	`{"Key":"v","deep":{"Inner":{"list":[ {"k":"v"} , {"k":"w"} ]}}}`,
	`{"skip":[{"a":1}],"x":[{"skip":{"b":1},"c":"d"}]}`,
}

// viewPaths are the paths each record is read at: every member and every
// member of an object member, in the keys' case and in upper case.
func viewPaths(m map[string]any) [][]string {
	var paths [][]string
	for k, v := range m {
		paths = append(paths, []string{k}, []string{strings.ToUpper(k)}, []string{k, "missing"})
		if inner, ok := v.(map[string]any); ok {
			for k2 := range inner {
				paths = append(paths, []string{k, k2}, []string{strings.ToUpper(k), strings.ToUpper(k2)})
			}
		}
	}
	return append(paths, []string{"missing"})
}

// checkView: View and ObjNodes read an Object as Str and Objs read its
// decoded map.
func checkView(t *testing.T, in []byte) {
	t.Helper()
	var r Raw
	root, ok := r.Index(in, rawSkip)
	if !ok {
		return
	}
	v, _, _, err := DecodeLean(in, rawSkip)
	if err != nil {
		t.Fatalf("Index accepted %q, which DecodeLean refuses: %v", in, err)
	}
	m := v.(map[string]any)
	for _, path := range viewPaths(m) {
		if got, want := View(root, path...), Str(m, path...); got != want {
			t.Fatalf("%s: View(%q) = %q, Str = %q", in, path, got, want)
		}
		if got, want := Has(root, path...), Has(m, path...); got != want {
			t.Fatalf("%s: Has(%q) of the Object = %v, of the map %v", in, path, got, want)
		}
		// Str reads an Object's text itself, then from what it kept.
		for range 2 {
			if got, want := Str(root, path...), Str(m, path...); got != want {
				t.Fatalf("%s: Str(%q) of the Object = %q, of the map %q", in, path, got, want)
			}
		}
		if got, want := View(m, path...), Str(m, path...); got != want {
			t.Fatalf("%s: View(%q) of the map = %q, Str = %q", in, path, got, want)
		}
		if got, want := nodeMaps(ObjNodes(root, path...)), Objs(m, path...); !reflect.DeepEqual(got, want) {
			t.Fatalf("%s: ObjNodes(%q) = %#v, Objs = %#v", in, path, got, want)
		}
		if got, want := nodeMaps(ObjNodes(m, path...)), Objs(m, path...); !reflect.DeepEqual(got, want) {
			t.Fatalf("%s: ObjNodes(%q) of the map = %#v, Objs = %#v", in, path, got, want)
		}
	}
	// Str of values Get has built.
	root, _ = r.Index(in, rawSkip)
	for _, path := range viewPaths(m) {
		Get(root, path...)
		if got, want := Str(root, path...), Str(m, path...); got != want {
			t.Fatalf("%s: Str(%q) of the Object after Get = %q, of the map %q", in, path, got, want)
		}
	}
}

func nodeMaps(nodes []any) []map[string]any {
	var out []map[string]any
	for _, n := range nodes {
		switch t := n.(type) {
		case Object:
			out = append(out, t.Map())
		case map[string]any:
			out = append(out, t)
		default:
			out = append(out, map[string]any{"not a node": n})
		}
	}
	return out
}

func TestViewAndObjNodes(t *testing.T) {
	for _, s := range viewRecords {
		var r Raw
		if _, ok := r.Index([]byte(s), rawSkip); !ok {
			t.Fatalf("Index refused %s", s)
		}
		checkView(t, []byte(s))
	}
	// Objects of the list stay in place.
	var r Raw
	root, _ := r.Index([]byte(viewRecords[0]), rawSkip)
	nodes := ObjNodes(root, "protoPayload", "authenticationInfo", "serviceAccountDelegationInfo")
	if len(nodes) != 3 {
		t.Fatalf("ObjNodes = %d objects, want 3", len(nodes))
	}
	for _, n := range nodes {
		if _, ok := n.(Object); !ok {
			t.Errorf("ObjNodes built %T", n)
		}
	}
}

// longList is a record whose list holds n objects, each with objects and
// a list of objects inside, so that the list's objects are indexed far
// apart.
func longList(n int) []byte {
	var b strings.Builder
	b.WriteString(`{"list":[`)
	for i := range n {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `{"id":%d,"in":{"x":{"y":%d}},"more":[{"z":1},2,{"z":{}}]}`, i, i)
	}
	b.WriteString(`]}`)
	return []byte(b.String())
}

// TestObjNodesLongList: every object of a long list is found, in order,
// past the objects inside the one before it.
func TestObjNodesLongList(t *testing.T) {
	checkView(t, longList(2000))
}

// BenchmarkObjNodesLongList reads a list of 20,000 objects in place: the
// cost grows with the list, not with its square.
func BenchmarkObjNodesLongList(b *testing.B) {
	rec := longList(20000)
	var r Raw
	root, ok := r.Index(rec, nil)
	if !ok {
		b.Fatal("Index refused the record")
	}
	for b.Loop() {
		if n := len(ObjNodes(root, "list")); n != 20000 {
			b.Fatalf("ObjNodes = %d objects", n)
		}
	}
}

// FuzzView: on any record Index accepts, View and ObjNodes read as Str
// and Objs read the decoded map.
func FuzzView(f *testing.F) {
	for _, s := range viewRecords {
		f.Add([]byte(s))
	}
	f.Fuzz(checkView)
}
