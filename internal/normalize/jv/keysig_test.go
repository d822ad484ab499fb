package jv

import (
	"strings"
	"testing"
)

// TestKeySig: keys sameKey finds the same have one signature, however a
// record's bytes around them are read (keySigIn).
func TestKeySig(t *testing.T) {
	for _, k := range []string{"", "a", "type", "eventID", "eventTim", "eventTime", "sourceIPAddress",
		"recipientAccountId", "@type", "a_b-c.d/e", "serviceAccountDelegationInfo"} {
		for _, v := range []string{k, strings.ToUpper(k), strings.ToLower(k), swapCase(k)} {
			if !sameKey(k, v) {
				t.Fatalf("test case %q, %q: not the same key", k, v)
			}
			if keySig(k) != keySig(v) {
				t.Errorf("keySig(%q) != keySig(%q)", k, v)
			}
			for _, after := range []string{`"`, `":1}`, `":"0123456789"}`} {
				b := []byte(`{"` + v + after)
				if got := keySigIn(b, 2, 2+len(v)); got != keySig(k) {
					t.Errorf("keySigIn(%s) = %x, keySig(%q) = %x", b, got, k, keySig(k))
				}
			}
		}
	}
	if keySig("eventTime") == keySig("eventName") || keySig("type") == keySig("arn ") {
		t.Error("different keys of one length share a signature")
	}
}

func swapCase(s string) string {
	b := []byte(s)
	for i, c := range b {
		switch {
		case 'a' <= c && c <= 'z':
			b[i] = c - 'a' + 'A'
		case 'A' <= c && c <= 'Z':
			b[i] = c - 'A' + 'a'
		}
	}
	return string(b)
}
