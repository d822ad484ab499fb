package normalize

import (
	"strings"

	"cloudwall/internal/content"
	"testing"
	"unicode"
	"unicode/utf8"
)

// testAnchors are the anchors for the default detection content.
func testAnchors(t testing.TB) []string {
	t.Helper()
	c, err := content.Default()
	if err != nil {
		t.Fatal(err)
	}
	anchors, ok := AnchorsFor(c.OperationKeys())
	if !ok {
		t.Fatal("the default content has an operation too short to anchor on")
	}
	return anchors
}

func newTestPrefilter(t testing.TB) *Prefilter {
	t.Helper()
	p, err := NewPrefilter(testAnchors(t))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestPrefilterKeep(t *testing.T) {
	p := newTestPrefilter(t)
	tests := []struct {
		rec  string
		keep bool
	}{
		{`{"eventName":"AuthorizeSecurityGroupIngress"}`, true},
		{`{"eventName":"AUTHORIZESECURITYGROUPINGRESS"}`, true},
		{`{"operationName":"MICROSOFT.NETWORK/NETWORKSECURITYGROUPS/SECURITYRULES/WRITE"}`, true},
		{`{"operationName":{"value":"Microsoft.Network/networkSecurityGroups/securityRules/write"}}`, true},
		{`{"methodName":"v1.compute.firewalls.insert"}`, true},
		{`{"methodName":"beta.compute.firewalls.patch"}`, true},
		{`{"eventName":"DeleteWebACL","eventSource":"wafv2.amazonaws.com"}`, true},
		{`{"eventName":"CreateIPSet"}`, true},
		{`revokesecuritygroupingress`, true},                                              // the whole record
		{`{"eventName":"\u0041uthorize"}`, true},                                          // an escape could spell anything
		{`{"operationName":"Microsoft.Network\/networkSecurityGroups\/delete"}`, true},    // escaped slashes
		{`{"eventName":"CreateNetwor` + "\u212a" + `AclEntry"}`, true},                    // Kelvin sign lower-cases to k
		{`{"message":{"data":"eyJ9"},"subscription":"projects/p/subscriptions/s"}`, true}, // base64 envelope
		{`{"awslogs":{"data":"H4sI"}}`, true},
		{`{"eventName":"DescribeSecurityGroups","eventSource":"ec2.amazonaws.com"}`, false},
		{`{"eventName":"DescribeNetworkAcls"}`, false},
		{`{"operationName":"MICROSOFT.STORAGE/STORAGEACCOUNTS/LISTKEYS/ACTION"}`, false},
		{`{"subscriptionId":"s","resourceId":"/subscriptions/s/x"}`, false},
		{`{"eventName":"AssumeRole","eventSource":"sts.amazonaws.com"}`, false},
		{`{"eventName":"CreateRoute","requestParameters":{"destinationCidrBlock":"0.0.0.0/0"}}`, false},
		{`{"operationName":"Microsoft.Network/routeTables/routes/write"}`, false},
		{`{"methodName":"v1.compute.routes.insert"}`, false},
		{`{"data":{"k":"firewall"}}`, false},
		{``, false},
	}
	for _, tt := range tests {
		if got := p.Keep([]byte(tt.rec)); got != tt.keep {
			t.Errorf("Keep(%s) = %v, want %v", tt.rec, got, tt.keep)
		}
	}
}

// TestPrefilterEveryAlignment places each anchor at every offset and in
// three casings: the strided search must never miss one.
func TestPrefilterEveryAlignment(t *testing.T) {
	p := newTestPrefilter(t)
	for _, a := range testAnchors(t) {
		for _, spelled := range []string{a, strings.ToUpper(a), strings.ToUpper(a[:1]) + a[1:]} {
			for pad := 0; pad < 8; pad++ {
				for tail := 0; tail < 4; tail++ {
					rec := strings.Repeat("x", pad) + spelled + strings.Repeat("y", tail)
					if !p.Keep([]byte(rec)) {
						t.Errorf("missed %q", rec)
					}
				}
			}
		}
	}
}

func TestPrefilterRejectsShortAnchor(t *testing.T) {
	if _, err := NewPrefilter([]string{"acl"}); err == nil {
		t.Error("NewPrefilter accepted an anchor shorter than the stride allows")
	}
}

// FuzzPrefilter checks the prefilter against the slow, obviously right
// rule: keep whenever the Unicode-lower-cased text contains an anchor or
// the raw text contains a \u escape.
func FuzzPrefilter(f *testing.F) {
	for _, s := range []string{`{"eventName":"AuthorizeSecurityGroupIngress"}`, "xxcompute.firewalls.insertxx", `\u0041`, "NETWORKACL", "networ\u212aacl"} {
		f.Add([]byte(s))
	}
	p := newTestPrefilter(f)
	anchors := testAnchors(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		want := strings.Contains(string(b), `\u`)
		lower := strings.ToLower(string(b))
		for _, a := range anchors {
			if strings.Contains(lower, a) {
				want = true
			}
		}
		if want && !p.Keep(b) {
			t.Errorf("Keep(%q) = false, but it holds an anchor", b)
		}
	})
}

// TestASCIIFolders recomputes, from the unicode tables, which non-ASCII
// runes case-map or fold to ASCII: the prefilter must know all of them.
func TestASCIIFolders(t *testing.T) {
	var want []string
	for r := rune(utf8.RuneSelf); r <= unicode.MaxRune; r++ {
		folds := unicode.ToLower(r) < utf8.RuneSelf || unicode.ToUpper(r) < utf8.RuneSelf
		for f := unicode.SimpleFold(r); f != r && !folds; f = unicode.SimpleFold(f) {
			folds = f < utf8.RuneSelf
		}
		if folds {
			want = append(want, string(r))
		}
	}
	var got []string
	for _, f := range asciiFolders {
		got = append(got, string(f))
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("asciiFolders = %q, unicode tables say %q", got, want)
	}
}

// TestPrefilterStepFollowsShortestAnchor: with a 6-byte anchor the search
// falls back to its smallest step and still sees every alignment.
func TestPrefilterStepFollowsShortestAnchor(t *testing.T) {
	p, err := NewPrefilter([]string{"webacl", "authorizesecuritygroupingress"})
	if err != nil {
		t.Fatal(err)
	}
	if p.step != minStep {
		t.Errorf("step = %d, want %d", p.step, minStep)
	}
	for pad := 0; pad < 2*maxStep; pad++ {
		for _, a := range []string{"WebAcl", "AuthorizeSecurityGroupIngress"} {
			if rec := strings.Repeat(".", pad) + a; !p.Keep([]byte(rec)) {
				t.Errorf("missed %q", rec)
			}
		}
	}
}
