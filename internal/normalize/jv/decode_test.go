package jv

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// contextRecord is a CloudTrail GetCallerIdentity record as the bench
// corpus generates it: the kind of record a scan with correlations decodes
// most.
const contextRecord = `{"eventVersion": "1.05", "userIdentity": {"type": "AssumedRole", "principalId": "AROAVXFHFTDF7YVACPRES:i-0e9ebad3de6551508", "arn": "arn:aws:sts::412353953084:assumed-role/search-staging-ec2/i-0e9ebad3de6551508", "accountId": "412353953084", "accessKeyId": "ASIALDRH4SNN4JKUROGB", "sessionContext": {"sessionIssuer": {"type": "Role", "principalId": "AROAVXFHFTDF7YVACPRES", "arn": "arn:aws:iam::412353953084:role/search-staging-ec2", "accountId": "412353953084", "userName": "search-staging-ec2"}, "webIdFederationData": {}, "attributes": {"creationDate": "2025-03-03T02:18:47Z", "mfaAuthenticated": "false"}, "ec2RoleDelivery": "2.0"}}, "eventTime": "2025-03-03T02:22:31Z", "eventSource": "sts.amazonaws.com", "eventName": "GetCallerIdentity", "awsRegion": "eu-west-1", "sourceIPAddress": "136.192.4.148", "userAgent": "aws-sdk-js/3.525.0 ua/2.0 os/linux#5.10.209-198.858.amzn2.x86_64 lang/js md/nodejs#20.11.1 api/kms#3.525.0", "requestParameters": null, "responseElements": null, "requestID": "da7d494e-6e5b-44b1-b194-aca3de8f2cf5", "eventID": "2e6a3515-7348-4b03-92da-f796fbe8d693", "readOnly": true, "eventType": "AwsApiCall", "managementEvent": true, "recipientAccountId": "412353953084", "n": [1, -2.5e3, 0]}`

func TestFastDecodeSame(t *testing.T) {
	for _, s := range []string{contextRecord, "{\"a\":\"caf\\u00e9 \\ud83d\\ude00\",\"b\":\"\xff\"}", `[]`, `{"a":{"b":[{"c":null}]}}`} {
		fast, ok := fastDecode([]byte(s))
		want, err := decodeStd([]byte(s))
		if !ok || err != nil || !reflect.DeepEqual(fast, want) {
			t.Errorf("%.40s: fast %#v (ok %v), encoding/json %#v (%v)", s, fast, ok, want, err)
		}
	}
	for _, s := range []string{`{"a":1}x`, `{"a":01}`, "\"\t\"", `{"a":"\q"}`, `[1,]`} {
		if _, ok := fastDecode([]byte(s)); ok {
			t.Errorf("%s: fastDecode accepted invalid JSON", s)
		}
		if _, err := Decode([]byte(s)); err == nil {
			t.Errorf("%s: Decode accepted invalid JSON", s)
		}
	}
}

func BenchmarkDecode(b *testing.B) {
	raw := []byte(contextRecord)
	b.Run("fast", func(b *testing.B) {
		b.SetBytes(int64(len(raw)))
		for b.Loop() {
			if _, ok := fastDecode(raw); !ok {
				b.Fatal("refused")
			}
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		b.SetBytes(int64(len(raw)))
		for b.Loop() {
			if _, err := decodeStd(raw); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func TestDecodeConflicts(t *testing.T) {
	many := `{` // an object too large to compare pairwise
	for i := range 80 {
		many += fmt.Sprintf(`"k%d":%d,`, i, i)
	}
	many += `"K7":"x","k39":"y"}`
	tests := []struct {
		name string
		raw  string
		want []string // per conflict: keys=values
		more int
	}{
		{"none", `{"a":1,"b":{"c":2,"C2":3}}`, nil, 0},
		{"same value spelled twice: no conflict", `{"resourceId":"/x","ResourceId":"/x","a":{"b":[1]},"a":{"b":[1]}}`, nil, 0},
		{"repeated key", `{"cidrIp":"0.0.0.0/0","cidrIp":"10.0.0.5/32"}`, []string{"cidrIp,cidrIp=0.0.0.0/0,10.0.0.5/32"}, 0},
		{"letter case, nested", `{"a":[{"cidrIp":"10.0.0.5/32","CidrIp":"0.0.0.0/0"}]}`, []string{"cidrIp,CidrIp=10.0.0.5/32,0.0.0.0/0"}, 0},
		{"three spellings", `{"x":"1","X":"2","x":"3"}`, []string{"x,X,x=1,2,3"}, 0},
		{"large object", many, []string{"k7,K7=7,x", "k39,k39=39,y"}, 0},
		{"past the bound", strings.Repeat(`{"a":1,"a":2}`, 0) + `[` + strings.TrimSuffix(strings.Repeat(`{"a":1,"a":2},`, MaxConflicts+3), ",") + `]`, nil, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, cs, more, err := DecodeConflicts([]byte(tt.raw))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, c := range cs {
				got = append(got, strings.Join(c.Keys, ",")+"="+strings.Join(texts(c.Values), ","))
			}
			if tt.more > 0 {
				if len(cs) != MaxConflicts || more != tt.more {
					t.Errorf("%d conflicts and %d more, want %d and %d", len(cs), more, MaxConflicts, tt.more)
				}
				return
			}
			if !slices.Equal(got, tt.want) || more != 0 {
				t.Errorf("conflicts %q (+%d), want %q", got, more, tt.want)
			}
			// Each reading holds one value under its spelling, and
			// restore puts the object back.
			for _, c := range cs {
				before := fmt.Sprint(v)
				for i := range c.Values {
					restore := c.Reading(i)
					if got, _ := Field(c.Obj, c.Keys[0]); Str(got) != Str(c.Values[i]) || len(Variants(c.Obj, c.Keys[0])) != 1 {
						t.Errorf("reading %d holds %v", i, Variants(c.Obj, c.Keys[0]))
					}
					restore()
				}
				if fmt.Sprint(v) != before {
					t.Errorf("restore changed the value: %v, was %v", v, before)
				}
			}
		})
	}
}

func texts(vs []any) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = Str(v)
	}
	return out
}
