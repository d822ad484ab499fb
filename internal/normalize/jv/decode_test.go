package jv

import (
	"reflect"
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
