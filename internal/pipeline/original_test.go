package pipeline

import (
	"slices"
	"strings"
	"testing"

	"cloudwall/internal/model"
)

// TestGCPOriginalStateJudged: a GCP firewalls.patch or delete logs its
// request in the operation's first entry and the rule as it was before
// the call in the last (resourceOriginalState, as in Wazuh's real capture).
// What the call did not send is the rule's own, so a patch of source
// ranges is judged on the rule's ports, switching a rule on or off on what
// the rule does, and a deletion on what the deleted rule allowed or
// denied; not as "ports not logged" or "if it was a deny".
func TestGCPOriginalStateJudged(t *testing.T) {
	res := scan(t, []string{"../normalize/gcp/testdata/wazuh_original_state_pairs.jsonl"}, Options{})
	for _, tt := range []struct {
		rule, title, reason string
		sev                 model.Severity
	}{
		// sourceRanges 0.0.0.0/0 on a rule that allowed tcp, udp and icmp
		// from 10.128.0.0/9 (the real entry's state).
		{"fw-ranges", "opened to the IPv4 internet on all tcp ports, all udp ports", "before the call it was: allow ingress fw-ranges tcp all from 10.128.0.0/9", model.Critical},
		// disabled=false on a disabled rule allowing 22/tcp from anywhere.
		{"fw-enable", "opened to the IPv4 internet on 22/tcp (ssh)", "only switched whether the rule is enforced", model.Critical},
		// disabled=true on a rule denying everything from anywhere.
		{"fw-disable", "disabled (a deny: the IPv4 internet on all protocols and ports is no longer blocked by it)", "resourceOriginalState", model.High},
		// targetTags on a rule allowing 3389/tcp from anywhere.
		{"fw-targets", "opened to the IPv4 internet on 3389/tcp (rdp)", "resourceOriginalState", model.Critical},
		// Deleting a deny opens what it blocked; deleting an allow closes,
		// kept at low: a forged last entry could call a deny an allow.
		{"fw-deldeny", "deleted", "deny rule removed", model.High},
		{"fw-delallow", "deleted", "kept at low, not info", model.Low},
	} {
		i := slices.IndexFunc(res.Findings, func(f model.Finding) bool {
			return f.Resource.Name == tt.rule && !slices.Contains(f.Tags, "correlation")
		})
		if i < 0 {
			t.Errorf("%s: no finding", tt.rule)
			continue
		}
		f := res.Findings[i]
		if f.Severity != tt.sev || !strings.Contains(f.Title, tt.title) {
			t.Errorf("%s: %s %q, want %s %q", tt.rule, f.Severity, f.Title, tt.sev, tt.title)
		}
		if !slices.ContainsFunc(f.Reasons, func(r string) bool { return strings.Contains(r, tt.reason) }) {
			t.Errorf("%s: no reason says %q: %q", tt.rule, tt.reason, f.Reasons)
		}
		// The undo sets back only what the call sent: the rule's rules and
		// priority, read from its state to judge it, were not changed.
		if slices.ContainsFunc(f.Rollback, func(c string) bool { return strings.Contains(c, "<RULES>") || strings.Contains(c, "<PRIORITY>") }) {
			t.Errorf("%s: the undo sets fields the call did not send: %q", tt.rule, f.Rollback)
		}
		if slices.ContainsFunc(f.Reasons, func(r string) bool {
			return strings.Contains(r, "previous content is not logged") || strings.Contains(r, "action is not logged")
		}) {
			t.Errorf("%s: a reason says the log lacks what it carries: %q", tt.rule, f.Reasons)
		}
	}
}

// TestGCPLastEntryAloneStaysUnlogged: the real last entry alone logs the
// rule's state before the call, not what the call changed: the finding
// still says the content is not logged, and a reason says what the rule
// was.
func TestGCPLastEntryAloneStaysUnlogged(t *testing.T) {
	res := scan(t, []string{"../normalize/gcp/testdata/real_wazuh_firewall_patch_last.json"}, Options{})
	if len(res.Findings) != 1 {
		t.Fatalf("%d findings, want 1", len(res.Findings))
	}
	f := res.Findings[0]
	if f.Severity != model.Medium || !strings.Contains(f.Title, "rule content not logged") {
		t.Errorf("%s %q, want medium, content not logged", f.Severity, f.Title)
	}
	// It does say what the rule was.
	const was = "before the call the rule was: allow ingress default-allow-internal tcp all from 10.128.0.0/9; " +
		"allow ingress default-allow-internal udp all from 10.128.0.0/9; allow ingress default-allow-internal icmp from 10.128.0.0/9 " +
		"(resourceOriginalState of ../normalize/gcp/testdata/real_wazuh_firewall_patch_last.json record 1)"
	if !slices.ContainsFunc(f.Reasons, func(r string) bool { return strings.Contains(r, was) }) {
		t.Errorf("no reason says what the rule was: %q", f.Reasons)
	}
}

// TestGCPOriginalStateReplayed: with no baseline, the state replay takes a
// GCP rule's earlier content from the operation's resourceOriginalState:
// the undo of a sourceRanges patch to 0.0.0.0/0 sets back the logged
// 10.128.0.0/9 (not a <SOURCE_RANGES> placeholder), and its windows have
// the rule's real protocols and ports, not "ports not logged". A field the
// state lacks (the target tags) is still asked for, never read as empty.
func TestGCPOriginalStateReplayed(t *testing.T) {
	res := scan(t, []string{"../normalize/gcp/testdata/wazuh_original_state_pairs.jsonl"}, Options{})
	find := func(rule string) model.Finding {
		i := slices.IndexFunc(res.Findings, func(f model.Finding) bool {
			return f.Resource.Name == rule && !slices.Contains(f.Tags, "correlation")
		})
		if i < 0 {
			t.Fatalf("%s: no finding", rule)
		}
		return res.Findings[i]
	}
	for _, tt := range []struct {
		rule, undo string
	}{
		{"fw-ranges", "gcloud compute firewall-rules update fw-ranges --project=wazuh-dev-258815 --source-ranges=10.128.0.0/9"},
		{"fw-targets", "--target-tags='<TARGET_TAGS>'"},
		{"fw-enable", "gcloud compute firewall-rules update fw-enable --project=wazuh-dev-258815 --disabled"},
	} {
		f := find(tt.rule)
		if !slices.ContainsFunc(f.Rollback, func(c string) bool { return strings.Contains(c, tt.undo) }) {
			t.Errorf("%s: undo %q, want %q", tt.rule, f.Rollback, tt.undo)
		}
	}
	w := find("fw-ranges").Window
	if w == nil {
		t.Fatal("fw-ranges: no window")
	}
	if w.Rule.Protocol == "" || len(w.Rule.Ports) == 0 || w.Rule.Action != model.Allow {
		t.Errorf("fw-ranges window rule %+v, want the rule's action, protocol and ports", w.Rule)
	}
	for _, e := range w.Exposure {
		if strings.Contains(e, "not logged") {
			t.Errorf("fw-ranges window exposure %q", w.Exposure)
		}
	}
}
