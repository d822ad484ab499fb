package detect

import (
	"slices"
	"strings"
	"testing"
	"time"

	"cloudwall/internal/model"
)

// TestIPSetUse: a WAFv2 IP set widened to the internet is judged by how
// the web ACLs the scan saw earlier use it: in an allow rule every
// address skips the rules after it (high); only in block rules every
// request is blocked, which admits no one (low); unknown use, another
// set, another account or a counting rule keep medium.
func TestIPSetUse(t *testing.T) {
	const arn = "arn:aws:wafv2:us-east-1:111122223333:regional/ipset/office/a1b2c3d4-0000-1111-2222-333344445555"
	webACL := func(action model.Action, setARN, account string) model.Event {
		ev := *event(model.AWS, "wafv2:updatewebacl", model.RuleChange{Effect: model.Altered, Name: "office-rule", Action: action,
			Priority: model.IntPtr(0), Peers: []model.Peer{{Kind: model.PeerOther, Value: setARN}}})
		ev.Resource = model.Resource{Type: "web_acl", ID: "acl-1", Name: "prod"}
		ev.Account = account
		return ev
	}
	widen := func(peer string) model.Event {
		ev := *event(model.AWS, "wafv2:updateipset", model.RuleChange{Effect: model.Altered, Action: model.Allow, Peers: []model.Peer{cidr(peer)}})
		ev.Resource = model.Resource{Type: "ip_set", ID: "a1b2c3d4-0000-1111-2222-333344445555", Name: "office"}
		ev.Time = t0.Add(time.Hour)
		return ev
	}
	failed := func(ev model.Event) model.Event {
		ev.Outcome, ev.ErrorCode = model.Failure, "WAFInvalidParameterException"
		return ev
	}
	other := "arn:aws:wafv2:us-east-1:111122223333:regional/ipset/other/ffff"
	for _, tc := range []struct {
		name  string
		calls []model.Event
		want  model.Severity
		// reason, when set, is a substring of a reason
		reason string
	}{
		// Unknown use stays medium, between the allow rule's high and the
		// block rule's low, and says how to find the use.
		{"use not seen", []model.Event{widen("0.0.0.0/0")}, model.Medium, "no web ACL call in this scan references the set"},
		{"use not seen, half of the internet", []model.Event{widen("128.0.0.0/1")}, model.Medium, "list the web ACLs of its scope"},
		{"allow rule", []model.Event{webACL(model.Allow, arn, "111122223333"), widen("0.0.0.0/0")}, model.High, ""},
		{"block rule", []model.Event{webACL(model.Deny, arn, "111122223333"), widen("0.0.0.0/0")}, model.Low, ""},
		{"allow and block", []model.Event{webACL(model.Deny, arn, "111122223333"), webACL(model.Allow, arn, "111122223333"), widen("::/0")}, model.High, ""},
		{"counting rule", []model.Event{webACL("", arn, "111122223333"), widen("0.0.0.0/0")}, model.Medium, ""},
		{"another set", []model.Event{webACL(model.Deny, other, "111122223333"), widen("0.0.0.0/0")}, model.Medium, ""},
		{"another account", []model.Event{webACL(model.Deny, arn, "999988887777"), widen("0.0.0.0/0")}, model.Medium, ""},
		// Widened first, then referenced: the web ACL call that allows the
		// set lets every request past its later rules (high); a block
		// rule, a narrowed set, another set or a failed widening do not.
		{"widened, then an allow rule", []model.Event{widen("0.0.0.0/1"), webACL(model.Allow, arn, "111122223333")}, model.High, "set to every address"},
		{"widened, then a block rule", []model.Event{widen("0.0.0.0/1"), webACL(model.Deny, arn, "111122223333")}, model.Info, ""},
		{"widened, narrowed, then an allow rule", []model.Event{widen("0.0.0.0/1"), widen("203.0.113.0/24"), webACL(model.Allow, arn, "111122223333")}, model.Low, ""},
		{"widened, then an allow rule on another set", []model.Event{widen("0.0.0.0/1"), webACL(model.Allow, other, "111122223333")}, model.Low, ""},
		{"widening failed, then an allow rule", []model.Event{failed(widen("0.0.0.0/1")), webACL(model.Allow, arn, "111122223333")}, model.Low, ""},
		// Widened, with the set's only known use the widening itself:
		// still unknown use, not a block-only set.
		{"widened twice", []model.Event{widen("0.0.0.0/1"), widen("0.0.0.0/1")}, model.Medium, "no web ACL call in this scan references the set"},
		{"not widened to the internet", []model.Event{webACL(model.Allow, arn, "111122223333"), widen("203.0.113.0/24")}, model.Low, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := lastOf(t, tc.calls)
			if f.Severity != tc.want {
				t.Errorf("severity %s, want %s\nreasons: %q", f.Severity, tc.want, f.Reasons)
			}
			if tc.reason != "" && !slices.ContainsFunc(f.Reasons, func(r string) bool { return strings.Contains(r, tc.reason) }) {
				t.Errorf("reasons %q lack %q", f.Reasons, tc.reason)
			}
		})
	}
}
