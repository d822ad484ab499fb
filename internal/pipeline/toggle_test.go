package pipeline

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cloudwall/internal/content"
	"cloudwall/internal/detect"
	"cloudwall/internal/model"
	"cloudwall/internal/state"
)

// TestGCPDisabledAndReorder: a GCP firewall rule written disabled
// enforces nothing, enabling it is the call that exposes, disabling an
// allow closes, disabling a deny opens what it blocked; a patch of the
// priority alone opens only what the new order lets through; a patch of
// description or logging alone changes no access; a goto_next rule admits
// nothing. The cases are a tester's (testdata/gcp-disabled/README.md).
func TestGCPDisabledAndReorder(t *testing.T) {
	for _, tc := range []struct {
		file, event string
		want        model.Severity
		title       string // the title holds it
		forbid      string // the title does not hold it (case-insensitive)
	}{
		{"created-disabled.jsonl", "ins-bool", model.Low, "created disabled (enforces nothing until enabled)", "opened"},
		{"created-disabled.jsonl", "ins-text", model.Low, "created disabled", "opened"},
		{"probe7.jsonl", "k1", model.Critical, "opened to the IPv4 internet on 22/tcp (ssh)", ""},
		// The remediation: closing, kept at low as deletes of a known
		// allow are (what state knew came from earlier records).
		{"probe7.jsonl", "k2", model.Low, "open-ssh disabled (closing access)", "if it was a deny"},
		{"probe7.jsonl", "k3", model.Info, "upd disabled (closing access)", "opened"},
		{"enable-known.jsonl", "en-ins", model.Low, "created disabled", ""},
		{"enable-known.jsonl", "en-patch", model.Critical, "r4 enabled: opened to the IPv4 internet on 22/tcp (ssh)", "if it is an allow"},
		{"enable-unknown.jsonl", "en-unknown", model.Low, "enabled (if it is an allow, it admits traffic again)", ""},
		{"disable-deny.jsonl", "dd-patch", model.High, "r7 disabled (a deny: the IPv4 internet on 22/tcp (ssh) is no longer blocked by it)", ""},
		{"disable-unknown.jsonl", "dis-unknown", model.Medium, "disabled (if it was a deny, what it blocked is now allowed)", ""},
		{"descriptive.jsonl", "desc", model.Info, "d13 description changed (no access change)", "not logged"},
		{"descriptive.jsonl", "logoff", model.Low, "d26 logging turned off", "not logged"},
		{"priority-unknown.jsonl", "prio", model.Low, "d24 priority set to 900", "opened"},
		{"priority-known.jsonl", "pk-raise", model.Critical, "priority set to 100 (opens IPv4 internet -> 22/tcp (ssh))", ""},
		{"goto-next.jsonl", "goto", model.Low, "goto_next rule added", "opened"},
		{"policy-rule-disabled.jsonl", "netpol", model.Medium, "netpol2 rule 10 disabled (if it was a deny", "policy netpol2 disabled"},
		{"multi-protocol.jsonl", "gke", model.Low, "on all tcp ports, all udp ports, icmp", ""},
	} {
		t.Run(tc.file+"/"+tc.event, func(t *testing.T) {
			res := scan(t, []string{filepath.Join("testdata/gcp-disabled", tc.file)}, Options{Filter: Filter{MinSeverity: model.Info}})
			var f *model.Finding
			for i := range res.Findings {
				if res.Findings[i].Event.EventID == tc.event {
					f = &res.Findings[i]
				}
			}
			if f == nil {
				t.Fatalf("no finding for event %s", tc.event)
			}
			if f.Severity != tc.want {
				t.Errorf("severity %s, want %s\ntitle: %s\nreasons: %q", f.Severity, tc.want, f.Title, f.Reasons)
			}
			if !strings.Contains(f.Title, tc.title) {
				t.Errorf("title %q lacks %q", f.Title, tc.title)
			}
			if tc.forbid != "" && strings.Contains(strings.ToLower(f.Title), strings.ToLower(tc.forbid)) {
				t.Errorf("title %q holds %q", f.Title, tc.forbid)
			}
		})
	}
}

// TestGCPDisabledWindows: a rule created disabled opens no exposure
// window; enabling it opens one at the enable, which the enable's finding
// names.
func TestGCPDisabledWindows(t *testing.T) {
	res := scan(t, []string{"testdata/gcp-disabled/created-disabled.jsonl"}, Options{Filter: Filter{MinSeverity: model.Info}})
	if len(res.Windows) != 0 {
		t.Errorf("rules created disabled opened %d windows, want none: %+v", len(res.Windows), res.Windows)
	}
	res = scan(t, []string{"testdata/gcp-disabled/enable-known.jsonl"}, Options{Filter: Filter{MinSeverity: model.Info}})
	enabled := time.Date(2026, 4, 12, 11, 0, 0, 0, time.UTC)
	if len(res.Windows) != 1 || !res.Windows[0].Start.Equal(enabled) {
		t.Fatalf("windows %+v, want one opened at the enable (%s)", res.Windows, enabled)
	}
	for _, f := range res.Findings {
		if f.Event.EventID == "en-patch" && (f.Window == nil || f.Window.ID != res.Windows[0].ID) {
			t.Errorf("the enable's finding does not name the window it opened: %+v", f.Window)
		}
	}
}

// TestKnownToggleReadsDisabledAsDetect: a patch of disabled alone on a
// known world-open allow is read as detection reads the setting (letter
// case and spaces aside): disabling closes (at most low), it is not
// judged as enabling the rule (critical).
func TestKnownToggleReadsDisabledAsDetect(t *testing.T) {
	c, err := content.Default()
	if err != nil {
		t.Fatal(err)
	}
	det := detect.New(c)
	allow := model.Rule{RuleChange: model.RuleChange{Direction: model.Ingress, Action: model.Allow, Protocol: "tcp",
		Ports: model.PortList{{From: 22, To: 22}}, Peers: []model.Peer{{Kind: model.PeerCIDR, Value: "0.0.0.0/0"}}, Name: "open-ssh"}}
	for _, v := range []string{"true", "TRUE", " True "} {
		ev := &model.Event{Cloud: model.GCP, Service: "compute.googleapis.com", Operation: "v1.compute.firewalls.patch",
			OperationKey: "compute.firewalls.patch", Outcome: model.Success,
			Resource: model.Resource{Type: "gce_firewall_rule", ID: "projects/p/global/firewalls/open-ssh", Name: "open-ssh"},
			Settings: map[string]string{model.SettingDisabled: v}}
		f, ok := det.Evaluate(ev)
		if !ok {
			t.Fatalf("disabled=%q: no finding", v)
		}
		ch := &state.Change{Applied: true, Before: model.RuleSet{Known: true, Rules: []model.Rule{allow}}}
		knownToggle(det, ev, &f, ch)
		if f.Severity > model.Low || strings.Contains(f.Title, "enabled") {
			t.Errorf("disabled=%q: %s %q, want the disable of a known allow (closing, at most low)", v, f.Severity, f.Title)
		}
	}
}
