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

// TestTexts: Texts gives what Str gives for each key, in an Object (read
// fresh, and after Fields built its values) and in its decoded map.
func TestTexts(t *testing.T) {
	keys := []string{"upn", "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn", "APPID", "amr", "missing", "n", "o", "skip", "b", "f"}
	for _, in := range []string{
		`{"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn":"a@b","appid":"x","amr":["pwd","mfa"],"n":null,"o":{"p":1},"skip":"s","b":true,"f":-1.5e3}`,
		`{"UPN":" u ","AppId":1,"N":"\u00e9\"","O":"{\"p\":1}",` + manyMembers(40) + `}`,
		`{}`,
	} {
		for _, built := range []bool{false, true} {
			var r Raw
			root, ok := r.Index([]byte(in), rawSkip)
			if !ok {
				t.Fatalf("Index refused %s", in)
			}
			if built {
				Fields(root, keys, make([]any, len(keys)))
			}
			m, _, _, err := DecodeLean([]byte(in), rawSkip)
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range []any{root, m} {
				got := make([]string, len(keys)+1)
				got[len(keys)] = "untouched"
				Texts(v, keys, got)
				for i, key := range keys {
					if want := Str(m, key); got[i] != want {
						t.Errorf("%.40s (%T, built %v): Texts gives %s = %q, Str %q", in, v, built, key, got[i], want)
					}
				}
				if got[len(keys)] != "untouched" {
					t.Error("Texts wrote past the keys")
				}
			}
		}
	}
}
