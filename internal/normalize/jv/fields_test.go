package jv

import (
	"reflect"
	"testing"
)

// TestFields: Fields finds what Field finds for each key, in an Object
// and in its decoded map.
func TestFields(t *testing.T) {
	keys := []string{"upn", "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn", "APPID", "amr", "missing", "n", "o", "skip"}
	for _, in := range []string{
		`{"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn":"a@b","appid":"x","amr":["pwd","mfa"],"n":null,"o":{"p":1},"skip":"s"}`,
		`{"UPN":" u ","AppId":1,` + manyMembers(40) + `}`,
		`{}`,
	} {
		var r Raw
		root, ok := r.Index([]byte(in), rawSkip)
		if !ok {
			t.Fatalf("Index refused %s", in)
		}
		m, _, _, err := DecodeLean([]byte(in), rawSkip)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range []any{root, m} {
			got := make([]any, len(keys)+1)
			got[len(keys)] = "untouched"
			Fields(v, keys, got)
			for i, key := range keys {
				want, _ := Field(v, key)
				if !reflect.DeepEqual(got[i], want) {
					t.Errorf("%.40s (%T): Fields gives %s = %#v, Field %#v", in, v, key, got[i], want)
				}
			}
			if got[len(keys)] != "untouched" {
				t.Error("Fields wrote past the keys")
			}
		}
	}
	nothing := []any{1, 2, 3, 4, 5, 6, 7, 8}
	if Fields(nil, keys, nothing); !reflect.DeepEqual(nothing, make([]any, len(keys))) {
		t.Errorf("Fields of nil gives %v", nothing)
	}
}
